/**
 * Payer deadlines as data (domain/billing/data/payer-deadlines.csv): how long a payer allows
 * for an appeal, counted from the denial, and for filing, counted from the date of service.
 */
import { readRuleTable } from './csv';

export interface PayerDeadline {
  payerId: string;
  appealDays: number;
  timelyFilingDays: number;
}

export function parsePayerDeadlines(csv: string): PayerDeadline[] {
  return readRuleTable(csv, 'payer deadlines', ['payer_id', 'appeal_days', 'timely_filing_days', 'note'] as const, ['note']).map((row, i) => {
    const appealDays = Number(row.appeal_days);
    const timelyFilingDays = Number(row.timely_filing_days);
    if (!Number.isInteger(appealDays) || appealDays <= 0 || !Number.isInteger(timelyFilingDays) || timelyFilingDays <= 0) {
      throw new Error(`payer deadlines rule ${i + 1}: appeal_days and timely_filing_days must be whole days`);
    }
    return { payerId: row.payer_id, appealDays, timelyFilingDays };
  });
}

/** The last day to appeal a denial of `deniedOn` (YYYY-MM-DD) by this payer. */
export function appealDeadline(deniedOn: string, payerId: string, rules: PayerDeadline[]): string {
  const rule = rules.find((r) => r.payerId === payerId) ?? rules.find((r) => r.payerId === '*');
  if (!rule) throw new Error(`payer deadlines: no rule for payer ${payerId} and no * rule`);
  const day = new Date(`${deniedOn}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + rule.appealDays);
  return day.toISOString().slice(0, 10);
}
