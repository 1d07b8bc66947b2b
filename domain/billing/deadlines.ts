/**
 * Payer deadlines: how long a payer allows for an appeal, counted from the denial (data:
 * domain/billing/data/payer-deadlines.csv), and for filing, counted from the date of service
 * (the payer rules the scrubber applies too, data/payer-rules.json: one limit per payer).
 */
import { addDays } from './codes';
import { readRuleTable } from './csv';

export interface PayerDeadline {
  payerId: string;
  appealDays: number;
}

export function parsePayerDeadlines(csv: string): PayerDeadline[] {
  return readRuleTable(csv, 'payer deadlines', ['payer_id', 'appeal_days', 'note'] as const, ['note']).map((row, i) => {
    const appealDays = Number(row.appeal_days);
    if (!Number.isInteger(appealDays) || appealDays <= 0) throw new Error(`payer deadlines rule ${i + 1}: appeal_days must be whole days`);
    return { payerId: row.payer_id, appealDays };
  });
}

function ruleFor(payerId: string, rules: PayerDeadline[]): PayerDeadline {
  const rule = rules.find((r) => r.payerId === payerId) ?? rules.find((r) => r.payerId === '*');
  if (!rule) throw new Error(`payer deadlines: no rule for payer ${payerId} and no * rule`);
  return rule;
}

/** The last day to appeal a denial of `deniedOn` (YYYY-MM-DD) by this payer. */
export function appealDeadline(deniedOn: string, payerId: string, rules: PayerDeadline[]): string {
  return addDays(deniedOn, ruleFor(payerId, rules).appealDays);
}

/** The last day a payer with this filing limit (its payer rule) accepts a claim for a service on `serviceDate` (YYYY-MM-DD). */
export function timelyFilingDeadline(serviceDate: string, timelyFilingDays: number): string {
  return addDays(serviceDate, timelyFilingDays);
}

/** A payer's acceptance of one of the visit's claims (277CA), as the clearinghouse reported it. */
export interface ClaimAcceptance {
  /** The day the payer accepted the claim (YYYY-MM-DD). */
  acceptedOn: string;
  attempt: number;
  /** What to send as the proof: the acknowledgment's reference in the billing record. */
  reference: string;
}

export interface TimelyFilingReview {
  deadline: string;
  /** The earliest acceptance on or before the deadline: proof the claim was filed in time. */
  proof?: ClaimAcceptance;
}

/**
 * A timely-filing denial (CO-29) is contested only with proof: a payer acceptance (277CA) of
 * the visit's claim dated on or before the filing deadline. Without one, the denial stands and
 * the balance is written off (the practice may not bill the patient for it).
 */
export function reviewTimelyFiling(serviceDate: string, timelyFilingDays: number, acceptances: ClaimAcceptance[]): TimelyFilingReview {
  const deadline = timelyFilingDeadline(serviceDate, timelyFilingDays);
  const proof = acceptances.filter((a) => a.acceptedOn <= deadline).sort((a, b) => a.acceptedOn.localeCompare(b.acceptedOn))[0];
  return proof ? { deadline, proof } : { deadline };
}
