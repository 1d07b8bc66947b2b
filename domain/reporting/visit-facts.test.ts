import type { VisitEvent } from './visit-events';
import { applyEvent, deniedCents, emptyFacts, insuranceBalanceCents, type VisitFacts } from './visit-facts';

const v = 'v-1';
const lines = [
  { lineNumber: 1, code: '99213', chargeCents: 13500 },
  { lineNumber: 2, code: '36415', chargeCents: 1500 },
];
const fold = (events: VisitEvent[]): VisitFacts => events.reduce((f, e, i) => applyEvent(f, e, `2026-11-0${i + 1}T12:00:00.000Z`), emptyFacts(v));
const booked: VisitEvent = { type: 'visit_booked', visitId: v, key: 'k1', payerId: '87726', providerNpi: '1234567893', serviceDate: '2026-11-01' };
const submitted = (claimAttempt: number): VisitEvent => ({
  type: 'claim_submitted',
  visitId: v,
  key: `c${claimAttempt}`,
  claimAttempt,
  frequency: claimAttempt === 1 ? '1' : '7',
  lines,
});
const accepted = (claimAttempt: number): VisitEvent => ({ type: 'claim_accepted', visitId: v, key: `a${claimAttempt}`, claimAttempt, source: '277CA' });

test('a denied first claim, replaced and paid: initial denial kept, lines and balance from the replacement', () => {
  const f = fold([
    booked,
    { type: 'charges_posted', visitId: v, key: 'ch', lines },
    submitted(1),
    accepted(1),
    {
      type: 'remittance_posted',
      visitId: v,
      key: 'r1',
      claimAttempt: 1,
      denied: true,
      reversal: false,
      paidCents: 0,
      patientResponsibilityCents: 0,
      contractualCents: 0,
      carcCodes: ['CO-16'],
      lines: lines.map((l) => ({ ...l, paidCents: 0 })),
    },
    submitted(2),
    accepted(2),
    {
      type: 'remittance_posted',
      visitId: v,
      key: 'r2',
      claimAttempt: 2,
      denied: false,
      reversal: false,
      paidCents: 8000,
      patientResponsibilityCents: 2500,
      contractualCents: 3000,
      carcCodes: ['CO-97'],
      lines: [
        { ...lines[0], paidCents: 8000 },
        { ...lines[1], paidCents: 0, deniedCents: 1500 },
      ],
    },
    { type: 'visit_closed', visitId: v, key: 'cl', outcome: 'paid' },
  ]);
  expect(f).toMatchObject({
    stage: 'closed',
    awaitingAction: undefined,
    firstPass: 'accepted',
    firstAdjudication: 'denied',
    initialDenialCarcs: ['CO-16'],
    billedCents: 15000,
    paidCents: 8000,
    chargesPostedAt: '2026-11-02T12:00:00.000Z',
    acceptedAt: '2026-11-04T12:00:00.000Z',
  });
  expect(f.lines.map((l) => [l.code, l.paidCents, l.deniedCents])).toEqual([
    ['99213', 8000, 0],
    ['36415', 0, 1500],
  ]);
  expect(deniedCents(f)).toBe(1500);
  expect(insuranceBalanceCents(f)).toBe(15000 - 8000 - 3000 - 2500);
});

test('coding review before the first claim makes it not clean; a rejected first claim is open AR until closed', () => {
  const f = fold([booked, { type: 'stage_changed', visitId: v, key: 's', stage: 'coding_review', awaitingAction: 'coding_review' }]);
  expect(f).toMatchObject({ codingReview: true, stage: 'coding_review', awaitingAction: 'coding_review', awaitingSince: '2026-11-02T12:00:00.000Z' });
  const rejected = fold([
    booked,
    submitted(1),
    { type: 'claim_rejected', visitId: v, key: 'rj', claimAttempt: 1, source: '277CA', codes: ['A7:164:IL'] },
    { type: 'stage_changed', visitId: v, key: 'rjs', stage: 'claim_rejected', awaitingAction: 'coverage' },
  ]);
  expect(rejected).toMatchObject({ firstPass: 'rejected', stage: 'claim_rejected', awaitingAction: 'coverage', codingReview: false });
  expect(insuranceBalanceCents(rejected)).toBe(15000);
  expect(insuranceBalanceCents(applyEvent(rejected, { type: 'visit_closed', visitId: v, key: 'c', outcome: 'rejected' }, '2026-12-01T00:00:00Z'))).toBe(0);
});

test('a 999 acceptance is not the first pass: only the payer front end (277CA) decides it', () => {
  const f = fold([booked, submitted(1), { type: 'claim_accepted', visitId: v, key: 'a999', claimAttempt: 1, source: '999' }]);
  expect(f.firstPass).toBeUndefined();
  expect(f.awaitingAction).toBe('acknowledgment');
});
