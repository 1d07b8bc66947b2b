/**
 * The patient's share on the real Temporal dev server, with activities mocked: a paid visit
 * whose payer left the patient $30.00 runs the patient balance workflow (a child, so its
 * statements stay out of the visit's history), which takes payments by update (idempotent by
 * reference, never more than is open) and ends paid, written off, or sent to collections.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ClaimRemittance } from '../domain/claim';
import { sampleVisit } from '../test/fixtures';
import { recordHistory } from '../test/histories';
import { eventually, uniqueId } from '../test/support';
import { mockActivities, workflowTestEnv } from '../test/visit-mocks';
import {
  claimAcknowledgedSignal,
  encounterSignedSignal,
  patientBalanceQuery,
  patientBalanceWorkflowId,
  patientPaymentUpdate,
  remittanceReceivedSignal,
  statusQuery,
  writeOffUpdate,
  type VisitStatus,
  type VisitTimers,
} from './definitions';
import { visitWorkflow } from './visit/visit';

const base: VisitTimers = { coverageDeadlineMs: 60_000, ackTimeoutMs: 60_000, adjudicationTimeoutMs: 60_000, activityTimeoutMs: 5_000 };
const env = workflowTestEnv();

const remittance: ClaimRemittance = {
  traceNumber: 'T1',
  payerId: '87726',
  claimStatusCode: '1',
  frequency: '1',
  chargeCents: 37500,
  paidCents: 27000,
  patientResponsibilityCents: 3000,
  payerClaimNumber: 'PCN-1',
  adjustments: [
    { lineNumber: 1, group: 'CO', carc: '45', amountCents: 7500, rarcs: [] },
    { lineNumber: 1, group: 'PR', carc: '3', amountCents: 3000, rarcs: [] },
  ],
  lines: [
    { lineNumber: 1, code: '99214', chargeCents: 19500, paidCents: 13500 },
    { lineNumber: 2, code: '20610', chargeCents: 18000, paidCents: 13500 },
  ],
  sourceKey: 'file-1#1',
};

/** Starts a visit and brings it to its 835 (paid, $30.00 patient responsibility). */
async function paidVisit(taskQueue: string, timers: VisitTimers): Promise<{ handle: WorkflowHandle<typeof visitWorkflow>; visitId: string }> {
  const visitId = uniqueId('v');
  const handle = await env
    .client()
    .workflow.start(visitWorkflow, { workflowId: `visit-${visitId}`, taskQueue, args: [{ visit: sampleVisit(visitId), timers }] });
  await stage(handle, 'awaiting_encounter');
  await handle.signal(encounterSignedSignal, { encounterId: 'enc-1' });
  await stage(handle, 'claim_submitted');
  await handle.signal(claimAcknowledgedSignal, { kind: '999', controlNumber: 1001, accepted: true, codes: ['A'], sourceKey: '999-1' });
  await handle.signal(claimAcknowledgedSignal, { kind: '277CA', accepted: true, codes: ['A1:20'], payerClaimNumber: 'PCN-1', sourceKey: '277-1' });
  await stage(handle, 'awaiting_adjudication');
  await handle.signal(remittanceReceivedSignal, remittance);
  return { handle, visitId };
}

const stage = (h: WorkflowHandle, s: string) =>
  eventually(
    async () => {
      const status: VisitStatus = await h.query(statusQuery);
      return status.stage === s && status;
    },
    { what: `stage ${s}` },
  );

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause as { type?: string; message?: string };
};

test('a paid visit with a patient share waits in patient_balance; payments by update close it as paid, every dollar explained', async () => {
  const { acts, calls } = mockActivities();
  await env.withWorker(acts, async (tq) => {
    const { handle, visitId } = await paidVisit(tq, { ...base, patientStatementsMs: [0, 60_000], patientCollectionsAfterMs: 60_000 });
    const waiting = await stage(handle, 'patient_balance');
    expect(waiting.awaitingAction).toBe('patient_payment');
    const child = env.client().workflow.getHandle(patientBalanceWorkflowId(visitId));
    const first = await eventually(
      async () => {
        // Until the child's first workflow task has run, its query is not registered yet.
        const b = await child.query(patientBalanceQuery).catch(() => undefined);
        return b?.statements.length === 1 && b;
      },
      { what: 'the first patient statement' },
    );
    expect(first).toMatchObject({
      openingCents: 3000,
      openCents: 3000,
      statements: [{ sequence: 1, amountDueCents: 3000 }],
      nextStatementOn: expect.any(String),
    });
    expect(first.details).toMatch(/^Waiting for the patient's payment: \$30\.00 open of \$30\.00 \(paid \$0\.00\); statement 1 of 2 sent/);
    expect((await child.describe()).raw.workflowExecutionInfo?.parentExecution?.workflowId).toBe(`visit-${visitId}`);

    const card = { amountCents: 1000, method: 'card' as const, reference: 'TX-1' };
    expect(await child.executeUpdate(patientPaymentUpdate, { args: [card] })).toMatchObject({
      duplicate: false,
      balance: { openCents: 2000, paidCents: 1000 },
    });
    expect(await child.executeUpdate(patientPaymentUpdate, { args: [card] })).toMatchObject({ duplicate: true, balance: { openCents: 2000 } });
    expect(await refusal(child.executeUpdate(patientPaymentUpdate, { args: [{ ...card, amountCents: 1500 }] }))).toMatchObject({
      type: 'PATIENT_PAYMENT_REFUSED',
      message: expect.stringMatching(/reference TX-1 was already used/),
    });
    expect(await refusal(child.executeUpdate(patientPaymentUpdate, { args: [{ ...card, amountCents: 2001, reference: 'TX-2' }] }))).toMatchObject({
      type: 'PATIENT_PAYMENT_REFUSED',
      message: '$20.01 is more than the patient balance of $20.00: take at most $20.00',
    });
    expect(await refusal(child.executeUpdate(patientPaymentUpdate, { args: [{ ...card, amountCents: -5, reference: 'TX-2' }] }))).toMatchObject({
      type: 'ValidationError',
      message: expect.stringMatching(/^amountCents:/),
    });
    await child.executeUpdate(patientPaymentUpdate, { args: [{ amountCents: 2000, method: 'cash', reference: 'RCPT-2' }] });

    const closed = await handle.result();
    await recordHistory(handle, 'visit-patient-paid');
    await recordHistory(child, 'patient-balance-paid');
    expect(closed).toMatchObject({
      stage: 'closed',
      outcome: 'paid',
      patientBalance: { resolution: 'paid', paidCents: 3000, openCents: 0, statements: [{ sequence: 1 }] },
    });
    expect(closed.summary).toMatchObject({
      billedCents: 37500,
      insurancePaidCents: 27000,
      patientResponsibilityCents: 3000,
      patientPaidCents: 3000,
      patientOpenCents: 0,
      insuranceOpenCents: 0,
      writtenOffCents: 0,
      balanced: true,
    });
    expect(closed.history.map((h) => h.stage).slice(-3)).toEqual(['awaiting_adjudication', 'patient_balance', 'closed']);
    expect(calls.statements).toEqual([1]);
    expect(calls.patientBalances).toEqual(['paid']);
  });
});

test('a patient share never paid gets every statement of the cycle, then goes to collections; the visit closes as collections', async () => {
  const { acts, calls } = mockActivities();
  await env.withWorker(acts, async (tq) => {
    const { handle, visitId } = await paidVisit(tq, { ...base, patientStatementsMs: [0, 300, 600], patientCollectionsAfterMs: 300 });
    const closed = await handle.result();
    await recordHistory(handle, 'visit-patient-collections');
    await recordHistory(env.client().workflow.getHandle(patientBalanceWorkflowId(visitId)), 'patient-balance-collections');
    expect(closed).toMatchObject({ outcome: 'collections', patientBalance: { resolution: 'collections', collectionsCents: 3000, openCents: 3000 } });
    expect(closed.patientBalance!.statements.map((s) => [s.sequence, s.amountDueCents])).toEqual([
      [1, 3000],
      [2, 3000],
      [3, 3000],
    ]);
    expect(closed.summary).toMatchObject({ patientPaidCents: 0, patientOpenCents: 3000, collectionsCents: 3000, insuranceOpenCents: 0, balanced: true });
    expect(calls.statements).toEqual([1, 2, 3]);
    expect(calls.patientBalances).toEqual(['collections']);
  });
});

test('a biller writes off the patient balance through the visit: the balance ends written off, and so does the visit', async () => {
  const { acts, calls } = mockActivities();
  await env.withWorker(acts, async (tq) => {
    const { handle, visitId } = await paidVisit(tq, { ...base, patientStatementsMs: [0, 60_000], patientCollectionsAfterMs: 60_000 });
    await stage(handle, 'patient_balance');
    const child = env.client().workflow.getHandle(patientBalanceWorkflowId(visitId));
    await eventually(async () => (await child.query(patientBalanceQuery).catch(() => undefined))?.statements.length === 1, { what: 'the first statement' });
    await child.executeUpdate(patientPaymentUpdate, { args: [{ amountCents: 500, method: 'check', reference: 'CHK-101' }] });
    await handle.executeUpdate(writeOffUpdate, { args: [{ reason: 'financial hardship' }] });
    const closed = await handle.result();
    expect(closed).toMatchObject({
      outcome: 'written_off',
      closeReason: 'financial hardship',
      patientBalance: { resolution: 'written_off', writtenOffCents: 2500, paidCents: 500 },
    });
    expect(closed.summary).toMatchObject({ patientPaidCents: 500, writtenOffCents: 2500, patientOpenCents: 0, insuranceOpenCents: 0, balanced: true });
    expect(calls.patientBalances).toEqual(['written_off']);
  });
});

test('without a statement cycle in its timers (visits started before it), a paid visit closes at once with the patient share open', async () => {
  const { acts, calls } = mockActivities();
  await env.withWorker(acts, async (tq) => {
    const { handle } = await paidVisit(tq, base);
    const closed = await handle.result();
    expect(closed).toMatchObject({ outcome: 'paid', summary: { patientOpenCents: 3000, balanced: true } });
    expect(closed.patientBalance).toBeUndefined();
    expect(calls.statements).toEqual([]);
  });
});
