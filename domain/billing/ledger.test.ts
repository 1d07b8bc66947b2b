import { claimLedger, type LedgerAnswer, type LedgerClaim, type LedgerEvent } from './ledger';
import { appendNew, balance, ledgerBalances } from './ledger-entries';
import type { ClaimRemittance } from '../claim';
import { summarizeVisit } from './summary';

const visitId = 'V-LEDGER-1';
/** Two lines, $375.00 billed. */
const lines = [
  { lineNumber: 1, chargeCents: 25000 },
  { lineNumber: 2, chargeCents: 12500 },
];

/** A paid claim: line 1 paid $180 (CO-45 $40, PR-3 $30), line 2 paid $80 (CO-45 $45). */
const paid: LedgerAnswer = {
  sourceKey: 'era-1#clp1',
  attempt: 1,
  payerId: 'P1',
  claimStatusCode: '1',
  paidCents: 26000,
  adjustments: [
    { lineNumber: 1, group: 'CO', carc: '45', amountCents: 4000 },
    { lineNumber: 1, group: 'PR', carc: '3', amountCents: 3000 },
    { lineNumber: 2, group: 'CO', carc: '45', amountCents: 4500 },
  ],
  lines: [
    { lineNumber: 1, paidCents: 18000 },
    { lineNumber: 2, paidCents: 8000 },
  ],
};
/** The payer's reversal of `paid` (CLP02 22, every amount negated), as an 835 carries it. */
const reversalOf = (a: LedgerAnswer, sourceKey: string): LedgerAnswer => ({
  ...a,
  sourceKey,
  claimStatusCode: '22',
  paidCents: -a.paidCents,
  adjustments: a.adjustments.map((x) => ({ ...x, amountCents: -x.amountCents })),
  lines: a.lines.map((l) => ({ ...l, paidCents: -l.paidCents })),
});
/** The corrected answer: line 1 paid $200 (CO-45 $20, PR-3 $30), line 2 as before. */
const corrected: LedgerAnswer = {
  ...paid,
  sourceKey: 'era-3#clp1',
  paidCents: 28000,
  adjustments: [
    { lineNumber: 1, group: 'CO', carc: '45', amountCents: 2000 },
    { lineNumber: 1, group: 'PR', carc: '3', amountCents: 3000 },
    { lineNumber: 2, group: 'CO', carc: '45', amountCents: 4500 },
  ],
  lines: [
    { lineNumber: 1, paidCents: 20000 },
    { lineNumber: 2, paidCents: 8000 },
  ],
};
const r = (a: LedgerAnswer): LedgerEvent => ({ kind: 'remittance', ...a });
const claim = (events: LedgerEvent[]): LedgerClaim => ({ visitId, lines, events });

describe('claimLedger: worked examples', () => {
  const cases: { name: string; events: LedgerEvent[]; status: string; visit: Record<string, unknown>; lineStatus?: string[] }[] = [
    {
      name: 'not answered yet: all of it open with insurance',
      events: [],
      status: 'open',
      visit: { billedCents: 37500, paidCents: 0, openInsuranceCents: 37500, openPatientCents: 0 },
      lineStatus: ['open', 'open'],
    },
    {
      name: 'paid with a copay the patient owes',
      events: [r(paid)],
      status: 'paid',
      visit: {
        paidCents: 26000,
        adjustedCents: { CO: 8500, OA: 0, PI: 0, CR: 0 },
        patientResponsibilityCents: 3000,
        openInsuranceCents: 0,
        openPatientCents: 3000,
      },
      lineStatus: ['paid', 'paid'],
    },
    {
      name: 'a line denied inside a paid claim: partially paid, the line says denied',
      events: [
        r({
          ...paid,
          paidCents: 18000,
          adjustments: [...paid.adjustments.slice(0, 2), { lineNumber: 2, group: 'CO', carc: '97', amountCents: 12500 }],
          lines: [
            { lineNumber: 1, paidCents: 18000 },
            { lineNumber: 2, paidCents: 0 },
          ],
        }),
      ],
      status: 'partially_paid',
      visit: { paidCents: 18000, adjustedCents: { CO: 16500, OA: 0, PI: 0, CR: 0 }, openInsuranceCents: 0 },
      lineStatus: ['paid', 'denied'],
    },
    {
      name: 'denied (CLP02 4): nothing paid, the CO adjustment explains the charge',
      events: [r({ ...paid, claimStatusCode: '4', paidCents: 0, adjustments: [{ lineNumber: null, group: 'CO', carc: '16', amountCents: 37500 }], lines: [] })],
      status: 'denied',
      visit: { paidCents: 0, adjustedTotalCents: 37500, openInsuranceCents: 0 },
      lineStatus: ['denied', 'denied'],
    },
    {
      name: 'voided: the reversal leaves no negative adjusted or patient amounts, and the void write-off closes it',
      events: [
        r(paid),
        r(reversalOf(paid, 'era-2#clp1')),
        { kind: 'write_off', key: 'void:V-LEDGER-1', amountCents: 37500, side: 'insurance', reason: 'voided' },
      ],
      status: 'reversed',
      visit: {
        paidCents: 0,
        adjustedTotalCents: 0,
        adjustedCents: { CO: 0, OA: 0, PI: 0, CR: 0 },
        patientResponsibilityCents: 0,
        writtenOffCents: 37500,
        openInsuranceCents: 0,
        openPatientCents: 0,
      },
      lineStatus: ['reversed', 'reversed'],
    },
    {
      name: 'a reversal and its correction: the corrected amounts only',
      events: [r(paid), r(reversalOf(paid, 'era-2#clp1')), r(corrected)],
      status: 'paid',
      visit: { paidCents: 28000, adjustedCents: { CO: 6500, OA: 0, PI: 0, CR: 0 }, patientResponsibilityCents: 3000, openInsuranceCents: 0 },
    },
    {
      name: 'a correction without a reversal replaces the earlier answer',
      events: [r(paid), r(corrected)],
      status: 'paid',
      visit: { paidCents: 28000, adjustedCents: { CO: 6500, OA: 0, PI: 0, CR: 0 }, patientResponsibilityCents: 3000 },
    },
    {
      name: 'CR counts as an adjustment (the summary always counted it): a CR-94 correction amount is explained, not open',
      events: [
        r({
          ...paid,
          paidCents: 25000,
          lines: [
            { lineNumber: 1, paidCents: 17000 },
            { lineNumber: 2, paidCents: 8000 },
          ],
          adjustments: [...paid.adjustments, { lineNumber: 1, group: 'CR', carc: '94', amountCents: 1000 }],
        }),
      ],
      status: 'paid',
      visit: { paidCents: 25000, adjustedCents: { CO: 8500, OA: 0, PI: 0, CR: 1000 }, openInsuranceCents: 0 },
    },
    {
      name: 'paid short: the payer left part of the charge unexplained',
      events: [
        r({
          ...paid,
          paidCents: 25000,
          lines: [
            { lineNumber: 1, paidCents: 17000 },
            { lineNumber: 2, paidCents: 8000 },
          ],
        }),
      ],
      status: 'partially_paid',
      visit: { openInsuranceCents: 1000 },
      lineStatus: ['partially_paid', 'paid'],
    },
    {
      name: 'the patient pays part, the rest of their share is written off (patient first), then an insurance write-off finds nothing open',
      events: [
        r(paid),
        { kind: 'patient_payment', key: 'pp:1', amountCents: 2000 },
        { kind: 'write_off', key: 'wo:1', amountCents: 1000, side: 'auto', reason: 'small balance' },
      ],
      status: 'paid',
      visit: { patientPaidCents: 2000, writtenOff: { insurance: 0, patient: 1000 }, openPatientCents: 0, openInsuranceCents: 0 },
    },
    {
      name: 'a patient overpays: a credit (open patient below zero) until it is refunded',
      events: [r(paid), { kind: 'patient_payment', key: 'pp:1', amountCents: 5000 }, { kind: 'refund', key: 'rf:1', amountCents: 2000, side: 'patient' }],
      status: 'paid',
      visit: { patientPaidCents: 3000, openPatientCents: 0 },
    },
    {
      name: 'the payer overpaid a line: insurance open below zero until the money is refunded to the payer',
      events: [
        r({
          ...paid,
          paidCents: 27000,
          lines: [
            { lineNumber: 1, paidCents: 18000 },
            { lineNumber: 2, paidCents: 9000 },
          ],
        }),
        { kind: 'refund', key: 'rf:payer', amountCents: 1000, side: 'insurance' },
        { kind: 'refund', key: 'rf:again', amountCents: 1, side: 'insurance' },
      ],
      status: 'paid',
      visit: { paidCents: 26000, openInsuranceCents: 0 },
    },
    {
      name: 'answered at claim level only: the claim is settled though its lines show no payment',
      events: [
        r({
          ...paid,
          lines: [],
          adjustments: [
            { lineNumber: null, group: 'CO', carc: '45', amountCents: 8500 },
            { lineNumber: null, group: 'PR', carc: '1', amountCents: 3000 },
          ],
        }),
        { kind: 'write_off', key: 'wo:1', amountCents: 500, side: 'insurance', reason: 'try' },
      ],
      status: 'paid',
      visit: { paidCents: 26000, openInsuranceCents: 0, writtenOffCents: 0 },
      lineStatus: ['paid', 'paid'],
    },
  ];
  test.each(cases)('$name', ({ events, status, visit, lineStatus }) => {
    const out = claimLedger(claim(events));
    expect(out.status).toBe(status);
    const b = balance(out.entries);
    expect(b).toMatchObject({ billedCents: 37500, ...visit });
    expect(b.billedCents).toBe(b.paidCents + b.adjustedTotalCents + b.patientPaidCents + b.writtenOffCents + b.openInsuranceCents + b.openPatientCents);
    if (lineStatus) expect(out.lineStatus.map((l) => l.status)).toEqual(lineStatus);
  });
});

describe('claimLedger: keys, reversals and problems', () => {
  test('the same 835 answer twice yields the same entries; appendNew inserts nothing the second time', () => {
    const once = claimLedger(claim([r(paid)])).entries;
    const twice = claimLedger(claim([r(paid), r(paid)])).entries;
    expect(twice).toEqual(once);
    expect(appendNew(once, twice)).toEqual([]);
    expect(new Set(once.map((e) => e.key)).size).toBe(once.length);
    expect(once.find((e) => e.kind === 'transfer_to_patient')).toMatchObject({
      key: 'era-1#clp1#cas2',
      lineNumber: 1,
      group: 'PR',
      carc: '3',
      amountCents: 3000,
      attempt: 1,
    });
  });

  test('a reversal negates exactly the entries it reverses, each naming the entry', () => {
    const out = claimLedger(claim([r(paid), r(reversalOf(paid, 'era-2#clp1'))]));
    const answered = out.entries.filter((e) => e.source === 'era-1#clp1');
    const reversals = out.entries.filter((e) => e.kind === 'reversal');
    expect(reversals.map((e) => [e.reverses!.key, e.amountCents])).toEqual(answered.map((e) => [e.key, -e.amountCents]));
    expect(out.problems).toEqual([]);
  });

  test('a reversal with nothing standing posts nothing and is a problem', () => {
    const out = claimLedger(claim([r(reversalOf(paid, 'era-2#clp1'))]));
    expect(out.entries.filter((e) => e.kind !== 'charge')).toEqual([]);
    expect(out.status).toBe('open');
    expect(out.problems).toEqual([expect.objectContaining({ source: 'era-2#clp1', code: 'reversal_of_unpaid' })]);
  });

  test('a reversal that does not mirror its answer still reverses what was posted, and says so', () => {
    const out = claimLedger(claim([r(paid), r({ ...reversalOf(paid, 'era-2#clp1'), paidCents: -20000 })]));
    expect(balance(out.entries)).toMatchObject({ paidCents: 0, adjustedTotalCents: 0, patientResponsibilityCents: 0 });
    expect(out.problems.map((p) => p.code)).toEqual(['reversal_mismatch']);
  });

  test('a write-off beyond what is open posts only what is open', () => {
    const out = claimLedger(claim([r(paid), { kind: 'write_off', key: 'wo:1', amountCents: 9999, side: 'auto', reason: 'x' }]));
    expect(balance(out.entries)).toMatchObject({ writtenOffCents: 3000, openPatientCents: 0 });
    expect(out.problems).toEqual([expect.objectContaining({ code: 'over_write_off', detail: expect.stringContaining('6999') })]);
  });

  test('an SVC for a line that was not billed posts at claim level and is a problem', () => {
    const out = claimLedger(claim([r({ ...paid, lines: [...paid.lines.slice(0, 1), { lineNumber: 7, paidCents: 8000 }] })]));
    expect(ledgerBalances(out.entries).lines.get(null)).toMatchObject({ paidCents: 8000 });
    expect(out.problems.map((p) => p.code)).toEqual(['unknown_line']);
  });

  test('balances per line add up to the visit', () => {
    const out = claimLedger(claim([r(paid), { kind: 'patient_payment', key: 'pp:1', amountCents: 1000 }]));
    const { visit, lines: byLine } = ledgerBalances(out.entries);
    expect(byLine.get(1)).toMatchObject({ billedCents: 25000, paidCents: 18000, patientPaidCents: 1000, openPatientCents: 2000, openInsuranceCents: 0 });
    expect(byLine.get(2)).toMatchObject({ billedCents: 12500, paidCents: 8000, openInsuranceCents: 0 });
    expect([...byLine.values()].reduce((s, b) => s + b.openPatientCents, 0)).toBe(visit.openPatientCents);
  });

  test('the closing summary agrees with the ledger on a reversal and correction (one rule for CR)', () => {
    const events = [
      r(paid),
      r(reversalOf(paid, 'era-2#clp1')),
      r({ ...corrected, adjustments: [...corrected.adjustments.slice(0, 2), { lineNumber: 2, group: 'CR', carc: '94', amountCents: 4500 }] }),
    ];
    const b = balance(claimLedger(claim(events)).entries);
    const answers = events.map((e) => e as LedgerAnswer);
    const s = summarizeVisit({
      billedCents: 37500,
      patientPaidCents: 0,
      writtenOffCents: 0,
      remittances: answers.map((a) => ({ paidCents: a.paidCents, adjustments: a.adjustments, payerId: a.payerId, claimStatusCode: a.claimStatusCode })),
    });
    expect({ paid: b.paidCents, adj: b.adjustedCents, pr: b.patientResponsibilityCents, ins: b.openInsuranceCents, pat: b.openPatientCents }).toEqual({
      paid: s.insurancePaidCents,
      adj: s.adjustmentsCents,
      pr: s.patientResponsibilityCents,
      ins: s.insuranceOpenCents,
      pat: s.patientOpenCents,
    });
  });
});

test('a ClaimRemittance as the workflow holds it is an answer: posted with its attempt, it reads the same', () => {
  const cr: ClaimRemittance = {
    traceNumber: 'T1',
    payerId: 'P1',
    claimStatusCode: '1',
    chargeCents: 37500,
    paidCents: 26000,
    patientResponsibilityCents: 3000,
    sourceKey: 'era-1#clp1',
    adjustments: paid.adjustments.map((a) => ({ ...a, rarcs: [] })),
    lines: [
      { lineNumber: 1, code: '99213', chargeCents: 25000, paidCents: 18000 },
      { lineNumber: 2, code: '85025', chargeCents: 12500, paidCents: 8000 },
    ],
  };
  expect(claimLedger(claim([{ kind: 'remittance', attempt: 1, ...cr }])).entries.map((e) => [e.key, e.amountCents])).toEqual(
    claimLedger(claim([r(paid)])).entries.map((e) => [e.key, e.amountCents]),
  );
});

test('a different answer under a key already posted is not posted and is a problem', () => {
  const out = claimLedger(claim([r(paid), r({ ...corrected, sourceKey: paid.sourceKey })]));
  expect(out.entries).toEqual(claimLedger(claim([r(paid)])).entries);
  expect(out.problems).toEqual([expect.objectContaining({ source: paid.sourceKey, code: 'key_reused' })]);
});

test("a correction on a later attempt reverses the earlier attempt's answer on that attempt, so each attempt nets out", () => {
  const out = claimLedger(claim([r(paid), r(reversalOf(paid, 'era-2#clp1')), r({ ...corrected, attempt: 2 })]));
  const ofAttempt = (n: number) => balance(out.entries.filter((e) => e.attempt === n && e.kind !== 'charge'));
  expect(ofAttempt(1)).toMatchObject({ paidCents: 0, adjustedTotalCents: 0, patientResponsibilityCents: 0 });
  expect(ofAttempt(2)).toMatchObject({ paidCents: 28000, adjustedTotalCents: 6500, patientResponsibilityCents: 3000 });
});
