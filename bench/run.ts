/**
 * `npm run bench [-- --visits 100] [-- --rate 5] [-- --servers dev,postgres] [-- --workers 2]`: visit
 * throughput against a same-run baseline, on each Temporal server. For each server it
 * starts the stack as `npm start` does (fresh data under DATA_DIR/bench-<server>),
 * drives the visits through the API and simulators (bench/drive.ts) "as fast as it
 * goes" and at a target arrival rate, reads every visit's history, then runs the
 * baseline workflow (bench/baseline-workflow.ts) with the shape of a real paid visit
 * on the same server with the same worker settings and as many worker processes
 * (`--workers N`, else WORKERS, else 1). Results: bench/results/*.json and
 * *.svg. The last line is the ratio visits/s ÷ baseline/s.
 *
 * With BENCH_API_URL, BENCH_EHR_URL and TEMPORAL_ADDRESS set it measures that running
 * stack instead (worker CPU only if BENCH_WORKER_PIDS lists them).
 */
import { Client, Connection } from '@temporalio/client';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../config';
import type { Stoppable } from '../app/main';
import { dataConverterOf } from '../app/services';
import { temporalConnectionOptions } from '../temporal/connection';
import { removeRelocatedPostgres } from '../app/postgres';
import { startStack } from '../app/stack';
import { supervise } from '../app/supervisor';
import { baselineSignal, baselineWorkflow } from './baseline-workflow';
import { chartSvg } from './chart';
import { benchApiKey, benchEnv, driveVisits, type DriveResult } from './drive';
import { costsOf, type Shape, type VisitCost } from './history';
import type { RunFigures, ServerResult } from './results';
import { percentiles, progressBar, sampleProcesses } from './measure';
import { visitWorkflowId } from '../workflows/definitions';

function arg(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
}

const VISITS = Number(arg('visits') ?? 500);
const RATE = arg('rate') ? Number(arg('rate')) : undefined;
const SERVERS = (arg('servers') ?? 'dev,postgres').split(',') as ('dev' | 'postgres')[];
/** Worker processes for the visits (and as many for the baseline); unset: WORKERS, as npm start reads it. */
const WORKERS = arg('workers');
const WARMUP = 3;
const log = (line: string) => process.stderr.write(`${line}\n`);

function figures(run: DriveResult, costs: VisitCost[], processes: RunFigures['processes']): RunFigures {
  const ok = run.visits;
  const seconds = (run.finishedAt - run.startedAt) / 1000;
  const stages: Record<string, number[]> = {};
  for (const c of costs) {
    c.stagesAt.forEach((s, i) => {
      const next = c.stagesAt[i + 1];
      if (next) (stages[s.stage] ??= []).push(next.at - s.at);
    });
  }
  const mean = (f: (c: VisitCost) => number) => Math.round(costs.reduce((a, c) => a + f(c), 0) / Math.max(1, costs.length));
  const outcomes: Record<string, number> = {};
  for (const v of ok) outcomes[v.outcome ?? '?'] = (outcomes[v.outcome ?? '?'] ?? 0) + 1;
  return {
    visits: ok.length,
    failed: run.failures.length,
    failures: [...new Set(run.failures)].slice(0, 5),
    seconds,
    visitsPerSec: ok.length / seconds,
    outcomes,
    bookMs: percentiles(ok.map((v) => v.bookMs)),
    readMs: percentiles(ok.map((v) => v.readMs)),
    signedToAcceptedMs: percentiles(costs.filter((c) => c.acceptedAt !== undefined && c.signedAt !== undefined).map((c) => c.acceptedAt! - c.signedAt!)),
    signedToClosedMs: percentiles(ok.map((v) => v.closedAt - v.signedAt)),
    stagesMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, percentiles(v)])),
    processes,
    perVisit: { events: mean((c) => c.events), historyBytes: mean((c) => c.historyBytes), payloadBytes: mean((c) => c.payloadBytes) },
  };
}

interface Target {
  apiUrl: string;
  apiKey?: string;
  ehrUrl: string;
  client: Client;
  pids: () => Record<string, number | undefined>;
  childEnv: NodeJS.ProcessEnv;
  workers: number;
}

async function driveAndMeasure(t: Target, label: string, visits: number, ratePerSec?: number): Promise<RunFigures> {
  const bar = progressBar(label);
  const sampler = sampleProcesses(t.pids());
  const run = await driveVisits({
    apiUrl: t.apiUrl,
    apiKey: t.apiKey,
    ehrUrl: t.ehrUrl,
    temporal: t.client,
    visits,
    ratePerSec,
    onProgress: (d, n) => bar.update(d, n),
  });
  const processes = sampler.stop();
  bar.done();
  const reading = progressBar(`${label}: reading histories`);
  const costs = await costsOf(
    t.client,
    run.visits.map((v) => visitWorkflowId(v.visitId)),
    (n, total) => reading.update(n, total),
  );
  reading.done();
  return figures(run, costs, processes);
}

async function baseline(t: Target, config: Config, shape: Shape, n: number, stack: Stoppable[]) {
  const taskQueue = `revcycle-bench-baseline`;
  const workers = [];
  for (let i = 0; i < t.workers; i++) {
    const w = await supervise({
      name: 'baseline worker',
      script: 'bench/baseline-worker.ts',
      env: { ...t.childEnv, TEMPORAL_TASK_QUEUE: taskQueue },
      ready: /revcycle worker polling/,
      out: () => {},
    });
    stack.push(w);
    workers.push(w);
  }
  const bar = progressBar(`baseline (${n} no-op workflows)`);
  const sampler = sampleProcesses(Object.fromEntries(workers.map((w, i) => [`baseline worker ${i + 1}`, w.pid()])));
  const run = Date.now().toString(36);
  let done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const handle = await t.client.workflow.start(baselineWorkflow, { taskQueue, workflowId: `bench-baseline-${run}-${i}`, args: [shape] });
      for (let s = 0; s < shape.signals; s++) await handle.signal(baselineSignal, s);
      await handle.result();
      bar.update(++done, n);
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const processes = sampler.stop();
  bar.done();
  for (const w of workers) await w.stop();
  void config;
  return { workflows: n, seconds, perSec: n / seconds, processes };
}

async function benchServer(server: string, config: Config, t: Target, stack: Stoppable[]): Promise<ServerResult> {
  // Warm-up: compiles, caches, connections; and a real paid visit whose history gives the baseline its shape.
  const warm = await driveAndMeasure(t, `${server}: warm-up`, WARMUP);
  if (!warm.visits) throw new Error(`no warm-up visit closed: ${warm.failures.join('; ')}`);
  const warmRun = await driveVisits({ apiUrl: t.apiUrl, apiKey: t.apiKey, ehrUrl: t.ehrUrl, temporal: t.client, visits: 1 });
  const paid = warmRun.visits.find((v) => v.outcome === 'paid');
  if (!paid) throw new Error(`the shape visit did not close paid: ${warmRun.failures.join('; ')}`);
  const [cost] = await costsOf(t.client, [visitWorkflowId(paid.visitId)]);
  const shape = cost.shape;
  log(
    `${server}: a paid visit is ${cost.events} history events: ${shape.activities} activities, ${shape.signals} signals, ${shape.timers} timers, ${shape.upserts} search-attribute upserts, ${shape.updates} updates`,
  );

  const fast = await driveAndMeasure(t, `${server}: ${VISITS} visits at once`, VISITS);
  const targetPerSec = RATE ?? Math.max(1, Math.round(fast.visitsPerSec * 0.5 * 10) / 10);
  const atRate = { ...(await driveAndMeasure(t, `${server}: ${VISITS} visits at ${targetPerSec}/s`, VISITS, targetPerSec)), targetPerSec };
  const base = await baseline(t, config, shape, VISITS, stack);
  return { server, workers: t.workers, shape, fast, atRate, baseline: base, ratio: fast.visitsPerSec / base.perSec };
}

/** What is running now, stopped on Ctrl-C too. */
let active: Stoppable[] = [];
const stopActive = async () => {
  for (const s of active.reverse()) await s.stop().catch(() => {});
  active = [];
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopActive().then(() => process.exit(130)));

async function onServer(server: 'dev' | 'postgres' | 'running'): Promise<ServerResult> {
  const stack: Stoppable[] = (active = []);
  try {
    if (server === 'running') {
      const config = loadConfig();
      const connection = await Connection.connect(temporalConnectionOptions(config.temporal, config.temporal.address!));
      stack.push({ stop: () => connection.close() });
      const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterOf(config) });
      const pids = (process.env.BENCH_WORKER_PIDS ?? '').split(',').filter(Boolean).map(Number);
      return await benchServer(
        server,
        config,
        {
          apiUrl: process.env.BENCH_API_URL!,
          apiKey: process.env.BENCH_API_KEY,
          ehrUrl: process.env.BENCH_EHR_URL!,
          client,
          workers: Math.max(1, pids.length),
          pids: () => Object.fromEntries(pids.map((p, i) => [`worker ${i + 1}`, p])),
          childEnv: { TEMPORAL_ADDRESS: config.temporal.address, DATABASE_URL: config.database.url },
        },
        stack,
      );
    }
    const base = loadConfig();
    const dataDir = resolve(base.dataDir, `bench-${server}`);
    rmSync(dataDir, { recursive: true, force: true }); // each run from empty: same history sizes, same database
    removeRelocatedPostgres(join(dataDir, 'pg')); // as root the cluster lives under /var/lib/revcycle: it held the last run's workflows, sealed with its codec key
    const config = loadConfig({ ...benchEnv(dataDir), DATA_DIR: dataDir, TEMPORAL_SERVER: server, ...(WORKERS ? { WORKERS } : {}) });
    log(
      `${server}: starting the stack (${server === 'dev' ? 'Temporal dev server on SQLite' : 'Temporal server on Postgres'}, ${config.workers} worker process${config.workers > 1 ? 'es' : ''})`,
    );
    const rs = await startStack(config, stack, { out: () => {}, say: () => {} });
    const connection = await Connection.connect({ address: rs.temporalAddress });
    stack.push({ stop: () => connection.close() });
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterOf(config) });
    return await benchServer(
      server,
      config,
      {
        apiUrl: rs.apiUrl,
        apiKey: benchApiKey(dataDir),
        ehrUrl: rs.endpoints.ehrUrl,
        client,
        workers: config.workers,
        childEnv: rs.childEnv,
        pids: () => ({
          ...Object.fromEntries(rs.workers.map((w, i) => [rs.workers.length > 1 ? `worker ${i + 1}` : 'worker', w.pid()])),
          api: rs.api.pid(),
          simulators: rs.simulators?.pid(),
        }),
      },
      stack,
    );
  } finally {
    await stopActive();
  }
}

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');
const pct = (p: ReturnType<typeof percentiles>) => `${f(p.p50, 0)} / ${f(p.p95, 0)} / ${f(p.p99, 0)}`;

function report(results: ServerResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(
      '',
      `== ${r.server === 'dev' ? 'Temporal dev server (SQLite)' : r.server === 'postgres' ? 'Temporal server on Postgres' : 'running stack'}, ${r.workers} worker process(es)${r.load ? `; load average ${f(r.load.start, 2)} → ${f(r.load.end, 2)}` : ''}`,
    );
    lines.push(
      `shape of a paid visit: ${r.shape.activities} activities, ${r.shape.signals} signals, ${r.shape.timers} timers, ${r.shape.upserts} upserts, ${r.shape.updates} updates`,
    );
    for (const [name, run] of [
      ['at once', r.fast],
      [`at ${r.atRate.targetPerSec}/s`, r.atRate],
    ] as const) {
      lines.push(
        `-- ${run.visits} visits ${name}: ${f(run.visitsPerSec, 2)} visits/s over ${f(run.seconds)} s (${Object.entries(run.outcomes)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')}${run.failed ? `, ${run.failed} FAILED: ${run.failures.join('; ')}` : ''})`,
      );
      lines.push(`   signed → claim accepted ms p50/p95/p99: ${pct(run.signedToAcceptedMs)}; signed → closed: ${pct(run.signedToClosedMs)}`);
      lines.push(`   API ms p50/p95/p99: POST /visits ${pct(run.bookMs)}; GET /visits/:id ${pct(run.readMs)}`);
      lines.push(
        `   stages ms p50/p95/p99: ${Object.entries(run.stagesMs)
          .map(([k, p]) => `${k} ${pct(p)}`)
          .join('; ')}`,
      );
      lines.push(
        `   processes (CPU as % of one core): ${Object.entries(run.processes)
          .map(([k, p]) => `${k} ${p.cpuPercent}%${Number.isFinite(p.peakRssMb) ? ` ${p.peakRssMb} MB` : ''}`)
          .join('; ')}`,
      );
      lines.push(`   per visit: ${run.perVisit.events} history events, ${run.perVisit.historyBytes} history bytes, ${run.perVisit.payloadBytes} payload bytes`);
    }
    lines.push(
      `-- baseline: ${r.baseline.workflows} no-op workflows of the same shape: ${f(r.baseline.perSec, 2)}/s over ${f(r.baseline.seconds)} s (${Object.entries(
        r.baseline.processes,
      )
        .map(([k, p]) => `${k} ${p.cpuPercent}% CPU`)
        .join('; ')})`,
    );
    lines.push(
      `-- ${r.server}: visits/s ${f(r.fast.visitsPerSec, 2)} ÷ baseline/s ${f(r.baseline.perSec, 2)} = ratio ${f(r.ratio, 2)}; p95 signed → accepted ${f(r.fast.signedToAcceptedMs.p95, 0)} ms (at once), ${f(r.atRate.signedToAcceptedMs.p95, 0)} ms (at ${r.atRate.targetPerSec}/s)`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const running = !!process.env.BENCH_API_URL;
  const results: ServerResult[] = [];
  const out = join(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = join(out, `bench-${stamp}.json`);
  for (const server of running ? (['running'] as const) : SERVERS) {
    const start = loadavg()[0];
    const result = { ...(await onServer(server)), load: { start, end: loadavg()[0] } };
    results.push(result);
    // Each server's figures as soon as it is done: a failure on the next server does not lose them.
    console.log(report([result]));
    writeFileSync(json, JSON.stringify({ at: new Date().toISOString(), visits: VISITS, loadAverage: loadavg(), results }, null, 2));
  }
  writeFileSync(join(out, `bench-${stamp}.svg`), chartSvg(results));
  console.log(
    `\nresults: ${json} (and .svg); load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`ratio ${results.map((r) => `${f(r.ratio, 2)}${results.length > 1 ? ` ${r.server}` : ''}`).join(', ')}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
