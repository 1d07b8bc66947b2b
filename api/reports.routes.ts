/**
 * What billing operations and analysts read: the KPIs (JSON or CSV) and the work
 * queues, which list what Temporal visibility lists and add what Postgres knows.
 */
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Db } from '../db/knex';
import { kpiInputs, queueCounts, queueVisits } from '../db/reports';
import { computeKpis, kpisToCsv, type KpiFilter } from '../domain/reporting/kpis';
import { queueTiming, temporalUiLinks, visibilityQuery, WORK_QUEUES, workQueue, type WorkQueue } from '../domain/reporting/work-queues';
import { ROUTER_OPTIONS } from './access';
import { principalOf } from './auth';
import { ApiError } from './errors';
import { KpiQuery, WorkQueueParams, WorkQueueQuery } from './schemas';
import { visitWorkflowId } from '../workflows/definitions';
import { queueVisitView } from './views';

export interface ReportsDeps {
  temporal: Client;
  db: Db;
  temporalUi: { url: string; namespace: string };
  now?: () => Date;
}

/** The default period: the 90 days up to today. */
export function kpiFilter(query: unknown, now: Date): KpiFilter {
  const q = KpiQuery.parse(query);
  const to = q.to ?? now.toISOString().slice(0, 10);
  const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 89 * 86_400_000).toISOString().slice(0, 10);
  if (from > to)
    throw new ApiError(400, 'VALIDATION_FAILED', 'the request is not valid', 'fix the fields listed in issues', [
      { path: 'from', message: 'from must not be after to' },
    ]);
  return { from, to, payerId: q.payerId, providerNpi: q.providerNpi, cpt: q.cpt };
}

export function reportsRouter(deps: ReportsDeps): Router {
  const router = Router(ROUTER_OPTIONS);
  const now = deps.now ?? (() => new Date());
  const links = temporalUiLinks(deps.temporalUi.url, deps.temporalUi.namespace);

  router.get('/reports/kpis', async (req, res) => {
    const at = now();
    const filter = kpiFilter(req.query, at);
    const report = computeKpis(filter, await kpiInputs(deps.db, filter, at.toISOString().slice(0, 10)));
    if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
      res.type('text/csv').attachment(`kpis-${filter.from}-${filter.to}.csv`).send(kpisToCsv(report));
      return;
    }
    res.json(report);
  });

  const summary = (q: WorkQueue, count: number, postgresCount: number) => ({
    id: q.id,
    title: q.title,
    reason: q.reason,
    action: q.action,
    slaHours: q.slaHours,
    count,
    postgresCount,
    query: visibilityQuery(q),
    temporalUiUrl: links.list(visibilityQuery(q)),
  });

  router.get('/work-queues', async (_req, res) => {
    const pg = await queueCounts(deps.db);
    const counts = await Promise.all(WORK_QUEUES.map((q) => deps.temporal.workflow.count(visibilityQuery(q)).then((c) => c.count)));
    res.json({
      queues: WORK_QUEUES.map((q, i) =>
        summary(
          q,
          counts[i],
          q.awaitingActions.reduce((t, a) => t + (pg.get(a) ?? 0), 0),
        ),
      ),
    });
  });

  router.get('/work-queues/:queue', async (req, res) => {
    const { queue: id } = WorkQueueParams.parse(req.params);
    const { limit, payerId } = WorkQueueQuery.parse(req.query);
    const q = workQueue(id);
    if (!q) throw new ApiError(404, 'NOT_FOUND', `work queue ${id} not found`, `one of: ${WORK_QUEUES.map((w) => w.id).join(', ')}`);
    const query = payerId ? `${visibilityQuery(q)} AND PayerId = '${payerId}'` : visibilityQuery(q);
    // Temporal decides who is in the queue; Postgres adds since when and for which payer/date.
    const listed: { visitId: string; startTime: Date }[] = [];
    for await (const w of deps.temporal.workflow.list({ query })) {
      listed.push({ visitId: w.workflowId.replace(/^visit-/, ''), startTime: w.startTime });
      if (listed.length >= limit) break;
    }
    const known = new Map(
      (await queueVisits(deps.db, q.awaitingActions, { limit, payerId, visitIds: listed.map((l) => l.visitId) })).map((v) => [v.visitId, v]),
    );
    const at = now();
    const { roles } = principalOf(res);
    const visits = listed
      .map((l) => {
        const pg = known.get(l.visitId);
        const awaitingSince = pg?.awaitingSince ?? l.startTime.toISOString();
        return {
          visitId: l.visitId,
          awaitingAction: pg?.awaitingAction ?? null,
          stage: pg?.stage ?? null,
          payerId: pg?.payerId ?? null,
          serviceDate: pg?.serviceDate ?? null,
          awaitingSince,
          ...queueTiming(q, awaitingSince, at),
          reason: q.reason,
          action: q.action.replace('{visitId}', l.visitId),
          temporalUiUrl: links.workflow(visitWorkflowId(l.visitId)),
        };
      })
      .sort((a, b) => a.awaitingSince.localeCompare(b.awaitingSince));
    res.json({ ...summary(q, visits.length, known.size), visits: visits.map((v) => queueVisitView(roles, v)) });
  });

  return router;
}
