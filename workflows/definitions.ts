/** Signals, queries and updates of the visit workflow: the API and tests use these names. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/common';
import type { ClaimAcknowledgment, ClaimRemittance, ClaimStatus } from '../domain/claim';
import type { Finding } from '../domain/billing/findings';
import type { ClaimStatusReading } from '../domain/billing/claim-status';
import type { CodingProblem } from '../domain/coding';
import type { VisitSummary } from '../domain/billing/summary';
import type { PatientEstimate } from '../domain/billing/patient-estimate';
import type { PatientLedger, PatientPayment, PostedPatientPayment } from '../domain/billing/patient-balance';
import type { AwaitingAction, ParkedFailure } from '../domain/failures';
import type { RegistrationChange, VisitChange } from '../domain/registration';
import type { Appointment, CodedEncounter, Coverage, EligibilityResult, StartVisit, VisitOutcome, VisitStage } from '../domain/visit';

export type { VisitOutcome, VisitStage } from '../domain/visit';

/** Timers come from the input so tests can shrink days to seconds without special code paths. */
export interface VisitTimers {
  coverageDeadlineMs: number;
  ackTimeoutMs: number;
  adjudicationTimeoutMs: number;
  /** startToClose for each activity attempt; a crashed worker's attempt is retried after it. */
  activityTimeoutMs?: number;
  /** Ceiling of the retry backoff for failing calls to outside parties (default 30 s). */
  activityRetryMaxIntervalMs?: number;
  /** Retry ceiling for unexpected errors: attempts per activity call (default 50), then the visit is parked. */
  activityMaxAttempts?: number;
  /** Retry ceiling in time (schedule-to-close) per activity call; unset = attempts only. */
  activityRetryCeilingMs?: number;
  /** An appeal that cannot go out (no clinical notes) escalates to appeal_due this long before its deadline (default 14 days). */
  appealEscalateBeforeMs?: number;
  /** A visit with no claim accepted by the payer escalates this long before the payer's timely-filing deadline (default 30 days). */
  timelyFilingEscalateBeforeMs?: number;
  /** 276 inquiries for a claim with no 835 (one per adjudicationTimeoutMs) before a person is asked (default 3). */
  claimStatusInquiries?: number;
  /**
   * The patient's statements, as offsets from when the patient balance opens (PATIENT_STATEMENT_DAYS, e.g. 0/30/60/90 days).
   * Unset or empty: no statement cycle, a paid visit closes with the patient's share open (visits started before the cycle existed).
   */
  patientStatementsMs?: number[];
  /** After the last statement, how long an unpaid patient balance waits before it goes to collections (default 30 days). */
  patientCollectionsAfterMs?: number;
}

/** The timers a workflow's activity calls run by: the visit's, passed on to its children. */
export type ActivityTimers = Pick<VisitTimers, 'activityTimeoutMs' | 'activityRetryMaxIntervalMs' | 'activityMaxAttempts' | 'activityRetryCeilingMs'>;

/**
 * The options the visit and its children (denial, patient balance) call activities with.
 * Refusals are non-retryable ApplicationFailures (activities/failures.ts); everything else is
 * retried up to the ceiling, and then the visit is parked like a refusal.
 */
export function activityOptions(t: ActivityTimers): ActivityOptions {
  return {
    startToCloseTimeout: t.activityTimeoutMs ?? 30_000,
    scheduleToCloseTimeout: t.activityRetryCeilingMs,
    retry: {
      initialInterval: Math.min(500, t.activityRetryMaxIntervalMs ?? 500),
      backoffCoefficient: 2,
      maximumInterval: t.activityRetryMaxIntervalMs ?? 30_000,
      maximumAttempts: t.activityMaxAttempts ?? 50,
    },
  };
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
  /** Which coverage the claim bills: the secondary's after the primary answered (COB). */
  coverage?: 'primary' | 'secondary';
  /** What the latest acknowledgment said: forwarded by the clearinghouse, accepted or pended by the payer. */
  acknowledged?: 'forwarded' | 'accepted' | 'pended';
  /** A front-end rejection (999 or 277CA): the queue a person fixes it from, and why. */
  rejection?: { kind: '999' | '277CA'; queue: string; reason: string; note?: string; codes: string[] };
}

export interface VisitStatus {
  visitId: string;
  stage: VisitStage;
  outcome?: VisitOutcome;
  awaitingAction?: AwaitingAction;
  /** Each stage entered; a scrub is recorded on the stage it ran in, with the ruleset version that judged it. */
  history: { stage: VisitStage; at: string; rulesetVersion?: string; findings?: number }[];
  /** What failed while the visit is parked in needs_attention (kept after a retry as lastFailure). */
  failure?: ParkedFailure;
  lastFailure?: ParkedFailure;
  /** The denial playbook's plan for the last denial (code, taxonomy category, action), and its appeal when one is under way. */
  /** The payer's last day to receive the claim (timely filing: the payer rule the scrubber applies), counted from the date of service. */
  filingDeadline?: string;
  /** Deadlines that came near before what they guard happened (Escalations search attribute). */
  escalations?: { deadline: 'timely_filing' | 'appeal'; due: string; at: string }[];
  denial?: {
    code: string;
    category: string;
    action: string;
    note: string;
    appeal?: { packetId: string; appealId?: string; status: 'submitted' | 'needs_documents' | 'overturned' | 'upheld'; deadline: string; documents: number };
    /** What came of the action (e.g. original_paid, written_off, overturned), and why. */
    outcome?: string;
    reason?: string;
  };
  /** Lines the payer paid below the contracted amount (from the posting of the last 835). */
  underpaidLines?: { lineNumber: number; code: string; contractedCents: number; underpaidCents: number }[];
  /** At close: every billed dollar explained (paid, adjusted by group, patient, written off, open). */
  summary?: VisitSummary;
  /** The patient's balance after insurance: its statements, payments and how it ended (while open, GET /visits/:id reads it from the patient balance workflow). */
  patientBalance?: PatientBalanceStatus;
  /** Why the visit was cancelled or written off. */
  closeReason?: string;
  eligibility?: EligibilityResult;
  /** The patient's share estimated from the eligibility benefits and the priced lines' contracted amounts (once charges are priced). */
  patientEstimate?: PatientEstimate;
  encounterId?: string;
  codingProblems: CodingProblem[];
  /** The scrubber's findings on the current coding (errors keep the visit in coding review). */
  findings: Finding[];
  /** The ruleset version of the last scrub. */
  rulesetVersion?: string;
  /** The last answer to a claim status inquiry (276/277) and how many were sent for the current claim. */
  claimStatus?: ClaimStatusReading & { inquiries: number; at: string };
  /** What the PMS changed while the visit was open (ADT^A08, SIU^S14): which parts and when, never the values. */
  changes?: { at: string; changes: VisitChange[] }[];
  claim?: ClaimSummary;
  claims: ClaimSummary[];
  balance: { billedCents: number; paidCents: number; adjustedCents: number; patientResponsibilityCents: number; insuranceBalanceCents: number };
  /**
   * Filled in by the status query only (updates answer without them): the registration as the
   * visit now holds it (after the PMS's changes and reschedules), and the coding under review or
   * last billed. The API decides per role which of them a caller sees (api/views.ts).
   */
  patient?: StartVisit['patient'];
  coverage?: Coverage;
  secondaryCoverage?: Coverage;
  appointment?: Appointment;
  coding?: CodedEncounter;
}

export const statusQuery = defineQuery<VisitStatus>('status');
export const encounterSignedSignal = defineSignal<[{ encounterId: string }]>('encounterSigned');
export const claimAcknowledgedSignal = defineSignal<[ClaimAcknowledgment]>('claimAcknowledged');
export const remittanceReceivedSignal = defineSignal<[ClaimRemittance]>('remittanceReceived');
/** ADT^A08 through registrationChangeWorkflow: the patient's registration as the PMS now has it. */
export const registrationChangedSignal = defineSignal<[RegistrationChange]>('registrationChanged');
/** SIU^S14: the appointment moved (day, provider or place); refused once charges went to the PMS. */
export const rescheduleUpdate = defineUpdate<VisitStatus, [Appointment]>('reschedule');
export const cancelUpdate = defineUpdate<VisitStatus, [{ reason: string }]>('cancel');
export const updateCoverageUpdate = defineUpdate<VisitStatus, [Coverage]>('updateCoverage');
export const correctCodingUpdate = defineUpdate<VisitStatus, [CodedEncounter]>('correctCoding');
/** A parked visit (needs_attention) tries the failed step again. */
export const retryUpdate = defineUpdate<VisitStatus, [{ note?: string }]>('retry');
/** A parked visit is written off (closed with outcome written_off); the reason is required. */
export const writeOffUpdate = defineUpdate<VisitStatus, [{ reason: string }]>('writeOff');
/** A biller voids the claim the payer has (frequency 8 with REF*F8): its 835 takes back what was paid, and the visit closes as voided. */
export const voidClaimUpdate = defineUpdate<VisitStatus, [{ reason: string }]>('voidClaim');
/** Accepts one of a finding's suggested fixes (a code, a modifier or units): the visit is re-scrubbed with it. */
export const acceptSuggestionUpdate = defineUpdate<VisitStatus, [AcceptSuggestion]>('acceptSuggestion');

/**
 * The stages each person's decision is taken in, and how a refusal names it ("cannot <verb> a
 * visit in stage …", 409 INVALID_STAGE at the API). The workflow's validators and the API's
 * document read this one table.
 */
export const UPDATE_STAGES = {
  cancel: { verb: 'cancel', stages: ['intake', 'eligibility', 'awaiting_coverage', 'awaiting_encounter', 'coding', 'coding_review', 'needs_attention'] },
  retry: { verb: 'retry', stages: ['needs_attention', 'claim_rejected', 'denied'] },
  writeOff: { verb: 'write off', stages: ['needs_attention', 'claim_rejected', 'denied', 'coding_review', 'patient_balance'] },
  voidClaim: { verb: 'void the claim of', stages: ['awaiting_adjudication', 'denied', 'needs_attention'] },
  updateCoverage: { verb: 'update coverage', stages: ['awaiting_coverage', 'claim_rejected'] },
  correctCoding: { verb: 'correct coding', stages: ['coding_review', 'claim_rejected'] },
  acceptSuggestion: { verb: 'accept a suggestion for', stages: ['coding_review'] },
} as const satisfies Record<string, { verb: string; stages: readonly VisitStage[] }>;

export interface AcceptSuggestion {
  findingId: string;
  /** One of the finding's `suggestion.options`. */
  choice: string;
}

/** Workflow type names, as the worker registers them (workflows/index.ts) and clients start them by. */
export const visitWorkflowType = 'visitWorkflow';
export const registrationChangeWorkflowType = 'registrationChangeWorkflow';
export const encounterSweepWorkflowType = 'encounterSweepWorkflow';

/** The Temporal Schedule that starts the encounter sweep. */
export const ENCOUNTER_SWEEP_SCHEDULE_ID = 'encounter-sweep';
/** The workflow id its action names (the SDK's default for it, made explicit); each run is `encounter-sweep-workflow-<time>`. */
export const ENCOUNTER_SWEEP_WORKFLOW_ID = `${ENCOUNTER_SWEEP_SCHEDULE_ID}-workflow`;

/** Workflow ids: one visit, one workflow (starting it again returns the running one). */
export const visitWorkflowId = (visitId: string) => `visit-${visitId}`;

/** A PMS registration change (ADT^A04/A08), by the message's control id: a redelivered message starts nothing new. */
export const registrationWorkflowId = (controlId: string) => `registration-${controlId.replace(/[^A-Za-z0-9-]/g, '-')}`;

/** A denied claim's follow-up: one child per claim attempt and playbook round. */
export const denialWorkflowId = (visitId: string, attempt: number, round: number) => `visit-${visitId}-denial-${attempt}-${round}`;

/** The patient balance workflow of a visit: one per visit, so its id is the visit's. */
export const patientBalanceWorkflowId = (visitId: string) => `patient-balance-${visitId}`;

/**
 * The visit a workflow belongs to, from its id: the visit itself (`visit-<id>`), its denial
 * follow-ups (`visit-<id>-denial-<attempt>-<round>`) and its patient balance
 * (`patient-balance-<id>`); undefined for the rest (sweeps, registrations).
 */
export function visitIdOfWorkflow(workflowId: string): string | undefined {
  return /^visit-(.+)-denial-\d+-\d+$/.exec(workflowId)?.[1] ?? /^visit-(.+)$/.exec(workflowId)?.[1] ?? /^patient-balance-(.+)$/.exec(workflowId)?.[1];
}

/** What the visit hands its patient balance workflow: what the patient owes, the statement cycle, and the activity settings. */
export interface PatientBalanceInput {
  visitId: string;
  openingCents: number;
  /** Offsets of the statements from the opening; collections `collectionsAfterMs` after the last. */
  statementsMs: number[];
  collectionsAfterMs: number;
  timers: ActivityTimers;
}

/** The patient balance as the workflow holds it: the ledger, what is open, what comes next, in words. */
export interface PatientBalanceStatus extends PatientLedger {
  visitId: string;
  openCents: number;
  paidCents: number;
  /** While open: the day the next statement goes out, and the day the balance goes to collections unless paid. */
  nextStatementOn?: string;
  collectionsOn?: string;
  details: string;
}

/** A payment the balance took, or the same payment seen again (duplicate: nothing changed). */
export interface PatientPaymentReceipt {
  duplicate: boolean;
  payment: PostedPatientPayment;
  balance: PatientBalanceStatus;
}

export const patientBalanceQuery = defineQuery<PatientBalanceStatus>('patientBalance');
/** A patient's payment (front desk, biller, or a payment portal through the API): idempotent by reference. */
export const patientPaymentUpdate = defineUpdate<PatientPaymentReceipt, [PatientPayment]>('patientPayment');
/** The visit forwards a biller's write-off of the patient balance (writeOff update during patient_balance). */
export const writeOffPatientBalanceSignal = defineSignal<[{ reason: string }]>('writeOffPatientBalance');
