/**
 * The one failure vocabulary of revcycle, and the one table of what each failure means
 * (FAILURES): the activity failure mapper (activities/failures.ts) turns errors into Temporal
 * failures of these types and retries only the retryable ones, the visit workflow parks in the
 * queue the table names, and the HTTP error mapper (api/errors.ts) answers with the table's
 * status and code. Error classes carry `readonly code = FailureType.X`. The values are wire
 * strings recorded in workflow histories and visit_events: they never change. Pure: the
 * workflow imports it.
 */

export const FailureType = {
  /** An input failed its schema; the same input can never pass. */
  Validation: 'ValidationError',
  /** The EHR's encounter cannot be billed as coded (or does not exist): a coder fixes it. */
  EncounterNotBillable: 'EncounterNotBillable',
  /** The EHR refused a request (4xx other than not-found). */
  EhrRejected: 'EHR_REQUEST_REJECTED',
  /** The PMS refused the charges (HL7 AE/AR or a REST 4xx). */
  PmsRejected: 'PMS_REJECTED',
  /** The clearinghouse refused a file we sent. */
  ClearinghouseRejected: 'CLEARINGHOUSE_REJECTED',
  /** X12 we would build or read is not valid: the bytes must change. */
  X12Build: 'X12_BUILD',
  X12Syntax: 'X12_SYNTAX',
  X12Content: 'X12_CONTENT',
  X12WrongTransaction: 'X12_WRONG_TRANSACTION',
  /** A billed code has no fee. */
  FeeScheduleMissing: 'FEE_SCHEDULE_MISSING',
  /** The chart names no practitioner for a rendering NPI that differs from the billing provider (2310B). */
  RenderingProviderUnnamed: 'RENDERING_PROVIDER_UNNAMED',
  /** A secondary (COB) claim cannot be built from what the primary answered. */
  SecondaryClaimInvalid: 'SECONDARY_CLAIM_INVALID',
  /** Postgres refused the data (SQLSTATE class 22 or 23 other than a unique violation): the same data never passes. */
  DatabaseDataError: 'DATABASE_DATA_ERROR',
  /** An 835 whose amounts do not balance. */
  RemittanceUnbalanced: 'REMITTANCE_UNBALANCED',
  /** The visit is not in a stage that allows the request (update validators). */
  InvalidStage: 'InvalidStage',
  /** An accepted coding suggestion that the finding did not offer (update validator). */
  SuggestionRejected: 'SuggestionRejected',
  /** The database has no rule data of a kind the scrubber or pricing needs (code sets, payer rules): retried, since `npm start` may still be loading it; past the ceiling a person loads it and retries. */
  RuleDataMissing: 'RULE_DATA_MISSING',
  /** Retried up to the configured ceiling (attempts or time) and still failing. */
  RetriesExhausted: 'RETRIES_EXHAUSTED',
  /** Not a failure of ours: the payer paid lines below the contracted amount; a person follows up. */
  Underpaid: 'UNDERPAID',
  /** Not a failure of ours: a denial whose playbook action needs a person (appeal, secondary, duplicate, timely filing…). */
  Denied: 'DENIED',
  /** No 835, and the payer's claim status answers (276/277) need a person, or ran out of inquiries. */
  ClaimStatusUnresolved: 'CLAIM_STATUS_UNRESOLVED',
  /** A patient payment the balance cannot take (more than is open, a reference reused for another payment, a closed balance): 409. */
  PatientPaymentRefused: 'PATIENT_PAYMENT_REFUSED',
  /** Anything else that is not retryable. */
  Rejected: 'Rejected',
  /** The API could not reach Temporal (no server at the address): 503, try again shortly. */
  TemporalUnavailable: 'TEMPORAL_UNAVAILABLE',
  /** Temporal did not answer the API within its deadline (TEMPORAL_CALL_TIMEOUT_MS): 504. */
  TemporalTimeout: 'TEMPORAL_TIMEOUT',
  /**
   * More reads are waiting on Temporal than the API lets wait (API_MAX_PENDING_READS), or
   * Temporal itself refused for load (RESOURCE_EXHAUSTED): 503 with Retry-After, at once.
   */
  TemporalBusy: 'TEMPORAL_BUSY',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

const KNOWN = new Set<string>(Object.values(FailureType));
export function isFailureType(t: unknown): t is FailureType {
  return typeof t === 'string' && KNOWN.has(t);
}

/** What a visit waits for, in words a biller searches by (search attribute AwaitingAction). */
export const AwaitingAction = {
  None: 'none',
  Coverage: 'coverage',
  EncounterSignature: 'encounter_signature',
  CodingReview: 'coding_review',
  Acknowledgment: 'acknowledgment',
  AcknowledgmentOverdue: 'acknowledgment_overdue',
  Remittance: 'remittance',
  ClaimStatusInquiry: 'claim_status_inquiry',
  CorrectedClaim: 'corrected_claim',
  /** Parked (stage needs_attention): a refusal or exhausted retries; a person retries or resolves. */
  InvalidData: 'invalid_data',
  EhrRefused: 'ehr_refused',
  PmsRefused: 'pms_refused',
  ClearinghouseRefused: 'clearinghouse_refused',
  ClaimData: 'claim_data',
  FeeSchedule: 'fee_schedule',
  RemittanceReview: 'remittance_review',
  RetriesExhausted: 'retries_exhausted',
  Underpaid: 'underpaid',
  DenialReview: 'denial_review',
  /** An appeal went to the payer; its decision (a new 835) is awaited. */
  AppealDecision: 'appeal_decision',
  /** An appeal needs clinical notes the EHR does not have yet; a person adds them and retries. */
  AppealDocuments: 'appeal_documents',
  /** An appeal's deadline is near and it has not gone out. */
  AppealDue: 'appeal_due',
  /** The clearinghouse forwarded the claim (its 277CA); the payer's own 277CA is awaited. */
  PayerAcknowledgment: 'payer_acknowledgment',
  /** Insurance answered and the patient owes a share: statements go out on their cycle until it is paid, written off or sent to collections. */
  PatientPayment: 'patient_payment',
} as const;
export type AwaitingAction = (typeof AwaitingAction)[keyof typeof AwaitingAction];

/** What a failure means: where a parked visit waits, whether a retry can cure it, and the API's answer. */
export interface FailureRule {
  /** The queue a visit parked by it waits in. */
  queue: AwaitingAction;
  /** False: no retry can cure it (the bytes or the data must change), so the activity fails at once. */
  retryable: boolean;
  /** How the API answers it; none: it never reaches a client (a visit parks instead, or it is a 500). */
  http?: { status: number; code: string; hint: string };
}

const SEND_AGAIN = 'the file was not stored: fix it and send it again';
const READ_STAGE = "read the visit's stage with GET /visits/{visitId}";
const x12Refusal: FailureRule = { queue: AwaitingAction.ClaimData, retryable: false };

export const FAILURES: Record<FailureType, FailureRule> = {
  [FailureType.Validation]: {
    queue: AwaitingAction.InvalidData,
    retryable: false,
    http: { status: 400, code: 'VALIDATION_FAILED', hint: 'fix the request and send it again' },
  },
  [FailureType.EncounterNotBillable]: { queue: AwaitingAction.CodingReview, retryable: false },
  [FailureType.EhrRejected]: { queue: AwaitingAction.EhrRefused, retryable: false },
  [FailureType.PmsRejected]: { queue: AwaitingAction.PmsRefused, retryable: false },
  [FailureType.ClearinghouseRejected]: { queue: AwaitingAction.ClearinghouseRefused, retryable: false },
  [FailureType.X12Build]: x12Refusal,
  [FailureType.X12Syntax]: { ...x12Refusal, http: { status: 400, code: FailureType.X12Syntax, hint: SEND_AGAIN } },
  [FailureType.X12Content]: { ...x12Refusal, http: { status: 400, code: FailureType.X12Content, hint: SEND_AGAIN } },
  [FailureType.X12WrongTransaction]: { ...x12Refusal, http: { status: 400, code: FailureType.X12WrongTransaction, hint: SEND_AGAIN } },
  [FailureType.FeeScheduleMissing]: { queue: AwaitingAction.FeeSchedule, retryable: false },
  [FailureType.RenderingProviderUnnamed]: { queue: AwaitingAction.ClaimData, retryable: false },
  [FailureType.SecondaryClaimInvalid]: { queue: AwaitingAction.ClaimData, retryable: false },
  [FailureType.DatabaseDataError]: { queue: AwaitingAction.InvalidData, retryable: false },
  // The balancing rule (X221A1 1.10.2.1): BPR02 = Σ CLP04 − Σ PLB.
  [FailureType.RemittanceUnbalanced]: {
    queue: AwaitingAction.RemittanceReview,
    retryable: false,
    http: {
      status: 422,
      code: FailureType.RemittanceUnbalanced,
      hint: 'nothing was posted; the file is kept and its claims wait in the posting queue (GET /remittances?status=unbalanced): ask the payer for a corrected 835',
    },
  },
  [FailureType.InvalidStage]: { queue: AwaitingAction.InvalidData, retryable: false, http: { status: 409, code: 'INVALID_STAGE', hint: READ_STAGE } },
  [FailureType.SuggestionRejected]: {
    queue: AwaitingAction.CodingReview,
    retryable: false,
    http: { status: 422, code: 'SUGGESTION_REJECTED', hint: "pick one of the finding's suggestion.options from GET /visits/{visitId}" },
  },
  [FailureType.RuleDataMissing]: { queue: AwaitingAction.RetriesExhausted, retryable: true },
  [FailureType.RetriesExhausted]: { queue: AwaitingAction.RetriesExhausted, retryable: false },
  // Not failures of ours: a payer's answer a person follows up.
  [FailureType.Underpaid]: { queue: AwaitingAction.Underpaid, retryable: false },
  [FailureType.Denied]: { queue: AwaitingAction.DenialReview, retryable: false },
  [FailureType.ClaimStatusUnresolved]: { queue: AwaitingAction.ClaimStatusInquiry, retryable: false },
  // Refuses one request; a visit is never parked by it.
  [FailureType.PatientPaymentRefused]: {
    queue: AwaitingAction.InvalidData,
    retryable: false,
    http: { status: 409, code: FailureType.PatientPaymentRefused, hint: 'read the balance with GET /visits/{visitId} (patientBalance)' },
  },
  [FailureType.Rejected]: { queue: AwaitingAction.InvalidData, retryable: false },
  // The API's own answers: a visit is never parked by them, its steps retry instead.
  [FailureType.TemporalUnavailable]: {
    queue: AwaitingAction.RetriesExhausted,
    retryable: true,
    http: { status: 503, code: FailureType.TemporalUnavailable, hint: 'nothing was changed; try again in a minute' },
  },
  [FailureType.TemporalTimeout]: {
    queue: AwaitingAction.RetriesExhausted,
    retryable: true,
    http: {
      status: 504,
      code: FailureType.TemporalTimeout,
      hint: 'the request may or may not have taken effect; read the visit, then try again (starts and signals are idempotent)',
    },
  },
  [FailureType.TemporalBusy]: {
    queue: AwaitingAction.RetriesExhausted,
    retryable: true,
    http: { status: 503, code: FailureType.TemporalBusy, hint: 'nothing was changed; send it again after the seconds in Retry-After' },
  },
};

/** A typed error whose code is in the vocabulary (the error classes carry `readonly code = FailureType.X`). */
export function failureCodeOf(err: unknown): FailureType | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return isFailureType(code) ? code : undefined;
}

/**
 * What failed, as a parked visit shows it. No PHI: messages are fixed text and codes
 * (activities/failures.ts); an outside party's own words stay in the failure's sealed details.
 */
export interface ParkedFailure {
  type: FailureType;
  /** The step that failed, e.g. the activity name. */
  step: string;
  message: string;
  /** True when the failure was retried until the ceiling. */
  exhausted: boolean;
  at: string;
}
