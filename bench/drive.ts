/**
 * Drives visits through a running revcycle as the outside world does: the PMS books
 * (POST /visits), the clinician signs the encounter in the EHR (the EHR simulator's
 * /sim/encounters, whose webhook tells revcycle), the clearinghouse answers the claim
 * on its own. Reusable by any benchmark or chaos run: give it the API and EHR URLs and
 * a Temporal client, and it returns per-visit timings. No Temporal query is used while
 * driving (queries run on the worker and would load what is being measured).
 */
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartVisit } from '../domain/visit';
import { ensureDevSecrets } from '../app/dev-secrets';
import { sampleVisit, signedEncounter } from '../test/fixtures';
import { visitWorkflowId, type VisitStatus } from '../workflows/definitions';

export interface DriveOptions {
  apiUrl: string;
  ehrUrl: string;
  temporal: Client;
  visits: number;
  /** Visits booked per second (open loop); undefined books them all at once ("as fast as it goes"). */
  ratePerSec?: number;
  /** Member id prefix decides the payer's answer in the clearinghouse simulator; W… is paid. */
  memberId?: (n: number) => string;
  onProgress?: (closed: number, total: number) => void;
  /** The API key sent as a Bearer token (the API refuses requests without one). */
  apiKey?: string;
}

/** The stack the bench starts (development config) writes an admin key there; BENCH_API_KEY names one for a running API. */
export function benchApiKey(dataDir: string): string | undefined {
  const file = join(dataDir, 'dev-admin-key');
  return process.env.BENCH_API_KEY ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
}

/** The bench drives hundreds of requests a second from one key: its own stack lifts the per-key rate limit (set in process.env: the API runs in a child process that reads it). */
export const BENCH_RATE_LIMITS = { RATE_LIMIT_PER_MINUTE: '100000000', RATE_LIMIT_BURST: '1000000' };

/**
 * The bench times visits from booking to close: its own stack runs without the patient's
 * statement cycle (months of statements after the 835), so a paid visit closes at the 835 as
 * the baseline expects. A running stack benched with BENCH_API_URL needs the same setting.
 */
export const BENCH_PATIENT_CYCLE = { PATIENT_STATEMENT_DAYS: 'none' };
/** The secrets the last benchEnv pointed process.env at, forgotten before the next stack's. */
let benchSecrets: string[] = [];

/**
 * process.env for a bench's own stack under `dataDir`, as `npm start` makes it: the dev
 * secrets (PHI codec keys, webhook secrets) generated under dataDir, the per-key rate
 * limit lifted, and no patient statement cycle. In process.env because the API, worker and simulator children read their
 * own config from what they inherit. Without the webhook secrets the API refused every
 * "encounter signed" webhook (401) and each visit waited for the EHR sweep instead.
 */
export function benchEnv(dataDir: string): NodeJS.ProcessEnv {
  for (const name of benchSecrets) delete process.env[`${name}_FILE`];
  Object.assign(process.env, BENCH_RATE_LIMITS, BENCH_PATIENT_CYCLE);
  benchSecrets = ensureDevSecrets(dataDir);
  return process.env;
}

export const authorization = (apiKey?: string): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {});

export interface VisitTiming {
  visitId: string;
  bookedAt: number;
  /** POST /visits round trip. */
  bookMs: number;
  signedAt: number;
  closedAt: number;
  outcome?: string;
  /** Final GET /visits/:id round trip. */
  readMs: number;
}

export interface DriveResult {
  startedAt: number;
  finishedAt: number;
  visits: VisitTiming[];
  failures: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A bench visit: the test fixture's visit; the member id decides the payer's answer in the clearinghouse simulator. */
export const benchVisit = (visitId: string, memberId: string): StartVisit => sampleVisit(visitId, memberId);

async function postJson(url: string, body: unknown, apiKey?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...authorization(apiKey) }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

/** The clinician signs once the EHR holds the visit's appointment (revcycle prepopulates it); until then the EHR answers 404. */
async function sign(ehrUrl: string, visitId: string): Promise<void> {
  for (let pause = 100; ; pause = Math.min(pause * 1.5, 1000)) {
    const res = await postJson(`${ehrUrl}/sim/encounters`, signedEncounter(visitId));
    if (res.status === 201) return;
    if (res.status !== 404) throw new Error(`EHR refused the signature for ${visitId}: ${res.status} ${res.text.slice(0, 200)}`);
    await sleep(pause);
  }
}

export async function driveOne(opts: DriveOptions, visitId: string, memberId: string): Promise<VisitTiming> {
  const bookedAt = Date.now();
  const booked = await postJson(`${opts.apiUrl}/visits`, benchVisit(visitId, memberId), opts.apiKey);
  if (booked.status !== 201) throw new Error(`POST /visits ${visitId}: ${booked.status} ${booked.text.slice(0, 200)}`);
  const bookMs = Date.now() - bookedAt;
  await sign(opts.ehrUrl, visitId);
  const signedAt = Date.now();
  const result = (await opts.temporal.workflow.getHandle(visitWorkflowId(visitId)).result()) as VisitStatus;
  const closedAt = Date.now();
  const readAt = Date.now();
  const read = await fetch(`${opts.apiUrl}/visits/${visitId}`, { headers: authorization(opts.apiKey) });
  const body = await read.text();
  if (read.status !== 200) throw new Error(`GET /visits/:id answered ${read.status} after the workflow closed: ${body.slice(0, 200)}`);
  const status = JSON.parse(body) as VisitStatus;
  if (status.stage !== 'closed') throw new Error(`GET /visits/:id says ${status.stage} after the workflow closed`);
  return { visitId, bookedAt, bookMs, signedAt, closedAt, outcome: result.outcome, readMs: Date.now() - readAt };
}

export async function driveVisits(opts: DriveOptions): Promise<DriveResult> {
  const run = randomUUID().slice(0, 6);
  const memberId = opts.memberId ?? ((n) => `W${String(100000000 + n).slice(-9)}`);
  const visits: VisitTiming[] = [];
  const failures: string[] = [];
  let closed = 0;
  const startedAt = Date.now();
  const work: Promise<void>[] = [];
  for (let n = 0; n < opts.visits; n++) {
    if (opts.ratePerSec) {
      const due = startedAt + (n * 1000) / opts.ratePerSec;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    work.push(
      driveOne(opts, `bench-${run}-${n}`, memberId(n))
        .then((t) => void visits.push(t))
        .catch((err: Error) => void failures.push(err.message))
        .finally(() => opts.onProgress?.(++closed, opts.visits)),
    );
  }
  await Promise.all(work);
  return { startedAt, finishedAt: Date.now(), visits, failures };
}
