/**
 * `npm run demo:seed`: drives a few hundred visits through the running stack (`npm start`:
 * the API and the simulators), across every path the simulators offer, so the dashboard
 * has something to show. Dates of service are spread over the last five months; a few
 * visits are left waiting in each work queue, and some are corrected by "a person".
 *
 *   DEMO_VISITS=300 npm run demo:seed
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config';
import { progressBar } from './progress';

const config = loadConfig();
const api = config.api.publicUrl ?? `http://127.0.0.1:${config.api.port}`;
const ehr = config.ehr.fhirUrl ? new URL(config.ehr.fhirUrl).origin : `http://127.0.0.1:${config.simulators.ehrPort}`;
const count = Number(process.env.DEMO_VISITS ?? 300);

const PAYERS = [
  { payerId: '87726', payerName: 'UNITEDHEALTHCARE' },
  { payerId: '60054', payerName: 'AETNA' },
  { payerId: '62308', payerName: 'CIGNA' },
  { payerId: '00431', payerName: 'BLUE CROSS' },
  { payerId: '13551', payerName: 'HUMANA' },
];
const PROVIDERS = ['1234567893', '1245319599', '1679576722'];
const CODE_SETS = [
  ['99213'], ['99214', '36415'], ['99203', '81002'], ['99214', '20610'], ['99215', '93000'], ['99212', '87880'],
  ['99396', '90471', '90686'], ['99213', '96372', 'J1100'], ['97110'], ['99204', '85025', '36415'],
];

/** The simulators' paths, by member id prefix (simulators/clearinghouse/payer.ts), with how often each is seeded. */
const PATHS: { name: string; member: string; weight: number; coding?: 'bad'; then?: 'fix' | 'leave' | 'cancel' }[] = [
  { name: 'paid', member: 'W', weight: 60 },
  { name: 'denied then corrected', member: 'DENY', weight: 8 },
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

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
const pickPath = () => {
  const total = PATHS.reduce((t, p) => t + p.weight, 0);
  let r = random() * total;
  return PATHS.find((p) => (r -= p.weight) < 0) ?? PATHS[0];
};
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function until(visitId: string, ok: (s: any) => boolean, tries = 600): Promise<any> {
  for (let i = 0; i < tries; i++) {
    const { status, body } = await call('GET', `${api}/visits/${visitId}`);
    if (status === 200 && ok(body)) return body;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`visit ${visitId} did not get there in time`);
}

async function seedVisit(i: number): Promise<string> {
  const path = pickPath();
  const payer = pick(PAYERS);
  const visitId = `demo-${randomUUID().slice(0, 8)}`;
  const serviceDate = new Date(Date.now() - Math.floor(random() * 150) * 86_400_000).toISOString().slice(0, 10);
  const providerNpi = pick(PROVIDERS);
  const codes = pick(CODE_SETS);
  const visit = {
    visitId,
    patient: {
      patientId: `DEMO${digits(6)}`, firstName: 'DEMO', lastName: `PATIENT${i}`, birthDate: '1975-06-01', sex: pick(['F', 'M']),
      address: { line1: '1 DEMO ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
    },
    coverage: { ...payer, memberId: `${path.member}${digits(8)}`, relationship: 'self' },
    appointment: { serviceDate, providerNpi, placeOfService: '11' },
  };
  const started = await call('POST', `${api}/visits`, visit);
  if (started.status >= 300) throw new Error(`POST /visits: ${started.status} ${JSON.stringify(started.body)}`);

  if (path.member === 'INACT' || path.member === 'UNKNOWN') {
    await until(visitId, (s) => s.stage === 'awaiting_coverage');
    if (path.then !== 'fix') return path.name;
    await call('POST', `${api}/visits/${visitId}/coverage`, { ...payer, memberId: `W${digits(8)}`, relationship: 'self' });
  }
  await until(visitId, (s) => s.stage === 'awaiting_encounter');
  if (path.then === 'cancel') {
    await call('POST', `${api}/visits/${visitId}/cancel`, { reason: 'patient cancelled' });
    return path.name;
  }
  const procedures = codes.map((code) => ({ code, modifiers: code === '20610' ? ['RT'] : [], units: 1, diagnosisPointers: [1] }));
  // A code with no fee schedule entry stops the visit in coding review.
  const charted = path.coding === 'bad' ? [...procedures, { code: '99397', modifiers: [], units: 1, diagnosisPointers: [1] }] : procedures;
  const diagnoses = [{ code: 'M54.50', rank: 1 }, { code: 'E11.9', rank: 2 }];
  const signed = await call('POST', `${ehr}/sim/encounters`, { visitId, renderingNpi: providerNpi, diagnoses, procedures: charted });
  if (signed.status >= 300) throw new Error(`EHR sign: ${signed.status} ${JSON.stringify(signed.body)}`);
  if (path.coding === 'bad') {
    const review = await until(visitId, (s) => s.stage === 'coding_review');
    if (path.then !== 'fix') return path.name;
    await call('POST', `${api}/visits/${visitId}/coding`, {
      encounterId: review.encounterId, serviceDate, renderingNpi: providerNpi,
      diagnoses: [{ code: 'M5450', rank: 1 }, { code: 'E119', rank: 2 }], procedures,
    });
  }
  if (path.member === 'REJ') {
    await until(visitId, (s) => s.stage === 'claim_rejected');
    if (path.then === 'fix') await call('POST', `${api}/visits/${visitId}/coverage`, { ...payer, memberId: `W${digits(8)}`, relationship: 'self' });
  }
  return path.name;
}

async function main(): Promise<void> {
  const health = await call('GET', `${api}/health`).catch(() => ({ status: 0, body: undefined }));
  if (health.status !== 200) throw new Error(`the API at ${api} is not up (GET /health: ${health.status || 'no answer'}): run npm start first`);
  const bar = progressBar(`seeding ${count} visits`);
  const paths = new Map<string, number>();
  let done = 0;
  let failed = 0;
  const queue = Array.from({ length: count }, (_, i) => i);
  await Promise.all(Array.from({ length: 12 }, async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      try {
        const name = await seedVisit(i);
        paths.set(name, (paths.get(name) ?? 0) + 1);
      } catch (err) {
        failed++;
        process.stderr.write(`\nvisit ${i}: ${(err as Error).message}\n`);
      }
      bar.update(++done, count);
    }
  }));
  bar.done();
  for (const [name, n] of [...paths].sort((a, b) => b[1] - a[1])) console.log(`${String(n).padStart(5)}  ${name}`);
  console.log(`dashboard: ${api}/dashboard   work queues: ${api}/work-queues${failed ? `   (${failed} failed)` : ''}`);
}

main().catch((err) => {
  console.error(`demo:seed: ${(err as Error).message}`);
  process.exit(1);
});
