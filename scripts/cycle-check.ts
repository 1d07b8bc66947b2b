/**
 * `npm run cycle:check`: the end-to-end invariants over a running stack (`npm start`).
 * Drives CYCLE_VISITS (default 200) visits round-robin across every path the simulators
 * offer (scripts/visit-driver.ts, the same driver as demo:seed), waits for them to settle,
 * then checks and prints:
 *  1. every visit is closed, or parked in a named work queue (from AwaitingAction) with its
 *     SLA deadline; no visit workflow failed, was terminated or timed out;
 *  2. every dollar the payers paid is posted: per payer claim number, CLP04 in the
 *     clearinghouse simulator's ledger = the paid cents of its latest posting in Postgres;
 *  3. every visit's money adds up: billed = paid + adjustments + patient paid + written off
 *     + open balance (the visit summary at close, the running balance before).
 * Exits non-zero when an invariant fails. Pended claims are released by claim status inquiries
 * (276), one per ADJUDICATION_TIMEOUT_MS (45 days by default): start the stack with a short one
 * (e.g. `ADJUDICATION_TIMEOUT_MS=5000 npm start`) for them to settle within CYCLE_SETTLE_SECONDS.
 */
import { Connection, Client } from '@temporalio/client';
import { loadConfig } from '../config';
import { queueOf } from '../domain/reporting/work-queues';
import { openCliDatabase } from '../cli/database';
import { dataConverterOf } from '../app/services';
import { temporalConnectionOptions } from '../temporal/connection';
import { connect, driveVisits, PATHS, type Driven } from './visit-driver';
import { progressBar } from '../app/progress';
import { visitWorkflowId } from '../workflows/definitions';

const config = loadConfig();
const COUNT = Number(process.env.CYCLE_VISITS ?? 200);
const SETTLE_MS = Number(process.env.CYCLE_SETTLE_SECONDS ?? 300) * 1000;

interface Settled {
  visit: Driven;
  status: any;
  settled: boolean;
}

/** Closed, or waiting for a person in a named queue. */
const isSettled = (s: any) => s?.stage === 'closed' || !!s?.outcome || !!queueOf(s?.awaitingAction);

/** billed = paid + adjustments + patient paid + written off + open, from the summary at close or the running balance. */
export function moneyAddsUp(s: any): { ok: boolean; detail: string } {
  const m = s.summary;
  if (m) {
    const adjusted = m.adjustmentsCents.CO + m.adjustmentsCents.OA + m.adjustmentsCents.PI + m.adjustmentsCents.CR;
    const explained = m.insurancePaidCents + adjusted + m.patientPaidCents + m.writtenOffCents + m.patientOpenCents + m.insuranceOpenCents;
    return { ok: m.balanced && explained === m.billedCents, detail: `summary: billed ${m.billedCents}, explained ${explained}, balanced ${m.balanced}` };
  }
  const b = s.balance;
  // A denial awaiting a person's decision is still open in full: its adjustments are not accepted yet.
  const denied = s.claim?.status === 'denied';
  const explained = b.paidCents + (denied ? 0 : b.adjustedCents + b.patientResponsibilityCents) + b.insuranceBalanceCents;
  return { ok: explained === b.billedCents && b.insuranceBalanceCents >= 0, detail: `balance: billed ${b.billedCents}, explained ${explained}` };
}

async function main(): Promise<void> {
  const driver = await connect(config);
  const { driven, failed } = await driveVisits(driver, COUNT, (i) => PATHS[i % PATHS.length], { prefix: 'cycle', seed: Date.now() % 2 ** 31 });

  // Wait for every visit to close or park, up to CYCLE_SETTLE_SECONDS.
  const bar = progressBar(`waiting for ${driven.length} visits to settle`);
  const states = new Map<string, Settled>(driven.map((v) => [v.visitId, { visit: v, status: undefined, settled: false }]));
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    for (const st of states.values()) {
      if (st.settled) continue;
      const r = await driver.api.call('GET', `/visits/${st.visit.visitId}`);
      if (r.status === 200) st.status = r.body;
      st.settled = r.status === 200 && isSettled(r.body);
    }
    const done = [...states.values()].filter((s) => s.settled).length;
    bar.update(done, states.size);
    if (done === states.size || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  bar.done();

  // Temporal: no visit workflow failed.
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal, config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`));
  const temporal = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterOf(config) });
  const workflowStatus = new Map<string, string>();
  for (const visitId of states.keys()) workflowStatus.set(visitId, (await temporal.workflow.getHandle(visitWorkflowId(visitId)).describe()).status.name);
  await connection.close();

  // Postgres and the payers' ledger.
  const db = await openCliDatabase(config, (line) => process.stderr.write(line), 2);
  const ids = [...states.keys()];
  const claims: { visit_id: string; patient_control_number: string; payer_claim_number: string | null }[] = await db('claims')
    .whereIn('visit_id', ids)
    .select('visit_id', 'patient_control_number', 'payer_claim_number');
  const postings: { payer_claim_number: string | null; patient_control_number: string; paid_cents: string; id: number }[] = await db('payments as p')
    .join('claims as c', 'c.id', 'p.claim_id')
    .whereIn('c.visit_id', ids)
    .select(db.raw('coalesce(p.payer_claim_number, c.payer_claim_number) as payer_claim_number'), 'c.patient_control_number', 'p.paid_cents', 'p.id')
    .orderBy('p.id');
  const queued = await db('posting_queue')
    .whereIn(
      'patient_control_number',
      claims.map((c) => c.patient_control_number),
    )
    .where('status', 'open');
  await db.destroy();
  const clearinghouse = `http://127.0.0.1:${config.simulators.clearinghousePort}`;
  const ledger: { patientControlNumber: string; payerClaimNumber?: string; paidCents: number; statusCode: string }[] = config.clearinghouse.url
    ? []
    : ((await (await fetch(`${clearinghouse}/sim/remittances`)).json()) as never);
  const ours = new Set(claims.map((c) => c.patient_control_number));
  const paidByPayer = new Map<string, number>();
  for (const clp of ledger) if (ours.has(clp.patientControlNumber)) paidByPayer.set(clp.payerClaimNumber ?? clp.patientControlNumber, clp.paidCents);
  const latestPosted = new Map<string, number>();
  for (const p of postings) latestPosted.set(p.payer_claim_number ?? p.patient_control_number, Number(p.paid_cents));
  const unposted = [...paidByPayer].filter(([k, cents]) => latestPosted.get(k) !== cents);
  const ledgerCents = [...paidByPayer.values()].reduce((a, b) => a + b, 0);
  const postedCents = [...latestPosted].filter(([k]) => paidByPayer.has(k)).reduce((a, [, b]) => a + b, 0);

  // The table.
  const rows = new Map<string, { visits: number; closed: number; parked: Map<string, number>; unsettled: number; failed: number; money: number }>();
  const problems: string[] = [];
  for (const [visitId, st] of states) {
    const row = rows.get(st.visit.path.name) ?? { visits: 0, closed: 0, parked: new Map(), unsettled: 0, failed: 0, money: 0 };
    rows.set(st.visit.path.name, row);
    row.visits++;
    const s = st.status;
    const wf = workflowStatus.get(visitId) ?? 'UNKNOWN';
    if (!['RUNNING', 'COMPLETED'].includes(wf)) {
      row.failed++;
      problems.push(`${visitId} (${st.visit.path.name}): workflow ${wf}`);
    }
    if (s?.stage === 'closed' || s?.outcome) row.closed++;
    else if (queueOf(s?.awaitingAction)) {
      const q = queueOf(s.awaitingAction)!;
      row.parked.set(`${q.id} (SLA ${q.slaHours} h)`, (row.parked.get(`${q.id} (SLA ${q.slaHours} h)`) ?? 0) + 1);
    } else {
      row.unsettled++;
      problems.push(`${visitId} (${st.visit.path.name}): neither closed nor in a queue (stage ${s?.stage}, awaiting ${s?.awaitingAction})`);
    }
    if (s) {
      const money = moneyAddsUp(s);
      if (!money.ok) {
        row.money++;
        problems.push(`${visitId} (${st.visit.path.name}): money does not add up (${money.detail})`);
      }
    }
  }
  for (const [k, cents] of unposted) problems.push(`payer claim ${k}: the payer paid ${cents} cents, Postgres posted ${latestPosted.get(k) ?? 'nothing'}`);

  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  console.log(`\n${pad('path', 26)}${pad('visits', 8)}${pad('closed', 8)}${pad('in flight', 10)}${pad('failed', 8)}${pad('$ off', 7)}parked in`);
  for (const [name, r] of [...rows].sort()) {
    console.log(
      `${pad(name, 26)}${pad(r.visits, 8)}${pad(r.closed, 8)}${pad(r.unsettled, 10)}${pad(r.failed, 8)}${pad(r.money, 7)}${[...r.parked].map(([q, n]) => `${q}: ${n}`).join(', ')}`,
    );
  }
  const check = (name: string, ok: boolean, detail: string) => {
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
    return ok;
  };
  console.log('');
  const results = [
    check('every visit driven', failed.length === 0, `${driven.length} of ${COUNT}${failed.length ? ` (${failed.length} could not be driven)` : ''}`),
    check(
      'closed or parked in a named queue',
      [...rows.values()].every((r) => r.unsettled === 0),
      `${[...rows.values()].reduce((t, r) => t + r.closed, 0)} closed, ${[...rows.values()].reduce((t, r) => t + [...r.parked.values()].reduce((a, b) => a + b, 0), 0)} parked`,
    ),
    check(
      'no workflow failed',
      [...rows.values()].every((r) => r.failed === 0),
      [...new Set(workflowStatus.values())].join(', '),
    ),
    check(
      'every 835 dollar posted',
      unposted.length === 0,
      `ledger CLP04 ${ledgerCents} cents over ${paidByPayer.size} payer claims; posted ${postedCents}; ${queued.length} in the posting queue`,
    ),
    check(
      'billed = paid + adjustments + patient paid + written off + open',
      [...rows.values()].every((r) => r.money === 0),
      `${states.size} visits`,
    ),
  ];
  for (const p of problems.slice(0, 40)) console.log(`  - ${p}`);
  if (results.some((ok) => !ok)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`cycle:check: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
