import { summarizeVisit } from './summary';

const paid = { paidCents: 26000, adjustments: [{ group: 'CO' as const, amountCents: 8500 }, { group: 'PR' as const, amountCents: 3000 }] };

test('a paid claim with a copay the patient has not paid: every dollar is explained', () => {
  const s = summarizeVisit({ billedCents: 37500, remittances: [paid], patientPaidCents: 0, writtenOffCents: 0 });
  expect(s).toMatchObject({
    insurancePaidCents: 26000, adjustmentsCents: { CO: 8500, OA: 0, PI: 0, CR: 0 }, patientResponsibilityCents: 3000,
    patientOpenCents: 3000, insuranceOpenCents: 0, balanced: true,
  });
  expect(s.lines).toEqual([
    'billed $375.00', 'insurance paid $260.00', 'adjusted CO $85.00', 'patient responsibility $30.00 (paid $0.00, open $30.00)',
    'written off $0.00', 'insurance open $0.00',
  ]);
});

test('the patient pays part and the rest is written off: nothing open', () => {
  const s = summarizeVisit({ billedCents: 37500, remittances: [paid], patientPaidCents: 2000, writtenOffCents: 1000 });
  expect(s).toMatchObject({ patientOpenCents: 0, insuranceOpenCents: 0, balanced: true });
});

test('a reversal and its correction net out', () => {
  const reversal = { paidCents: -26000, adjustments: paid.adjustments.map((a) => ({ ...a, amountCents: -a.amountCents })) };
  const corrected = { paidCents: 28000, adjustments: [{ group: 'CO' as const, amountCents: 6500 }, { group: 'PR' as const, amountCents: 3000 }] };
  const s = summarizeVisit({ billedCents: 37500, remittances: [paid, reversal, corrected], patientPaidCents: 3000, writtenOffCents: 0 });
  expect(s).toMatchObject({ insurancePaidCents: 28000, adjustmentsCents: { CO: 6500 }, patientOpenCents: 0, insuranceOpenCents: 0, balanced: true });
});

test('a denied claim written off in full, and one not yet answered, stay explained', () => {
  const denied = { paidCents: 0, adjustments: [{ group: 'CO' as const, amountCents: 37500 }] };
  expect(summarizeVisit({ billedCents: 37500, remittances: [denied], patientPaidCents: 0, writtenOffCents: 0 })).toMatchObject({ insuranceOpenCents: 0, balanced: true });
  expect(summarizeVisit({ billedCents: 37500, remittances: [], patientPaidCents: 0, writtenOffCents: 37500 })).toMatchObject({ insuranceOpenCents: 0, balanced: true });
  expect(summarizeVisit({ billedCents: 37500, remittances: [], patientPaidCents: 0, writtenOffCents: 0 })).toMatchObject({ insuranceOpenCents: 37500, balanced: true });
});

test('a payment posted twice leaves a negative open balance and is not balanced', () => {
  const s = summarizeVisit({ billedCents: 37500, remittances: [paid, paid], patientPaidCents: 0, writtenOffCents: 0 });
  expect(s.balanced).toBe(false);
  expect(s.insuranceOpenCents).toBe(-37500);
});
