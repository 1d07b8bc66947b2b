/**
 * `GET /remittances`: the remittance work queue for billers (api/access.ts). Every 835 claim
 * received is either posted to the claim attempt it answers or kept here with the reason it
 * was not (domain/billing/posting.ts `decidePosting`); reading the list is audited.
 */
import { Router } from 'express';
import type { Db } from '../db/knex';
import { listRemittances } from '../db/remittance-queue';
import { ROUTER_OPTIONS } from './access';
import { auditAs } from './auth';
import { RemittanceQuery } from './schemas';

export function remittancesRouter({ db }: { db: Db }): Router {
  const router = Router(ROUTER_OPTIONS);
  router.get('/remittances', async (req, res) => {
    const q = RemittanceQuery.parse(req.query);
    const page = await listRemittances(db, q);
    await auditAs(db, req, res)('remittances.read', null, { status: q.status, payerId: q.payerId ?? null, entries: page.entries.length });
    res.json(page);
  });
  return router;
}
