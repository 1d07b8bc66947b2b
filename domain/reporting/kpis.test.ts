import { agingBucket, carcCategory, computeKpis, kpisToCsv, quantile, type KpiInputs } from './kpis';

const sums = {
  visits: 10,
  firstPassAccepted: 9,
  firstPassDecided: 10,
  claimsSubmitted: 10,
  cleanClaims: 8,
  adjudicated: 8,
  initialDenied: 2,
  billedCents: 90_000,
  paidCents: 50_000,
  contractualCents: 10_000,
  patientResponsibilityCents: 8_000,
  patientPaidCents: 2_000,
  arCents: 12_000,
};
const inputs: KpiInputs = {
  sums,
  deniedByPayer: [
    { key: '87726', adjudicated: 5, denied: 2 },
    { key: '60054', adjudicated: 3, denied: 0 },
  ],
  deniedByCpt: [{ key: '99213', adjudicated: 8, denied: 2 }],
  deniedByCarc: [
    { carc: 'CO-16', denied: 1 },
    { carc: 'CO-4', denied: 1 },
    { carc: 'CO-197', denied: 1 },
  ],
  cptRevenue: [
    { code: '99213', billedCents: 1000, paidCents: 500, deniedCents: 100 },
    { code: '99214', billedCents: 5000, paidCents: 0, deniedCents: 5000 },
  ],
  arAging: [
    { payerId: '87726', ageDays: 10, cents: 1000 },
    { payerId: '87726', ageDays: 95, cents: 3000 },
    { payerId: '60054', ageDays: 200, cents: 4000 },
    { payerId: '60054', ageDays: 60, cents: 4000 },
  ],
  chargeLagDays: [
    { value: 0, count: 5 },
    { value: 2, count: 4 },
    { value: 9, count: 1 },
  ],
  claimLagHours: [],
  weekly: [{ week: '2026-11-02', adjudicated: 4, denied: 1, firstPassAccepted: 3, firstPassDecided: 4 }],
};

test('rates, AR buckets, days in AR and percentiles come from the sums', () => {
  const r = computeKpis({ from: '2026-11-01', to: '2026-11-30' }, inputs);
  expect(r.firstPassAcceptance.rate).toBe(0.9);
  expect(r.cleanClaimRate.rate).toBe(0.8);
  expect(r.denialRate.rate).toBe(0.25);
  expect(r.denialRate.byPayer.map((p) => [p.key, p.denialRate])).toEqual([
    ['87726', 0.4],
    ['60054', 0],
  ]);
  expect(r.denialRate.byCarcCategory).toEqual([
    { category: 'missing_information', denied: 2, denialRate: 0.25 },
    { category: 'authorization', denied: 1, denialRate: 0.125 },
  ]);
  expect(r.cptRevenue[0].code).toBe('99214');
  expect(r.arAging.byPayer).toEqual([
    { payerId: '60054', buckets: { '0-30': 0, '31-60': 4000, '61-90': 0, '91-120': 0, '120+': 4000 }, totalCents: 8000, shareOver90: 0.5 },
    { payerId: '87726', buckets: { '0-30': 1000, '31-60': 0, '61-90': 0, '91-120': 3000, '120+': 0 }, totalCents: 4000, shareOver90: 0.75 },
  ]);
  expect(r.arAging.shareOver90).toBe(0.5833);
  expect(r.daysInAr).toBe(4); // 12,000 open / (90,000 over 30 days)
  expect(r.chargeLagDays).toEqual({ median: 0, p90: 2 }); // nearest rank: the 5th of 10 is a 0, the 9th a 2
  expect(r.claimLagHours).toEqual({ median: null, p90: null });
  expect(r.netCollectionRate.rate).toBe(0.65); // (50,000 + 2,000) / (90,000 - 10,000)
  expect(r.patientResponsibility.rate).toBe(0.25);
  expect(r.weekly[0]).toMatchObject({ denialRate: 0.25, firstPassRate: 0.75 });
});

test('no data gives null rates, never NaN', () => {
  const empty = computeKpis(
    { from: '2026-11-01', to: '2026-11-01' },
    {
      ...inputs,
      sums: Object.fromEntries(Object.keys(sums).map((k) => [k, 0])) as typeof sums,
      deniedByPayer: [],
      deniedByCarc: [],
      arAging: [],
      weekly: [],
    },
  );
  expect(empty.firstPassAcceptance.rate).toBeNull();
  expect(empty.daysInAr).toBeNull();
  expect(empty.arAging.shareOver90).toBeNull();
});

test.each([
  [0, '0-30'],
  [30, '0-30'],
  [31, '31-60'],
  [90, '61-90'],
  [91, '91-120'],
  [120, '91-120'],
  [121, '120+'],
  [900, '120+'],
])('age %i days is in bucket %s', (age, bucket) => expect(agingBucket(age)).toBe(bucket));

test('quantiles are nearest-rank over a histogram', () => {
  expect(
    quantile(
      [
        { value: 1, count: 1 },
        { value: 3, count: 1 },
        { value: 2, count: 1 },
      ],
      0.5,
    ),
  ).toBe(2);
  expect(
    quantile(
      [
        { value: 5, count: 9 },
        { value: 40, count: 1 },
      ],
      0.9,
    ),
  ).toBe(5);
  expect(
    quantile(
      [
        { value: 5, count: 8 },
        { value: 40, count: 2 },
      ],
      0.9,
    ),
  ).toBe(40);
});

test('CARC categories read GROUP-CARC or a bare CARC', () => {
  expect([carcCategory('CO-16'), carcCategory('50'), carcCategory('CO-18'), carcCategory('OA-999')]).toEqual([
    'missing_information',
    'medical_necessity',
    'duplicate',
    'other',
  ]);
});

test('CSV has one row per figure', () => {
  const csv = kpisToCsv(computeKpis({ from: '2026-11-01', to: '2026-11-30' }, inputs)).split('\r\n');
  expect(csv[0]).toBe('kpi,dimension,key,value');
  expect(csv).toContain('first_pass_acceptance_rate,all,,0.9');
  expect(csv).toContain('denial_rate,payer,87726,0.4');
  expect(csv).toContain('ar_cents_120+,payer,60054,4000');
  expect(csv).toContain('claim_lag_hours_median,all,,');
});
