/** Start, read and steer visits. Each visit is the workflow `visit-<visitId>`. */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { Router } from 'express';
import {
  cancelUpdate, correctCodingUpdate, statusQuery, updateCoverageUpdate, type VisitTimers,
} from '../workflows/definitions';
import { CancelVisit, CodedEncounter, Coverage, StartVisit, VisitParams } from './schemas';

export const workflowIdOf = (visitId: string) => `visit-${visitId}`;

export interface VisitsDeps {
  temporal: Client;
  taskQueue: string;
  timers: VisitTimers;
}

export function visitsRouter({ temporal, taskQueue, timers }: VisitsDeps): Router {
  const router = Router();
  const handle = (visitId: string) => temporal.workflow.getHandle(workflowIdOf(visitId));

  router.post('/visits', async (req, res) => {
    const visit = StartVisit.parse(req.body);
    const workflowId = workflowIdOf(visit.visitId);
    try {
      await temporal.workflow.start('visitWorkflow', {
        workflowId, taskQueue, args: [{ visit, timers }],
        // Starting a visit id that already ran (even closed) must not start it again.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      res.status(201).location(`/visits/${visit.visitId}`).json({ visitId: visit.visitId, workflowId, created: true });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      res.status(200).location(`/visits/${visit.visitId}`).json({ visitId: visit.visitId, workflowId, created: false });
    }
  });

  router.get('/visits/:visitId', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    res.json(await handle(visitId).query(statusQuery));
  });

  router.post('/visits/:visitId/cancel', async (req, res) => {
    const { visitId } = VisitParams.parse(req.params);
    const body = CancelVisit.parse(req.body ?? {});
    res.json(await handle(visitId).executeUpdate(cancelUpdate, { args: [body] }));
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
