import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appealDeadline, parsePayerDeadlines, reviewTimelyFiling, timelyFilingDeadline } from './deadlines';

const rules = parsePayerDeadlines(readFileSync(join(__dirname, 'data', 'payer-deadlines.csv'), 'utf8'));

test("an appeal deadline counts the payer's days from the denial, across month and year ends", () => {
  expect(appealDeadline('2026-11-20', '13551', rules)).toBe('2027-03-20'); // 120 days
  expect(appealDeadline('2026-11-20', '87726', rules)).toBe('2027-05-19'); // 180 days
  expect(appealDeadline('2026-11-20', 'NOSUCH', rules)).toBe('2027-05-19'); // the * rule
});

test('a table with a day count that is not a whole number is refused by rule', () => {
  expect(() => parsePayerDeadlines('payer_id,appeal_days,note\n1,ninety,x')).toThrow(/rule 1: appeal_days/);
});

test("timely filing counts the payer rule's days from the date of service", () => {
  expect(timelyFilingDeadline('2026-11-20', 90)).toBe('2027-02-18');
  expect(timelyFilingDeadline('2026-11-20', 120)).toBe('2027-03-20');
  expect(timelyFilingDeadline('2024-02-29', 365)).toBe('2025-02-28'); // from a leap day
});

describe('a timely-filing denial is contested only with an acceptance dated in time', () => {
  const accepted = (acceptedOn: string, attempt: number) => ({ acceptedOn, attempt, reference: `ack-${attempt}` });
  test('the earliest acceptance on or before the deadline is the proof', () => {
    expect(reviewTimelyFiling('2026-11-20', 90, [accepted('2027-03-01', 2), accepted('2027-02-18', 1)])).toEqual({
      deadline: '2027-02-18',
      proof: accepted('2027-02-18', 1),
    });
  });
  test('acceptances after the deadline prove nothing', () => {
    expect(reviewTimelyFiling('2026-11-20', 90, [accepted('2027-02-19', 1)])).toEqual({ deadline: '2027-02-18' });
    expect(reviewTimelyFiling('2026-11-20', 90, [])).toEqual({ deadline: '2027-02-18' });
  });
});
