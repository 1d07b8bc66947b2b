/**
 * The rollups the API reads equal the KPIs added up from visit_facts row by row, on a
 * small seeded set: visits written one event at a time (recordVisitEvent, as the
 * activities write them) and in bulk (recordNewVisits, as bench:kpi loads them), and
 * after a rebuild from the facts.
 */
import { syntheticVisit } from '../bench/visit-histories';
import type { KpiFilter, KpiInputs } from '../domain/reporting/kpis';
import { createTestDb } from '../test/support';
import type { Db } from './knex';
import { factsKpiQueries, kpiInputs } from './reports';
import { rebuildRollups, recordNewVisits, recordVisitEvent } from './visit-events';

jest.setTimeout(120_000);

const TODAY = '2026-11-28';
let database: { db: Db; drop(): Promise<void> };
beforeAll(async () => {
  database = await createTestDb();
  const { db } = database;
  // 150 visits one event at a time, interleaved across visits as concurrent workflows would; 250 in bulk.
  const histories = Array.from({ length: 150 }, (_, i) => syntheticVisit(i, TODAY, 200, 'one'));
  for (let step = 0; histories.some((h) => h.length > step); step++) {
    await Promise.all(histories.filter((h) => h.length > step).map((h) => recordVisitEvent(db, h[step])));
  }
  await recordNewVisits(
    db,
    Array.from({ length: 250 }, (_, i) => ({ events: syntheticVisit(i, TODAY, 200, 'bulk') })),
  );
});
afterAll(() => database.drop());

/** Order-free, so two query plans that return rows in different orders compare equal. */
function canonical(x: KpiInputs) {
  const sort = <T>(rows: T[]) => [...rows].map((r) => JSON.stringify(r)).sort();
  return {
    sums: x.sums,
    deniedByPayer: sort(x.deniedByPayer),
    deniedByCpt: sort(x.deniedByCpt),
    deniedByCarc: sort(x.deniedByCarc),
    cptRevenue: sort(x.cptRevenue),
    arAging: sort(x.arAging),
    chargeLagDays: sort(x.chargeLagDays),
    claimLagHours: sort(x.claimLagHours),
    weekly: sort(x.weekly),
  };
}

const filters: [string, KpiFilter][] = [
  ['90 days', { from: '2026-08-31', to: TODAY }],
  ['all', { from: '2026-01-01', to: TODAY }],
  ['payer', { from: '2026-01-01', to: TODAY, payerId: '60054' }],
  ['provider + CPT', { from: '2026-06-01', to: TODAY, providerNpi: '1234567803', cpt: '36415' }],
  ['CPT', { from: '2026-01-01', to: TODAY, cpt: '99214' }],
];

test.each(filters)('rollups = the sum over visit_facts (%s)', async (_label, f) => {
  const { db } = database;
  const rolled = await kpiInputs(db, f, TODAY);
  const raw = await kpiInputs(db, f, TODAY, factsKpiQueries);
  expect(rolled.sums.visits).toBeGreaterThan(0);
  expect(canonical(rolled)).toEqual(canonical(raw));
});

test('the seeded set exercises what the rollups must get right', async () => {
  const { db } = database;
  const raw = await kpiInputs(db, filters[1][1], TODAY, factsKpiQueries);
  expect(raw.sums.initialDenied).toBeGreaterThan(0);
  expect(raw.sums.firstPassDecided).toBeGreaterThan(raw.sums.firstPassAccepted);
  expect(raw.sums.claimsSubmitted).toBeGreaterThan(raw.sums.cleanClaims);
  expect(raw.sums.arCents).toBeGreaterThan(0);
  expect(raw.sums.patientPaidCents).toBeGreaterThan(0);
  expect(raw.deniedByCarc.length).toBeGreaterThan(1);
});

test('a rebuild from visit_facts gives the rollups the event writer kept', async () => {
  const { db } = database;
  const snapshot = async () => ({
    daily: await db('kpi_daily').where('visits', '<>', 0).orWhere('lines', '<>', 0).orderBy(['cpt', 'service_date', 'payer_id', 'provider_npi']),
    lags: await db('kpi_daily_lags').where('visits', '<>', 0).orderBy(['cpt', 'kind', 'service_date', 'payer_id', 'provider_npi', 'value']),
    carcs: await db('kpi_daily_carcs').where('denied', '<>', 0).orderBy(['cpt', 'service_date', 'payer_id', 'provider_npi', 'carc']),
  });
  const kept = await snapshot();
  await rebuildRollups(db);
  expect(await snapshot()).toEqual(kept);
});
