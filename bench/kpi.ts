/**
 * KPI and work-queue query timings at scale, not a test: `npm run bench:kpi`.
 * Seeds BENCH_CLAIMS (default 1,000,000) visits' claims straight into Postgres with
 * generate_series — `visit_facts` (the claim, its payment and adjustment sums) and
 * `visit_fact_lines` (1-3 lines each, paid and denied amounts) over two years of dates
 * of service, five payers, ten providers — then runs every KPI and work-queue query
 * BENCH_ROUNDS times and prints the median and each plan's summary.
 *
 * Postgres: DATABASE_URL if set (its tables are emptied!), else an embedded one in
 * DATA_DIR/bench-pg on EMBEDDED_PG_PORT.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../config';
import { createDb, migrateLatest, type Db } from '../db/knex';
import type { Knex } from 'knex';
import { kpiQueries, queueCountsQuery, queueVisitsQuery } from '../db/reports';
import type { KpiFilter } from '../domain/reporting/kpis';
import { WORK_QUEUES } from '../domain/reporting/work-queues';
import { startEmbeddedPostgres } from '../scripts/postgres';
import { progressBar } from '../scripts/progress';

const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CHUNK = 50_000;
const TODAY = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

async function seed(db: Db): Promise<void> {
  await db.raw('TRUNCATE visit_fact_lines, visit_facts, visit_events');
  const bar = progressBar(`seeding ${CLAIMS.toLocaleString()} claims`);
  for (let start = 1; start <= CLAIMS; start += CHUNK) {
    const end = Math.min(CLAIMS, start + CHUNK - 1);
    await db.raw(`
      INSERT INTO visit_facts (visit_id, payer_id, provider_npi, service_date, cpt_codes, stage, awaiting_action, awaiting_since, outcome,
        coding_review, encounter_signed_at, charges_posted_at, first_submitted_at, first_pass, accepted_at, first_adjudication,
        initial_denial_carcs, billed_cents, paid_cents, contractual_cents, patient_responsibility_cents, patient_paid_cents,
        ar_cents, denied_cents, charge_lag_days, claim_lag_hours)
      SELECT 'b-' || g, (ARRAY['87726','60054','62308','00431','13551'])[1 + g % 5], '12345678' || lpad((g % 10)::text, 2, '0'),
        d, string_to_array((ARRAY['99213', '99214,36415', '99203,81002', '99215,93000', '97110'])[1 + g % 7 % 5], ','),
        CASE WHEN open THEN 'awaiting_adjudication' WHEN g % 97 = 0 THEN 'coding_review' ELSE 'closed' END,
        CASE WHEN g % 97 = 0 THEN 'coding_review' WHEN g % 89 = 0 THEN 'fix_claim' WHEN g % 83 = 0 THEN 'coverage' WHEN open THEN 'remittance' END,
        CASE WHEN open OR g % 97 = 0 OR g % 89 = 0 OR g % 83 = 0 THEN d + interval '3 days' END,
        CASE WHEN open OR g % 97 = 0 OR g % 89 = 0 OR g % 83 = 0 THEN NULL WHEN denied THEN 'denied' ELSE 'paid' END,
        g % 13 = 0, d + interval '1 day', d + (g % 6) * interval '1 day', d + (1 + g % 6) * interval '1 day',
        CASE WHEN g % 23 = 0 THEN 'rejected' ELSE 'accepted' END, d + (2 + g % 9) * interval '1 day',
        CASE WHEN open THEN NULL WHEN denied THEN 'denied' ELSE 'paid' END,
        CASE WHEN denied THEN ARRAY[(ARRAY['CO-16','CO-197','CO-50','CO-97','CO-18'])[1 + g % 5]] ELSE '{}' END,
        billed, CASE WHEN open OR denied THEN 0 ELSE billed * 6 / 10 END, CASE WHEN open OR denied THEN 0 ELSE billed * 2 / 10 END,
        CASE WHEN open OR denied THEN 0 ELSE billed * 2 / 10 END, CASE WHEN open OR denied OR g % 3 = 0 THEN 0 ELSE billed * 2 / 10 END,
        CASE WHEN open THEN billed ELSE 0 END, CASE WHEN denied THEN billed ELSE 0 END, g % 6, 24 + g % 200
      FROM (SELECT g, ?::date - (g % 730) AS d, (g % 730) < 45 AND g % 4 = 0 OR g % 211 = 0 AS open,
                   g % 9 = 0 AS denied, 5000 + (g % 37) * 1000 AS billed
            FROM generate_series(?::int, ?::int) g) s`, [TODAY, start, end]);
    await db.raw(`
      INSERT INTO visit_fact_lines (visit_id, line_number, code, service_date, payer_id, provider_npi, billed_cents, paid_cents, denied_cents)
      SELECT f.visit_id, l.n, l.code, f.service_date, f.payer_id, f.provider_npi,
             f.billed_cents / cardinality(f.cpt_codes), f.paid_cents / cardinality(f.cpt_codes), f.denied_cents / cardinality(f.cpt_codes)
      FROM visit_facts f CROSS JOIN LATERAL unnest(f.cpt_codes) WITH ORDINALITY AS l(code, n)
      WHERE f.visit_id IN (SELECT 'b-' || g FROM generate_series(?::int, ?::int) g)`, [start, end]);
    bar.update(end, CLAIMS);
  }
  bar.done();
  process.stderr.write('analyzing...\n');
  await db.raw('VACUUM ANALYZE visit_facts');
  await db.raw('VACUUM ANALYZE visit_fact_lines');
}

interface Measured { name: string; medianMs: number; plan: string }

async function measure(db: Db, name: string, build: () => { toSQL(): { sql: string; bindings: readonly Knex.Value[] } }): Promise<Measured> {
  const times: number[] = [];
  const { sql, bindings } = build().toSQL();
  await db.raw(sql, bindings as Knex.RawBinding[]); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await db.raw(sql, bindings as Knex.RawBinding[]);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const explained = await db.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, bindings as Knex.RawBinding[]);
  return { name, medianMs: times[Math.floor(times.length / 2)], plan: summarise(explained.rows[0]['QUERY PLAN'][0]) };
}

/** The plan's scans (with their index) and its execution time. */
function summarise(plan: { Plan: PlanNode; 'Execution Time': number }): string {
  const scans: string[] = [];
  const walk = (n: PlanNode) => {
    if (/Scan/.test(n['Node Type'])) scans.push(`${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : n['Relation Name'] ? ` ${n['Relation Name']}` : ''}`);
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(plan.Plan);
  return `${plan.Plan['Node Type']}; ${[...new Set(scans)].join(', ')}; exec ${plan['Execution Time'].toFixed(1)} ms`;
}
interface PlanNode { 'Node Type': string; 'Index Name'?: string; 'Relation Name'?: string; Plans?: PlanNode[] }

async function main(): Promise<void> {
  const config = loadConfig();
  let stop = async () => undefined as void;
  let url = config.database.url;
  if (!url) {
    const pg = await startEmbeddedPostgres({ dir: join(config.dataDir, 'bench-pg'), port: config.database.embeddedPort, persistent: true });
    await pg.createDatabase('revcycle_bench');
    url = pg.url('revcycle_bench');
    stop = () => pg.stop();
  }
  const db = createDb(url, { min: 0, max: 4 });
  try {
    await migrateLatest(db);
    const have = Number((await db('visit_facts').count({ n: '*' }))[0].n);
    if (have !== CLAIMS || process.env.BENCH_RESEED) await seed(db);
    else process.stderr.write(`visit_facts already holds ${have.toLocaleString()} claims: not reseeded (BENCH_RESEED=1 to force)\n`);

    const filters: [string, KpiFilter][] = [
      ['90 days', { from: daysAgo(89), to: TODAY }],
      ['365 days', { from: daysAgo(364), to: TODAY }],
      ['90 days, payer + CPT', { from: daysAgo(89), to: TODAY, payerId: '60054', cpt: '99214' }],
    ];
    const results: Measured[] = [];
    for (const [label, f] of filters) {
      const q = kpiQueries(db, f, TODAY);
      for (const [name, build] of Object.entries(q)) results.push(await measure(db, `kpi ${name} (${label})`, build as never));
    }
    const coding = WORK_QUEUES.find((w) => w.id === 'coding_review')!;
    results.push(await measure(db, 'work-queue counts', () => queueCountsQuery(db)));
    results.push(await measure(db, 'work-queue coding_review (100 oldest)', () => queueVisitsQuery(db, coding.awaitingActions, { limit: 100 })));

    const width = Math.max(...results.map((r) => r.name.length));
    console.log(`\n${CLAIMS.toLocaleString()} claims, median of ${ROUNDS} runs\n`);
    console.log(`${'query'.padEnd(width)}  median ms  plan`);
    for (const r of results) console.log(`${r.name.padEnd(width)}  ${r.medianMs.toFixed(1).padStart(9)}  ${r.plan}${r.medianMs > 200 ? '  << over 200 ms' : ''}`);
  } finally {
    await db.destroy();
    await stop();
  }
}

main().catch((err) => {
  console.error(`bench:kpi: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
