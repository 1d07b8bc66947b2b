/** Start, read and steer visits. Each visit is the workflow `visit-<visitId>`. */
import { WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import { ApiError } from './errors';
import { acceptSuggestionUpdate, correctCodingUpdate, statusQuery, updateCoverageUpdate } from '../workflows/definitions';
import { AcceptSuggestion, CancelVisit, CodedEncounter, Coverage, StartVisit, VisitParams } from './schemas';
import { cancelVisit, startVisit, workflowIdOf, type VisitsDeps } from './visits.service';

export function visitsRouter(deps: VisitsDeps): Router {
  const { temporal } = deps;
  const router = Router();
  const handle = (visitId: string) => temporal.workflow.getHandle(workflowIdOf(visitId));

  router.post('/visits', async (req, res) => {
    const visit = StartVisit.parse(req.body);
    const { workflowId, created } = await startVisit(deps, visit);
    res.status(created ? 201 : 200).location(`/visits/${visit.visitId}`).json({ visitId: visit.visitId, workflowId, created });
  });

  router.get('/visits/:visitId', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    res.json(await handle(visitId).query(statusQuery));
  });

  router.post('/visits/:visitId/cancel', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const { reason } = CancelVisit.parse(req.body ?? {});
    res.json(await closedIsConflict(visitId, cancelVisit(temporal, visitId, reason)));
  });

  router.post('/visits/:visitId/coverage', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const coverage = Coverage.parse(req.body);
    res.json(await closedIsConflict(visitId, handle(visitId).executeUpdate(updateCoverageUpdate, { args: [coverage] })));
  });

  router.post('/visits/:visitId/coding', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const encounter = CodedEncounter.parse(req.body);
    res.json(await closedIsConflict(visitId, handle(visitId).executeUpdate(correctCodingUpdate, { args: [encounter] })));
  });

  router.post('/visits/:visitId/coding/suggestions', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const accepted = AcceptSuggestion.parse(req.body);
    res.json(await closedIsConflict(visitId, handle(visitId).executeUpdate(acceptSuggestionUpdate, { args: [accepted] })));
  });

  /** Temporal answers "not found" for an update to a closed visit; the client deserves 409, not 404. */
  async function closedIsConflict<T>(visitId: string, update: Promise<T>): Promise<T> {
    try {
      return await update;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const closed = await handle(visitId).describe().then((d) => d.status.name !== 'RUNNING', () => false);
      if (closed) throw new ApiError(409, 'VISIT_CLOSED', `visit ${visitId} is closed`, 'read its outcome with GET /visits/{visitId}');
      throw err;
    }
  }

  return router;
}
