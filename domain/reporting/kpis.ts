/**
 * KPI formulas (definitions in docs/analytics.md). Pure: db/reports.ts adds up the
 * visit facts in SQL and hands the sums here; every rate, bucket and percentile is
 * computed in this one place.
 */

export interface KpiFilter {
  from: string;
  to: string;
  payerId?: string;
  providerNpi?: string;
  cpt?: string;
}

/** Sums over the visits whose date of service is in the filter (db/reports.ts). */
export interface KpiSums {
  visits: number;
  firstPassAccepted: number;
  firstPassDecided: number;
  /** Visits with a first claim, and those among them that never needed coding review (no scrubber error). */
  claimsSubmitted: number;
  cleanClaims: number;
  adjudicated: number;
  initialDenied: number;
  billedCents: number;
  paidCents: number;
  contractualCents: number;
  patientResponsibilityCents: number;
  patientPaidCents: number;
  arCents: number;
}

export interface RateRow {
  key: string;
  adjudicated: number;
  denied: number;
}
export interface CptRow {
  code: string;
  billedCents: number;
  paidCents: number;
  deniedCents: number;
}
/** Open insurance balance by payer and age in days since the date of service. */
export interface ArRow {
  payerId: string;
  ageDays: number;
  cents: number;
}
/** How many visits had each lag value (days for charge lag, hours for claim lag). */
export interface LagRow {
  value: number;
  count: number;
}
export interface WeekRow {
  week: string;
  adjudicated: number;
  denied: number;
  firstPassAccepted: number;
  firstPassDecided: number;
}

export interface KpiInputs {
  sums: KpiSums;
  deniedByPayer: RateRow[];
  deniedByCpt: RateRow[];
  /** Initially denied visits per CARC (GROUP-CARC, e.g. CO-16). */
  deniedByCarc: { carc: string; denied: number }[];
  cptRevenue: CptRow[];
  arAging: ArRow[];
  chargeLagDays: LagRow[];
  claimLagHours: LagRow[];
  weekly: WeekRow[];
}

export const AGING_BUCKETS = [
  { label: '0-30', min: 0, max: 30 },
  { label: '31-60', min: 31, max: 60 },
  { label: '61-90', min: 61, max: 90 },
  { label: '91-120', min: 91, max: 120 },
  { label: '120+', min: 121, max: Infinity },
] as const;

/**
 * CARC → denial category, for counting (docs/analytics.md). The denial playbook's
 * taxonomy will carry the same categories as data; until then this is the map.
 */
const CARC_CATEGORIES: Record<string, string> = {
  16: 'missing_information',
  4: 'missing_information',
  11: 'missing_information',
  146: 'missing_information',
  5: 'missing_information',
  27: 'eligibility',
  31: 'eligibility',
  26: 'eligibility',
  109: 'eligibility',
  197: 'authorization',
  15: 'authorization',
  62: 'authorization',
  198: 'authorization',
  50: 'medical_necessity',
  56: 'medical_necessity',
  167: 'medical_necessity',
  18: 'duplicate',
  22: 'coordination_of_benefits',
  29: 'timely_filing',
  97: 'bundling',
  234: 'bundling',
  236: 'bundling',
};

export function carcCategory(groupCarc: string): string {
  const carc = groupCarc.includes('-') ? groupCarc.split('-')[1] : groupCarc;
  return CARC_CATEGORIES[carc] ?? 'other';
}

export const rate = (part: number, whole: number): number | null => (whole > 0 ? round(part / whole, 4) : null);
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The value at quantile q (0..1) of a histogram, nearest-rank. */
export function quantile(rows: LagRow[], q: number): number | null {
  const sorted = [...rows].filter((r) => r.count > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((s, r) => s + r.count, 0);
  if (!total) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const r of sorted) {
    seen += r.count;
    if (seen >= rank) return r.value;
  }
  return sorted[sorted.length - 1].value;
}

export function agingBucket(ageDays: number): string {
  return AGING_BUCKETS.find((b) => ageDays >= b.min && ageDays <= b.max)?.label ?? AGING_BUCKETS[0].label;
}

export function daysInPeriod(f: Pick<KpiFilter, 'from' | 'to'>): number {
  return Math.max(1, Math.round((Date.parse(`${f.to}T00:00:00Z`) - Date.parse(`${f.from}T00:00:00Z`)) / 86_400_000) + 1);
}

export function computeKpis(filter: KpiFilter, input: KpiInputs) {
  const s = input.sums;
  const byRate = (rows: RateRow[]) =>
    rows
      .map((r) => ({ key: r.key, adjudicated: r.adjudicated, denied: r.denied, denialRate: rate(r.denied, r.adjudicated) }))
      .sort((a, b) => b.denied - a.denied || a.key.localeCompare(b.key));

  const categories = new Map<string, number>();
  for (const r of input.deniedByCarc) categories.set(carcCategory(r.carc), (categories.get(carcCategory(r.carc)) ?? 0) + r.denied);

  const payers = new Map<string, Record<string, number>>();
  for (const r of input.arAging) {
    const row = payers.get(r.payerId) ?? Object.fromEntries(AGING_BUCKETS.map((b) => [b.label, 0]));
    row[agingBucket(r.ageDays)] += r.cents;
    payers.set(r.payerId, row);
  }
  const over90 = (row: Record<string, number>) => row['91-120'] + row['120+'];
  const total = (row: Record<string, number>) => AGING_BUCKETS.reduce((t, b) => t + row[b.label], 0);
  const arByPayer = [...payers]
    .map(([payerId, buckets]) => ({ payerId, buckets, totalCents: total(buckets), shareOver90: rate(over90(buckets), total(buckets)) }))
    .sort((a, b) => b.totalCents - a.totalCents);
  const arTotal = arByPayer.reduce((t, p) => t + p.totalCents, 0);
  const averageDailyChargesCents = s.billedCents / daysInPeriod(filter);

  return {
    filter,
    visits: s.visits,
    firstPassAcceptance: { rate: rate(s.firstPassAccepted, s.firstPassDecided), accepted: s.firstPassAccepted, decided: s.firstPassDecided },
    cleanClaimRate: { rate: rate(s.cleanClaims, s.claimsSubmitted), clean: s.cleanClaims, submitted: s.claimsSubmitted },
    denialRate: {
      rate: rate(s.initialDenied, s.adjudicated),
      denied: s.initialDenied,
      adjudicated: s.adjudicated,
      byPayer: byRate(input.deniedByPayer),
      byCpt: byRate(input.deniedByCpt),
      byCarcCategory: [...categories]
        .map(([category, denied]) => ({ category, denied, denialRate: rate(denied, s.adjudicated) }))
        .sort((a, b) => b.denied - a.denied || a.category.localeCompare(b.category)),
    },
    cptRevenue: [...input.cptRevenue].sort((a, b) => b.billedCents - a.billedCents || a.code.localeCompare(b.code)),
    arAging: {
      buckets: AGING_BUCKETS.map((b) => b.label),
      byPayer: arByPayer,
      totalCents: arTotal,
      shareOver90: rate(
        arByPayer.reduce((t, p) => t + over90(p.buckets), 0),
        arTotal,
      ),
    },
    daysInAr: averageDailyChargesCents > 0 ? round(arTotal / averageDailyChargesCents, 1) : null,
    chargeLagDays: { median: quantile(input.chargeLagDays, 0.5), p90: quantile(input.chargeLagDays, 0.9) },
    claimLagHours: { median: quantile(input.claimLagHours, 0.5), p90: quantile(input.claimLagHours, 0.9) },
    netCollectionRate: {
      rate: rate(s.paidCents + s.patientPaidCents, s.billedCents - s.contractualCents),
      paidCents: s.paidCents,
      patientPaidCents: s.patientPaidCents,
      billedCents: s.billedCents,
      contractualCents: s.contractualCents,
    },
    patientResponsibility: {
      rate: rate(s.patientPaidCents, s.patientResponsibilityCents),
      responsibilityCents: s.patientResponsibilityCents,
      collectedCents: s.patientPaidCents,
    },
    weekly: input.weekly.map((w) => ({ ...w, denialRate: rate(w.denied, w.adjudicated), firstPassRate: rate(w.firstPassAccepted, w.firstPassDecided) })),
  };
}

export type KpiReport = ReturnType<typeof computeKpis>;

/** The report as CSV: one row per figure (kpi, dimension, key, value). */
export function kpisToCsv(r: KpiReport): string {
  const rows: (string | number | null)[][] = [['kpi', 'dimension', 'key', 'value']];
  const add = (kpi: string, dimension: string, key: string, value: number | null) => rows.push([kpi, dimension, key, value]);
  add('first_pass_acceptance_rate', 'all', '', r.firstPassAcceptance.rate);
  add('clean_claim_rate', 'all', '', r.cleanClaimRate.rate);
  add('denial_rate', 'all', '', r.denialRate.rate);
  for (const p of r.denialRate.byPayer) add('denial_rate', 'payer', p.key, p.denialRate);
  for (const p of r.denialRate.byCpt) add('denial_rate', 'cpt', p.key, p.denialRate);
  for (const c of r.denialRate.byCarcCategory) add('denial_rate', 'carc_category', c.category, c.denialRate);
  for (const c of r.cptRevenue) {
    add('billed_cents', 'cpt', c.code, c.billedCents);
    add('paid_cents', 'cpt', c.code, c.paidCents);
    add('denied_cents', 'cpt', c.code, c.deniedCents);
  }
  for (const p of r.arAging.byPayer) {
    for (const b of r.arAging.buckets) add(`ar_cents_${b}`, 'payer', p.payerId, p.buckets[b]);
    add('ar_share_over_90', 'payer', p.payerId, p.shareOver90);
  }
  add('ar_share_over_90', 'all', '', r.arAging.shareOver90);
  add('days_in_ar', 'all', '', r.daysInAr);
  add('charge_lag_days_median', 'all', '', r.chargeLagDays.median);
  add('charge_lag_days_p90', 'all', '', r.chargeLagDays.p90);
  add('claim_lag_hours_median', 'all', '', r.claimLagHours.median);
  add('claim_lag_hours_p90', 'all', '', r.claimLagHours.p90);
  add('net_collection_rate', 'all', '', r.netCollectionRate.rate);
  add('patient_responsibility_collected_rate', 'all', '', r.patientResponsibility.rate);
  add('patient_responsibility_collected_cents', 'all', '', r.patientResponsibility.collectedCents);
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
