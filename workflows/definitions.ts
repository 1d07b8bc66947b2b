/** Signals, queries and updates of the visit workflow: the API and tests use these names. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ClaimAcknowledgment, ClaimRemittance, ClaimStatus } from '../domain/claim';
import type { CodingProblem } from '../domain/coding';
import type { CodedEncounter, Coverage, EligibilityResult, StartVisit } from '../domain/visit';

export type VisitStage =
  | 'intake' | 'eligibility' | 'awaiting_coverage' | 'awaiting_encounter' | 'coding' | 'coding_review'
  | 'charges' | 'claim_submitted' | 'claim_rejected' | 'awaiting_adjudication' | 'denied' | 'closed';

export type VisitOutcome = 'paid' | 'denied' | 'cancelled' | 'ineligible' | 'rejected';

/** Timers come from the input so tests can shrink days to seconds without special code paths. */
export interface VisitTimers {
  coverageDeadlineMs: number;
  ackTimeoutMs: number;
  adjudicationTimeoutMs: number;
  /** startToClose for each activity attempt; a crashed worker's attempt is retried after it. */
  activityTimeoutMs?: number;
  /** Ceiling of the retry backoff for failing calls to outside parties (default 30 s). */
  activityRetryMaxIntervalMs?: number;
}

export interface VisitInput {
  visit: StartVisit;
  timers: VisitTimers;
}

export interface ClaimSummary {
  attempt: number;
  frequency: '1' | '7' | '8';
  status: ClaimStatus;
  controlNumber: number;
  billedCents: number;
  paidCents: number;
  patientResponsibilityCents: number;
  payerClaimNumber?: string;
  denialCodes: string[];
}

export interface VisitStatus {
  visitId: string;
  stage: VisitStage;
  outcome?: VisitOutcome;
  awaitingAction?: string;
  history: { stage: VisitStage; at: string }[];
  eligibility?: EligibilityResult;
  encounterId?: string;
  codingProblems: CodingProblem[];
  claim?: ClaimSummary;
  claims: ClaimSummary[];
  balance: { billedCents: number; paidCents: number; adjustedCents: number; patientResponsibilityCents: number; insuranceBalanceCents: number };
}

export const statusQuery = defineQuery<VisitStatus>('status');
export const encounterSignedSignal = defineSignal<[{ encounterId: string }]>('encounterSigned');
export const claimAcknowledgedSignal = defineSignal<[ClaimAcknowledgment]>('claimAcknowledged');
export const remittanceReceivedSignal = defineSignal<[ClaimRemittance]>('remittanceReceived');
export const cancelUpdate = defineUpdate<VisitStatus, [{ reason: string }]>('cancel');
export const updateCoverageUpdate = defineUpdate<VisitStatus, [Coverage]>('updateCoverage');
export const correctCodingUpdate = defineUpdate<VisitStatus, [CodedEncounter]>('correctCoding');

/** Application failure types the API maps to HTTP 409 (the visit is not in a state that allows it). */
export const INVALID_STAGE = 'InvalidStage';
