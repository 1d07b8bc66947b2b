/**
 * KPI and work-queue query timings at scale, not a test: `npm run bench:kpi`.
 * Seeds BENCH_CLAIMS (default 1,000,000) visits the way the system writes them: each
 * visit's whole event log (bench/visit-histories.ts: paid, denied, corrected, rejected,
 * coding review, reversals, patient payments, write-offs, still open) folded by the same
 * code as recordVisitEvent into `visit_events`, `visit_facts`, `visit_fact_lines` and the
 * KPI rollups (db/visit-events.ts recordNewVisits), over two years of dates of service,
 * five payers, ten providers. Then it runs every KPI query the API serves (over the
 * rollups) and, as a same-run baseline, the same KPI added up from `visit_facts`, and the
 * work-queue queries, BENCH_ROUNDS times each, and prints the medians and plan summaries.
 *
 * Postgres: DATABASE_URL if set (its tables are emptied!), else an embedded one in
 * DATA_DIR/bench-pg on EMBEDDED_PG_PORT.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../config';
import { createDb, migrateLatest, type Db } from '../db/knex';
import type { Knex } from 'knex';
import { factsKpiQueries, kpiQueries, queueCountsQuery, queueVisitsQuery } from '../db/reports';
import { applyRollupRows } from '../db/kpi-rollups';
import { recordNewVisits } from '../db/visit-events';
import { RollupSum } from '../domain/reporting/kpi-rollup';
import type { KpiFilter } from '../domain/reporting/kpis';
import { WORK_QUEUES } from '../domain/reporting/work-queues';
import { startEmbeddedPostgres } from '../app/postgres';
import { progressBar } from '../app/progress';
import { syntheticVisit } from './visit-histories';

const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CHUNK = 5_000;
const TODAY = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

async function seed(db: Db): Promise<void> {
  await db.raw('TRUNCATE visit_fact_lines, visit_facts, visit_events, kpi_daily, kpi_daily_lags, kpi_daily_carcs');
  const bar = progressBar(`seeding ${CLAIMS.toLocaleString()} visits with their events`);
  // The rollups of all batches are added up here and written once at the end (as many upserts would write them).
  let rollups = new RollupSum();
  for (let start = 1; start <= CLAIMS; start += CHUNK) {
    const end = Math.min(CLAIMS, start + CHUNK - 1);
    const visits = [];
    for (let i = start; i <= end; i++) visits.push({ events: syntheticVisit(i, TODAY) });
    rollups.add(await recordNewVisits(db, visits, { deferRollups: true }));
    if (rollups.size > 400_000) {
      await applyRollupRows(db, rollups.rows());
      rollups = new RollupSum();
    }
    bar.update(end, CLAIMS);
  }
  bar.done();
  process.stderr.write('writing the rollups...\n');
  await applyRollupRows(db, rollups.rows());
  process.stderr.write('analyzing...\n');
  for (const t of ['visit_events', 'visit_facts', 'visit_fact_lines', 'kpi_daily', 'kpi_daily_lags', 'kpi_daily_carcs']) await db.raw(`VACUUM ANALYZE ${t}`);
}

interface Measured {
  name: string;
  medianMs: number;
  plan: string;
}

async function measure(db: Db, name: string, build: () => { toSQL(): { sql: string; bindings: readonly Knex.Value[] } }, rounds = ROUNDS): Promise<Measured> {
  const times: number[] = [];
  const { sql, bindings } = build().toSQL();
  await db.raw(sql, bindings as Knex.RawBinding[]); // warm-up
  for (let i = 0; i < rounds; i++) {
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
    if (/Scan/.test(n['Node Type']))
      scans.push(`${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : n['Relation Name'] ? ` ${n['Relation Name']}` : ''}`);
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(plan.Plan);
  return `${plan.Plan['Node Type']}; ${[...new Set(scans)].join(', ')}; exec ${plan['Execution Time'].toFixed(1)} ms`;
}
interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

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
    const events = () =>
      db('visit_events')
        .count({ n: '*' })
        .then((r) => Number(r[0].n));
    if (have !== CLAIMS || process.env.BENCH_RESEED) await seed(db);
    else process.stderr.write(`visit_facts already holds ${have.toLocaleString()} claims: not reseeded (BENCH_RESEED=1 to force)\n`);

    const filters: [string, KpiFilter][] = [
      ['90 days', { from: daysAgo(89), to: TODAY }],
      ['365 days', { from: daysAgo(364), to: TODAY }],
      ['90 days, payer + CPT', { from: daysAgo(89), to: TODAY, payerId: '60054', cpt: '99214' }],
    ];
    const results: (Measured & { baseline?: Measured })[] = [];
    for (const [label, f] of filters) {
      const q = kpiQueries(db, f, TODAY);
      const raw = factsKpiQueries(db, f, TODAY);
      for (const [name, build] of Object.entries(q)) {
        const baseline = await measure(db, name, raw[name as keyof typeof raw] as never, Math.min(ROUNDS, 3));
        results.push({ ...(await measure(db, `kpi ${name} (${label})`, build as never)), baseline });
      }
    }
    const coding = WORK_QUEUES.find((w) => w.id === 'coding_review')!;
    results.push(await measure(db, 'work-queue counts', () => queueCountsQuery(db)));
    results.push(await measure(db, 'work-queue coding_review (100 oldest)', () => queueVisitsQuery(db, coding.awaitingActions, { limit: 100 })));

    const width = Math.max(...results.map((r) => r.name.length));
    console.log(
      `\n${CLAIMS.toLocaleString()} visits (${(await events()).toLocaleString()} events), median of ${ROUNDS} runs` +
        ` (baseline: the same KPI summed from visit_facts, median of ${Math.min(ROUNDS, 3)})\n`,
    );
    console.log(`${'query'.padEnd(width)}  baseline ms  median ms  plan`);
    for (const r of results) {
      const before = r.baseline ? r.baseline.medianMs.toFixed(1) : '';
      console.log(
        `${r.name.padEnd(width)}  ${before.padStart(11)}  ${r.medianMs.toFixed(1).padStart(9)}  ${r.plan}${r.medianMs > 200 ? '  << over 200 ms' : ''}`,
      );
    }
    const slow = results.filter((r) => r.medianMs > 200).length;
    console.log(slow ? `\n${slow} queries over 200 ms` : '\nevery query under 200 ms');
  } finally {
    await db.destroy();
    await stop();
  }
}

main().catch((err) => {
  console.error(`bench:kpi: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
