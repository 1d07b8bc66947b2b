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

/** 2010BB, with the SBR09 claim filing indicator (CI commercial, MB Medicare Part B, MC Medicaid, BL Blue Cross...). */
export interface ClaimPayer {
  name: string;
  id: string;
  filingIndicator: string;
}

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
  /** REF*G1 */
  priorAuthorization?: string;
  payer: ClaimPayer;
  subscriber: ClaimSubscriber;
  patient?: ClaimPatient;
  /** ICD-10-CM without the decimal point; the first is the principal (ABK), up to 11 more (ABF). */
  diagnoses: string[];
  renderingProvider?: RenderingProvider;
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

export const PATIENT_RELATIONSHIP_CODES: Record<ClaimPatient['relationship'], string> = { spouse: '01', child: '19', other: 'G8' };

/** CLM02: the claim's total charge is the sum of its lines. */
export function claimChargeCents(claim: Pick<ProfessionalClaim, 'lines'>): number {
  return claim.lines.reduce((sum, l) => sum + l.chargeCents, 0);
}
