import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { denialSettled, originalPayment, parsePlaybook, planDenial } from './denials';

const playbook = parsePlaybook(readFileSync(join(__dirname, 'data', 'denial-playbook.csv'), 'utf8'));

test.each([
  ['CO-16', 'missing_information', 'corrected_claim'],
  ['CO-4', 'missing_information', 'corrected_claim'],
  ['CO-11', 'missing_information', 'coding_review'],
  ['CO-146', 'missing_information', 'coding_review'],
  ['CO-50', 'medical_necessity', 'appeal'],
  ['CO-197', 'authorization', 'appeal'],
  ['CO-18', 'duplicate', 'check_original_payment'],
  ['CO-22', 'coordination_of_benefits', 'bill_secondary'],
  ['CO-29', 'timely_filing', 'write_off'],
  ['CO-45', 'contractual', 'no_action'],
  ['PR-1', 'patient_responsibility', 'patient_share'],
  ['CO-999', 'unclassified', 'review'],
])('%s → %s → %s', (code, category, action) => {
  expect(planDenial([code], playbook)).toMatchObject({ code, category, action });
});

test('with several codes the one needing the most care decides', () => {
  expect(planDenial(['CO-45', 'CO-16', 'CO-29'], playbook)).toMatchObject({ code: 'CO-29', action: 'write_off' });
  expect(planDenial(['PR-3', 'CO-50'], playbook)).toMatchObject({ code: 'CO-50', action: 'appeal' });
});

test('a playbook row with an unknown action is refused, naming its line', () => {
  expect(() => parsePlaybook('group,carc,category,action,note\nCO,16,x,resubmit,y')).toThrow('denial playbook line 2');
});

describe("a duplicate denial (CO-18) looks for the original's payment", () => {
  const denied = { attempt: 2, payerId: '87726' };
  test('a standing payment by the same payer on another attempt is the original', () => {
    expect(
      originalPayment(denied, [
        { attempt: 2, payerId: '87726', paidCents: 0 },
        { attempt: 1, payerId: '87726', paidCents: 26000 },
      ]),
    ).toEqual({ attempt: 1, payerId: '87726', paidCents: 26000 });
  });
  test.each([
    ['a reversed payment (net zero)', { attempt: 1, payerId: '87726', paidCents: 0 }],
    ["another payer's payment", { attempt: 1, payerId: '60054', paidCents: 5000 }],
    ['the denied attempt itself', { attempt: 2, payerId: '87726', paidCents: 100 }],
  ])('%s is not', (_what, payment) => expect(originalPayment(denied, [payment])).toBeUndefined());
});

test('a denial settled with no appeal is named original_paid when the original was paid, else written_off', () => {
  expect(denialSettled('paid')).toBe('original_paid');
  expect(denialSettled('written_off')).toBe('written_off');
});
