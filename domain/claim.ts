/**
 * What the visit workflow learns about its claim from the clearinghouse, in our words.
 * The X12 parsers produce richer objects; the webhook maps them to these, one per claim.
 */

/** Claim frequency (CLM05-3): 1 original, 7 replacement of a prior claim, 8 void. */
export type ClaimFrequency = '1' | '7' | '8';

export type ClaimStatus = 'built' | 'submitted' | 'accepted' | 'rejected' | 'paid' | 'partially_paid' | 'denied' | 'reversed';

/** A 999 (syntax) or 277CA (payer front end) answer about one claim. */
export interface ClaimAcknowledgment {
  kind: '999' | '277CA';
  /** Which submission it answers: the interchange control number (999) or the claim's frequency (277CA). */
  controlNumber?: number;
  accepted: boolean;
  /** STC category:status[:entity] codes (277CA) or IK5/AK9 codes (999). */
  codes: string[];
  /** 277CA: who answered, the clearinghouse's front end or the payer's (two-stage acknowledgment). */
  source?: 'clearinghouse' | 'payer';
  /** 999: the segments (and loops) its IK3 errors point at, so a rejection reaches the right queue. */
  errorSegments?: { segment: string; loop?: string }[];
  /** Our words for the answer, from its codes (999 IK3/IK4 positions, 277CA STC descriptions): what the visit shows. */
  message?: string;
  /**
   * 277CA STC12 as the payer wrote it: free text that may name the patient. Kept in the
   * billing record and in the (sealed) signal, never copied into the visit's state.
   */
  payerText?: string;
  payerClaimNumber?: string;
  /** Fingerprint of the delivered file and claim: a redelivery carries the same key. */
  sourceKey: string;
}

export interface RemittanceAdjustment {
  /** null for a claim-level CAS, else the SVC line number (LX order on the claim). */
  lineNumber: number | null;
  group: 'CO' | 'PR' | 'OA' | 'PI' | 'CR';
  carc: string;
  amountCents: number;
  rarcs: string[];
}

/** One SVC line of an 835 in our words. */
export interface RemittanceLineSummary {
  /** The claim line it answers: found by REF*6R when the payer echoed it, else its position. */
  lineNumber: number;
  /** 2110 REF*6R as the payer echoed it: our line item control number (837P 2400 REF*6R). */
  lineControlNumber?: string;
  code: string;
  /** SVC01-3..6 as the payer adjudicated them (payers sometimes drop modifiers). */
  modifiers?: string[];
  /** SVC05 paid units. */
  units?: number;
  chargeCents: number;
  paidCents: number;
}

/** One CLP loop of an 835, for one claim. */
export interface ClaimRemittance {
  traceNumber: string;
  payerId: string;
  paidOn?: string;
  /** CLP02: 1/2/3 processed (paid), 4 denied, 22 reversal. */
  claimStatusCode: string;
  frequency?: ClaimFrequency;
  chargeCents: number;
  paidCents: number;
  patientResponsibilityCents: number;
  payerClaimNumber?: string;
  adjustments: RemittanceAdjustment[];
  lines: RemittanceLineSummary[];
  sourceKey: string;
  /** The stored 835 file (inbound_messages key) it came from: the posting activity reads the file, not the signal. */
  documentKey?: string;
}

/**
 * What an 835's CLP says of its claim, the one rule for the workflow, the posting and the
 * billing record: CLP02 22 is a reversal; CLP02 4, or nothing paid and nothing left to the
 * patient, is a denial; otherwise paid, or partially paid when the caller found it short.
 */
export function remittanceStatus(clp: { statusCode: string; paidCents: number; patientResponsibilityCents: number }, shortPaid = false): ClaimStatus {
  if (clp.statusCode === '22') return 'reversed';
  if (clp.statusCode === '4' || (clp.paidCents === 0 && clp.patientResponsibilityCents === 0)) return 'denied';
  return shortPaid ? 'partially_paid' : 'paid';
}

export function isDenied(r: ClaimRemittance): boolean {
  return remittanceStatus({ ...r, statusCode: r.claimStatusCode }) === 'denied';
}

/** CARCs on a remittance, as `GROUP-CARC` (e.g. CO-16), once each. */
export function denialCodes(r: ClaimRemittance): string[] {
  const codes = r.adjustments.filter((a) => a.group !== 'PR' && a.carc !== '45').map((a) => `${a.group}-${a.carc}`);
  return [...new Set(codes)];
}

/** Sum of adjustments in a group, e.g. contractual (CO). */
export function adjustedCents(r: ClaimRemittance, group: RemittanceAdjustment['group']): number {
  return r.adjustments.filter((a) => a.group === group).reduce((s, a) => s + a.amountCents, 0);
}
