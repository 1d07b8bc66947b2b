/**
 * The one failure vocabulary of revcycle. The activity failure mapper (activities/failures.ts)
 * turns integration errors into Temporal failures of these types, the visit workflow branches
 * on them and parks the visit with the matching AwaitingAction, and the HTTP error mapper
 * (api/errors.ts) answers with them. Pure: the workflow imports it.
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

/** X12 we read from outside that cannot be read: the sender must fix the file. */
export const X12_REFUSALS: readonly FailureType[] = [FailureType.X12Syntax, FailureType.X12Content, FailureType.X12WrongTransaction];

/** Failures no retry can cure: the bytes or the data must change first. */
export const NEVER_RETRY: readonly FailureType[] = [
  FailureType.X12Build, ...X12_REFUSALS, FailureType.FeeScheduleMissing, FailureType.RemittanceUnbalanced,
  FailureType.RenderingProviderUnnamed, FailureType.SecondaryClaimInvalid,
];

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

/** Which queue a parked visit lands in, by what failed. */
export const PARK_QUEUE: Record<FailureType, AwaitingAction> = {
  [FailureType.Validation]: AwaitingAction.InvalidData,
  [FailureType.EncounterNotBillable]: AwaitingAction.CodingReview,
  [FailureType.EhrRejected]: AwaitingAction.EhrRefused,
  [FailureType.PmsRejected]: AwaitingAction.PmsRefused,
  [FailureType.ClearinghouseRejected]: AwaitingAction.ClearinghouseRefused,
  [FailureType.X12Build]: AwaitingAction.ClaimData,
  [FailureType.X12Syntax]: AwaitingAction.ClaimData,
  [FailureType.X12Content]: AwaitingAction.ClaimData,
  [FailureType.X12WrongTransaction]: AwaitingAction.ClaimData,
  [FailureType.FeeScheduleMissing]: AwaitingAction.FeeSchedule,
  [FailureType.RenderingProviderUnnamed]: AwaitingAction.ClaimData,
  [FailureType.SecondaryClaimInvalid]: AwaitingAction.ClaimData,
  [FailureType.DatabaseDataError]: AwaitingAction.InvalidData,
  [FailureType.RemittanceUnbalanced]: AwaitingAction.RemittanceReview,
  [FailureType.InvalidStage]: AwaitingAction.InvalidData,
  [FailureType.RetriesExhausted]: AwaitingAction.RetriesExhausted,
  [FailureType.Underpaid]: AwaitingAction.Underpaid,
  [FailureType.Denied]: AwaitingAction.DenialReview,
  [FailureType.ClaimStatusUnresolved]: AwaitingAction.ClaimStatusInquiry,
  [FailureType.Rejected]: AwaitingAction.InvalidData,
  // Refuses one request (the API answers 409); a visit is never parked by it.
  [FailureType.PatientPaymentRefused]: AwaitingAction.InvalidData,
  // The API's own answers (503/504): a visit is never parked by them, its steps retry instead.
  [FailureType.TemporalUnavailable]: AwaitingAction.RetriesExhausted,
  [FailureType.TemporalTimeout]: AwaitingAction.RetriesExhausted,
  [FailureType.TemporalBusy]: AwaitingAction.RetriesExhausted,
};

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

/**
 * Classifies a failure as the workflow sees it (ActivityFailure → cause). A non-retryable
 * ApplicationFailure keeps its type; anything that reached the workflow otherwise was retried
 * up to the ceiling (maximum attempts or schedule-to-close time) and is RetriesExhausted.
 */
export function classifyFailure(err: unknown, step: string, at: string): ParkedFailure {
  const outer = err as { cause?: { type?: string; nonRetryable?: boolean; message?: string; cause?: unknown }; message?: string };
  const cause = outer?.cause;
  if (cause && cause.nonRetryable && isFailureType(cause.type)) {
    return { type: cause.type, step, message: cause.message ?? 'refused', exhausted: false, at };
  }
  if (cause && cause.nonRetryable) return { type: FailureType.Rejected, step, message: cause.message ?? 'refused', exhausted: false, at };
  const message = cause?.message || outer?.message || 'failed';
  return { type: FailureType.RetriesExhausted, step, message, exhausted: true, at };
}
