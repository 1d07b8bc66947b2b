/**
 * Remittance posting rules, pure: which claim attempt an 835 claim (CLP) answers, which
 * billed line each SVC answers, whether the claim balances, and which lines were paid
 * below the contract. db/posting.ts applies the result in one transaction.
 */
import type { Adjustment, RemittanceClaim, RemittanceLine } from '../x12/remittance';

/** One submitted claim attempt as the billing record holds it. */
export interface ClaimAttempt {
  claimId: number;
  visitId: string;
  /** CLM01 as we sent it: what the payer echoes in CLP01. */
  patientControlNumber: string;
  attempt: number;
  frequency: string;
  payerId: string;
  /** The payer's claim number given to this attempt (277CA or 835), or carried from the original (REF*F8). */
  payerClaimNumber?: string;
  /** CLM02: the total charge we billed. */
  billedCents: number;
  /** The claim's status in the billing record (a rejected attempt never reached adjudication). */
  status?: string;
  serviceDate: string;
  lines: BilledLine[];
  /** The 835 answers already posted to this attempt, oldest first. */
  answers: EarlierAnswer[];
}

/** An 835 answer (CLP) already posted to an attempt. */
export interface EarlierAnswer {
  /** CLP02. */
  statusCode: string;
  paidCents: number;
  payerClaimNumber?: string;
}

export interface BilledLine {
  lineNumber: number;
  /** What the 837 sent in REF*6R (the line item control number). */
  controlNumber: string;
  code: string;
  modifiers: string[];
  chargeCents: number;
}

export type LineMatch = '6R' | 'code_date_modifiers' | 'code_date' | 'unmatched';

/** Why an 835 claim was not posted: the posting queue's reasons, one word each. */
export const REFUSAL_REASONS = ['unknown_control_number', 'payer_mismatch', 'charge_mismatch', 'reversal_of_unpaid', 'ambiguous', 'unbalanced'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** unbalanced claims are matched but cannot be posted as they are; the others matched no attempt. */
export type QueueStatus = 'unmatched' | 'unbalanced';
export const queueStatusOf = (reason: string): QueueStatus => (reason === 'unbalanced' ? 'unbalanced' : 'unmatched');

export type PostingDecision =
  | { matched: true; attempt: ClaimAttempt; by: 'charge' | 'payer_claim_number' }
  /** attempt: the attempt the claim was matched to when the refusal came after the match (unbalanced, reversal_of_unpaid). */
  | { matched: false; reason: RefusalReason; detail: string; attempt?: ClaimAttempt };

/** What an 835 claim says of itself that matching reads. */
export type ClaimKeys = Pick<RemittanceClaim, 'patientControlNumber' | 'statusCode' | 'chargeCents' | 'paidCents' | 'payerClaimNumber' | 'frequency'>;

const cents = (n: number) => (n / 100).toFixed(2);

/**
 * The one decision of which claim attempt an 835 claim (CLP) answers, for the webhook, the
 * visit's posting activity and the billing record alike. Every identifying key must agree:
 *
 * 1. CLP01, our patient control number, names attempts we sent (else unknown_control_number);
 * 2. of those, attempts sent to the payer that answered (else payer_mismatch);
 * 3. of those, attempts whose total charge is CLP03 (a reversal's is negated), or to which an
 *    earlier 835 answer with the same payer claim number (CLP07) was posted: a reversal or a
 *    correction names the answer it takes back (else charge_mismatch);
 * 4. when several remain: the one of CLP09's frequency, then the one an earlier answer with
 *    this CLP07 was posted to, then the one the payer gave this CLP07, then the ones not
 *    rejected at the front end; if that still leaves several, ambiguous. Never "the latest".
 *
 * A reversal (CLP02 22) must take back something: an earlier answer with its CLP07 posted to
 * this claim (to the attempt itself when it has no CLP07), and no more than was paid on it
 * (else reversal_of_unpaid). A matched claim whose amounts do
 * not balance (claimBalanceProblem) is refused as unbalanced. Refused claims are kept and
 * queued by the caller; nothing is posted for them.
 */
export function decidePosting(clp: ClaimKeys, payerId: string, attempts: ClaimAttempt[], balanceProblem?: string): PostingDecision {
  const pcn = clp.patientControlNumber;
  const ours = attempts.filter((a) => a.patientControlNumber === pcn);
  if (!ours.length) return { matched: false, reason: 'unknown_control_number', detail: `no claim was sent with patient control number ${pcn}` };
  const samePayer = ours.filter((a) => a.payerId === payerId);
  if (!samePayer.length) {
    const payers = [...new Set(ours.map((a) => a.payerId))].join(', ');
    return { matched: false, reason: 'payer_mismatch', detail: `claim ${pcn} was sent to payer ${payers}, not to payer ${payerId}` };
  }
  const answeredAs = (a: ClaimAttempt) => !!clp.payerClaimNumber && a.answers.some((x) => x.payerClaimNumber === clp.payerClaimNumber);
  const byCharge = samePayer.filter((a) => a.billedCents === Math.abs(clp.chargeCents));
  const byAnswer = samePayer.filter(answeredAs);
  let candidates = samePayer.filter((a) => byCharge.includes(a) || byAnswer.includes(a));
  if (!candidates.length) {
    const billed = [...new Set(samePayer.map((a) => cents(a.billedCents)))].join(', ');
    return {
      matched: false,
      reason: 'charge_mismatch',
      detail: `claim ${pcn} to payer ${payerId}: total charge ${cents(clp.chargeCents)} is not what was billed (${billed})${clp.payerClaimNumber ? `, and no earlier answer carried payer claim number ${clp.payerClaimNumber}` : ''}`,
    };
  }
  for (const narrower of [
    (a: ClaimAttempt) => !!clp.frequency && a.frequency === clp.frequency,
    answeredAs,
    (a: ClaimAttempt) => !!clp.payerClaimNumber && a.payerClaimNumber === clp.payerClaimNumber,
    (a: ClaimAttempt) => a.status !== 'rejected',
  ]) {
    if (candidates.length === 1) break;
    const narrowed = candidates.filter(narrower);
    if (narrowed.length) candidates = narrowed;
  }
  if (candidates.length > 1) {
    return {
      matched: false,
      reason: 'ambiguous',
      detail: `claim ${pcn} to payer ${payerId} answers attempts ${candidates.map((a) => a.attempt).join(', ')} equally`,
    };
  }
  const attempt = candidates[0];
  if (clp.statusCode === '22') {
    // What it takes back: the answers carrying its CLP07 on any attempt of this claim to this payer (a void or
    // replacement carries the original's payer claim number, and its reversal takes back the original's
    // payment), or without a CLP07 the answers posted to the attempt itself.
    const takenFrom = clp.payerClaimNumber ? samePayer.flatMap((a) => a.answers).filter((x) => x.payerClaimNumber === clp.payerClaimNumber) : attempt.answers;
    const paid = takenFrom.reduce((s, x) => s + x.paidCents, 0);
    const original = takenFrom.some((x) => x.statusCode !== '22');
    if (!original || paid < -clp.paidCents) {
      return {
        matched: false,
        reason: 'reversal_of_unpaid',
        attempt,
        detail: original
          ? `reversal of claim ${pcn} attempt ${attempt.attempt} takes back ${cents(-clp.paidCents)}, more than the ${cents(paid)} posted to it`
          : `reversal of claim ${pcn} attempt ${attempt.attempt}: no answer${clp.payerClaimNumber ? ` with payer claim number ${clp.payerClaimNumber}` : ''} was ever posted to it`,
      };
    }
  }
  if (balanceProblem) return { matched: false, reason: 'unbalanced', detail: balanceProblem, attempt };
  return { matched: true, attempt, by: byCharge.includes(attempt) ? 'charge' : 'payer_claim_number' };
}

/**
 * Each SVC to a billed line: by REF*6R first; else by code + date of service + modifiers;
 * else by code + date alone (payers drop modifiers). A billed line is matched at most once.
 */
export function matchLines(svcs: RemittanceLine[], billed: BilledLine[], serviceDate: string): { svc: RemittanceLine; line?: BilledLine; match: LineMatch }[] {
  const taken = new Set<number>();
  const take = (l: BilledLine | undefined) => (l && !taken.has(l.lineNumber) ? (taken.add(l.lineNumber), l) : undefined);
  const sameDate = (s: RemittanceLine) => !s.serviceDate || s.serviceDate === serviceDate;
  const sameModifiers = (a: string[], b: string[]) => a.length === b.length && a.every((m) => b.includes(m));
  const out: { svc: RemittanceLine; line?: BilledLine; match: LineMatch }[] = svcs.map((svc) => ({ svc, match: 'unmatched' as LineMatch }));
  for (const o of out) {
    const l = take(o.svc.lineControlNumber ? billed.find((b) => b.controlNumber === o.svc.lineControlNumber && !taken.has(b.lineNumber)) : undefined);
    if (l) Object.assign(o, { line: l, match: '6R' });
  }
  for (const o of out.filter((x) => !x.line && sameDate(x.svc))) {
    const l = take(billed.find((b) => !taken.has(b.lineNumber) && b.code === o.svc.code && sameModifiers(b.modifiers, o.svc.modifiers)));
    if (l) Object.assign(o, { line: l, match: 'code_date_modifiers' });
  }
  for (const o of out.filter((x) => !x.line && sameDate(x.svc))) {
    const l = take(billed.find((b) => !taken.has(b.lineNumber) && b.code === o.svc.code));
    if (l) Object.assign(o, { line: l, match: 'code_date' });
  }
  return out;
}

const sum = (a: Adjustment[]) => a.reduce((s, x) => s + x.amountCents, 0);

/** CLP03 − CLP04 = Σ claim and line CAS (X221A1 1.10.2.1.1); each SVC: charge − paid = Σ its CAS. */
export function claimBalanceProblem(clp: RemittanceClaim): string | undefined {
  const adjusted = sum(clp.adjustments) + clp.lines.reduce((s, l) => s + sum(l.adjustments), 0);
  if (clp.chargeCents - clp.paidCents !== adjusted) {
    return `claim ${clp.patientControlNumber}: charge ${clp.chargeCents} − paid ${clp.paidCents} ≠ adjustments ${adjusted} (cents)`;
  }
  const line = clp.lines.find((l) => l.chargeCents - l.paidCents !== sum(l.adjustments));
  return line
    ? `claim ${clp.patientControlNumber} line ${line.code}: charge ${line.chargeCents} − paid ${line.paidCents} ≠ its adjustments ${sum(line.adjustments)} (cents)`
    : undefined;
}

/**
 * What the payer should have allowed (the contracted amount) against what it allowed:
 * paid + patient responsibility (PR) on the line. Short by more than a cent = underpaid.
 * Denied lines (nothing allowed) are the denial playbook's business, not an underpayment.
 */
export function underpaidCents(svc: RemittanceLine, contractedCents: number | undefined): number {
  if (contractedCents === undefined) return 0;
  const allowed = svc.paidCents + sum(svc.adjustments.filter((a) => a.group === 'PR'));
  if (allowed <= 0) return 0;
  const short = contractedCents - allowed;
  return short > 1 ? short : 0;
}

/**
 * Only a payer that processed the claim as primary (CLP02 1, or 19 when it forwarded it) allows
 * against our contract with it; a secondary pays what the primary left, and a reversal's
 * negative amounts take back an answer that was already compared.
 */
export const answersAsPrimary = (clp: Pick<RemittanceClaim, 'statusCode'>) => clp.statusCode === '1' || clp.statusCode === '19';

/** The key that makes posting idempotent: the same CLP of the same 835 posts once. */
export function postingKey(traceNumber: string, clp: Pick<RemittanceClaim, 'patientControlNumber' | 'statusCode' | 'frequency' | 'payerClaimNumber'>): string {
  return [traceNumber, clp.patientControlNumber, clp.statusCode, clp.frequency ?? '', clp.payerClaimNumber ?? ''].join('#');
}
