/**
 * Drives visits through a running stack (`npm start`) the way the outside world does:
 * the API (with an API key: REVCYCLE_API_KEY, else the dev admin key npm start wrote in
 * DATA_DIR/dev-admin-key), the EHR simulator signing encounters, and "a person" answering
 * what a visit waits for. Shared by `npm run demo:seed` and `npm run cycle:check`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { progressBar } from '../app/progress';

export interface Api {
  url: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export function apiClient(config: Config): Api {
  const url = config.api.publicUrl ?? `http://127.0.0.1:${config.api.port}`;
  const keyFile = join(resolve(config.dataDir), 'dev-admin-key');
  const key = process.env.REVCYCLE_API_KEY ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined);
  if (!key) throw new Error(`no API key: set REVCYCLE_API_KEY, or start the stack with npm start (it writes ${keyFile})`);
  return {
    url,
    async call(method, path, body) {
      let res: Response;
      // The API limits requests per key; a driver of hundreds of visits waits as Retry-After says, as any client should.
      for (;;) {
        res = await fetch(`${url}${path}`, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (res.status !== 429) break;
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 1000 * Math.min(60, Math.max(1, Number(res.headers.get('retry-after')) || 1))));
      }
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed };
    },
  };
}

export const PAYERS = [
  { payerId: '87726', payerName: 'UNITEDHEALTHCARE' },
  { payerId: '60054', payerName: 'AETNA' },
  { payerId: '62308', payerName: 'CIGNA' },
  { payerId: '00431', payerName: 'BLUE CROSS' },
  { payerId: '13551', payerName: 'HUMANA' },
];
const PROVIDERS = ['1234567893', '1245319599', '1679576722'];
const CODE_SETS = [
  ['99213'],
  ['99214', '36415'],
  ['99203', '81002'],
  ['99214', '20610'],
  ['99215', '93000'],
  ['99212', '87880'],
  ['99396', '90471', '90686'],
  ['99213', '96372', 'J1100'],
  ['97110'],
  ['99204', '85025', '36415'],
];

export interface VisitPath {
  name: string;
  /** The member id prefix the simulated payer keys its answer on (simulators/clearinghouse/payer.ts). */
  member: string;
  weight: number;
  coding?: 'bad';
  then?: 'fix' | 'leave' | 'cancel';
  /** Send a secondary coverage of the same shape as the primary, when the API takes one. */
  secondary?: boolean;
}

/** Every path the simulators offer, by member id prefix (docs/x12.md), with how often demo:seed picks it. */
export const PATHS: readonly VisitPath[] = [
  { name: 'paid', member: 'W', weight: 50 },
  { name: 'paid, secondary billed', member: 'W', weight: 3, secondary: true },
  { name: 'denied then corrected', member: 'DENY', weight: 8 },
  { name: 'denied CO-16', member: 'DENY-CO-16-1', weight: 2 },
  { name: 'denied CO-50', member: 'DENY-CO-50-1', weight: 2 },
  { name: 'denied CO-22, secondary', member: 'DENY-CO-22-1', weight: 2, secondary: true },
  { name: 'denied CO-29', member: 'DENY-CO-29-1', weight: 2 },
  { name: 'denied CO-18', member: 'DENY-CO-18-1', weight: 2 },
  { name: 'short paid', member: 'SHORT', weight: 2 },
  { name: 'pended', member: 'PEND', weight: 2 },
  { name: 'late 835', member: 'LATE', weight: 2 },
  { name: 'reversed', member: 'REVERSE', weight: 2 },
  { name: 'no authorization', member: 'NOAUTH', weight: 5 },
  { name: 'medical necessity', member: 'NMN', weight: 4 },
  { name: 'rejected, coverage fixed', member: 'REJ', weight: 4, then: 'fix' },
  { name: 'rejected, waiting', member: 'REJ', weight: 3, then: 'leave' },
  { name: 'inactive, coverage fixed', member: 'INACT', weight: 3, then: 'fix' },
  { name: 'inactive, waiting', member: 'INACT', weight: 2, then: 'leave' },
  { name: 'unknown member', member: 'UNKNOWN', weight: 1, then: 'leave' },
  { name: 'coding review, corrected', member: 'W', weight: 4, coding: 'bad', then: 'fix' },
  { name: 'coding review, waiting', member: 'W', weight: 3, coding: 'bad', then: 'leave' },
  { name: 'cancelled', member: 'W', weight: 2, then: 'cancel' },
];

/** A seeded generator, so a run can be repeated. */
export function random(seed = 42) {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return {
    next,
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
    digits: (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join(''),
    weighted: (paths: readonly VisitPath[]) => {
      let r = next() * paths.reduce((t, p) => t + p.weight, 0);
      return paths.find((p) => (r -= p.weight) < 0) ?? paths[0];
    },
  };
}
export type Random = ReturnType<typeof random>;

export interface Driver {
  api: Api;
  ehrUrl: string;
  /** Whether POST /visits takes `secondaryCoverage` (read from the OpenAPI document). */
  secondaryCoverage: boolean;
}

export async function connect(config: Config): Promise<Driver> {
  const api = apiClient(config);
  const health = await api.call('GET', '/health').catch(() => ({ status: 0, body: undefined }));
  if (health.status !== 200) throw new Error(`the API at ${api.url} is not up (GET /health: ${health.status || 'no answer'}): run npm start first`);
  const doc = await api.call('GET', '/openapi.json');
  const ehrUrl = config.ehr.fhirUrl ? new URL(config.ehr.fhirUrl).origin : `http://127.0.0.1:${config.simulators.ehrPort}`;
  return { api, ehrUrl, secondaryCoverage: JSON.stringify(doc.body ?? '').includes('"secondaryCoverage"') };
}

/**
 * Polls until the visit is where `ok` says, or has stopped elsewhere for good: closed, or
 * waiting for a person other than the one the path expected (then `ok` on the answer is false).
 */
async function until(api: Api, visitId: string, ok: (s: any) => boolean, tries = 600): Promise<any> {
  const stoppedElsewhere = (s: any) => s.stage === 'closed' || s.stage === 'needs_attention' || s.stage === 'coding_review';
  for (let i = 0; i < tries; i++) {
    const { status, body } = await api.call('GET', `/visits/${visitId}`);
    if (status === 200 && (ok(body) || stoppedElsewhere(body))) return body;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`visit ${visitId} did not get there in time`);
}

const must = (what: string, r: { status: number; body: unknown }) => {
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
};

/** One visit along `path`, up to where the path hands it to the payer (or leaves it waiting); its id. */
export async function driveVisit(d: Driver, i: number, path: VisitPath, rnd: Random, prefix = 'demo'): Promise<string> {
  const { api } = d;
  const payer = rnd.pick(PAYERS);
  const visitId = `${prefix}-${randomUUID().slice(0, 8)}`;
  const serviceDate = new Date(Date.now() - Math.floor(rnd.next() * 150) * 86_400_000).toISOString().slice(0, 10);
  const providerNpi = rnd.pick(PROVIDERS);
  const codes = rnd.pick(CODE_SETS);
  const coverage = { ...payer, memberId: `${path.member}${rnd.digits(8)}`.slice(0, 30), relationship: 'self' };
  const visit = {
    visitId,
    patient: {
      patientId: `DEMO${rnd.digits(6)}`,
      firstName: 'DEMO',
      lastName: `PATIENT${i}`,
      birthDate: '1975-06-01',
      sex: rnd.pick(['F', 'M']),
      address: { line1: '1 DEMO ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
    },
    coverage,
    ...(path.secondary && d.secondaryCoverage
      ? { secondaryCoverage: { ...PAYERS[(PAYERS.indexOf(payer) + 1) % PAYERS.length], memberId: `W${rnd.digits(8)}`, relationship: 'self' } }
      : {}),
    appointment: { serviceDate, providerNpi, placeOfService: '11' },
  };
  must('POST /visits', await api.call('POST', '/visits', visit));
  const fixedCoverage = () => ({ ...payer, memberId: `W${rnd.digits(8)}`, relationship: 'self' });

  const at = (stage: string) => (s: any) => s.stage === stage;
  if (path.member === 'INACT' || path.member === 'UNKNOWN') {
    if (!at('awaiting_coverage')(await until(api, visitId, at('awaiting_coverage'))) || path.then !== 'fix') return visitId;
    must('POST coverage', await api.call('POST', `/visits/${visitId}/coverage`, fixedCoverage()));
  }
  if (!at('awaiting_encounter')(await until(api, visitId, at('awaiting_encounter')))) return visitId;
  if (path.then === 'cancel') {
    must('POST cancel', await api.call('POST', `/visits/${visitId}/cancel`, { reason: 'patient cancelled' }));
    return visitId;
  }
  // 25 on the E/M: it is separate from the injection the same day (NCCI), as a coder would mark it.
  const separate = codes.some((c) => c === '20610' || c === '96372');
  const procedures = codes.map((code) => ({
    code,
    modifiers: code === '20610' ? ['RT'] : separate && /^992/.test(code) ? ['25'] : [],
    units: 1,
    diagnosisPointers: [1],
  }));
  // A code with no fee schedule entry stops the visit in coding review.
  const charted = path.coding === 'bad' ? [...procedures, { code: '99397', modifiers: [], units: 1, diagnosisPointers: [1] }] : procedures;
  const diagnoses = [
    { code: 'M54.50', rank: 1 },
    { code: 'E11.9', rank: 2 },
  ];
  const signed = await fetch(`${d.ehrUrl}/sim/encounters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ visitId, renderingNpi: providerNpi, diagnoses, procedures: charted }),
  });
  if (signed.status >= 300) throw new Error(`EHR sign: ${signed.status} ${await signed.text()}`);
  if (path.coding === 'bad') {
    const review = await until(api, visitId, at('coding_review'));
    if (!at('coding_review')(review) || path.then !== 'fix') return visitId;
    must(
      'POST coding',
      await api.call('POST', `/visits/${visitId}/coding`, {
        encounterId: review.encounterId,
        serviceDate,
        renderingNpi: providerNpi,
        diagnoses: [
          { code: 'M5450', rank: 1 },
          { code: 'E119', rank: 2 },
        ],
        procedures,
      }),
    );
  }
  if (path.member === 'REJ') {
    if (!at('claim_rejected')(await until(api, visitId, at('claim_rejected')))) return visitId;
    if (path.then === 'fix') must('POST coverage', await api.call('POST', `/visits/${visitId}/coverage`, fixedCoverage()));
  }
  return visitId;
}

export interface Driven {
  visitId: string;
  path: VisitPath;
}

/** `count` visits, `concurrency` at a time, with a progress bar; the paths come from `choose(i)`. */
export async function driveVisits(
  d: Driver,
  count: number,
  choose: (i: number, rnd: Random) => VisitPath,
  opts: { prefix?: string; concurrency?: number; seed?: number } = {},
) {
  const rnd = random(opts.seed);
  const bar = progressBar(`driving ${count} visits`);
  const driven: Driven[] = [];
  const failed: { path: VisitPath; error: string }[] = [];
  let done = 0;
  const queue = Array.from({ length: count }, (_, i) => i);
  await Promise.all(
    Array.from({ length: opts.concurrency ?? 12 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const path = choose(i, rnd);
        try {
          driven.push({ visitId: await driveVisit(d, i, path, rnd, opts.prefix), path });
        } catch (err) {
          failed.push({ path, error: (err as Error).message });
          process.stderr.write(`\nvisit ${i} (${path.name}): ${(err as Error).message}\n`);
        }
        bar.update(++done, count);
      }
    }),
  );
  bar.done();
  return { driven, failed };
}
