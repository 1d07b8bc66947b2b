import { syntheticVisit } from '../../bench/visit-histories';
import { contributions, mergeRows, rollupDelta } from './kpi-rollup';
import { applyEvent, emptyFacts, type VisitFacts } from './visit-facts';

const fold = (i: number): VisitFacts[] => {
  const steps: VisitFacts[] = [];
  let f = emptyFacts(`b-${i}`);
  for (const e of syntheticVisit(i, '2026-11-28', 200)) steps.push((f = applyEvent(f, e, e.at)));
  return steps;
};

test('the deltas of every step of a visit add up to what the finished visit contributes', () => {
  for (let i = 0; i < 200; i++) {
    const steps = fold(i);
    const deltas = steps.flatMap((after, k) => rollupDelta(k ? steps[k - 1] : undefined, after));
    expect(mergeRows(deltas)).toEqual(mergeRows(contributions(steps[steps.length - 1])));
  }
});

test('a visit counts once with no CPT filter and once under each of its codes; line amounts go to their code', () => {
  const f: VisitFacts = {
    ...emptyFacts('v'),
    serviceDate: '2026-11-02',
    payerId: '87726',
    providerNpi: '1234567893',
    cptCodes: ['99214', '36415'],
    firstSubmittedAt: '2026-11-03T00:00:00Z',
    firstAdjudication: 'denied',
    initialDenialCarcs: ['CO-16'],
    billedCents: 20500,
    lines: [
      { lineNumber: 1, code: '99214', billedCents: 19000, paidCents: 0, deniedCents: 19000 },
      { lineNumber: 2, code: '36415', billedCents: 1500, paidCents: 0, deniedCents: 1500 },
    ],
  };
  const daily = contributions(f).filter((r) => r.table === 'kpi_daily');
  expect(daily.map((r) => [r.key.cpt, r.add.visits, r.add.initial_denied, r.add.billed_cents, r.add.line_billed_cents])).toEqual([
    ['', 1, 1, 20500, 20500],
    ['99214', 1, 1, 20500, 19000],
    ['36415', 1, 1, 20500, 1500],
  ]);
  expect(
    contributions(f)
      .filter((r) => r.table === 'kpi_daily_carcs')
      .map((r) => [r.key.cpt, r.key.carc]),
  ).toEqual([
    ['', 'CO-16'],
    ['99214', 'CO-16'],
    ['36415', 'CO-16'],
  ]);
  expect(rollupDelta(f, f)).toEqual([]);
  expect(contributions({ ...f, serviceDate: undefined })).toEqual([]);
});
