/**
 * A chaos run: N visits through simulators that fail, drop acknowledgments, duplicate
 * and reorder deliveries, while the worker process is SIGKILLed and restarted every
 * `killEveryMs`, and Postgres and the Temporal dev server are each restarted once
 * mid-run. At the end every visit must be closed, or parked with a reason (its
 * awaitingAction), nothing may exist twice, and Postgres must hold the simulators' totals.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { StartVisit } from '../../domain/visit';
import type { SignEncounterInput } from '../../simulators/ehr';
import type { FaultConfig } from '../../simulators/faults';
import { visitWorkflowId, type VisitStatus, type VisitTimers } from '../../workflows/definitions';
import { AwaitingActionKey, VisitStageKey } from '../../workflows/search-attributes';
import { compareLedgers, type LedgerVerdict } from './ledger';
import { startChaosStack, type ChaosStack } from './stack';

export interface ChaosOptions {
  visits: number;
  /** SIGKILL the worker this often (the issue: 30 s). */
  killEveryMs: number;
  /** Visits in flight at once (posted, not yet closed or parked). */
  concurrency: number;
  faults: Partial<FaultConfig>;
  /** Restart Postgres once this share of the visits has been started, Temporal at the second. */
  restartAt: { postgres: number; temporal: number };
  /** A visit not closed or parked this long after it was started is reported stuck. */
  visitDeadlineMs: number;
  onProgress?: (p: ChaosProgress) => void;
}

export const DEFAULT_FAULTS: Partial<FaultConfig> = { seed: 9, errorRate: 0.2, dropAckRate: 0.1, duplicateRate: 0.1, reorderRate: 0.2 };

export const defaultChaosOptions = (visits = 1000): ChaosOptions => ({
  visits,
  killEveryMs: 30_000,
  concurrency: 40,
  faults: DEFAULT_FAULTS,
  restartAt: { postgres: 0.3, temporal: 0.6 },
  visitDeadlineMs: 15 * 60_000,
});

/**
 * Awaiting actions that need a person (or a long timer): a visit waiting on one of them
 * is parked, with that reason. Other waits (acknowledgment, remittance) are in flight.
 */
export const PARKED = new Set(['acknowledgment_overdue', 'claim_status_inquiry', 'claim_data', 'coding_review', 'coverage', 'corrected_claim']);

export interface ChaosProgress {
  started: number;
  settled: number;
  visits: number;
  kills: number;
  postgresRestarted: boolean;
  temporalRestarted: boolean;
  elapsedMs: number;
}

export interface ChaosResult {
  visits: number;
  wallMs: number;
  /** stage / outcome / awaitingAction → visits. */
  table: { stage: string; outcome: string; awaitingAction: string; visits: number }[];
  closed: number;
  parked: number;
  /** Neither closed nor parked by the deadline, or a workflow that did not end as closed. */
  stuck: string[];
  ledger: LedgerVerdict;
  events: { workerKills: number; workerStarts: number; postgresRestarts: number; temporalRestarts: number };
  faults: Record<'ehr' | 'pms' | 'clearinghouse', { calls: number; error: number; dropAck: number; duplicate: number; reorder: number }>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An answer no retry changes (a 4xx other than 429): the run stops at once instead of retrying for minutes. */
class Refused extends Error {}

/** The API's answer, or Refused when it says the request itself is wrong; 5xx and 429 are retried by `persist`. */
function ok(res: Response, what: string, expected: number[]): void {
  if (expected.includes(res.status)) return;
  const msg = `${what} answered ${res.status}`;
  throw res.status >= 400 && res.status < 500 && res.status !== 429 ? new Refused(msg) : new Error(msg);
}

/** Retries `f` while the stack is restarting under it; chaos makes every call fallible, but not a refusal. */
async function persist<T>(f: () => Promise<T>, pauseMs = 1000, until = Date.now() + 10 * 60_000): Promise<T> {
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (err instanceof Refused || Date.now() > until) throw err;
      await sleep(pauseMs);
    }
  }
}

/** The visit a chaos run books: one fixture shape, its own ids. */
export function chaosVisit(n: number, runId: string): StartVisit {
  const visitId = `chaos-${runId}-${String(n).padStart(5, '0')}`;
  return {
    visitId,
    patient: {
      patientId: `P${runId}${n}`,
      firstName: 'JANE',
      lastName: 'DOE',
      birthDate: '1980-02-14',
      sex: 'F',
      address: { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
    },
    coverage: { payerId: '87726', payerName: 'UNITEDHEALTHCARE', memberId: `W${String(7000 + n)}`, groupNumber: 'GRP001', relationship: 'self' },
    appointment: { appointmentId: `A-${visitId}`, serviceDate: '2026-11-20', providerNpi: '1234567893', placeOfService: '11' },
  };
}

/** An office visit with a knee injection: large enough that the payer pays past the copay and deductible, so paid totals are compared too. */
const encounterOf = (visitId: string): SignEncounterInput => ({
  visitId,
  renderingNpi: '1234567893',
  diagnoses: [
    { code: 'M54.50', rank: 1 },
    { code: 'E11.9', rank: 2 },
  ],
  procedures: [
    { code: '99214', modifiers: ['25'], units: 1, diagnosisPointers: [1, 2] },
    { code: '20610', modifiers: ['RT'], units: 1, diagnosisPointers: [1] },
  ],
});

type Seen = { status: string; stage?: string; awaiting?: string };

function seen(d: WorkflowExecutionDescription): Seen {
  return { status: d.status.name, stage: d.typedSearchAttributes.get(VisitStageKey), awaiting: d.typedSearchAttributes.get(AwaitingActionKey) };
}

const isSettled = (s: Seen) => s.status !== 'RUNNING' || (s.awaiting !== undefined && PARKED.has(s.awaiting));

export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const timers: VisitTimers = {
    coverageDeadlineMs: 60_000,
    ackTimeoutMs: 60_000,
    adjudicationTimeoutMs: 90_000,
    activityTimeoutMs: 10_000,
    activityRetryMaxIntervalMs: 3_000,
  };
  const t0 = Date.now();
  const stack = await startChaosStack({ faults: opts.faults, timers });
  try {
    return await drive(stack, opts, t0);
  } finally {
    await stack.stop();
  }
}

async function drive(stack: ChaosStack, opts: ChaosOptions, t0: number): Promise<ChaosResult> {
  const runId = Date.now().toString(36).slice(-5);
  const visits = Array.from({ length: opts.visits }, (_, n) => chaosVisit(n + 1, runId));
  const state = { started: 0, settled: 0, postgresRestarts: 0, temporalRestarts: 0, done: false };
  const progress = () =>
    opts.onProgress?.({
      started: state.started,
      settled: state.settled,
      visits: opts.visits,
      kills: stack.workers.kills,
      postgresRestarted: state.postgresRestarts > 0,
      temporalRestarted: state.temporalRestarts > 0,
      elapsedMs: Date.now() - t0,
    });
  const ticker = setInterval(progress, 1000);

  // The chaos itself: the worker is killed `killEveryMs` after it started polling (a slow
  // start on a busy machine would otherwise be killed before it did any work), and one
  // restart of each server at a share of the run.
  const killer = (async () => {
    for (;;) {
      await stack.workers.whenReady();
      await sleep(opts.killEveryMs);
      if (state.done) return;
      await stack.workers.kill();
    }
  })();
  const restarts = (async () => {
    while (!state.done && state.started < opts.visits * opts.restartAt.postgres) await sleep(500);
    if (state.done) return;
    await stack.restartPostgres();
    state.postgresRestarts++;
    while (!state.done && state.started < opts.visits * opts.restartAt.temporal) await sleep(500);
    if (state.done) return;
    await stack.restartTemporal();
    state.temporalRestarts++;
  })();

  const handle = (visitId: string) => stack.client.workflow.getHandle(visitWorkflowId(visitId));
  const describe = async (visitId: string) => seen(await persist(() => handle(visitId).describe()));

  const last = new Map<string, Seen>();
  async function one(visit: StartVisit): Promise<void> {
    const deadline = Date.now() + opts.visitDeadlineMs;
    await persist(async () => {
      const res = await fetch(`${stack.apiUrl}/visits`, {
        method: 'POST',
        headers: { ...stack.apiHeaders, 'content-type': 'application/json' },
        body: JSON.stringify(visit),
      });
      await res.arrayBuffer();
      ok(res, 'POST /visits', [200, 201]);
    });
    state.started++;
    let signed = false;
    for (;;) {
      const s = await describe(visit.visitId);
      last.set(visit.visitId, s);
      if (!signed && s.stage === 'awaiting_encounter') {
        await persist(() => stack.ehr.signEncounter(encounterOf(visit.visitId)));
        signed = true;
      }
      if (isSettled(s) || Date.now() > deadline) break;
      await sleep(2000);
    }
    state.settled++;
  }

  // A fixed pool of drivers, each taking the next visit: at most `concurrency` in flight.
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(opts.concurrency, visits.length) }, async () => {
        while (next < visits.length) await one(visits[next++]);
      }),
    );
  } finally {
    // Also when a driver failed: the killer and the restarts stop, so the run ends instead of killing workers forever.
    state.done = true;
    await restarts.catch(() => undefined);
    await killer.catch(() => undefined);
    clearInterval(ticker);
  }
  progress();

  // Quiet down: late deliveries still in the clearinghouse's mailbox, then a last look at the parked ones.
  await stack.clearinghouse.settled();
  await sleep(3000);
  for (const v of visits) if (last.get(v.visitId)?.status === 'RUNNING') last.set(v.visitId, await describe(v.visitId));

  // What a user sees: GET /visits/:id for every visit.
  const statuses = new Map<string, VisitStatus>();
  let i = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (i < visits.length) {
        const v = visits[i++];
        statuses.set(
          v.visitId,
          await persist(async () => {
            const res = await fetch(`${stack.apiUrl}/visits/${v.visitId}`, { headers: stack.apiHeaders });
            if (res.status !== 200) await res.arrayBuffer();
            ok(res, 'GET /visits/{visitId}', [200]);
            return (await res.json()) as VisitStatus;
          }),
        );
      }
    }),
  );

  const counts = new Map<string, number>();
  const stuck: string[] = [];
  let closed = 0;
  let parked = 0;
  for (const v of visits) {
    const s = statuses.get(v.visitId)!;
    const wf = last.get(v.visitId)!;
    const key = `${s.stage}\t${s.outcome ?? '-'}\t${s.awaitingAction ?? '-'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (s.stage === 'closed' && wf.status === 'COMPLETED') closed++;
    else if (wf.status === 'RUNNING' && s.awaitingAction && PARKED.has(s.awaitingAction)) parked++;
    else stuck.push(v.visitId);
  }
  const table = [...counts]
    .map(([k, n]) => {
      const [stage, outcome, awaitingAction] = k.split('\t');
      return { stage, outcome, awaitingAction, visits: n };
    })
    .sort((a, b) => b.visits - a.visits);

  const ledger = compareLedgers(await simulatorSide(stack), await postgresSide(stack));
  const faults = Object.fromEntries(
    (['ehr', 'pms', 'clearinghouse'] as const).map((p) => {
      const f = stack.faults[p];
      return [p, { calls: f.calls, error: f.injected.error, dropAck: f.injected.dropAck, duplicate: f.injected.duplicate, reorder: f.injected.reorder }];
    }),
  ) as ChaosResult['faults'];
  return {
    visits: opts.visits,
    wallMs: Date.now() - t0,
    table,
    closed,
    parked,
    stuck,
    ledger,
    faults,
    events: {
      workerKills: stack.workers.kills,
      workerStarts: stack.workers.starts,
      postgresRestarts: state.postgresRestarts,
      temporalRestarts: state.temporalRestarts,
    },
  };
}

async function simulatorSide(stack: ChaosStack) {
  return {
    charges: stack.pms.charges().map((c) => ({ visitId: c.visitId, lineNumber: c.lineNumber, chargeCents: c.chargeCents })),
    claims: stack.clearinghouse
      .submissions()
      .flatMap((s) => s.claims.map((c) => ({ claimId: c.claimId, frequency: c.frequency, accepted: c.status === 'accepted' }))),
    remittances: stack.clearinghouse.remittances(),
  };
}

async function postgresSide(stack: ChaosStack) {
  const num = (v: unknown) => Number(v);
  const charges = await stack.db('charges').select('visit_id', 'line_number', 'charge_cents');
  const claims = await stack.db('claims').select('patient_control_number', 'frequency', 'payer_claim_number');
  const payments = await stack.db('payments').select('claim_id', 'trace_number', 'paid_cents', 'patient_responsibility_cents', 'charge_cents');
  return {
    charges: charges.map((c) => ({ visitId: c.visit_id, lineNumber: c.line_number, chargeCents: num(c.charge_cents) })),
    claims: claims.map((c) => ({ patientControlNumber: c.patient_control_number, frequency: c.frequency, payerClaimNumber: c.payer_claim_number })),
    payments: payments.map((p) => ({
      claimId: p.claim_id,
      traceNumber: p.trace_number,
      paidCents: num(p.paid_cents),
      patientResponsibilityCents: num(p.patient_responsibility_cents),
      chargeCents: num(p.charge_cents),
    })),
  };
}
