/**
 * Start, read and steer visits. Each visit is the workflow `visit-<visitId>`. Who may
 * call each route is declared in api/access.ts; every read of a visit and every
 * decision (start, cancel, coverage, coding) is written to the audit trail before the
 * answer goes out.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import type { Db } from '../db/knex';
import {
  acceptSuggestionUpdate,
  correctCodingUpdate,
  retryUpdate,
  updateCoverageUpdate,
  voidClaimUpdate,
  visitWorkflowId,
  writeOffUpdate,
  type VisitStatus,
} from '../workflows/definitions';
import { ROUTER_OPTIONS } from './access';
import { auditAs, principalOf } from './auth';
import { ApiError } from './errors';
import {
  AcceptSuggestion,
  CancelVisit,
  CodedEncounter,
  Coverage,
  PatientPayment,
  RetryVisit,
  StartVisit,
  VisitParams,
  VoidClaim,
  WriteOffVisit,
} from './schemas';
import { cancelVisit, startVisit, statusReader, takePatientPayment, type VisitsDeps } from './visits.service';
import { visitView } from './views';

/** The visit as the caller's roles may see it (api/views.ts): every answer that carries a visit's status goes through here. */
const asSeenBy = (res: Response, status: VisitStatus) => visitView(principalOf(res).roles, status);

export function visitsRouter(deps: VisitsDeps & { db: Db; maxPendingReads?: number }): Router {
  const { temporal, db } = deps;
  const router = Router(ROUTER_OPTIONS);
  const readStatus = statusReader(temporal, deps.maxPendingReads ?? 100);
  const handle = (visitId: string) => temporal.workflow.getHandle(visitWorkflowId(visitId));

  router.post('/visits', async (req, res) => {
    const visit = StartVisit.parse(req.body);
    const { workflowId, created } = await startVisit(deps, visit);
    await auditAs(db, req, res)('visit.start', visit.visitId, { created });
    res
      .status(created ? 201 : 200)
      .location(`/visits/${visit.visitId}`)
      .json({ visitId: visit.visitId, workflowId, created });
  });

  router.get('/visits/:visitId', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const status = await readStatus(visitId);
    await auditAs(db, req, res)('visit.read', visitId);
    res.json(asSeenBy(res, status));
  });

  router.post('/visits/:visitId/cancel', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const { reason } = CancelVisit.parse(req.body ?? {});
    res.json(asSeenBy(res, await decision(req, res, visitId, 'visit.cancel', cancelVisit(temporal, visitId, reason))));
  });

  router.post('/visits/:visitId/retry', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const body = RetryVisit.parse(req.body ?? {});
    res.json(asSeenBy(res, await decision(req, res, visitId, 'visit.retry', handle(visitId).executeUpdate(retryUpdate, { args: [body] }))));
  });

  router.post('/visits/:visitId/write-off', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const body = WriteOffVisit.parse(req.body ?? {});
    res.json(asSeenBy(res, await decision(req, res, visitId, 'visit.write_off', handle(visitId).executeUpdate(writeOffUpdate, { args: [body] }))));
  });

  router.post('/visits/:visitId/void', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const body = VoidClaim.parse(req.body ?? {});
    res.json(asSeenBy(res, await decision(req, res, visitId, 'visit.void', handle(visitId).executeUpdate(voidClaimUpdate, { args: [body] }))));
  });

  router.post('/visits/:visitId/patient-payments', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const payment = PatientPayment.parse(req.body);
    const receipt = await decision(req, res, visitId, 'visit.patient_payment', takePatientPayment(temporal, db, visitId, payment));
    res.status(receipt.duplicate ? 200 : 201).json(receipt);
  });

  router.post('/visits/:visitId/coverage', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const coverage = Coverage.parse(req.body);
    res.json(asSeenBy(res, await decision(req, res, visitId, 'visit.coverage', handle(visitId).executeUpdate(updateCoverageUpdate, { args: [coverage] }))));
  });

  router.post('/visits/:visitId/coding', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const encounter = CodedEncounter.parse(req.body);
    res.json(asSeenBy(res, await decision(req, res, visitId, 'visit.coding', handle(visitId).executeUpdate(correctCodingUpdate, { args: [encounter] }))));
  });

  router.post('/visits/:visitId/coding/suggestions', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const accepted = AcceptSuggestion.parse(req.body);
    res.json(
      asSeenBy(res, await decision(req, res, visitId, 'visit.coding.suggestion', handle(visitId).executeUpdate(acceptSuggestionUpdate, { args: [accepted] }))),
    );
  });
  /** A person's decision sent to the visit: audited whether the visit took it or refused it. */
  async function decision<T>(req: Request, res: Response, visitId: string, action: string, update: Promise<T>): Promise<T> {
    const record = auditAs(db, req, res);
    try {
      const result = await closedIsConflict(visitId, update);
      await record(action, visitId, { outcome: 'accepted' });
      return result;
    } catch (err) {
      await record(action, visitId, { outcome: 'refused', code: (err as { code?: string }).code ?? (err as Error).name });
      throw err;
    }
  }

  /** Temporal answers "not found" for an update to a closed visit; the client deserves 409, not 404. */
  async function closedIsConflict<T>(visitId: string, update: Promise<T>): Promise<T> {
    try {
      return await update;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const closed = await handle(visitId)
        .describe()
        .then(
          (d) => d.status.name !== 'RUNNING',
          () => false,
        );
      if (closed) throw new ApiError(409, 'VISIT_CLOSED', `visit ${visitId} is closed`, 'read its outcome with GET /visits/{visitId}');
      throw err;
    }
  }

  return router;
}
