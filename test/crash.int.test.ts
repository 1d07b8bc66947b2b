/**
 * Exactly-once under a crash: the worker process is killed (SIGKILL) while the charge
 * push to the PMS is in flight, a new worker process takes over, Temporal retries the
 * activity, and the PMS still holds each charge exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { sampleVisit } from './fixtures';
import { reach, startTestStack, type TestStack } from './stack';
import { eventually, uniqueId } from './support';

let stack: TestStack;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  // The PMS answers slowly, so the kill lands while the post is under way.
  stack = await startTestStack({ pmsMode: 'rest', worker: false, activityTimeoutMs: 4000, faultsFor: { pms: { latencyMinMs: 1500, latencyMaxMs: 1500 } } });
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await stack.stop();
});

function startWorker(): ChildProcess {
  const w = stack.spawnWorker();
  workers.push(w);
  return w;
}

test('a worker killed mid charge-push: the visit completes and the PMS holds exactly one charge per line', async () => {
  const first = startWorker();
  const callsBefore = stack.faults.pms.calls;
  const visit = sampleVisit(uniqueId('v'), 'W900');
  expect((await stack.api.post('/visits').send(visit)).status).toBe(201);
  await reach(stack, visit.visitId, 'awaiting_encounter');
  await stack.ehr.signEncounter({
    visitId: visit.visitId,
    renderingNpi: '1234567893',
    diagnoses: [{ code: 'M54.50', rank: 1 }],
    procedures: [
      { code: '99213', diagnosisPointers: [1] },
      { code: '36415', diagnosisPointers: [1] },
    ],
  });
  await reach(stack, visit.visitId, 'charges');
  await eventually(async () => stack.faults.pms.calls > callsBefore, { what: 'the charge post to reach the PMS' });

  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  startWorker();
  const closed = await reach(stack, visit.visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  const charges = stack.pms.charges(visit.visitId);
  expect(charges.map((c) => c.code)).toEqual(['99213', '36415']);
  expect(new Set(charges.map((c) => c.key)).size).toBe(1); // one idempotency key for the batch

  // Proof the kill landed mid-step: the charge push needed a second attempt.
  const handle = stack.temporal.workflow.getHandle(`visit-${visit.visitId}`);
  const history = await handle.fetchHistory();
  const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'postCharges')!;
  const started = history.events!.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled.eventId!.toString());
  expect(started!.activityTaskStartedEventAttributes!.attempt).toBeGreaterThanOrEqual(2);
  expect(await eventually(async () => (await stack.db('charges').where({ visit_id: visit.visitId })).length === 2, { what: 'two charge rows' })).toBe(true);
});
