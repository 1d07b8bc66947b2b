/** Signals, queries and updates of the visit workflow: the API and tests use these names. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ClaimAcknowledgment, ClaimRemittance, ClaimStatus } from '../domain/claim';
import type { Finding } from '../domain/billing/findings';
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
  /** The scrubber ruleset that passed the claim (also on the claim row in Postgres). */
  rulesetVersion?: string;
}

export interface VisitStatus {
  visitId: string;
  stage: VisitStage;
  outcome?: VisitOutcome;
  awaitingAction?: string;
  /** Each stage entered; a scrub is recorded on the stage it ran in, with the ruleset version that judged it. */
  history: { stage: VisitStage; at: string; rulesetVersion?: string; findings?: number }[];
  eligibility?: EligibilityResult;
  encounterId?: string;
  codingProblems: CodingProblem[];
  /** The scrubber's findings on the current coding (errors keep the visit in coding review). */
  findings: Finding[];
  /** The ruleset version of the last scrub. */
  rulesetVersion?: string;
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
/** Accepts one of a finding's suggested fixes (a code, a modifier or units): the visit is re-scrubbed with it. */
export const acceptSuggestionUpdate = defineUpdate<VisitStatus, [AcceptSuggestion]>('acceptSuggestion');

export interface AcceptSuggestion {
  findingId: string;
  /** One of the finding's `suggestion.options`. */
  choice: string;
}

/** Application failure types the API maps to HTTP 409 (the visit is not in a state that allows it). */
export const INVALID_STAGE = 'InvalidStage';
/** An accepted suggestion that the finding did not offer: the API maps it to 422. */
export const SUGGESTION_REJECTED = 'SuggestionRejected';
