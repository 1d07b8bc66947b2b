/** `GET /audit`: the audit trail for admins (api/access.ts), filtered and paged newest first. */
import { Router } from 'express';
import { listAudit } from '../db/audit';
import type { Db } from '../db/knex';
import { AuditQuery } from './schemas';
import { ROUTER_OPTIONS } from './access';
import { auditAs } from './auth';

export function auditRouter({ db }: { db: Db }): Router {
  const router = Router(ROUTER_OPTIONS);
  router.get('/audit', async (req, res) => {
    const q = AuditQuery.parse(req.query);
    const page = await listAudit(db, {
      visitId: q.visitId,
      actor: q.actor,
      action: q.action,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      before: q.before,
      limit: q.limit,
    });
    await auditAs(db, req, res)('audit.read', q.visitId ?? null, { filters: Object.keys(req.query) });
    res.json(page);
  });
  return router;
}
