import type { EligibilityResult } from '../visit';
import { estimatePatientShare } from './patient-estimate';

/** The simulated payer's plan (simulators/clearinghouse/payer.ts PLAN), as its 271 reports it. */
const gold: EligibilityResult = {
  active: true,
  planName: 'SIM GOLD PPO',
  copayCents: 2500,
  deductibleCents: 50000,
  deductibleRemainingCents: 20000,
  coinsurancePercent: 20,
  outOfPocketRemainingCents: 250000,
  messages: [],
};
const line = (lineNumber: number, chargeCents: number, expectedCents?: number) => ({
  lineNumber,
  chargeCents,
  ...(expectedCents !== undefined ? { expectedCents } : {}),
});

test.each([
  {
    name: '99214 + 20610 at the 87726 contract: copay, the rest of the deductible, 20% of what is left',
    benefits: gold,
    lines: [line(1, 19500, 14625), line(2, 18000, 13500)],
    // 14625: copay 2500, deductible 12125, coinsurance 0; 13500: deductible 7875, coinsurance 20% of 5625 = 1125
    expected: { allowedCents: 28125, copayCents: 2500, deductibleCents: 20000, coinsuranceCents: 1125, patientShareCents: 23625, insuranceCents: 4500 },
  },
  {
    name: 'deductible met: copay and coinsurance only',
    benefits: { ...gold, deductibleRemainingCents: 0 },
    lines: [line(1, 13500, 10125)],
    expected: { copayCents: 2500, deductibleCents: 0, coinsuranceCents: 1525, patientShareCents: 4025, insuranceCents: 6100 },
  },
  {
    name: 'a visit cheaper than the copay: the patient owes what is allowed, no more',
    benefits: gold,
    lines: [line(1, 1500, 1200)],
    expected: { copayCents: 1200, deductibleCents: 0, coinsuranceCents: 0, patientShareCents: 1200, insuranceCents: 0 },
  },
  {
    name: 'out-of-pocket maximum nearly met: the share stops at it (coinsurance first, then deductible)',
    benefits: { ...gold, outOfPocketRemainingCents: 10000 },
    lines: [line(1, 19500, 14625), line(2, 18000, 13500)],
    expected: { copayCents: 2500, deductibleCents: 7500, coinsuranceCents: 0, patientShareCents: 10000, insuranceCents: 18125 },
  },
  {
    name: "coinsurance rounds per line, as the 835's lines do",
    benefits: { ...gold, copayCents: 0, deductibleRemainingCents: 0, coinsurancePercent: 15 },
    lines: [line(1, 1003, 1003), line(2, 1003, 1003)],
    expected: { coinsuranceCents: 300, patientShareCents: 300 }, // 150.45 → 150, twice
  },
])('$name', ({ benefits, lines, expected }) => {
  expect(estimatePatientShare(benefits, lines)).toMatchObject({ ...expected, linesWithoutContract: [], unreported: [] });
});

test('a line without a contracted amount is estimated at its charge, and named', () => {
  const e = estimatePatientShare({ ...gold, deductibleRemainingCents: 0 }, [line(1, 10000, 8000), line(2, 5000)]);
  expect(e).toMatchObject({ allowedCents: 13000, linesWithoutContract: [2] });
});

test('benefits the 271 did not report count as zero and are named', () => {
  const e = estimatePatientShare({ active: true, coinsurancePercent: 10, messages: [] }, [line(1, 10000, 8000)]);
  expect(e).toMatchObject({
    copayCents: 0,
    deductibleCents: 0,
    coinsuranceCents: 800,
    patientShareCents: 800,
    unreported: ['copay', 'deductible', 'out_of_pocket'],
  });
});

test('inactive or unchecked coverage has no estimate', () => {
  expect(estimatePatientShare({ active: false, messages: [] }, [line(1, 10000, 8000)])).toBeUndefined();
  expect(estimatePatientShare(undefined, [line(1, 10000, 8000)])).toBeUndefined();
});
