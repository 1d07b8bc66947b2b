/**
 * The PMS's HL7 v2 feed over MLLP, beside the webhooks: SIU^S12 starts a visit, SIU^S14 moves
 * it, SIU^S15 cancels it, ADT^A04/A08 update the record, the EHR and the patient's open
 * visits. The composition root (app/wiring.ts) puts these handlers behind the MLLP listener
 * (integrations/pms/listener.ts), which acknowledges every message (AA, AE, AR).
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { audit } from '../db/audit';
import { hasInbound, saveInbound } from '../db/inbound';
import { saveRegistration } from '../db/visits';
import type { Db } from '../db/knex';
import { InboundRejectedError, type InboundHandlers, type SeenControlIds } from '../domain/hl7/inbound';
import { registrationChangeWorkflowType, registrationWorkflowId, rescheduleUpdate, visitWorkflowId, type VisitTimers } from '../workflows/definitions';
import { cancelVisit, startVisit } from './visits.service';

/**
 * A PMS message that steers one visit: too late (already billed), closed or unknown cannot
 * be helped by sending it again, so the answer is AE (InboundRejectedError), not AR.
 */
async function steer(code: string, what: string, visitId: string, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
      throw new InboundRejectedError(
        code,
        `visit ${visitId} cannot be ${what}: ${err instanceof WorkflowNotFoundError ? 'no such open visit' : (err.cause?.message ?? err.message)}`,
      );
    }
    throw err;
  }
}

/** Starts a workflow unless one with its id already ran: a redelivered message starts nothing new. */
async function startOnce(temporal: Client, type: string, workflowId: string, taskQueue: string, args: unknown[]): Promise<void> {
  try {
    await temporal.workflow.start(type, { workflowId, taskQueue, args, workflowIdReusePolicy: 'REJECT_DUPLICATE' });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** What each PMS message does, and the control ids already handled (durable: a redelivered message changes nothing). */
export function pmsFeed(deps: { db: Db; temporal: Client; taskQueue: string; timers: VisitTimers }): { handlers: InboundHandlers; seen: SeenControlIds } {
  const { db, temporal, taskQueue, timers } = deps;
  return {
    seen: {
      has: (controlId) => hasInbound(db, 'hl7', controlId),
      add: async (controlId) => void (await saveInbound(db, 'hl7', controlId, 'hl7', '')),
    },
    handlers: {
      appointmentBooked: async (visit) => void (await startVisit({ temporal, taskQueue, timers }, visit)),
      appointmentRescheduled: ({ visitId, appointment }) =>
        steer('RESCHEDULE_REFUSED', 'rescheduled', visitId, () =>
          temporal.workflow.getHandle(visitWorkflowId(visitId)).executeUpdate(rescheduleUpdate, { args: [appointment] }),
        ),
      appointmentCancelled: ({ visitId, reason }) =>
        steer('CANCEL_REFUSED', 'cancelled', visitId, () => cancelVisit(temporal, visitId, reason ?? 'cancelled in the PMS')),
      registration: async (r, controlId) => {
        await saveRegistration(db, r.patient, r.coverage);
        if (r.secondaryCoverage) await saveRegistration(db, r.patient, r.secondaryCoverage);
        await audit(db, 'pms', 'patient.registered', null, { controlId }, { source: 'hl7' });
        // Saved: from here the EHR and every open visit of the patient are updated durably (workflows/registration.ts).
        await startOnce(temporal, registrationChangeWorkflowType, registrationWorkflowId(controlId), taskQueue, [
          {
            change: { changeKey: controlId, ...r },
            retry: { maximumAttempts: timers.activityMaxAttempts, maximumIntervalMs: timers.activityRetryMaxIntervalMs },
          },
        ]);
      },
    },
  };
}
