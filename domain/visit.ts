/**
 * The visit's data, as one zod schema per payload. The API validates requests with
 * these, activities re-check their inputs with them, and the OpenAPI document is
 * generated from them. Workflow code imports only the inferred types (`import type`).
 */
import { z } from 'zod';

/**
 * A real calendar date from 1900 to 2099, leap years included, as one regular expression:
 * the OpenAPI document publishes exactly this pattern, so what the document allows the
 * API accepts (a `refine` would be invisible to clients and fuzzers).
 */
const REAL_DATE =
  /^(?:(?:19|20)\d\d-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26]))-02-29)$/;

/** A calendar date (no time zone), as dates of service are. */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .regex(REAL_DATE, 'is not a real calendar date')
  .meta({ pattern: REAL_DATE.source });

/** Opaque ids end up in X12 (CLM01 holds 38 characters) and in workflow ids. */
export const VisitId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,29}$/, 'must be 1-30 letters, digits or dashes');

/**
 * Free text that goes into X12 elements: the separators revcycle's X12 uses (* : ~ ^)
 * cannot appear in a value, nor can control characters (NUL, line breaks, escapes), which
 * Postgres, X12 and HL7 all refuse later: they are refused at the door rather than by the claim.
 */
const x12Text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[^*:~^\u0000-\u001F\u007F]*$/, 'must not contain * : ~ ^, line breaks or control characters');

/**
 * An identifier from another system (MRN, appointment, encounter): it becomes a column value
 * and part of X12/HL7 messages, so its length and alphabet are checked here (FHIR's id alphabet).
 */
export const ExternalId = (max: number) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9][A-Za-z0-9.-]{0,${max - 1}}$`), `must be 1-${max} letters, digits, dots or dashes`);

export const Npi = z.string().regex(/^\d{10}$/, 'must be a 10-digit NPI');

export const Sex = z.enum(['M', 'F', 'U']);

export const Address = z.object({
  line1: x12Text(1, 55),
  city: x12Text(1, 30),
  state: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter state code'),
  postalCode: z.string().regex(/^\d{5}(\d{4})?$/, 'must be a 5 or 9 digit ZIP code'),
});

const PersonName = {
  firstName: x12Text(1, 35),
  lastName: x12Text(1, 60),
};

export const Patient = z.object({
  /** The practice's medical record number in the PMS. */
  patientId: ExternalId(30),
  ...PersonName,
  birthDate: CalendarDate,
  sex: Sex,
  address: Address,
});

export const Relationship = z.enum(['self', 'spouse', 'child', 'other']);

export const Subscriber = z.object({
  ...PersonName,
  birthDate: CalendarDate,
  sex: Sex,
  address: Address.optional(),
});

export const Coverage = z
  .object({
    /** The payer's id as the clearinghouse knows it (e.g. 87726). */
    payerId: z.string().regex(/^[A-Za-z0-9]{2,10}$/, 'must be 2-10 letters or digits'),
    payerName: x12Text(1, 60),
    memberId: z.string().regex(/^[A-Za-z0-9-]{2,30}$/, 'must be 2-30 letters, digits or dashes'),
    groupNumber: x12Text(1, 30).optional(),
    /** The patient's relationship to the subscriber. */
    relationship: Relationship.default('self'),
    /** Required when the patient is not the subscriber. */
    subscriber: Subscriber.optional(),
  })
  .refine((c) => c.relationship === 'self' || c.subscriber !== undefined, {
    message: 'is required when relationship is not self',
    path: ['subscriber'],
  })
  // The same rule in the OpenAPI document, so clients (and fuzzers) know it: self (or absent), or a subscriber.
  .meta({ anyOf: [{ properties: { relationship: { enum: ['self'] } } }, { required: ['subscriber'] }] });

export const Appointment = z.object({
  appointmentId: z
    .string()
    .min(1)
    .max(30)
    .regex(/^[^\u0000-\u001F\u007F]*$/, 'must not contain control characters')
    .optional(),
  serviceDate: CalendarDate,
  providerNpi: Npi,
  /** CMS place-of-service code; 11 = office. */
  placeOfService: z
    .string()
    .regex(/^\d{2}$/, 'must be a 2-digit place-of-service code')
    .default('11'),
  /** The payer's prior authorization number for the visit's services, when it needs one (837P REF*G1). */
  priorAuthorization: x12Text(1, 50).optional(),
});

export const StartVisit = z
  .object({
    visitId: VisitId,
    patient: Patient,
    coverage: Coverage,
    /** A second plan that pays after `coverage` (coordination of benefits): billed after the primary's 835. */
    secondaryCoverage: Coverage.optional(),
    appointment: Appointment,
  })
  .refine((v) => !v.secondaryCoverage || v.secondaryCoverage.payerId !== v.coverage.payerId || v.secondaryCoverage.memberId !== v.coverage.memberId, {
    message: 'is the same plan and member as coverage',
    path: ['secondaryCoverage'],
  });

/** ICD-10-CM as billed: letter, digit, alphanumeric, then up to four more, no decimal point. */
export const Icd10Code = z.string().regex(/^[A-TV-Z][0-9][0-9A-Z]{1,5}$/, 'must be an ICD-10-CM code without the decimal point');
/** CPT (5 digits, or 4 digits and F/T/U) or HCPCS level II (a letter and 4 digits). */
export const ProcedureCode = z.string().regex(/^(\d{4}[0-9FTU]|[A-V]\d{4})$/, 'must be a CPT or HCPCS code');
export const Modifier = z.string().regex(/^[A-Z0-9]{2}$/, 'must be a 2-character modifier');

export const Diagnosis = z.object({
  code: Icd10Code,
  /** 1 = principal. */
  rank: z.number().int().min(1).max(12),
});

export const ProcedureLine = z.object({
  code: ProcedureCode,
  modifiers: z.array(Modifier).max(4).default([]),
  units: z.number().int().min(1).max(999).default(1),
  /** 1-based positions in the diagnosis list (ordered by rank), up to 4. */
  diagnosisPointers: z.array(z.number().int().min(1).max(12)).min(1).max(4),
});

/** NUCC health care provider taxonomy code, e.g. 207Q00000X. */
export const Taxonomy = z.string().regex(/^[0-9A-Z]{9}X$/, 'must be a 10-character provider taxonomy code');

export const CodedEncounter = z.object({
  encounterId: ExternalId(64),
  serviceDate: CalendarDate,
  renderingNpi: Npi,
  /** The rendering practitioner's name (and taxonomy) as the chart has it: 2310B when not the billing provider. */
  renderingName: z.object({ ...PersonName, firstName: PersonName.firstName.optional() }).optional(),
  renderingTaxonomy: Taxonomy.optional(),
  diagnoses: z.array(Diagnosis).min(1).max(12),
  procedures: z.array(ProcedureLine).min(1).max(50),
});

export const EncounterSigned = z.object({
  visitId: VisitId,
  encounterId: ExternalId(64),
});

export type Patient = z.infer<typeof Patient>;
export type Subscriber = z.infer<typeof Subscriber>;
export type Coverage = z.infer<typeof Coverage>;
export type Appointment = z.infer<typeof Appointment>;
export type StartVisit = z.infer<typeof StartVisit>;
export type Diagnosis = z.infer<typeof Diagnosis>;
export type ProcedureLine = z.infer<typeof ProcedureLine>;
export type CodedEncounter = z.infer<typeof CodedEncounter>;
export type EncounterSigned = z.infer<typeof EncounterSigned>;

/** A priced charge line: what is posted to the PMS and billed on the claim's SV1. */
export interface ChargeLine {
  lineNumber: number;
  code: string;
  modifiers: string[];
  units: number;
  chargeCents: number;
  /** The contracted amount the payer is expected to allow for the line (fee schedule), when known. */
  expectedCents?: number;
  /** What priced expectedCents when not the fee schedule: the Medicare formula with the file and row of each input. */
  pricedBy?: string;
  diagnosisPointers: number[];
}

/** The outcome of a 270/271 exchange, in our words. Amounts in cents. */
export interface EligibilityResult {
  active: boolean;
  planName?: string;
  copayCents?: number;
  deductibleCents?: number;
  deductibleRemainingCents?: number;
  coinsurancePercent?: number;
  outOfPocketRemainingCents?: number;
  /** AAA rejection reasons or other text the payer gave. */
  messages: string[];
}

/** Where a visit stands: the stages of its story (DESIGN.md §1). */
export type VisitStage =
  | 'intake'
  | 'eligibility'
  | 'awaiting_coverage'
  | 'awaiting_encounter'
  | 'coding'
  | 'coding_review'
  | 'charges'
  | 'claim_submitted'
  | 'claim_rejected'
  | 'awaiting_adjudication'
  | 'denied'
  | 'closed'
  /** Insurance answered and the patient owes a share: the patient balance workflow sends statements until it is settled. */
  | 'patient_balance'
  /** Parked: a step failed in a way no retry cures (or past the retry ceiling); a person retries or resolves. */
  | 'needs_attention';

/** How a visit closed. collections: insurance answered, and the patient's share was still open after the last statement. */
export type VisitOutcome = 'paid' | 'denied' | 'cancelled' | 'ineligible' | 'rejected' | 'written_off' | 'voided' | 'collections';
