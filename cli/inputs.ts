/**
 * The JSON files `revcycle x12 build-837` and `build-270` read, as zod schemas, so a
 * bad file is refused with the path of each problem rather than a crash in the builder.
 */
import { z } from 'zod';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const sex = z.enum(['M', 'F', 'U']);
const address = z.object({
  line1: z.string().min(1),
  city: z.string().min(1),
  state: z.string().regex(/^[A-Z]{2}$/),
  postalCode: z.string().regex(/^\d{5}(\d{4})?$/),
});

export const Envelope = z.object({
  controlNumber: z.number().int().min(1).max(999999999),
  senderId: z.string().min(1).max(15),
  receiverId: z.string().min(1).max(15),
  date,
  time: z.string().regex(/^\d{4}$/, 'must be HHMM'),
  usage: z.enum(['T', 'P']),
  senderQualifier: z.string().optional(),
  receiverQualifier: z.string().optional(),
});

const line = z.object({
  code: z.string().min(1),
  modifiers: z.array(z.string()).max(4).default([]),
  units: z.number().int().min(1).default(1),
  chargeCents: z.number().int().min(0),
  diagnosisPointers: z.array(z.number().int().min(1).max(12)).min(1).max(4),
  serviceDate: date,
  /** REF*6R; derived from claimId and the line number when absent. */
  lineItemControlNumber: z.string().min(1).max(30).optional(),
});

const group = z.enum(['CO', 'PR', 'OA', 'PI', 'CR']);
const adjustment = z.object({ group, carc: z.string().min(1), amountCents: z.number().int(), quantity: z.number().optional() });
const payer = z.object({ name: z.string().min(1), id: z.string().min(1), filingIndicator: z.string().default('CI'), insuranceType: z.string().optional() });

/** 2320/2330A/2330B and 2430: a payer that adjudicated the claim before (COB). */
const otherPayer = z.object({
  responsibility: z.enum(['P', 'S', 'T']).default('P'),
  payer,
  subscriber: z.object({
    memberId: z.string().min(1),
    firstName: z.string().min(1),
    lastName: z.string().min(1),
    groupNumber: z.string().optional(),
    relationship: z.enum(['self', 'spouse', 'child', 'other']).default('self'),
    address: address.optional(),
  }),
  paidCents: z.number().int(),
  remainingPatientLiabilityCents: z.number().int().optional(),
  adjudicatedOn: date,
  payerClaimNumber: z.string().optional(),
  adjustments: z.array(adjustment).default([]),
  lines: z
    .array(
      z.object({
        lineNumber: z.number().int().min(1),
        code: z.string().min(1),
        modifiers: z.array(z.string()).max(4).default([]),
        units: z.number().int().min(1).default(1),
        paidCents: z.number().int(),
        adjustments: z.array(adjustment).default([]),
      }),
    )
    .default([]),
});

const claim = z.object({
  claimId: z.string().min(1).max(38),
  frequency: z.enum(['1', '7', '8']).default('1'),
  payerClaimNumber: z.string().optional(),
  placeOfService: z.string().regex(/^\d{2}$/),
  priorAuthorization: z.string().optional(),
  payerResponsibility: z.enum(['P', 'S', 'T']).optional(),
  payer,
  subscriber: z.object({
    memberId: z.string().min(1),
    firstName: z.string().min(1),
    lastName: z.string().min(1),
    groupNumber: z.string().optional(),
    birthDate: date.optional(),
    sex: sex.optional(),
    address: address.optional(),
  }),
  patient: z
    .object({ relationship: z.enum(['spouse', 'child', 'other']), firstName: z.string(), lastName: z.string(), birthDate: date, sex, address })
    .optional(),
  diagnoses: z.array(z.string()).min(1).max(12),
  renderingProvider: z
    .object({ npi: z.string().regex(/^\d{10}$/), lastName: z.string(), firstName: z.string().optional(), taxonomy: z.string().optional() })
    .optional(),
  otherPayers: z.array(otherPayer).optional(),
  lines: z.array(line).min(1).max(50),
});

export const ClaimFile = z.object({
  envelope: Envelope,
  submitter: z.object({ name: z.string().min(1), id: z.string().min(1), contactName: z.string().min(1), phone: z.string().regex(/^\d{10}$/) }),
  receiver: z.object({ name: z.string().min(1), id: z.string().min(1) }),
  billingProvider: z.object({
    name: z.string().min(1),
    npi: z.string().regex(/^\d{10}$/),
    taxId: z.string().regex(/^\d{9}$/),
    address,
    taxonomy: z.string().optional(),
  }),
  claims: z.array(claim).min(1),
});

const person = { firstName: z.string().min(1), lastName: z.string().min(1), birthDate: date.optional(), sex: sex.optional() };

export const EligibilityFile = z.object({
  envelope: Envelope,
  payer: z.object({ name: z.string().min(1), id: z.string().min(1) }),
  provider: z.object({ name: z.string().min(1), npi: z.string().regex(/^\d{10}$/) }),
  subscriber: z.object({ ...person, memberId: z.string().min(1) }),
  dependent: z.object(person).optional(),
  serviceDate: date,
  traceNumber: z.string().min(1).max(50),
  originatorId: z.string().regex(/^\d{10}$/, "must be 10 digits: '1' + EIN"),
  serviceTypes: z.array(z.string()).min(1).default(['30']),
});
