/**
 * `npm run bench:api [-- --rate 500] [-- --seconds 15] [-- --connections 250] [-- --server dev|postgres] [-- --visits 100]`:
 * the API under load with autocannon. Starts the stack as `npm start` does (fresh data under
 * DATA_DIR/bench-api), books --visits visits, then holds a fixed request rate against
 * GET /visits/:id, round-robin over those visits (a Temporal query answered by the worker;
 * reads of one visit that arrive together share one query, so fewer visits means more
 * sharing: --visits is the number of visits being watched at once) and POST /visits (a new
 * visit id every call, so every request starts a workflow), and reports latency
 * percentiles, the rate achieved and every status code seen. With BENCH_API_URL it loads
 * that running API instead.
 *
 * autocannon holds one request in flight per connection, so a connection sends at most
 * 1/latency requests a second: 50 connections could not offer 500/s once a request took
 * over 100 ms, and the achieved rate then measured the client. --connections (default
 * 250: 500/s up to 500 ms a request) keeps the offered rate the one asked for; when the
 * achieved rate falls short, the report gives what the connections could offer at the
 * latency seen (more connections raise it only if the API is not the limit). Its own
 * stack lifts the per-key rate limit (benchEnv); a 429 seen anyway fails the run, since
 * the figures would then be the limiter's, not the API's.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config';
import type { Stoppable } from '../app/main';
import { removeRelocatedPostgres } from '../app/postgres';
import { startStack } from '../app/stack';
import { authorization, benchApiKey, benchEnv, benchVisit } from './drive';
import { progressBar, sampleProcesses } from './measure';

// autocannon ships no types; this is the part of its result used here.
interface CannonResult {
  latency: { p50: number; p90: number; p97_5: number; p99: number; max: number; average: number };
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: object) => Promise<CannonResult> & { on(event: string, fn: () => void): void };

const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  return i < 0 ? undefined : argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
};
const RATE = Number(arg('rate') ?? 500);
const SECONDS = Number(arg('seconds') ?? 15);
const SERVER = arg('server') ?? 'dev';
const CONNECTIONS = Number(arg('connections') ?? 250);
const VISITS = Number(arg('visits') ?? 100);

type Processes = ReturnType<ReturnType<typeof sampleProcesses>['stop']>;

/** The stack's own processes (api, workers, simulators), when the bench started it. */
let stackPids: () => Record<string, number | undefined> = () => ({});

async function load(name: string, opts: object): Promise<CannonResult & { processes: Processes }> {
  const bar = progressBar(`${name} at ${RATE}/s`);
  const started = Date.now();
  const sampler = sampleProcesses(stackPids());
  const tick = setInterval(() => bar.update(Math.min(SECONDS, Math.round((Date.now() - started) / 1000)), SECONDS), 500);
  try {
    const result = await autocannon({ connections: CONNECTIONS, overallRate: RATE, duration: SECONDS, timeout: 10, ...opts });
    return { ...result, processes: sampler.stop() };
  } finally {
    clearInterval(tick);
    bar.update(SECONDS, SECONDS);
    bar.done();
  }
}

/** The error lines the stack's children log (JSON with level "error"), counted by message and error: what a 500 or a timeout was. */
const childErrors = {
  counts: new Map<string, number>(),
  see(line: string) {
    if (!line.includes('"level":"error"')) return;
    let key = line.slice(0, 160);
    try {
      const e = JSON.parse(line) as { msg?: string; error?: string };
      key = `${e.msg ?? ''}${e.error ? `: ${e.error.slice(0, 160)}` : ''}`;
    } catch {
      // not JSON: counted by its first characters
    }
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  },
  report(): string[] {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([k, n]) => `  ${n} × ${k}`);
  },
};

async function main() {
  const stack: Stoppable[] = [];
  try {
    let apiUrl = process.env.BENCH_API_URL;
    let apiKey = process.env.BENCH_API_KEY;
    if (!apiUrl) {
      const dataDir = resolve(loadConfig().dataDir, 'bench-api');
      rmSync(dataDir, { recursive: true, force: true });
      removeRelocatedPostgres(join(dataDir, 'pg'));
      const config = loadConfig({ ...benchEnv(dataDir), DATA_DIR: dataDir, TEMPORAL_SERVER: SERVER });
      process.stderr.write(`starting the stack (${SERVER} Temporal server, ${config.workers} worker process(es))\n`);
      const rs = await startStack(config, stack, { out: (line) => childErrors.see(line), say: () => {} });
      apiUrl = rs.apiUrl;
      stackPids = () => ({
        api: rs.api.pid(),
        ...Object.fromEntries(rs.workers.map((w, i) => [`worker ${i + 1}`, w.pid()])),
        simulators: rs.simulators?.pid(),
      });
      apiKey = benchApiKey(dataDir);
    }
    const auth = authorization(apiKey);
    const run = randomUUID().slice(0, 6);
    const ids = Array.from({ length: VISITS }, (_, i) => `api-${run}-${i}`);
    for (const id of ids) {
      const res = await fetch(`${apiUrl}/visits`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify(benchVisit(id, 'W100200300')),
      });
      if (res.status !== 201) throw new Error(`POST /visits: ${res.status} ${await res.text()}`);
    }
    let n = 0;
    const get = await load('GET /visits/:id', {
      url: apiUrl,
      requests: [{ method: 'GET', headers: auth, setupRequest: (req: object) => ({ ...req, path: `/visits/${ids[n++ % ids.length]}` }) }],
    });
    let m = 0;
    const post = await load('POST /visits (new id each)', {
      url: apiUrl,
      requests: [
        {
          method: 'POST',
          path: '/visits',
          headers: { 'content-type': 'application/json', ...auth },
          setupRequest: (req: object) => ({ ...req, body: JSON.stringify(benchVisit(`api-${run}-new-${m++}`, 'W100200300')) }),
        },
      ],
    });
    const codes = (r: CannonResult) =>
      Object.entries(r.statusCodeStats)
        .map(([code, { count }]) => `${count} × ${code}`)
        .join(', ') || 'none';
    // Little's law: the rate the connections could offer at the mean latency seen.
    const connectionBound = (r: CannonResult) => (CONNECTIONS * 1000) / Math.max(1, r.latency.average);
    const row = (name: string, r: CannonResult & { processes: Processes }) =>
      `${name.padEnd(28)} p50 ${r.latency.p50} ms, p97.5 ${r.latency.p97_5} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms; ` +
      `${r.requests.average.toFixed(0)} req/s achieved of ${RATE} asked over ${CONNECTIONS} connections` +
      `${r.requests.average < RATE * 0.95 ? ` (at ${r.latency.average.toFixed(0)} ms mean latency ${CONNECTIONS} connections offer at most ${connectionBound(r).toFixed(0)}/s)` : ''}; ` +
      `status codes: ${codes(r)}; ${r.errors} errors, ${r.timeouts} timeouts\n` +
      `${''.padEnd(29)}CPU (% of one core): ${Object.entries(r.processes)
        .map(([k, p]) => `${k} ${p.cpuPercent}%`)
        .join(', ')}`;
    const out = join(__dirname, 'results');
    mkdirSync(out, { recursive: true });
    const file = join(out, `api-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify({ rate: RATE, seconds: SECONDS, connections: CONNECTIONS, visits: VISITS, server: SERVER, loadAverage: loadavg(), get, post }, null, 2),
    );
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(`GET round-robin over ${VISITS} visits`);
    console.log(row('GET /visits/:id', get));
    console.log(row('POST /visits', post));
    console.log(`results: ${file}`);
    if (childErrors.counts.size) console.log(['errors the stack logged:', ...childErrors.report()].join('\n'));
    const limited = [get, post].reduce((n, r) => n + (r.statusCodeStats['429']?.count ?? 0), 0);
    if (limited) throw new Error(`${limited} requests were refused with 429: the per-key rate limit capped the bench, so these are not the API's figures`);
    console.log(
      `api p99 at ${RATE}/s asked: GET ${get.latency.p99} ms (${get.requests.average.toFixed(0)}/s achieved), POST ${post.latency.p99} ms (${post.requests.average.toFixed(0)}/s achieved)`,
    );
  } finally {
    for (const s of stack.reverse()) await s.stop().catch(() => {});
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench:api failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
