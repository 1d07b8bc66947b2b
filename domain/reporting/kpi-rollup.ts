/**
 * The KPI rollups: what one visit adds to the daily × payer × provider × CPT tables the
 * KPIs read (`kpi_daily`, `kpi_daily_lags`, `kpi_daily_carcs`; docs/analytics.md).
 * Maintained incrementally: when an event changes a visit's facts, the repository writes
 * `rollupDelta(before, after)` in the same transaction, so a rollup always equals the sum
 * over `visit_facts` (the int test in db/reports.int.test.ts checks exactly that).
 *
 * Each visit counts once in the `cpt = ''` rows (no CPT filter) and once in the row of
 * each CPT code it carries (a CPT filter reads those); the line amounts of a code go to
 * that code's row. Visits with no date of service yet are not counted (every KPI is
 * filtered by date of service).
 */
import { deniedCents, insuranceBalanceCents, lagsOf, type VisitFacts } from './visit-facts';

/** Visit-level counts and sums, then the line sums of the row's code. */
export const DAILY_MEASURES = [
  'visits',
  'first_pass_accepted',
  'first_pass_decided',
  'claims_submitted',
  'clean_claims',
  'adjudicated',
  'initial_denied',
  'billed_cents',
  'paid_cents',
  'contractual_cents',
  'patient_responsibility_cents',
  'patient_paid_cents',
  'ar_cents',
  'denied_cents',
  'lines',
  'line_billed_cents',
  'line_paid_cents',
  'line_denied_cents',
] as const;
export type DailyMeasure = (typeof DAILY_MEASURES)[number];

export const ROLLUP_TABLES = {
  kpi_daily: { key: ['cpt', 'service_date', 'payer_id', 'provider_npi'], measures: DAILY_MEASURES },
  kpi_daily_lags: { key: ['cpt', 'kind', 'service_date', 'payer_id', 'provider_npi', 'value'], measures: ['visits'] },
  kpi_daily_carcs: { key: ['cpt', 'service_date', 'payer_id', 'provider_npi', 'carc'], measures: ['denied'] },
} as const;
export type RollupTable = keyof typeof ROLLUP_TABLES;

export interface RollupRow {
  table: RollupTable;
  key: Record<string, string | number>;
  add: Record<string, number>;
}

/** The lag histograms: charge lag in days, claim lag in hours (one decimal). */
export type LagKind = 'charge_days' | 'claim_hours';

/** Every row the visit contributes, each amount times `sign`. */
export function contributions(f: VisitFacts, sign: 1 | -1 = 1): RollupRow[] {
  if (!f.serviceDate) return [];
  const base = { service_date: f.serviceDate, payer_id: f.payerId ?? '', provider_npi: f.providerNpi ?? '' };
  const visit: Record<string, number> = {
    visits: 1,
    first_pass_accepted: f.firstPass === 'accepted' ? 1 : 0,
    first_pass_decided: f.firstPass ? 1 : 0,
    claims_submitted: f.firstSubmittedAt ? 1 : 0,
    clean_claims: f.firstSubmittedAt && !f.codingReview ? 1 : 0,
    adjudicated: f.firstAdjudication ? 1 : 0,
    initial_denied: f.firstAdjudication === 'denied' ? 1 : 0,
    billed_cents: f.billedCents,
    paid_cents: f.paidCents,
    contractual_cents: f.contractualCents,
    patient_responsibility_cents: f.patientResponsibilityCents,
    patient_paid_cents: f.patientPaidCents,
    ar_cents: insuranceBalanceCents(f),
    denied_cents: deniedCents(f),
  };
  const lines = (code?: string) => {
    const mine = f.lines.filter((l) => code === undefined || l.code === code);
    return {
      lines: mine.length,
      line_billed_cents: mine.reduce((s, l) => s + l.billedCents, 0),
      line_paid_cents: mine.reduce((s, l) => s + l.paidCents, 0),
      line_denied_cents: mine.reduce((s, l) => s + l.deniedCents, 0),
    };
  };
  const zeroVisit = Object.fromEntries(Object.keys(visit).map((k) => [k, 0]));
  const lags = lagsOf(f);
  const rows: RollupRow[] = [];
  const codes = [...new Set([...f.cptCodes, ...f.lines.map((l) => l.code)])];
  for (const cpt of ['', ...codes]) {
    // A visit is in a CPT's rows when it carries the code (a filter on cpt_codes); a line's amounts go to its code.
    const inVisit = cpt === '' || f.cptCodes.includes(cpt);
    rows.push({ table: 'kpi_daily', key: { cpt, ...base }, add: { ...(inVisit ? visit : zeroVisit), ...lines(cpt || undefined) } });
    if (!inVisit) continue;
    if (lags.chargeLagDays !== undefined)
      rows.push({ table: 'kpi_daily_lags', key: { cpt, kind: 'charge_days', ...base, value: lags.chargeLagDays }, add: { visits: 1 } });
    if (lags.claimLagHours !== undefined)
      rows.push({ table: 'kpi_daily_lags', key: { cpt, kind: 'claim_hours', ...base, value: lags.claimLagHours }, add: { visits: 1 } });
    if (f.firstAdjudication === 'denied') {
      for (const carc of new Set(f.initialDenialCarcs)) rows.push({ table: 'kpi_daily_carcs', key: { cpt, ...base, carc }, add: { denied: 1 } });
    }
  }
  if (sign === -1) for (const r of rows) for (const k of Object.keys(r.add)) r.add[k] = -r.add[k];
  return rows;
}

const keyOf = (r: RollupRow) => `${r.table}\u0000${ROLLUP_TABLES[r.table].key.map((k) => r.key[k]).join('\u0000')}`;

/** Rows summed by key as they come; `rows()` gives them in one stable order (table, then key). */
export class RollupSum {
  private readonly merged = new Map<string, RollupRow>();

  get size(): number {
    return this.merged.size;
  }

  add(rows: Iterable<RollupRow>): this {
    for (const r of rows) {
      const k = keyOf(r);
      const have = this.merged.get(k);
      if (!have) this.merged.set(k, { table: r.table, key: r.key, add: { ...r.add } });
      else for (const m in r.add) have.add[m] = (have.add[m] ?? 0) + r.add[m];
    }
    return this;
  }

  /** Rows that add nothing are dropped; the order is the one concurrent writers lock rollup rows in. */
  rows(): RollupRow[] {
    return [...this.merged]
      .filter(([, r]) => Object.values(r.add).some((v) => v !== 0))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => r);
  }
}

export function mergeRows(rows: Iterable<RollupRow>): RollupRow[] {
  return new RollupSum().add(rows).rows();
}

/** What changing a visit's facts from `before` to `after` changes in the rollups. */
export function rollupDelta(before: VisitFacts | undefined, after: VisitFacts): RollupRow[] {
  return mergeRows([...(before ? contributions(before, -1) : []), ...contributions(after)]);
}
