import type { RemittanceClaim, RemittanceLine } from '../x12/remittance';
import {
  answersAsPrimary,
  claimBalanceProblem,
  decidePosting,
  matchLines,
  postingKey,
  queueStatusOf,
  underpaidCents,
  type BilledLine,
  type ClaimAttempt,
  type ClaimKeys,
} from './posting';

const billed: BilledLine[] = [
  { lineNumber: 1, controlNumber: 'V1-1', code: '99214', modifiers: ['25'], chargeCents: 19500 },
  { lineNumber: 2, controlNumber: 'V1-2', code: '20610', modifiers: ['RT'], chargeCents: 18000 },
  { lineNumber: 3, controlNumber: 'V1-3', code: '20610', modifiers: ['LT'], chargeCents: 18000 },
];
const svc = (over: Partial<RemittanceLine>): RemittanceLine => ({
  qualifier: 'HC',
  code: '99214',
  modifiers: [],
  chargeCents: 19500,
  paidCents: 0,
  adjustments: [],
  remarks: [],
  serviceDate: '2026-03-10',
  ...over,
});
const attempt = (n: number, over: Partial<ClaimAttempt> = {}): ClaimAttempt => ({
  claimId: n,
  visitId: 'V1',
  patientControlNumber: 'V1',
  attempt: n,
  frequency: n === 1 ? '1' : '7',
  payerId: '87726',
  billedCents: 55500,
  serviceDate: '2026-03-10',
  lines: billed,
  answers: [],
  ...over,
});

describe('decidePosting: an 835 claim posts only to the attempt it answers', () => {
  const clp = (over: Partial<ClaimKeys> = {}): ClaimKeys => ({
    patientControlNumber: 'V1',
    statusCode: '1',
    chargeCents: 55500,
    paidCents: 40000,
    payerClaimNumber: 'PCN-1',
    frequency: '1',
    ...over,
  });
  const paid = { statusCode: '1', paidCents: 40000, payerClaimNumber: 'PCN-1' };
  const one = [attempt(1, { payerClaimNumber: 'PCN-1' })];
  const corrected = [attempt(1, { payerClaimNumber: 'PCN-1', answers: [paid] }), attempt(2, { payerClaimNumber: 'PCN-1', billedCents: 37500 })];
  const resent = [attempt(1, { status: 'rejected' }), attempt(2, { frequency: '1' })];
  const twins = [attempt(1, { frequency: '1' }), attempt(2, { frequency: '1' })];
  test.each<[string, ClaimKeys, ClaimAttempt[], string | undefined, number | string]>([
    ['every key agrees', clp(), one, undefined, 1],
    ['the charge agrees though the payer gave another CLP07 than its 277CA', clp({ payerClaimNumber: 'PCN-NEW' }), one, undefined, 1],
    ['wrong total charge, visit and payer right', clp({ chargeCents: 12000 }), one, undefined, 'charge_mismatch'],
    ['wrong charge with a CLP07 the payer gave only in its 277CA (no earlier 835 answer)', clp({ chargeCents: 12000 }), one, undefined, 'charge_mismatch'],
    ['another payer', clp(), [attempt(1, { payerId: '99999' })], undefined, 'payer_mismatch'],
    ['a control number we never sent', clp({ patientControlNumber: 'V9' }), one, undefined, 'unknown_control_number'],
    ['a control number that differs only by a trailing space', clp({ patientControlNumber: 'V1 ' }), one, undefined, 'unknown_control_number'],
    ['a reversal of an attempt never answered', clp({ statusCode: '22', chargeCents: -55500, paidCents: -40000 }), one, undefined, 'reversal_of_unpaid'],
    [
      'a reversal of an answer already reversed',
      clp({ statusCode: '22', chargeCents: -55500, paidCents: -40000 }),
      [attempt(1, { answers: [paid, { ...paid, statusCode: '22', paidCents: -40000 }] })],
      undefined,
      'reversal_of_unpaid',
    ],
    [
      'a reversal taking back more than was paid',
      clp({ statusCode: '22', chargeCents: -55500, paidCents: -50000 }),
      [attempt(1, { answers: [paid] })],
      undefined,
      'reversal_of_unpaid',
    ],
    [
      'a reversal of a paid answer (negated charge)',
      clp({ statusCode: '22', chargeCents: -55500, paidCents: -40000 }),
      [attempt(1, { answers: [paid] })],
      undefined,
      1,
    ],
    [
      "a reversal answering our void (CLP09 8) takes back the original's payment it names",
      clp({ statusCode: '22', chargeCents: -55500, paidCents: -40000, frequency: '8' }),
      [attempt(1, { payerClaimNumber: 'PCN-1', answers: [paid] }), attempt(2, { frequency: '8', payerClaimNumber: 'PCN-1' })],
      undefined,
      2,
    ],
    [
      'a reversal naming a CLP07 no answer carried',
      clp({ statusCode: '22', chargeCents: -55500, paidCents: -40000, payerClaimNumber: 'PCN-OTHER' }),
      [attempt(1, { answers: [paid] })],
      undefined,
      'reversal_of_unpaid',
    ],
    [
      'a correction with a new charge, named by the CLP07 of the answer it corrects',
      clp({ chargeCents: 50000 }),
      [attempt(1, { answers: [paid] })],
      undefined,
      1,
    ],
    ['CLP09 7: the replacement, not the original it shares CLP07 with', clp({ frequency: '7', chargeCents: 37500 }), corrected, undefined, 2],
    ["CLP09 1 with the original's charge: the original", clp({ frequency: '1' }), corrected, undefined, 1],
    ['a resubmission after a front-end rejection: the attempt that was not rejected', clp({ payerClaimNumber: undefined }), resent, undefined, 2],
    ['two attempts nothing tells apart: refused, never the latest', clp({ payerClaimNumber: undefined }), twins, undefined, 'ambiguous'],
    ['matched but out of balance', clp(), one, 'claim V1: charge 555 − paid 400 ≠ adjustments 0 (cents)', 'unbalanced'],
    ['unmatched and out of balance: the match is what is wrong', clp({ chargeCents: 1 }), one, 'claim V1: …', 'charge_mismatch'],
  ])('%s', (_what, keys, attempts, balance, expected) => {
    const d = decidePosting(keys, '87726', attempts, balance);
    if (typeof expected === 'number') {
      expect(d).toMatchObject({ matched: true, attempt: { attempt: expected } });
    } else {
      expect(d).toMatchObject({ matched: false, reason: expected, detail: expect.any(String) });
    }
  });
  test('the refusal names what disagreed, in ids and amounts only', () => {
    expect(decidePosting(clp({ chargeCents: 12000 }), '87726', one)).toEqual({
      matched: false,
      reason: 'charge_mismatch',
      detail: 'claim V1 to payer 87726: total charge 120.00 is not what was billed (555.00), and no earlier answer carried payer claim number PCN-1',
    });
    expect(decidePosting(clp(), '99999', one)).toMatchObject({ detail: 'claim V1 was sent to payer 87726, not to payer 99999' });
  });
  test('how it matched: by charge, or by the payer claim number of an earlier answer', () => {
    expect(decidePosting(clp(), '87726', one)).toMatchObject({ by: 'charge' });
    expect(decidePosting(clp({ chargeCents: 50000 }), '87726', [attempt(1, { answers: [paid] })])).toMatchObject({ by: 'payer_claim_number' });
  });
  test.each([
    ['unbalanced', 'unbalanced'],
    ['charge_mismatch', 'unmatched'],
    ['reversal_of_unpaid', 'unmatched'],
  ])('a %s entry is listed as %s', (reason, status) => {
    expect(queueStatusOf(reason)).toBe(status);
  });
});

describe('matchLines', () => {
  test('REF*6R first, whatever the order of the SVCs', () => {
    const m = matchLines([svc({ code: '20610', lineControlNumber: 'V1-3' }), svc({ code: '20610', lineControlNumber: 'V1-2' })], billed, '2026-03-10');
    expect(m.map((x) => [x.line?.lineNumber, x.match])).toEqual([
      [3, '6R'],
      [2, '6R'],
    ]);
  });
  test('without 6R: code + date + modifiers, then code + date when the payer dropped the modifiers', () => {
    const m = matchLines([svc({ code: '20610', modifiers: ['LT'] }), svc({ code: '20610' }), svc({ code: '99214' })], billed, '2026-03-10');
    expect(m.map((x) => [x.line?.lineNumber, x.match])).toEqual([
      [3, 'code_date_modifiers'],
      [2, 'code_date'],
      [1, 'code_date'],
    ]);
  });
  test('a line for another date or code, or a second answer for a line already matched, is unmatched', () => {
    const m = matchLines([svc({ code: '99214', serviceDate: '2026-03-11' }), svc({ code: '93000' }), svc({}), svc({})], billed, '2026-03-10');
    expect(m.map((x) => x.match)).toEqual(['unmatched', 'unmatched', 'code_date', 'unmatched']);
  });
});

describe('claimBalanceProblem', () => {
  const clp = (over: Partial<RemittanceClaim>): RemittanceClaim => ({
    patientControlNumber: 'V1',
    statusCode: '1',
    chargeCents: 19500,
    paidCents: 12000,
    patientResponsibilityCents: 2000,
    filingIndicator: '12',
    adjustments: [],
    remarks: [],
    lines: [
      svc({
        paidCents: 12000,
        adjustments: [
          { group: 'CO', carc: '45', amountCents: 5500 },
          { group: 'PR', carc: '3', amountCents: 2000 },
        ],
      }),
    ],
    ...over,
  });
  test('a balanced claim, and a reversal with negative amounts, pass', () => {
    expect(claimBalanceProblem(clp({}))).toBeUndefined();
    expect(
      claimBalanceProblem(
        clp({
          statusCode: '22',
          chargeCents: -19500,
          paidCents: -12000,
          lines: [
            svc({
              chargeCents: -19500,
              paidCents: -12000,
              adjustments: [
                { group: 'CO', carc: '45', amountCents: -5500 },
                { group: 'PR', carc: '3', amountCents: -2000 },
              ],
            }),
          ],
        }),
      ),
    ).toBeUndefined();
  });
  test('a claim whose adjustments do not explain the difference is named', () => {
    expect(claimBalanceProblem(clp({ paidCents: 13000 }))).toBe('claim V1: charge 19500 − paid 13000 ≠ adjustments 7500 (cents)');
  });
});

describe('underpaidCents', () => {
  const line = svc({
    paidCents: 9000,
    adjustments: [
      { group: 'CO', carc: '45', amountCents: 8500 },
      { group: 'PR', carc: '3', amountCents: 2000 },
    ],
  });
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
  ['1', true],
  ['19', true],
  ['2', false],
  ['3', false],
  ['22', false],
  ['4', false],
])('CLP02 %s is compared with the contract: %s', (statusCode, expected) => expect(answersAsPrimary({ statusCode })).toBe(expected));

test('the posting key tells a reversal from its correction in the same 835', () => {
  const a = postingKey('T1', { patientControlNumber: 'V1', statusCode: '22', frequency: '1', payerClaimNumber: 'P1' });
  const b = postingKey('T1', { patientControlNumber: 'V1', statusCode: '1', frequency: '1', payerClaimNumber: 'P1' });
  expect(a).not.toBe(b);
  expect(postingKey('T1', { patientControlNumber: 'V1', statusCode: '1', frequency: '1', payerClaimNumber: 'P1' })).toBe(b);
});
