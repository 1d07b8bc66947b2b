/**
 * A registration change from the PMS (ADT^A08, or an A04 for a patient already known):
 * one short workflow per message, started by the MLLP handler once the change is saved in
 * Postgres, so the ACK means "will reach everything" even while the EHR is down. It updates
 * the EHR's Patient and Coverage in place (conditional update, never a second create) and
 * tells every open visit of the patient, which applies what changed (a changed coverage is
 * checked again before the claim goes out; see visitWorkflow).
 */
import { getExternalWorkflowHandle, log, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { VisitActivities } from '../activities';
import type { RegistrationChange } from '../domain/registration';
import { registrationChangedSignal, visitWorkflowId } from './definitions';

export interface RegistrationChangeResult {
  /** Whether the EHR holds the change (false: it refused; the reason is in `ehrProblem`). */
  ehrUpdated: boolean;
  ehrProblem?: string;
  /** Open visits told of the change. */
  visits: string[];
}

export async function registrationChangeWorkflow(input: {
  change: RegistrationChange;
  retry?: { maximumAttempts?: number; maximumIntervalMs?: number };
}): Promise<RegistrationChangeResult> {
  const { syncEhrRegistration, openVisitsOfPatient } = proxyActivities<VisitActivities>({
    startToCloseTimeout: '1 minute',
    // An EHR that is down is waited for (backoff up to the ceiling); one that refuses is not.
    retry: { maximumAttempts: input.retry?.maximumAttempts ?? 50, maximumInterval: input.retry?.maximumIntervalMs ?? 60_000 },
  });
  const result: RegistrationChangeResult = { ehrUpdated: false, visits: [] };
  setCurrentDetails("Updating the EHR's Patient and Coverage");
  try {
    await syncEhrRegistration(input.change);
    result.ehrUpdated = true;
  } catch (err) {
    // The visits still get the change: the billing record and the claim must not wait for the EHR.
    const cause = (err as { cause?: { type?: string; message?: string } }).cause;
    result.ehrProblem = cause?.message ?? (err as Error).message;
    log.warn('the EHR did not take a registration change', { changeKey: input.change.changeKey, failure: cause?.type ?? 'unknown' }); // no PHI in logs
  }
  setCurrentDetails("Telling the patient's open visits");
  for (const visitId of await openVisitsOfPatient({ patientId: input.change.patient.patientId })) {
    try {
      await getExternalWorkflowHandle(visitWorkflowId(visitId)).signal(registrationChangedSignal, input.change);
      result.visits.push(visitId);
    } catch {
      // Closed since the query: a closed visit keeps the registration it was billed with.
    }
  }
  setCurrentDetails(`Done: EHR ${result.ehrUpdated ? 'updated' : `not updated (${result.ehrProblem})`}, ${result.visits.length} open visit(s) told`);
  return result;
}
