import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appealDeadline, parsePayerDeadlines } from './deadlines';

const rules = parsePayerDeadlines(readFileSync(join(__dirname, 'data', 'payer-deadlines.csv'), 'utf8'));

test('an appeal deadline counts the payer\'s days from the denial, across month and year ends', () => {
  expect(appealDeadline('2026-11-20', '13551', rules)).toBe('2027-03-20'); // 120 days
  expect(appealDeadline('2026-11-20', '87726', rules)).toBe('2027-05-19'); // 180 days
  expect(appealDeadline('2026-11-20', 'NOSUCH', rules)).toBe('2027-05-19'); // the * rule
});

test('a table with a day count that is not a whole number is refused by rule', () => {
  expect(() => parsePayerDeadlines('payer_id,appeal_days,timely_filing_days,note\n1,ninety,90,x')).toThrow(/rule 1: appeal_days/);
});
