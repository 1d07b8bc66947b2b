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
  attempt: number;
  frequency: string;
  payerId: string;
  payerClaimNumber?: string;
  serviceDate: string;
  lines: BilledLine[];
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

/**
 * CLP01 (our patient control number) + payer narrow the attempts; CLP07 (the payer's claim
 * number) picks the attempt it was given to, else CLP09 (frequency), else the latest attempt.
 */
export function matchAttempt(clp: Pick<RemittanceClaim, 'patientControlNumber' | 'payerClaimNumber' | 'frequency'>, payerId: string, attempts: ClaimAttempt[]): ClaimAttempt | undefined {
  const candidates = attempts.filter((a) => a.visitId === clp.patientControlNumber && a.payerId === payerId).sort((a, b) => b.attempt - a.attempt);
  if (!candidates.length) return undefined;
  return (
    (clp.payerClaimNumber && candidates.find((a) => a.payerClaimNumber === clp.payerClaimNumber)) ||
    (clp.frequency && candidates.find((a) => a.frequency === clp.frequency)) ||
    candidates[0]
  );
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
  return line ? `claim ${clp.patientControlNumber} line ${line.code}: charge ${line.chargeCents} − paid ${line.paidCents} ≠ its adjustments ${sum(line.adjustments)} (cents)` : undefined;
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
