/** Starting and cancelling visits, shared by the REST routes and the PMS's HL7 feed. */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { StartVisit } from '../domain/visit';
import { cancelUpdate, type VisitStatus, type VisitTimers } from '../workflows/definitions';

export const workflowIdOf = (visitId: string) => `visit-${visitId}`;

export interface VisitsDeps {
  temporal: Client;
  taskQueue: string;
  timers: VisitTimers;
}

/** Idempotent on the visit id: a second start (even of a closed visit) starts nothing and says so. */
export async function startVisit({ temporal, taskQueue, timers }: VisitsDeps, visit: StartVisit): Promise<{ workflowId: string; created: boolean }> {
  const workflowId = workflowIdOf(visit.visitId);
  try {
    await temporal.workflow.start('visitWorkflow', {
      workflowId, taskQueue, args: [{ visit, timers }], workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { workflowId, created: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, created: false };
    throw err;
  }
}

export function cancelVisit(temporal: Client, visitId: string, reason: string): Promise<VisitStatus> {
  return temporal.workflow.getHandle(workflowIdOf(visitId)).executeUpdate(cancelUpdate, { args: [{ reason }] });
}
