import { summarizeVisit } from './summary';

const paid = {
  paidCents: 26000,
  adjustments: [
    { group: 'CO' as const, amountCents: 8500 },
    { group: 'PR' as const, amountCents: 3000 },
  ],
};

test('a paid claim with a copay the patient has not paid: every dollar is explained', () => {
  const s = summarizeVisit({ billedCents: 37500, remittances: [paid], patientPaidCents: 0, writtenOffCents: 0 });
  expect(s).toMatchObject({
    insurancePaidCents: 26000,
    adjustmentsCents: { CO: 8500, OA: 0, PI: 0, CR: 0 },
    patientResponsibilityCents: 3000,
    patientOpenCents: 3000,
    insuranceOpenCents: 0,
    balanced: true,
  });
  expect(s.lines).toEqual([
    'billed $375.00',
    'insurance paid $260.00',
    'adjusted CO $85.00',
    'patient responsibility $30.00 (paid $0.00, open $30.00)',
    'written off $0.00',
    'insurance open $0.00',
  ]);
});

test('the patient pays part and the rest is written off: nothing open', () => {
  const s = summarizeVisit({ billedCents: 37500, remittances: [paid], patientPaidCents: 2000, writtenOffCents: 1000 });
  expect(s).toMatchObject({ patientOpenCents: 0, insuranceOpenCents: 0, balanced: true });
});

test('a reversal and its correction net out', () => {
  const reversal = { paidCents: -26000, adjustments: paid.adjustments.map((a) => ({ ...a, amountCents: -a.amountCents })) };
  const corrected = {
    paidCents: 28000,
    adjustments: [
      { group: 'CO' as const, amountCents: 6500 },
      { group: 'PR' as const, amountCents: 3000 },
    ],
  };
  const s = summarizeVisit({ billedCents: 37500, remittances: [paid, reversal, corrected], patientPaidCents: 3000, writtenOffCents: 0 });
  expect(s).toMatchObject({ insurancePaidCents: 28000, adjustmentsCents: { CO: 6500 }, patientOpenCents: 0, insuranceOpenCents: 0, balanced: true });
});

test('a denied claim written off in full, and one not yet answered, stay explained', () => {
  const denied = { paidCents: 0, adjustments: [{ group: 'CO' as const, amountCents: 37500 }] };
  expect(summarizeVisit({ billedCents: 37500, remittances: [denied], patientPaidCents: 0, writtenOffCents: 0 })).toMatchObject({
    insuranceOpenCents: 0,
    balanced: true,
  });
  expect(summarizeVisit({ billedCents: 37500, remittances: [], patientPaidCents: 0, writtenOffCents: 37500 })).toMatchObject({
    insuranceOpenCents: 0,
    balanced: true,
  });
  expect(summarizeVisit({ billedCents: 37500, remittances: [], patientPaidCents: 0, writtenOffCents: 0 })).toMatchObject({
    insuranceOpenCents: 37500,
    balanced: true,
  });
});

test('more posted than billed (an overpayment) leaves a negative open balance and is not balanced', () => {
  const s = summarizeVisit({ billedCents: 30000, remittances: [paid], patientPaidCents: 0, writtenOffCents: 0 });
  expect(s.balanced).toBe(false);
  expect(s.insuranceOpenCents).toBe(-7500);
});

test('a denial the payer replaces (corrected claim, or reconsidered on appeal) no longer counts: only the standing answer does', () => {
  const denied = { payerId: '87726', claimStatusCode: '4', paidCents: 0, adjustments: [{ group: 'CO' as const, carc: '16', amountCents: 37500 }] };
  const s = summarizeVisit({
    billedCents: 37500,
    remittances: [denied, { ...paid, payerId: '87726', claimStatusCode: '1' }],
    patientPaidCents: 0,
    writtenOffCents: 0,
  });
  expect(s).toMatchObject({
    insurancePaidCents: 26000,
    adjustmentsCents: { CO: 8500 },
    patientResponsibilityCents: 3000,
    insuranceOpenCents: 0,
    balanced: true,
  });
});

test("COB: the secondary's OA-23 stands for the primary's answer, the patient share is the secondary's", () => {
  const primary = { payerId: '87726', claimStatusCode: '1', ...paid };
  const secondary = { payerId: '60054', claimStatusCode: '2', paidCents: 3000, adjustments: [{ group: 'OA' as const, carc: '23', amountCents: 34500 }] };
  const s = summarizeVisit({ billedCents: 37500, remittances: [primary, secondary], patientPaidCents: 0, writtenOffCents: 0 });
  expect(s).toMatchObject({
    insurancePaidCents: 29000,
    adjustmentsCents: { CO: 8500, OA: 0 },
    patientResponsibilityCents: 0,
    insuranceOpenCents: 0,
    balanced: true,
  });
});

test('COB after CO-22: the first payer\'s "not us" is not part of the money; the other payer\'s answer is', () => {
  const notUs = { payerId: '87726', claimStatusCode: '4', paidCents: 0, adjustments: [{ group: 'CO' as const, carc: '22', amountCents: 37500 }] };
  const s = summarizeVisit({
    billedCents: 37500,
    remittances: [notUs, { ...paid, payerId: '60054', claimStatusCode: '2' }],
    patientPaidCents: 0,
    writtenOffCents: 0,
  });
  expect(s).toMatchObject({
    insurancePaidCents: 26000,
    adjustmentsCents: { CO: 8500 },
    patientResponsibilityCents: 3000,
    insuranceOpenCents: 0,
    balanced: true,
  });
});

test('a patient share sent to collections stays open (the patient still owes it) and is named', () => {
  const s = summarizeVisit({ billedCents: 37500, remittances: [paid], patientPaidCents: 1000, writtenOffCents: 0, collectionsCents: 2000 });
  expect(s).toMatchObject({ patientOpenCents: 2000, collectionsCents: 2000, insuranceOpenCents: 0, balanced: true });
  expect(s.lines).toContain('patient responsibility $30.00 (paid $10.00, open $20.00, with collections $20.00)');
});
