import type { RemittanceClaim, RemittanceLine } from '../x12/remittance';
import { answersAsPrimary, claimBalanceProblem, matchAttempt, matchLines, postingKey, underpaidCents, type BilledLine, type ClaimAttempt } from './posting';

const billed: BilledLine[] = [
  { lineNumber: 1, controlNumber: 'V1-1', code: '99214', modifiers: ['25'], chargeCents: 19500 },
  { lineNumber: 2, controlNumber: 'V1-2', code: '20610', modifiers: ['RT'], chargeCents: 18000 },
  { lineNumber: 3, controlNumber: 'V1-3', code: '20610', modifiers: ['LT'], chargeCents: 18000 },
];
const svc = (over: Partial<RemittanceLine>): RemittanceLine => ({
  qualifier: 'HC', code: '99214', modifiers: [], chargeCents: 19500, paidCents: 0, adjustments: [], remarks: [], serviceDate: '2026-03-10', ...over,
});
const attempt = (n: number, over: Partial<ClaimAttempt> = {}): ClaimAttempt => ({
  claimId: n, visitId: 'V1', attempt: n, frequency: n === 1 ? '1' : '7', payerId: '87726', serviceDate: '2026-03-10', lines: billed, ...over,
});

describe('matchAttempt', () => {
  const attempts = [attempt(1, { payerClaimNumber: 'PCN-1' }), attempt(2, { payerClaimNumber: 'PCN-2' })];
  test.each([
    ['CLP07 names the attempt', { payerClaimNumber: 'PCN-1', frequency: '7' }, 1],
    ['no CLP07: the frequency', { frequency: '1' }, 1],
    ['neither: the latest attempt', {}, 2],
  ])('%s', (_what, clp, expected) => {
    expect(matchAttempt({ patientControlNumber: 'V1', ...clp }, '87726', attempts)?.attempt).toBe(expected);
  });
  test('another payer or another visit matches nothing', () => {
    expect(matchAttempt({ patientControlNumber: 'V1' }, '99999', attempts)).toBeUndefined();
    expect(matchAttempt({ patientControlNumber: 'V9' }, '87726', attempts)).toBeUndefined();
  });
});

describe('matchLines', () => {
  test('REF*6R first, whatever the order of the SVCs', () => {
    const m = matchLines([svc({ code: '20610', lineControlNumber: 'V1-3' }), svc({ code: '20610', lineControlNumber: 'V1-2' })], billed, '2026-03-10');
    expect(m.map((x) => [x.line?.lineNumber, x.match])).toEqual([[3, '6R'], [2, '6R']]);
  });
  test('without 6R: code + date + modifiers, then code + date when the payer dropped the modifiers', () => {
    const m = matchLines([svc({ code: '20610', modifiers: ['LT'] }), svc({ code: '20610' }), svc({ code: '99214' })], billed, '2026-03-10');
    expect(m.map((x) => [x.line?.lineNumber, x.match])).toEqual([[3, 'code_date_modifiers'], [2, 'code_date'], [1, 'code_date']]);
  });
  test('a line for another date or code, or a second answer for a line already matched, is unmatched', () => {
    const m = matchLines([svc({ code: '99214', serviceDate: '2026-03-11' }), svc({ code: '93000' }), svc({}), svc({})], billed, '2026-03-10');
    expect(m.map((x) => x.match)).toEqual(['unmatched', 'unmatched', 'code_date', 'unmatched']);
  });
});

describe('claimBalanceProblem', () => {
  const clp = (over: Partial<RemittanceClaim>): RemittanceClaim => ({
    patientControlNumber: 'V1', statusCode: '1', chargeCents: 19500, paidCents: 12000, patientResponsibilityCents: 2000, filingIndicator: '12',
    adjustments: [], remarks: [],
    lines: [svc({ paidCents: 12000, adjustments: [{ group: 'CO', carc: '45', amountCents: 5500 }, { group: 'PR', carc: '3', amountCents: 2000 }] })],
    ...over,
  });
  test('a balanced claim, and a reversal with negative amounts, pass', () => {
    expect(claimBalanceProblem(clp({}))).toBeUndefined();
    expect(claimBalanceProblem(clp({
      statusCode: '22', chargeCents: -19500, paidCents: -12000,
      lines: [svc({ chargeCents: -19500, paidCents: -12000, adjustments: [{ group: 'CO', carc: '45', amountCents: -5500 }, { group: 'PR', carc: '3', amountCents: -2000 }] })],
    }))).toBeUndefined();
  });
  test('a claim whose adjustments do not explain the difference is named', () => {
    expect(claimBalanceProblem(clp({ paidCents: 13000 }))).toBe('claim V1: charge 19500 − paid 13000 ≠ adjustments 7500 (cents)');
  });
});

describe('underpaidCents', () => {
  const line = svc({ paidCents: 9000, adjustments: [{ group: 'CO', carc: '45', amountCents: 8500 }, { group: 'PR', carc: '3', amountCents: 2000 }] });
  test.each([
    ['allowed (paid + PR) below the contract', 12000, 1000],
    ['allowed equal to the contract', 11000, 0],
    ['a one-cent rounding difference', 11001, 0],
    ['no contracted amount known', undefined, 0],
  ])('%s', (_what, contracted, expected) => expect(underpaidCents(line, contracted)).toBe(expected));
  test('a denied line is not an underpayment', () => {
    expect(underpaidCents(svc({ paidCents: 0, adjustments: [{ group: 'CO', carc: '50', amountCents: 19500 }] }), 12000)).toBe(0);
  });
});

test.each([
  ['1', true], ['19', true], ['2', false], ['3', false], ['22', false], ['4', false],
])('CLP02 %s is compared with the contract: %s', (statusCode, expected) => expect(answersAsPrimary({ statusCode })).toBe(expected));

test('the posting key tells a reversal from its correction in the same 835', () => {
  const a = postingKey('T1', { patientControlNumber: 'V1', statusCode: '22', frequency: '1', payerClaimNumber: 'P1' });
  const b = postingKey('T1', { patientControlNumber: 'V1', statusCode: '1', frequency: '1', payerClaimNumber: 'P1' });
  expect(a).not.toBe(b);
  expect(postingKey('T1', { patientControlNumber: 'V1', statusCode: '1', frequency: '1', payerClaimNumber: 'P1' })).toBe(b);
});
