/**
 * How the outside world steers a visit: the status query, the signals (EHR, clearinghouse, PMS)
 * and the updates a person sends through the API. Each update's validator refuses a decision
 * the visit cannot take now, before it enters history; the stages it is taken in are the table
 * UPDATE_STAGES in definitions.ts. A handler only records what was sent: the story acts on it.
 */
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { VisitActivities } from '../../activities';
import { applySuggestion } from '../../domain/billing/suggestions';
import { sameBilledLines } from '../../domain/coding';
import { FailureType } from '../../domain/failures';
import { applyRegistration, appointmentChanged, registrationChanges, type VisitChange } from '../../domain/registration';
import type { Appointment, CodedEncounter, Coverage } from '../../domain/visit';
import {
  acceptSuggestionUpdate,
  cancelUpdate,
  claimAcknowledgedSignal,
  correctCodingUpdate,
  encounterSignedSignal,
  registrationChangedSignal,
  remittanceReceivedSignal,
  rescheduleUpdate,
  retryUpdate,
  statusQuery,
  UPDATE_STAGES,
  updateCoverageUpdate,
  voidClaimUpdate,
  writeOffUpdate,
  type VisitStatus,
} from '../definitions';
import { ProviderNpiKey, ServiceDateKey } from '../search-attributes';
import type { Progress } from './progress';
import type { VisitState } from './state';

export function registerHandlers(state: VisitState, progress: Progress, raw: VisitActivities): void {
  const { status, person } = state;
  const requireStage = (update: keyof typeof UPDATE_STAGES) => {
    const { verb, stages } = UPDATE_STAGES[update];
    if (!(stages as readonly string[]).includes(status.stage)) throw refusal(FailureType.InvalidStage, `cannot ${verb} a visit in stage ${status.stage}`);
  };

  /** What the PMS changed, on the status (parts, not values) and in visit_events; a lost event does not stop the visit. */
  const noteChanges = async (changeKey: string, changes: VisitChange[]) => {
    (status.changes ??= []).push({ at: new Date().toISOString(), changes });
    try {
      await raw.recordRegistrationChange({ visitId: state.visit.visitId, changeKey, changes });
    } catch {
      // Retried up to the ceiling already; the change itself is applied and on the status.
    }
  };

  // A query is not recorded in history: what it adds changes no replay. The API decides per role what a caller sees (api/views.ts).
  setHandler(statusQuery, (): VisitStatus => ({
    ...status,
    patient: state.visit.patient,
    coverage: state.visit.coverage,
    secondaryCoverage: state.visit.secondaryCoverage,
    appointment: state.visit.appointment,
    coding: state.reviewing ?? state.lastBilled?.encounter,
  }));
  setHandler(encounterSignedSignal, ({ encounterId }) => {
    state.encounterId ??= encounterId; // a redelivered or late notification changes nothing
  });
  setHandler(claimAcknowledgedSignal, (ack) => {
    if (state.once(ack.sourceKey)) state.acks.push(ack);
  });
  setHandler(remittanceReceivedSignal, (r) => {
    if (state.once(r.sourceKey)) state.remittances.push(r);
  });
  setHandler(registrationChangedSignal, async (change) => {
    if (!state.once(`registration:${change.changeKey}`) || status.stage === 'closed') return;
    const changes = registrationChanges(state.visit, change);
    if (!changes.length) return;
    state.visit = applyRegistration(state.visit, change);
    if (changes.includes('coverage')) {
      state.coverageChanged = true;
      person.coverageUpdated = true; // a visit waiting for corrected coverage takes it from the PMS too
    }
    await noteChanges(change.changeKey, changes);
  });
  setHandler(
    rescheduleUpdate,
    async (appointment) => {
      if (!appointmentChanged(state.visit, appointment)) return status;
      const next = {
        ...state.visit,
        appointment: { ...appointment, priorAuthorization: appointment.priorAuthorization ?? state.visit.appointment.priorAuthorization },
      };
      await raw.rescheduleVisit(next); // the billing record and the EHR's Appointment first: a refusal changes nothing here
      state.visit = next;
      progress.upsertChanged(
        [
          { key: ServiceDateKey, value: new Date(`${appointment.serviceDate}T00:00:00Z`) },
          { key: ProviderNpiKey, value: appointment.providerNpi },
        ],
        true,
      );
      await noteChanges(`appointment:${appointment.serviceDate}:${appointment.providerNpi}:${appointment.placeOfService}`, ['appointment']);
      return status;
    },
    {
      validator: (_: Appointment) => {
        if (state.chargesPosted || status.stage === 'closed') {
          throw refusal(
            FailureType.InvalidStage,
            `cannot reschedule a visit ${state.chargesPosted ? 'whose charges were posted: void or correct the claim instead' : 'that is closed'}`,
          );
        }
      },
    },
  );
  setHandler(
    cancelUpdate,
    ({ reason }) => {
      person.cancelReason = reason;
      return status;
    },
    {
      validator: (arg: { reason: string }) => {
        requireStage('cancel');
        requireReason(arg);
      },
    },
  );
  setHandler(
    retryUpdate,
    () => {
      person.resolution = 'retry';
      return status;
    },
    {
      validator: (arg: { note?: string }) => {
        requireStage('retry');
        if (arg !== undefined && (typeof arg !== 'object' || arg === null || (arg.note !== undefined && typeof arg.note !== 'string'))) {
          throw refusal(FailureType.Validation, 'retry takes { note?: string }');
        }
      },
    },
  );
  setHandler(
    writeOffUpdate,
    ({ reason }) => {
      person.cancelReason = reason;
      person.resolution = 'written_off';
      return status;
    },
    {
      validator: (arg: { reason: string }) => {
        requireStage('writeOff');
        requireReason(arg);
      },
    },
  );
  setHandler(
    voidClaimUpdate,
    ({ reason }) => {
      person.voidReason = reason;
      return status;
    },
    {
      validator: (arg: { reason: string }) => {
        requireStage('voidClaim');
        const claim = status.claim;
        if (!claim?.payerClaimNumber || claim.status === 'rejected' || person.voidReason) {
          throw refusal(FailureType.InvalidStage, 'only a claim the payer accepted (it has a payer claim number) can be voided, once');
        }
        requireReason(arg);
      },
    },
  );
  setHandler(
    updateCoverageUpdate,
    (coverage: Coverage) => {
      state.visit = { ...state.visit, coverage };
      person.coverageUpdated = true;
      return status;
    },
    { validator: (_: Coverage) => requireStage('updateCoverage') },
  );
  setHandler(
    correctCodingUpdate,
    (enc) => {
      person.codingCorrected = enc;
      return status;
    },
    {
      validator: (enc: CodedEncounter) => {
        requireStage('correctCoding');
        if (enc.encounterId !== status.encounterId)
          throw refusal(FailureType.InvalidStage, `the visit's encounter is ${status.encounterId}, not ${enc.encounterId}`);
        // Once charges are posted (a rejected or denied claim), only the diagnoses can change here.
        if (state.chargesPosted && state.reviewing && !sameBilledLines(state.reviewing, enc)) {
          throw refusal(
            FailureType.InvalidStage,
            'the charges of this claim are posted: correct its diagnoses in place (same lines, pointers and number of diagnoses); a procedure change needs a void and a new claim',
          );
        }
      },
    },
  );
  setHandler(
    acceptSuggestionUpdate,
    ({ findingId, choice }) => {
      person.codingCorrected = applySuggestion(state.reviewing!, status.findings, findingId, choice);
      return status;
    },
    {
      validator: ({ findingId, choice }) => {
        requireStage('acceptSuggestion');
        if (!state.reviewing) throw refusal(FailureType.SuggestionRejected, 'the visit has no coding to change yet');
        try {
          applySuggestion(state.reviewing, status.findings, findingId, choice);
        } catch (err) {
          throw refusal(FailureType.SuggestionRejected, (err as Error).message);
        }
      },
    },
  );
}

function refusal(type: FailureType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, nonRetryable: true, message });
}

function requireReason(arg: { reason: string } | undefined): void {
  if (typeof arg?.reason !== 'string' || !arg.reason.trim() || arg.reason.length > 500)
    throw refusal(FailureType.Validation, 'reason: must be 1-500 characters');
}
