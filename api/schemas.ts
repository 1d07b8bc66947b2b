/** Request and response schemas of the REST API: validation and the OpenAPI document use these same objects. */
import { z } from 'zod';
import { Appointment, CalendarDate, CodedEncounter, Coverage, EncounterSigned, Patient, StartVisit, VisitId } from '../domain/visit';
import { MAX_PAYMENT_CENTS, PAYMENT_METHODS, PAYMENT_REFERENCE, PAYMENT_REFERENCE_RULE } from '../domain/billing/patient-balance';

export { CodedEncounter, Coverage, EncounterSigned, StartVisit, VisitId };

export const CancelVisit = z.object({ reason: z.string().min(1).max(200) });

/** A parked visit (needs_attention) runs its failed step again. */
export const RetryVisit = z.object({ note: z.string().max(500).optional() });
/** A parked visit is closed as written off; the reason stays on the record. */
export const WriteOffVisit = z.object({ reason: z.string().min(1).max(500) });
/** Void the claim the payer accepted (frequency 8): e.g. billed to the wrong patient or payer. */
export const VoidClaim = z.object({ reason: z.string().min(1).max(500) });
/** Accept one of a scrubber finding's suggested fixes (GET /visits/{visitId} lists findings with their options). */
export const AcceptSuggestion = z.object({
  findingId: z.string().min(1).max(200),
  /** One of the finding's suggestion.options: a code (M54.50 or M5450), a modifier, or a number of units. */
  choice: z.string().min(1).max(20),
});

export const VisitParams = z.object({ visitId: VisitId });

const Cents = z.number().int();

/** A patient's payment toward the visit's patient balance; the reference (receipt, check or card transaction number) is its idempotency key. */
export const PatientPayment = z.object({
  amountCents: z
    .number()
    .int('must be a whole number of cents')
    .min(1, 'must be at least 1 cent')
    .max(MAX_PAYMENT_CENTS, `must be at most ${MAX_PAYMENT_CENTS} cents`),
  method: z.enum(PAYMENT_METHODS),
  reference: z.string().regex(PAYMENT_REFERENCE, PAYMENT_REFERENCE_RULE),
});

const PostedPatientPayment = PatientPayment.extend({ receivedAt: z.string() });

/** workflows/definitions.ts PatientBalanceStatus: the ledger, what is open, what comes next, in words. */
export const PatientBalance = z.object({
  visitId: z.string(),
  openingCents: Cents,
  openedAt: z.string(),
  openCents: Cents,
  paidCents: Cents,
  writtenOffCents: Cents,
  statements: z.array(z.object({ sequence: z.number().int(), amountDueCents: Cents, sentOn: z.string() })),
  payments: z.array(PostedPatientPayment),
  /** How it ended; absent while open. */
  resolution: z.enum(['paid', 'written_off', 'collections']).optional(),
  collectionsCents: Cents.optional(),
  reason: z.string().optional(),
  nextStatementOn: z.string().optional(),
  collectionsOn: z.string().optional(),
  details: z.string(),
});

/** A payment taken (201), or the same payment again (200, duplicate: nothing changed). */
export const PatientPaymentReceipt = z.object({ duplicate: z.boolean(), payment: PostedPatientPayment, balance: PatientBalance });

/** domain/billing/patient-estimate.ts PatientEstimate. */
export const PatientEstimate = z.object({
  allowedCents: Cents,
  copayCents: Cents,
  deductibleCents: Cents,
  coinsuranceCents: Cents,
  patientShareCents: Cents,
  insuranceCents: Cents,
  /** Lines without a contracted amount, estimated at their charge. */
  linesWithoutContract: z.array(z.number().int()),
  /** Benefits the payer's 271 did not report (counted as zero). */
  unreported: z.array(z.enum(['copay', 'deductible', 'coinsurance', 'out_of_pocket'])),
});

const Instant = z.iso.datetime({ offset: true });

/** Filters of GET /audit: all optional, combined with AND; `before` is the previous page's `next`. */
export const AuditQuery = z.strictObject({
  visitId: VisitId.optional(),
  actor: z
    .string()
    .regex(/^[\x21-\x7e]{1,120}$/, 'must be 1-120 printable characters without spaces')
    .optional(),
  action: z
    .string()
    .regex(/^[a-z]+(\.[a-z_]+)*$/, 'must be an action name such as visit.read')
    .max(60)
    .optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const AuditPage = z.object({
  entries: z.array(
    z.object({
      id: z.number().int(),
      at: z.string(),
      actor: z.string(),
      role: z.string().nullable(),
      action: z.string(),
      visitId: z.string().nullable(),
      source: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
  /** Pass as `before` for the next page; absent on the last page. */
  next: z.number().int().optional(),
});

export const VisitStarted = z.object({
  visitId: z.string(),
  workflowId: z.string(),
  /** false when the visit already existed: the same visit id never starts a second workflow. */
  created: z.boolean(),
});

export const ErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  postgres: z.enum(['up', 'down']),
  temporal: z.enum(['up', 'down']),
});

const Failure = z.object({ type: z.string(), step: z.string(), message: z.string(), exhausted: z.boolean(), at: z.string() });

/**
 * The visit as GET /visits/{visitId} answers it: the workflow's `status` query (see
 * workflows/definitions.ts) shaped by the caller's roles (api/views.ts decides which fields
 * each role gets; a field a role does not get is absent, never null). Every field is
 * therefore optional here but `stage`, `history` and `nextStep`, which every role gets.
 */
export const VisitStatusBody = z.object({
  visitId: z.string().optional(),
  stage: z.string(),
  outcome: z.string().optional(),
  awaitingAction: z.string().optional(),
  /** What to do about the visit now, in words: who must act, and how (the work queue's reason and action), or what it waits for. */
  nextStep: z.string(),
  /** The patient's age on the date of service in ten-year bands (`40-49`, top band `90+`): what an analyst gets instead of a birth date. */
  ageBand: z.string().optional(),
  /** The registration as the visit holds it (after the PMS's changes). */
  patient: Patient.optional(),
  coverage: Coverage.optional(),
  secondaryCoverage: Coverage.optional(),
  appointment: Appointment.optional(),
  /** The coding under review, or the coding last billed. */
  coding: CodedEncounter.optional(),
  encounterId: z.string().optional(),
  /** The payer's 271 answer: active or not, plan, copay, deductible, coinsurance, and the payer's messages. */
  eligibility: z.record(z.string(), z.unknown()).optional(),
  /** While parked in needs_attention: what failed (type from the shared failure vocabulary, step, message). */
  failure: Failure.optional(),
  /** The failure a retry cleared, kept for the record. */
  lastFailure: Failure.optional(),
  /** Why the visit was cancelled or written off, as the person wrote it. */
  closeReason: z.string().optional(),
  /** What the PMS changed while the visit was open: which parts and when, never the values. */
  changes: z.array(z.record(z.string(), z.unknown())).optional(),
  history: z.array(z.object({ stage: z.string(), at: z.string(), rulesetVersion: z.string().optional(), findings: z.number().optional() })),
  /** Problems from outside the scrubber a coder must fix (the EHR's encounter is not billable, the PMS refused the charges). */
  codingProblems: z.array(z.object({ path: z.string(), reason: z.string() })).optional(),
  /** The scrubber's findings on the current coding; errors hold the visit in coding review. */
  findings: z
    .array(
      z.object({
        id: z.string(),
        ruleId: z.string(),
        severity: z.enum(['error', 'warning']),
        line: z.number().optional(),
        path: z.string(),
        message: z.string(),
        suggestion: z.object({ field: z.enum(['code', 'modifier', 'units']), path: z.string(), options: z.array(z.string()) }).optional(),
      }),
    )
    .optional(),
  rulesetVersion: z.string().optional(),
  claim: z.record(z.string(), z.unknown()).optional(),
  claims: z.array(z.record(z.string(), z.unknown())).optional(),
  /** The last answer to a claim status inquiry (276/277), with the payer's words. */
  claimStatus: z.record(z.string(), z.unknown()).optional(),
  balance: z.record(z.string(), z.number()).optional(),
  /** Lines the payer paid below the contracted amount. */
  underpaidLines: z.array(z.object({ lineNumber: z.number().int(), code: z.string(), contractedCents: Cents, underpaidCents: Cents })).optional(),
  /** The payer's last day to receive the claim (timely filing), counted from the date of service. */
  filingDeadline: z.string().optional(),
  /** Deadlines that came near before what they guard happened. */
  escalations: z.array(z.object({ deadline: z.enum(['timely_filing', 'appeal']), due: z.string(), at: z.string() })).optional(),
  /** The denial playbook's plan for the last denial (code, category, action), an appeal under way, and what came of it. */
  denial: z.record(z.string(), z.unknown()).optional(),
  /** The patient's share estimated from the 271's benefits and the priced lines' contracted amounts, once charges are priced. */
  patientEstimate: PatientEstimate.optional(),
  /** The patient's balance after insurance (stage patient_balance, and at close): statements, payments, and how it ended. */
  patientBalance: PatientBalance.optional(),
  /** At close: every billed dollar explained (insurance paid, adjustments by group, patient paid, written off, open, with collections). */
  summary: z.record(z.string(), z.unknown()).optional(),
});

/*
 * The reduced forms of fields an analyst gets (api/views.ts projects a value onto the keys
 * these name): the facts of the visit without any identifier of a person (the visit id is the
 * claim's patient control number, CLM01; the payer's claim number, the encounter id and the
 * appointment id each find the patient in another system) and without free text from outside
 * parties or staff, which can hold anything.
 */
export const AnalystClaim = z.object({
  attempt: z.number().int(),
  frequency: z.string(),
  status: z.string(),
  billedCents: Cents,
  paidCents: Cents,
  patientResponsibilityCents: Cents,
  denialCodes: z.array(z.string()),
  coverage: z.enum(['primary', 'secondary']).optional(),
  acknowledged: z.string().optional(),
  rejection: z.object({ kind: z.string(), queue: z.string(), codes: z.array(z.string()) }).optional(),
});
export const AnalystDenial = z.object({ code: z.string(), category: z.string(), action: z.string(), outcome: z.string().optional() });
export const AnalystAppointment = Appointment.pick({ serviceDate: true, providerNpi: true, placeOfService: true });
export const AnalystCoding = CodedEncounter.pick({ serviceDate: true, renderingNpi: true, diagnoses: true, procedures: true });

/** Filters of GET /reports/kpis and the dashboard: dates of service (inclusive), payer, provider, CPT. */
export const KpiQuery = z
  .object({
    from: CalendarDate.optional(),
    to: CalendarDate.optional(),
    payerId: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,80}$/, 'must be a payer id')
      .optional(),
    providerNpi: z
      .string()
      .regex(/^\d{10}$/, 'must be a 10-digit NPI')
      .optional(),
    cpt: z
      .string()
      .regex(/^(\d{4}[0-9FTU]|[A-V]\d{4})$/, 'must be a CPT or HCPCS code')
      .optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

export const WorkQueueParams = z.object({ queue: z.string().regex(/^[a-z_]{1,40}$/, 'must be a queue id') });
export const WorkQueueQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  payerId: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,80}$/)
    .optional(),
});

/** GET /remittances: the 835 claims stored, by what became of them. */
export const RemittanceQuery = z.strictObject({
  status: z.enum(['unmatched', 'unbalanced', 'posted']).default('unmatched'),
  payerId: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,80}$/, 'must be 1-80 letters, digits or dashes')
    .optional(),
  before: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const RemittancePage = z.object({
  entries: z.array(
    z.object({
      id: z.number().int().describe('The posting queue entry (unmatched, unbalanced) or the payment (posted)'),
      status: z.enum(['unmatched', 'unbalanced', 'posted']),
      reason: z
        .enum(['unknown_control_number', 'payer_mismatch', 'charge_mismatch', 'reversal_of_unpaid', 'ambiguous', 'unbalanced', 'unmatched'])
        .nullable()
        .describe('Why it was not posted (null when posted); `unmatched` on entries queued before reasons were recorded'),
      detail: z.string().nullable(),
      fileId: z.number().int().nullable().describe('The stored 835 file; null for an answer that came without a file'),
      position: z.number().int().nullable().describe("The claim's place in its file, from 1"),
      traceNumber: z.string(),
      payerId: z.string(),
      patientControlNumber: z.string().describe('CLP01'),
      claimStatus: z.string().nullable().describe('CLP02'),
      payerClaimNumber: z.string().nullable().describe('CLP07'),
      chargeCents: z.number().int().nullable().describe('CLP03'),
      paidCents: z.number().int().describe('CLP04'),
      patientResponsibilityCents: z.number().int().nullable().describe('CLP05'),
      receivedAt: z.string(),
      visitId: z.string().nullable().describe('The visit it posted to, or whose attempt it matched before it was refused'),
      claimAttempt: z.number().int().nullable(),
    }),
  ),
  /** Pass as `before` for the next page; absent on the last page. */
  next: z.number().int().optional(),
});
