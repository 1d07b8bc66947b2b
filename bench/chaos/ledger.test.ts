import { compareLedgers, extraOccurrences, type PostgresSide, type SimulatorSide } from './ledger';

const sim = (): SimulatorSide => ({
  charges: [
    { visitId: 'v1', lineNumber: 1, chargeCents: 100 },
    { visitId: 'v1', lineNumber: 2, chargeCents: 50 },
  ],
  claims: [{ claimId: 'C1', frequency: '1', accepted: true }],
  remittances: [{ patientControlNumber: 'C1', payerClaimNumber: 'P1', chargeCents: 150, paidCents: 90, patientResponsibilityCents: 20 }],
});
const pg = (): PostgresSide => ({
  charges: [
    { visitId: 'v1', lineNumber: 1, chargeCents: 100 },
    { visitId: 'v1', lineNumber: 2, chargeCents: 50 },
  ],
  claims: [{ patientControlNumber: 'C1', frequency: '1', payerClaimNumber: 'P1' }],
  payments: [{ claimId: 1, traceNumber: 'T1', chargeCents: 150, paidCents: 90, patientResponsibilityCents: 20 }],
});

test('equal ledgers pass', () => {
  expect(compareLedgers(sim(), pg())).toMatchObject({ ok: true, duplicates: { charges: 0, claims: 0, payments: 0 } });
});

test('a charge line posted twice to the PMS is a duplicate charge and breaks the totals', () => {
  const s = sim();
  s.charges.push({ ...s.charges[0] });
  const v = compareLedgers(s, pg());
  expect(v.ok).toBe(false);
  expect(v.duplicates.charges).toBe(1);
  expect(v.checks.find((c) => c.what === 'charges (cents)')).toMatchObject({ simulators: 250, postgres: 150, ok: false });
});

test('a claim paid by two 835s is a duplicate payment even with different trace numbers', () => {
  const p = pg();
  p.payments.push({ ...p.payments[0], traceNumber: 'T2' });
  expect(compareLedgers(sim(), p).duplicates.payments).toBe(1);
});

test('a rejected claim sent again fixed is not a duplicate; an accepted one sent again is', () => {
  const s = sim();
  s.claims.unshift({ claimId: 'C1', frequency: '1', accepted: false });
  expect(compareLedgers(s, pg()).duplicates.claims).toBe(0);
  s.claims.push({ claimId: 'C1', frequency: '1', accepted: true });
  expect(compareLedgers(s, pg()).duplicates.claims).toBe(1);
});

test('extraOccurrences counts every repeat', () => {
  expect(extraOccurrences(['a', 'b', 'a', 'a'])).toBe(2);
});
