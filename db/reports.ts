/**
 * The SQL behind the KPIs and the work queues: sums over `visit_facts` and
 * `visit_fact_lines`, filtered by date of service, payer, provider and CPT. The
 * formulas themselves are in domain/reporting/kpis.ts.
 */
import type { Knex } from 'knex';
import type { KpiFilter, KpiInputs, LagRow } from '../domain/reporting/kpis';
import type { Db } from './knex';
import { calendarDate } from './visit-events';

type Builder = Knex.QueryBuilder;

/** The filter on visit_facts (or visit_fact_lines, which carry the same columns). */
function filtered(q: Builder, f: Partial<KpiFilter>, dates = true): Builder {
  if (dates && f.from) q.where('service_date', '>=', f.from);
  if (dates && f.to) q.where('service_date', '<=', f.to);
  if (f.payerId) q.where('payer_id', f.payerId);
  if (f.providerNpi) q.where('provider_npi', f.providerNpi);
  return q;
}

const withCpt = (q: Builder, f: Partial<KpiFilter>) => (f.cpt ? q.whereRaw('cpt_codes @> ARRAY[?]::text[]', [f.cpt]) : q);
const facts = (db: Db, f: Partial<KpiFilter>, dates = true) => withCpt(filtered(db('visit_facts'), f, dates), f);
const n = (v: unknown) => Number(v ?? 0);

type Queries = Record<
  'sums' | 'deniedByPayer' | 'deniedByCpt' | 'deniedByCarc' | 'cptRevenue' | 'arAging' | 'chargeLag' | 'claimLag' | 'weekly',
  () => Builder
>;

/** The rollup rows (domain/reporting/kpi-rollup.ts) a filter reads: the CPT's rows, or the all-codes rows (cpt = ''). */
function rollup(db: Db, table: string, f: Partial<KpiFilter>, dates = true): Builder {
  return filtered(db(table), f, dates).where('cpt', f.cpt ?? '');
}
/** The per-code rows: every code, or the filter's. */
const perCode = (db: Db, f: Partial<KpiFilter>) => (f.cpt ? rollup(db, 'kpi_daily', f) : filtered(db('kpi_daily'), f).where('cpt', '<>', ''));

/**
 * Each KPI query by name, over the rollups that the event writer keeps current: what the
 * API serves. The benchmark times and explains them one by one.
 */
export function kpiQueries(db: Db, f: KpiFilter, today: string): Queries {
  const lag = (kind: string) => () =>
    rollup(db, 'kpi_daily_lags', f).where('kind', kind).groupBy('value').havingRaw('sum(visits) > 0').select(db.raw('value, sum(visits) AS count'));
  return {
    sums: () =>
      rollup(db, 'kpi_daily', f).first(
        db.raw(`
      coalesce(sum(visits), 0) AS visits, coalesce(sum(first_pass_accepted), 0) AS first_pass_accepted,
      coalesce(sum(first_pass_decided), 0) AS first_pass_decided, coalesce(sum(claims_submitted), 0) AS claims_submitted,
      coalesce(sum(clean_claims), 0) AS clean_claims, coalesce(sum(adjudicated), 0) AS adjudicated,
      coalesce(sum(initial_denied), 0) AS initial_denied, coalesce(sum(billed_cents), 0) AS billed_cents,
      coalesce(sum(paid_cents), 0) AS paid_cents, coalesce(sum(contractual_cents), 0) AS contractual_cents,
      coalesce(sum(patient_responsibility_cents), 0) AS patient_responsibility_cents,
      coalesce(sum(patient_paid_cents), 0) AS patient_paid_cents, coalesce(sum(ar_cents), 0) AS ar_cents`),
      ),
    deniedByPayer: () =>
      rollup(db, 'kpi_daily', f)
        .groupBy('payer_id')
        .havingRaw('sum(adjudicated) > 0')
        .select(db.raw("nullif(payer_id, '') AS key, sum(adjudicated) AS adjudicated, sum(initial_denied) AS denied")),
    deniedByCpt: () =>
      perCode(db, f)
        .groupBy('cpt')
        .havingRaw('sum(adjudicated) > 0')
        .select(db.raw('cpt AS key, sum(adjudicated) AS adjudicated, sum(initial_denied) AS denied')),
    deniedByCarc: () => rollup(db, 'kpi_daily_carcs', f).groupBy('carc').havingRaw('sum(denied) > 0').select(db.raw('carc, sum(denied) AS denied')),
    cptRevenue: () =>
      perCode(db, f)
        .groupBy('cpt')
        .havingRaw('sum(lines) > 0')
        .select(db.raw('cpt AS code, sum(line_billed_cents) AS billed_cents, sum(line_paid_cents) AS paid_cents, sum(line_denied_cents) AS denied_cents')),
    // Open AR is what is owed today, whatever the date range: only payer, provider and CPT narrow it.
    arAging: () =>
      rollup(db, 'kpi_daily', f, false)
        .groupBy('payer_id', 'service_date')
        .havingRaw('sum(ar_cents) > 0')
        .select(db.raw("nullif(payer_id, '') AS payer_id, (?::date - service_date) AS age, sum(ar_cents) AS cents", [today])),
    chargeLag: lag('charge_days'),
    claimLag: lag('claim_hours'),
    weekly: () =>
      rollup(db, 'kpi_daily', f)
        .groupByRaw('1')
        .havingRaw('sum(visits) > 0')
        .orderBy('week')
        .select(
          db.raw(`
      to_char(date_trunc('week', service_date), 'YYYY-MM-DD') AS week,
      sum(adjudicated) AS adjudicated, sum(initial_denied) AS denied,
      sum(first_pass_accepted) AS first_pass_accepted, sum(first_pass_decided) AS first_pass_decided`),
        ),
  };
}

/**
 * The same KPIs added up from `visit_facts` row by row: the definition the rollups must
 * equal (db/reports.int.test.ts) and bench:kpi's same-run baseline. Not served.
 */
export function factsKpiQueries(db: Db, f: KpiFilter, today: string): Queries {
  return {
    sums: () =>
      facts(db, f).first(
        db.raw(`
      count(*) AS visits,
      count(*) FILTER (WHERE first_pass = 'accepted') AS first_pass_accepted,
      count(*) FILTER (WHERE first_pass IS NOT NULL) AS first_pass_decided,
      count(*) FILTER (WHERE first_submitted_at IS NOT NULL) AS claims_submitted,
      count(*) FILTER (WHERE first_submitted_at IS NOT NULL AND NOT coding_review) AS clean_claims,
      count(*) FILTER (WHERE first_adjudication IS NOT NULL) AS adjudicated,
      count(*) FILTER (WHERE first_adjudication = 'denied') AS initial_denied,
      coalesce(sum(billed_cents), 0) AS billed_cents, coalesce(sum(paid_cents), 0) AS paid_cents,
      coalesce(sum(contractual_cents), 0) AS contractual_cents,
      coalesce(sum(patient_responsibility_cents), 0) AS patient_responsibility_cents,
      coalesce(sum(patient_paid_cents), 0) AS patient_paid_cents, coalesce(sum(ar_cents), 0) AS ar_cents`),
      ),
    deniedByPayer: () =>
      facts(db, f)
        .whereNotNull('first_adjudication')
        .groupBy('payer_id')
        .select(db.raw("payer_id AS key, count(*) AS adjudicated, count(*) FILTER (WHERE first_adjudication = 'denied') AS denied")),
    deniedByCpt: () =>
      facts(db, f)
        .whereNotNull('first_adjudication')
        .crossJoin(db.raw('unnest(cpt_codes) AS code'))
        .modify((q) => (f.cpt ? q.where('code', f.cpt) : q))
        .groupBy('code')
        .select(db.raw("code AS key, count(*) AS adjudicated, count(*) FILTER (WHERE first_adjudication = 'denied') AS denied")),
    deniedByCarc: () =>
      facts(db, f)
        .where('first_adjudication', 'denied')
        .crossJoin(db.raw('unnest(initial_denial_carcs) AS carc'))
        .groupBy('carc')
        .select(db.raw('carc, count(*) AS denied')),
    cptRevenue: () =>
      filtered(db('visit_fact_lines'), f)
        .modify((q) => (f.cpt ? q.where('code', f.cpt) : q))
        .groupBy('code')
        .select(db.raw('code, sum(billed_cents) AS billed_cents, sum(paid_cents) AS paid_cents, sum(denied_cents) AS denied_cents')),
    arAging: () =>
      facts(db, f, false)
        .where('ar_cents', '>', 0)
        .groupBy('payer_id', 'age')
        .select(db.raw('payer_id, (?::date - service_date) AS age, sum(ar_cents) AS cents', [today])),
    chargeLag: () => facts(db, f).whereNotNull('charge_lag_days').groupBy('charge_lag_days').select(db.raw('charge_lag_days AS value, count(*) AS count')),
    claimLag: () => facts(db, f).whereNotNull('claim_lag_hours').groupBy('claim_lag_hours').select(db.raw('claim_lag_hours AS value, count(*) AS count')),
    weekly: () =>
      facts(db, f)
        .groupBy('week')
        .orderBy('week')
        .select(
          db.raw(`
      to_char(date_trunc('week', service_date), 'YYYY-MM-DD') AS week,
      count(*) FILTER (WHERE first_adjudication IS NOT NULL) AS adjudicated,
      count(*) FILTER (WHERE first_adjudication = 'denied') AS denied,
      count(*) FILTER (WHERE first_pass = 'accepted') AS first_pass_accepted,
      count(*) FILTER (WHERE first_pass IS NOT NULL) AS first_pass_decided`),
        ),
  };
}

export async function kpiInputs(db: Db, f: KpiFilter, today: string, queries = kpiQueries): Promise<KpiInputs> {
  const q = queries(db, f, today);
  const [s, byPayer, byCpt, byCarc, cpt, ar, chargeLag, claimLag, weekly] = await Promise.all([
    q.sums(),
    q.deniedByPayer(),
    q.deniedByCpt(),
    q.deniedByCarc(),
    q.cptRevenue(),
    q.arAging(),
    q.chargeLag(),
    q.claimLag(),
    q.weekly(),
  ]);
  const lag = (rows: Record<string, unknown>[]): LagRow[] => rows.map((r) => ({ value: n(r.value), count: n(r.count) }));
  const rates = (rows: Record<string, unknown>[]) => rows.map((r) => ({ key: String(r.key ?? 'unknown'), adjudicated: n(r.adjudicated), denied: n(r.denied) }));
  return {
    sums: {
      visits: n(s.visits),
      firstPassAccepted: n(s.first_pass_accepted),
      firstPassDecided: n(s.first_pass_decided),
      claimsSubmitted: n(s.claims_submitted),
      cleanClaims: n(s.clean_claims),
      adjudicated: n(s.adjudicated),
      initialDenied: n(s.initial_denied),
      billedCents: n(s.billed_cents),
      paidCents: n(s.paid_cents),
      contractualCents: n(s.contractual_cents),
      patientResponsibilityCents: n(s.patient_responsibility_cents),
      patientPaidCents: n(s.patient_paid_cents),
      arCents: n(s.ar_cents),
    },
    deniedByPayer: rates(byPayer),
    deniedByCpt: rates(byCpt),
    deniedByCarc: byCarc.map((r: Record<string, unknown>) => ({ carc: String(r.carc), denied: n(r.denied) })),
    cptRevenue: cpt.map((r: Record<string, unknown>) => ({
      code: String(r.code),
      billedCents: n(r.billed_cents),
      paidCents: n(r.paid_cents),
      deniedCents: n(r.denied_cents),
    })),
    arAging: ar.map((r: Record<string, unknown>) => ({ payerId: String(r.payer_id ?? 'unknown'), ageDays: n(r.age), cents: n(r.cents) })),
    chargeLagDays: lag(chargeLag),
    claimLagHours: lag(claimLag),
    weekly: weekly.map((r: Record<string, unknown>) => ({
      week: String(r.week),
      adjudicated: n(r.adjudicated),
      denied: n(r.denied),
      firstPassAccepted: n(r.first_pass_accepted),
      firstPassDecided: n(r.first_pass_decided),
    })),
  };
}

/** Open visits awaiting one of `actions`, oldest first, as Postgres knows them. */
export function queueQuery(db: Db, actions: readonly string[], f: Partial<KpiFilter> = {}) {
  return filtered(db('visit_facts'), f, false)
    .whereIn('awaiting_action', actions as string[])
    .whereNull('outcome');
}

export interface QueueVisit {
  visitId: string;
  payerId: string | null;
  providerNpi: string | null;
  serviceDate: string | null;
  stage: string;
  awaitingAction: string;
  awaitingSince: string;
}

/** Oldest first; `visitIds` narrows to the visits Temporal listed. */
export function queueVisitsQuery(db: Db, actions: readonly string[], opts: { limit: number; visitIds?: string[] } & Partial<KpiFilter>) {
  const q = queueQuery(db, actions, opts);
  if (opts.visitIds) q.whereIn('visit_id', opts.visitIds);
  return q
    .orderBy('awaiting_since')
    .limit(opts.limit)
    .select('visit_id', 'payer_id', 'provider_npi', 'service_date', 'stage', 'awaiting_action', 'awaiting_since');
}

export async function queueVisits(
  db: Db,
  actions: readonly string[],
  opts: { limit: number; visitIds?: string[] } & Partial<KpiFilter>,
): Promise<QueueVisit[]> {
  const rows = await queueVisitsQuery(db, actions, opts);
  return rows.map((r: Record<string, unknown>) => ({
    visitId: String(r.visit_id),
    payerId: r.payer_id as string | null,
    providerNpi: r.provider_npi as string | null,
    serviceDate: calendarDate(r.service_date) ?? null,
    stage: String(r.stage),
    awaitingAction: String(r.awaiting_action),
    awaitingSince: r.awaiting_since instanceof Date ? r.awaiting_since.toISOString() : String(r.awaiting_since),
  }));
}

/** Open visits per awaited action. */
export function queueCountsQuery(db: Db, f: Partial<KpiFilter> = {}) {
  return filtered(db('visit_facts'), f, false)
    .whereNotNull('awaiting_action')
    .whereNull('outcome')
    .groupBy('awaiting_action')
    .select('awaiting_action', db.raw('count(*) AS count'));
}

export async function queueCounts(db: Db, f: Partial<KpiFilter> = {}): Promise<Map<string, number>> {
  const rows = await queueCountsQuery(db, f);
  return new Map(rows.map((r: Record<string, unknown>) => [String(r.awaiting_action), n(r.count)]));
}
