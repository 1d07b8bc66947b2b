/** Starting, reading and cancelling visits, and taking patient payments: shared by the REST routes and the PMS's HL7 feed. */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db/knex';
import { findPatientPayment } from '../db/patient-balances';
import { decidePayment, type PatientPayment } from '../domain/billing/patient-balance';
import { FailureType } from '../domain/failures';
import type { StartVisit } from '../domain/visit';
import {
  cancelUpdate,
  patientBalanceQuery,
  patientBalanceWorkflowId,
  patientPaymentUpdate,
  statusQuery,
  visitWorkflowId,
  visitWorkflowType,
  type PatientPaymentReceipt,
  type VisitStatus,
  type VisitTimers,
} from '../workflows/definitions';
import { ApiError, temporalBusy } from './errors';

export interface VisitsDeps {
  temporal: Client;
  taskQueue: string;
  timers: VisitTimers;
}

/** Idempotent on the visit id: a second start (even of a closed visit) starts nothing and says so. */
export async function startVisit({ temporal, taskQueue, timers }: VisitsDeps, visit: StartVisit): Promise<{ workflowId: string; created: boolean }> {
  const workflowId = visitWorkflowId(visit.visitId);
  try {
    await temporal.workflow.start(visitWorkflowType, {
      workflowId,
      taskQueue,
      args: [{ visit, timers }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { workflowId, created: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, created: false };
    throw err;
  }
}

export function cancelVisit(temporal: Client, visitId: string, reason: string): Promise<VisitStatus> {
  return temporal.workflow.getHandle(visitWorkflowId(visitId)).executeUpdate(cancelUpdate, { args: [{ reason }] });
}

/** The visit's status; while the patient balance is open, with that balance as its workflow holds it (statements, payments, what comes next). */
async function visitStatus(temporal: Client, visitId: string): Promise<VisitStatus> {
  const status = await temporal.workflow.getHandle(visitWorkflowId(visitId)).query(statusQuery);
  if (status.stage !== 'patient_balance' || status.patientBalance) return status;
  const balance = await temporal.workflow
    .getHandle(patientBalanceWorkflowId(visitId))
    .query(patientBalanceQuery)
    .catch(() => undefined);
  return balance ? { ...status, patientBalance: balance } : status;
}

/**
 * How the API reads visits' status. Concurrent reads of one visit share one Temporal query:
 * every tab, dashboard and work queue polling a visit asks its worker the same question, and
 * a read that arrives while that question is out gets its answer (taken at most one query's
 * time before). At most `maxPending` distinct
 * queries wait on Temporal at once: beyond that a read is refused at once with 503 and
 * Retry-After, instead of queueing until the call deadline (TEMPORAL_CALL_TIMEOUT_MS) and
 * then answering 504, or 500, to every caller behind it.
 */
export function statusReader(temporal: Client, maxPending: number): (visitId: string) => Promise<VisitStatus> {
  const pending = new Map<string, Promise<VisitStatus>>();
  return (visitId) => {
    const shared = pending.get(visitId);
    if (shared) return shared;
    if (pending.size >= maxPending) {
      return Promise.reject(
        temporalBusy(`more reads of visits are waiting for the workflow service (Temporal) than this API lets wait (${maxPending}, API_MAX_PENDING_READS)`),
      );
    }
    const read = visitStatus(temporal, visitId).finally(() => pending.delete(visitId));
    pending.set(visitId, read);
    return read;
  };
}

/**
 * A patient's payment, sent to the visit's patient balance workflow as an update. Idempotent by
 * reference: a payment the billing record already holds is answered from it (duplicate, even
 * once the balance is closed); the same reference with another amount or method is 409.
 */
export async function takePatientPayment(temporal: Client, db: Db, visitId: string, payment: PatientPayment): Promise<PatientPaymentReceipt> {
  const balance = temporal.workflow.getHandle(patientBalanceWorkflowId(visitId));
  const recorded = await findPatientPayment(db, visitId, payment.reference);
  if (recorded) {
    const again = decidePayment({ openingCents: 0, openedAt: '', payments: [recorded], statements: [], writtenOffCents: 0 }, payment);
    if (again.kind === 'refused')
      throw new ApiError(409, FailureType.PatientPaymentRefused, again.message, 'a new payment needs a new reference', [
        { path: again.path, message: again.message },
      ]);
    return { duplicate: true, payment: recorded, balance: await balance.query(patientBalanceQuery) };
  }
  try {
    return await balance.executeUpdate(patientPaymentUpdate, { args: [payment] });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    // No patient balance workflow running: say whether the visit exists, and where it stands.
    const status = await temporal.workflow.getHandle(visitWorkflowId(visitId)).query(statusQuery); // WorkflowNotFoundError: 404
    throw new ApiError(
      409,
      'NO_PATIENT_BALANCE',
      `visit ${visitId} has no open patient balance (stage ${status.stage}${status.outcome ? `, outcome ${status.outcome}` : ''})`,
      'a patient payment is taken once insurance has answered and the patient owes a share: read the visit with GET /visits/{visitId}',
    );
  }
}
