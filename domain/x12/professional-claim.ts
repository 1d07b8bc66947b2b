/**
 * The 837P professional claim (ASC X12 005010X222A1) in our words. `build837P` writes
 * it, `parse837P` reads it back into the same shape: parse(build(x)) = x.
 */

export interface X12Address {
  line1: string;
  city: string;
  /** 2-letter state code. */
  state: string;
  /** 5 or 9 digits; the billing provider's must have 9 (2010AA N403). */
  postalCode: string;
}

export type Sex = 'M' | 'F' | 'U';

/** 1000A: who sends the file (the practice or its billing service), with a contact. */
export interface Submitter {
  name: string;
  /** NM109 with qualifier 46 (ETIN) as the clearinghouse assigned it. */
  id: string;
  contactName: string;
  /** 10 digits. */
  phone: string;
}

/** 2010AA */
export interface BillingProvider {
  /** Organization name. */
  name: string;
  npi: string;
  /** EIN, 9 digits (REF*EI). */
  taxId: string;
  address: X12Address;
  /** Provider taxonomy code (PRV*BI), e.g. 207Q00000X. */
  taxonomy?: string;
}

/**
 * SBR09 claim filing indicator codes (X222A1 2000B SBR09, 2320 SBR09): CI commercial,
 * MB Medicare Part B, MC Medicaid, BL Blue Cross/Blue Shield, HM HMO, 12 PPO, CH TRICARE...
 */
export const FILING_INDICATORS = [
  '11',
  '12',
  '13',
  '14',
  '15',
  '16',
  '17',
  'AM',
  'BL',
  'CH',
  'CI',
  'DS',
  'FI',
  'HM',
  'LM',
  'MA',
  'MB',
  'MC',
  'OF',
  'TV',
  'VA',
  'WC',
  'ZZ',
] as const;
export type FilingIndicator = (typeof FILING_INDICATORS)[number];

/** The filing indicator a claim carries when nobody says otherwise (commercial insurance). */
export const DEFAULT_FILING_INDICATOR: FilingIndicator = 'CI';

/** 2010BB, with the SBR09 claim filing indicator (CI commercial, MB Medicare Part B, MC Medicaid, BL Blue Cross...). */
export interface ClaimPayer {
  name: string;
  id: string;
  filingIndicator: string;
  /**
   * SBR05 insurance type code (12 working aged, 13 ESRD, 14 no-fault, 15 workers' comp, 16 PHS,
   * 41 black lung, 42 VA, 43 disabled, 47 other liability): required when Medicare (MB) is
   * not the primary payer.
   */
  insuranceType?: string;
}

/** SBR01: whose turn it is to pay, P primary, S secondary, T tertiary. */
export type PayerResponsibility = 'P' | 'S' | 'T';

/** 2000B/2010BA. Birth date, sex and address are required when the subscriber is the patient. */
export interface ClaimSubscriber {
  memberId: string;
  firstName: string;
  lastName: string;
  groupNumber?: string;
  birthDate?: string;
  sex?: Sex;
  address?: X12Address;
}

/** 2000C/2010CA, present only when the patient is not the subscriber. */
export interface ClaimPatient {
  /** PAT01: spouse 01, child 19, other G8. */
  relationship: 'spouse' | 'child' | 'other';
  firstName: string;
  lastName: string;
  birthDate: string;
  sex: Sex;
  address: X12Address;
}

/** 2310B, when the rendering provider is a person other than the billing provider. */
export interface RenderingProvider {
  npi: string;
  lastName: string;
  firstName?: string;
  /** PRV*PE: the rendering provider's taxonomy code, e.g. 207Q00000X family medicine. */
  taxonomy?: string;
}

/** 2400: one SV1 line. */
export interface ServiceLine {
  /** CPT or HCPCS. */
  code: string;
  /** Up to 4. */
  modifiers: string[];
  units: number;
  chargeCents: number;
  /** 1-based positions in `diagnoses`, up to 4. */
  diagnosisPointers: number[];
  /** DTP*472, YYYY-MM-DD. */
  serviceDate: string;
  /**
   * REF*6R line item control number: unique within the claim, at most 30 characters; the
   * payer echoes it on the 835's SVC line (2110 REF*6R), so posting matches lines by it.
   * Absent, the builder writes `lineItemControlNumber(claimId, lineNumber)`.
   */
  lineItemControlNumber?: string;
}

/** A CAS triplet as the other payer reported it (835 CAS, written in 2320 or 2430 CAS). */
export interface CobAdjustment {
  group: 'CO' | 'PR' | 'OA' | 'PI' | 'CR';
  carc: string;
  amountCents: number;
  quantity?: number;
}

/** 2430: how the other payer adjudicated one of this claim's lines. */
export interface OtherPayerLine {
  /** 1-based position (LX) of the claim line this adjudication belongs to. */
  lineNumber: number;
  /** SVD03 procedure as the other payer adjudicated it (it may differ from SV101 when it bundled). */
  code: string;
  modifiers: string[];
  /** SVD05 paid units. */
  units: number;
  /** SVD02 */
  paidCents: number;
  /** 2430 CAS */
  adjustments: CobAdjustment[];
}

/**
 * 2320/2330A/2330B: a payer that adjudicated this claim before (coordination of benefits).
 * A secondary claim carries the primary payer here with what it paid and adjusted; the
 * claim's own 2000B/2010BB are then the secondary subscriber and payer.
 */
export interface OtherPayer {
  /** 2320 SBR01: this other payer's place in the order, usually P. */
  responsibility: PayerResponsibility;
  /** 2330B name and id (PI), 2320 SBR09 filing indicator. */
  payer: ClaimPayer;
  /** 2330A, and 2320 SBR02 the patient's relationship to this subscriber, SBR03 group number. */
  subscriber: {
    memberId: string;
    firstName: string;
    lastName: string;
    groupNumber?: string;
    relationship: 'self' | 'spouse' | 'child' | 'other';
    address?: X12Address;
  };
  /** 2320 AMT*D: what the other payer paid on the claim. */
  paidCents: number;
  /** 2320 AMT*EAF: what the other payer left to the patient. */
  remainingPatientLiabilityCents?: number;
  /** DTP*573: the other payer's adjudication (remittance) date, in 2430 or, without lines, in 2330B. */
  adjudicatedOn: string;
  /** 2330B REF*F8: the other payer's claim control number. */
  payerClaimNumber?: string;
  /** 2320 CAS: claim-level adjustments. */
  adjustments: CobAdjustment[];
  /** 2430 per line; empty when the other payer adjudicated at claim level only. */
  lines: OtherPayerLine[];
}

/** Claim frequency (CLM05-3): 1 original, 7 replacement of a prior claim, 8 void. */
export type ClaimFrequencyCode = '1' | '7' | '8';

/** One 2300 claim with its subscriber, patient and payer. */
export interface ProfessionalClaim {
  /** CLM01, the patient control number the payer echoes in 277CA (TRN*2) and 835 (CLP01). Up to 38 characters. */
  claimId: string;
  frequency: ClaimFrequencyCode;
  /** REF*F8, the payer's claim number being replaced or voided: required with frequency 7 or 8. */
  payerClaimNumber?: string;
  /** CMS place-of-service code (CLM05-1), e.g. 11 office. */
  placeOfService: string;
  /** REF*G1 prior authorization number. */
  priorAuthorization?: string;
  /** 2000B SBR01; P (primary) when absent. A secondary claim is S, with the primary in `otherPayers`. */
  payerResponsibility?: PayerResponsibility;
  payer: ClaimPayer;
  subscriber: ClaimSubscriber;
  patient?: ClaimPatient;
  /** ICD-10-CM without the decimal point; the first is the principal (ABK), up to 11 more (ABF). */
  diagnoses: string[];
  renderingProvider?: RenderingProvider;
  /** 2320-2330B loops: payers that adjudicated this claim before (COB). */
  otherPayers?: OtherPayer[];
  lines: ServiceLine[];
}

/** One interchange of claims from one billing provider. */
export interface ProfessionalClaimBatch {
  submitter: Submitter;
  /** 1000B: the clearinghouse or payer receiving the file. */
  receiver: { name: string; id: string };
  billingProvider: BillingProvider;
  claims: ProfessionalClaim[];
}

export const GUIDE_837P = '005010X222A1';

/** SBR02 / 2320 SBR02 individual relationship codes; self is 18. */
export const INDIVIDUAL_RELATIONSHIP_CODES: Record<OtherPayer['subscriber']['relationship'], string> = { self: '18', spouse: '01', child: '19', other: 'G8' };

export const PATIENT_RELATIONSHIP_CODES: Record<ClaimPatient['relationship'], string> = { spouse: '01', child: '19', other: 'G8' };

/** CLM02: the claim's total charge is the sum of its lines. */
export function claimChargeCents(claim: Pick<ProfessionalClaim, 'lines'>): number {
  return claim.lines.reduce((sum, l) => sum + l.chargeCents, 0);
}

/** REF*6R holds at most 30 characters (X222A1 2400 REF02 for qualifier 6R). */
export const LINE_ITEM_CONTROL_NUMBER_MAX = 30;

/**
 * The REF*6R line item control number of a claim's line: `<key>-<lineNumber>` (key = the
 * visit id, which is also CLM01), so it is the same on every retry and every resubmission
 * of the visit's claim, unique within the claim, and readable on an 835. A key too long to
 * fit keeps its start and gets an 8-hex FNV-1a hash of the whole key, still deterministic.
 */
export function lineItemControlNumber(key: string, lineNumber: number): string {
  const suffix = `-${lineNumber}`;
  const plain = `${key}${suffix}`;
  if (plain.length <= LINE_ITEM_CONTROL_NUMBER_MAX) return plain;
  const hash = fnv1a(key);
  return `${key.slice(0, LINE_ITEM_CONTROL_NUMBER_MAX - suffix.length - hash.length)}${hash}${suffix}`;
}

/** FNV-1a, 32 bits, as 8 hex digits: pure, so workflow-safe code may call it too. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0').toUpperCase();
}
