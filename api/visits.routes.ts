/** Start, read and steer visits. Each visit is the workflow `visit-<visitId>`. */
import { Router } from 'express';
import { correctCodingUpdate, statusQuery, updateCoverageUpdate } from '../workflows/definitions';
import { CancelVisit, CodedEncounter, Coverage, StartVisit, VisitParams } from './schemas';
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
    res.json(await cancelVisit(temporal, visitId, reason));
  });

  router.post('/visits/:visitId/coverage', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const coverage = Coverage.parse(req.body);
    res.json(await handle(visitId).executeUpdate(updateCoverageUpdate, { args: [coverage] }));
  });

  router.post('/visits/:visitId/coding', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const encounter = CodedEncounter.parse(req.body);
    res.json(await handle(visitId).executeUpdate(correctCodingUpdate, { args: [encounter] }));
  });

  return router;
}
