/**
 * Park, never fail: a refusal no retry can cure, or an unexpected error past its retry
 * ceiling, moves the visit to needs_attention (queue = AwaitingAction) with what failed;
 * a person retries the step or resolves the visit. Activities are mocks, but their
 * errors are the integrations' real typed errors passed through the real failure mapper.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ClearinghouseRejectedError } from '../integrations/clearinghouse/errors';
import { EhrRequestRejectedError } from '../integrations/ehr/errors';
import { sampleVisit } from '../test/fixtures';
import { recordHistory } from '../test/histories';
import { mockActivities, workflowTestEnv } from '../test/visit-mocks';
import { eventually, uniqueId } from '../test/support';
import {
  cancelUpdate,
  claimAcknowledgedSignal,
  encounterSignedSignal,
  remittanceReceivedSignal,
  retryUpdate,
  statusQuery,
  writeOffUpdate,
  type VisitStage,
  type VisitStatus,
  type VisitTimers,
} from './definitions';
import { visitWorkflow } from './visit/visit';

const timers: VisitTimers = {
  coverageDeadlineMs: 60_000,
  ackTimeoutMs: 60_000,
  adjudicationTimeoutMs: 60_000,
  activityTimeoutMs: 5_000,
  activityRetryMaxIntervalMs: 200,
  activityMaxAttempts: 3,
};

const env = workflowTestEnv({ mapFailures: true });
const withWorker = env.withWorker;

async function start(taskQueue: string): Promise<WorkflowHandle<typeof visitWorkflow>> {
  const visitId = uniqueId('v');
  return env.client().workflow.start(visitWorkflow, { workflowId: `visit-${visitId}`, taskQueue, args: [{ visit: sampleVisit(visitId, 'W1'), timers }] });
}

const reachStage = (h: WorkflowHandle, stage: VisitStage) =>
  eventually(
    async () => {
      const s: VisitStatus = await h.query(statusQuery);
      return s.stage === stage && s;
    },
    { what: `stage ${stage}` },
  );

async function awaitingAction(h: WorkflowHandle): Promise<unknown> {
  const d = await h.describe();
  return d.typedSearchAttributes.getAll().find((p) => p.key.name === 'AwaitingAction')?.value;
}

/** Signs the encounter and acknowledges the first claim (999 + 277CA). */
async function claimAccepted(handle: WorkflowHandle, payerClaimNumber: string): Promise<void> {
  await reachStage(handle, 'awaiting_encounter');
  await handle.signal(encounterSignedSignal, { encounterId: 'enc-1' });
  await reachStage(handle, 'claim_submitted');
  await handle.signal(claimAcknowledgedSignal, { kind: '999', controlNumber: 1001, accepted: true, codes: ['A'], sourceKey: '999-1' });
  await handle.signal(claimAcknowledgedSignal, { kind: '277CA', accepted: true, codes: ['A1:20'], payerClaimNumber, sourceKey: '277-1' });
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => (e as WorkflowUpdateFailedError).cause,
  );

test('an EHR 4xx on pre-population parks the visit; a retry runs the step again and the visit continues', async () => {
  let ehrRefuses = true;
  const { acts } = mockActivities({
    overrides: {
      prepopulateEhr: async () => {
        if (ehrRefuses) throw new EhrRequestRejectedError(422, 'PUT Patient: 422 business rule violated');
        return { patientRef: 'Patient/1', coverageRef: 'Coverage/1', appointmentRef: 'Appointment/1' };
      },
    },
  });
  await withWorker(acts, async (tq) => {
    const handle = await start(tq);
    const parked = await reachStage(handle, 'needs_attention');
    expect(parked.awaitingAction).toBe('ehr_refused');
    expect(parked.failure).toMatchObject({
      type: 'EHR_REQUEST_REJECTED',
      step: 'prepopulateEhr',
      message: 'PUT Patient: 422 business rule violated',
      exhausted: false,
    });
    expect(await awaitingAction(handle)).toBe('ehr_refused');
    expect((await handle.describe()).status.name).toBe('RUNNING');

    ehrRefuses = false; // someone fixed the patient in the EHR
    await handle.executeUpdate(retryUpdate, { args: [{ note: 'fixed in the EHR' }] });
    const resumed = await reachStage(handle, 'awaiting_encounter');
    expect(resumed.failure).toBeUndefined();
    expect(resumed.lastFailure).toMatchObject({ type: 'EHR_REQUEST_REJECTED' });
    expect(resumed.history.map((h) => h.stage)).toEqual(['intake', 'needs_attention', 'intake', 'eligibility', 'awaiting_encounter']);
    await handle.terminate('test done');
  });
});

test('a clearinghouse refusing the file parks the claim; after a retry the claim goes out and is paid', async () => {
  let refusals = 1;
  const { acts, calls } = mockActivities();
  const submit = acts.submitClaim;
  acts.submitClaim = async (input) => {
    if (refusals-- > 0) throw new ClearinghouseRejectedError('400: ISA06 sender not enrolled', 400);
    return submit(input);
  };
  await withWorker(acts, async (tq) => {
    const handle = await start(tq);
    await reachStage(handle, 'awaiting_encounter');
    await handle.signal(encounterSignedSignal, { encounterId: 'enc-1' });
    const parked = await reachStage(handle, 'needs_attention');
    expect(parked).toMatchObject({ awaitingAction: 'clearinghouse_refused', failure: { type: 'CLEARINGHOUSE_REJECTED', step: 'submitClaim' } });

    await handle.executeUpdate(retryUpdate, { args: [{}] });
    await reachStage(handle, 'claim_submitted');
    await handle.signal(claimAcknowledgedSignal, { kind: '999', controlNumber: 1001, accepted: true, codes: ['A'], sourceKey: '999-1' });
    await handle.signal(claimAcknowledgedSignal, { kind: '277CA', accepted: true, codes: ['A1:20'], payerClaimNumber: 'PCN-1', sourceKey: '277-1' });
    await handle.signal(remittanceReceivedSignal, {
      traceNumber: 'T1',
      payerId: '87726',
      claimStatusCode: '1',
      frequency: '1',
      chargeCents: 37500,
      paidCents: 37500,
      patientResponsibilityCents: 0,
      adjustments: [],
      lines: [],
      sourceKey: 'pay-1',
    });
    const result = await handle.result();
    await recordHistory(handle, 'visit-parked-retried');
    expect(result.outcome).toBe('paid');
    expect(calls.submitted).toEqual([{ attempt: 1, frequency: '1', payerClaimNumber: undefined }]);
  });
});

test('an unexpected error is retried up to the ceiling, then parks the visit; a retry continues once the cause is gone', async () => {
  let databaseDown = true;
  let attempts = 0;
  const { acts } = mockActivities({
    overrides: {
      recordIntake: async () => {
        attempts++;
        if (databaseDown) throw new Error('connection terminated unexpectedly');
        return { filingDeadline: '2027-11-20' };
      },
    },
  });
  await withWorker(acts, async (tq) => {
    const handle = await start(tq);
    const parked = await reachStage(handle, 'needs_attention');
    expect(attempts).toBe(3); // activityMaxAttempts
    expect(parked).toMatchObject({
      awaitingAction: 'retries_exhausted',
      failure: { type: 'RETRIES_EXHAUSTED', step: 'recordIntake', message: 'connection terminated unexpectedly', exhausted: true },
    });
    databaseDown = false;
    await handle.executeUpdate(retryUpdate, { args: [{}] });
    await reachStage(handle, 'awaiting_encounter');
    expect(attempts).toBe(4);
    await handle.terminate('test done');
  });
});

test('a parked visit is resolved by a write-off or a cancel with a reason, and never ends failed', async () => {
  const { acts, calls } = mockActivities({
    overrides: {
      prepopulateEhr: async () => {
        throw new EhrRequestRejectedError(400, 'POST Patient: 400');
      },
    },
  });
  await withWorker(acts, async (tq) => {
    const notParked = await start(tq);
    const writtenOff = await start(tq);
    const cancelled = await start(tq);
    await reachStage(writtenOff, 'needs_attention');
    await reachStage(cancelled, 'needs_attention');

    // Validated updates: reasons are required, and only a parked visit can be retried or written off.
    expect(await refusal(writtenOff.executeUpdate(writeOffUpdate, { args: [{ reason: ' ' }] }))).toMatchObject({ type: 'ValidationError' });
    expect(await refusal(cancelled.executeUpdate(cancelUpdate, { args: [{} as { reason: string }] }))).toMatchObject({ type: 'ValidationError' });
    await reachStage(notParked, 'needs_attention');
    await notParked.terminate('test done');

    await writtenOff.executeUpdate(writeOffUpdate, { args: [{ reason: 'patient record cannot be created; small balance' }] });
    await cancelled.executeUpdate(cancelUpdate, { args: [{ reason: 'duplicate visit' }] });
    const [w, c] = [await writtenOff.result(), await cancelled.result()];
    await recordHistory(writtenOff, 'visit-parked-written-off');
    expect(w).toMatchObject({ stage: 'closed', outcome: 'written_off', closeReason: 'patient record cannot be created; small balance' });
    expect(w.summary).toMatchObject({ billedCents: 0, writtenOffCents: 0, balanced: true });
    expect(c).toMatchObject({ stage: 'closed', outcome: 'cancelled', closeReason: 'duplicate visit' });
    expect(calls.closed.sort()).toEqual(['cancelled', 'written_off']);
    expect((await writtenOff.describe()).status.name).toBe('COMPLETED');
    await expect(writtenOff.executeUpdate(retryUpdate, { args: [{}] })).rejects.toThrow(); // a closed visit takes no update
  });
});

test('retry is refused when the visit is not parked', async () => {
  const { acts } = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq);
    await reachStage(handle, 'awaiting_encounter');
    expect(await refusal(handle.executeUpdate(retryUpdate, { args: [{}] }))).toMatchObject({
      type: 'InvalidStage',
      message: 'cannot retry a visit in stage awaiting_encounter',
    });
    await handle.terminate('test done');
  });
});

test('lines paid below the contract park the visit as underpaid work; writing off the variance closes it as paid', async () => {
  const { acts, calls } = mockActivities({
    overrides: { recordRemittance: async () => ({ underpaid: [{ lineNumber: 1, code: '99214', contractedCents: 17000, underpaidCents: 1000 }] }) },
  });
  await withWorker(acts, async (tq) => {
    const handle = await start(tq);
    await claimAccepted(handle, 'PCN-1');
    await handle.signal(remittanceReceivedSignal, {
      traceNumber: 'T1',
      payerId: '87726',
      claimStatusCode: '1',
      frequency: '1',
      chargeCents: 37500,
      paidCents: 26000,
      patientResponsibilityCents: 3000,
      adjustments: [
        { lineNumber: 1, group: 'CO', carc: '45', amountCents: 8500, rarcs: [] },
        { lineNumber: 1, group: 'PR', carc: '3', amountCents: 3000, rarcs: [] },
      ],
      lines: [],
      sourceKey: 'u-835',
    });
    const parked = await reachStage(handle, 'needs_attention');
    expect(parked).toMatchObject({
      awaitingAction: 'underpaid',
      underpaidLines: [{ lineNumber: 1, code: '99214', underpaidCents: 1000 }],
      failure: { type: 'UNDERPAID', message: '1 line(s) paid 1000 cents below the contracted amount' },
    });
    expect(await awaitingAction(handle)).toBe('underpaid');
    await handle.executeUpdate(writeOffUpdate, { args: [{ reason: 'variance under the follow-up threshold' }] });
    const closed = await handle.result();
    expect(closed).toMatchObject({ outcome: 'paid', closeReason: 'variance under the follow-up threshold' });
    // billed 375.00 = paid 260.00 + CO 85.00 + patient responsibility 30.00 (open), nothing else open.
    expect(closed.summary).toMatchObject({
      billedCents: 37500,
      insurancePaidCents: 26000,
      adjustmentsCents: { CO: 8500 },
      patientOpenCents: 3000,
      insuranceOpenCents: 0,
      balanced: true,
    });
    expect(calls.closed).toEqual(['paid']);
  });
});

test("a CO-18 denial follows the playbook: checking the original payment is a person's work (denial_review); a retry sends a corrected claim", async () => {
  const { acts, calls } = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq);
    await claimAccepted(handle, 'PCN-9');
    await handle.signal(remittanceReceivedSignal, {
      traceNumber: 'T9',
      payerId: '87726',
      claimStatusCode: '4',
      frequency: '1',
      chargeCents: 37500,
      paidCents: 0,
      patientResponsibilityCents: 0,
      payerClaimNumber: 'PCN-9',
      adjustments: [{ lineNumber: null, group: 'CO', carc: '18', amountCents: 37500, rarcs: ['N111'] }],
      lines: [],
      sourceKey: 'd-835',
    });
    const parked = await reachStage(handle, 'needs_attention');
    expect(parked).toMatchObject({
      awaitingAction: 'denial_review',
      denial: { code: 'CO-18', category: 'duplicate', action: 'check_original_payment' },
      failure: { type: 'DENIED', step: 'denialWorkflow' },
    });
    expect(calls.submitted).toHaveLength(1);
    await handle.executeUpdate(retryUpdate, { args: [{ note: 'documentation added' }] });
    await eventually(async () => calls.submitted.length === 2, { what: 'a second claim submitted' });
    expect(calls.submitted[1]).toEqual({ attempt: 2, frequency: '7', payerClaimNumber: 'PCN-9' });
    await recordHistory(handle, 'visit-denied-playbook-review');
    await handle.terminate('test done');
  });
});

test("a CO-50 denial is appealed: the appeal is on the status, the payer's reconsidered 835 closes the visit paid", async () => {
  const { acts, calls } = mockActivities();
  await withWorker(acts, async (tq) => {
    const handle = await start(tq);
    await claimAccepted(handle, 'PCN-8');
    await handle.signal(remittanceReceivedSignal, {
      traceNumber: 'T8',
      payerId: '87726',
      claimStatusCode: '4',
      frequency: '1',
      chargeCents: 37500,
      paidCents: 0,
      patientResponsibilityCents: 0,
      payerClaimNumber: 'PCN-8',
      paidOn: '2026-11-25',
      adjustments: [{ lineNumber: null, group: 'CO', carc: '50', amountCents: 37500, rarcs: ['N115'] }],
      lines: [],
      sourceKey: 'a-835',
    });
    const waiting = await eventually(
      async () => {
        const s: VisitStatus = await handle.query(statusQuery);
        return s.awaitingAction === 'appeal_decision' && s;
      },
      { what: 'the visit to wait for the appeal decision' },
    );
    expect(waiting.denial).toMatchObject({ code: 'CO-50', action: 'appeal', appeal: { status: 'submitted', deadline: '2027-05-19', documents: 1 } });
    await handle.signal(remittanceReceivedSignal, {
      traceNumber: 'T8B',
      payerId: '87726',
      claimStatusCode: '1',
      frequency: '1',
      chargeCents: 37500,
      paidCents: 30000,
      patientResponsibilityCents: 0,
      payerClaimNumber: 'PCN-8',
      adjustments: [{ lineNumber: null, group: 'CO', carc: '45', amountCents: 7500, rarcs: [] }],
      lines: [],
      sourceKey: 'a-835-2',
    });
    const closed = await handle.result();
    expect(closed).toMatchObject({ outcome: 'paid', denial: { appeal: { status: 'overturned' } } });
    expect(calls.submitted).toHaveLength(1); // reconsidered, not sent again
    await recordHistory(handle, 'visit-denied-appealed');
  });
});

test("a CO-29 denial with no acceptance before the payer's filing deadline is written off, with the reason on the status", async () => {
  const outcomes: string[] = [];
  const { acts, calls } = mockActivities({
    overrides: {
      reviewTimelyFiling: async () => ({ deadline: '2026-08-30' }),
      recordDenialOutcome: async ({ outcome }) => void outcomes.push(outcome),
    },
  });
  await withWorker(acts, async (tq) => {
    const handle = await start(tq);
    await claimAccepted(handle, 'PCN-29');
    await handle.signal(remittanceReceivedSignal, {
      traceNumber: 'T29',
      payerId: '87726',
      claimStatusCode: '4',
      frequency: '1',
      chargeCents: 37500,
      paidCents: 0,
      patientResponsibilityCents: 0,
      payerClaimNumber: 'PCN-29',
      adjustments: [{ lineNumber: null, group: 'CO', carc: '29', amountCents: 37500, rarcs: ['N211'] }],
      lines: [],
      sourceKey: 'tf-835',
    });
    const closed = await handle.result();
    expect(closed).toMatchObject({
      outcome: 'written_off',
      denial: { code: 'CO-29', category: 'timely_filing', outcome: 'written_off', reason: expect.stringContaining('2026-08-30') },
      // The payer's CO-29 adjustment is the write-off: the patient may not be billed for it.
      summary: { billedCents: 37500, adjustmentsCents: { CO: 37500 }, writtenOffCents: 0, patientOpenCents: 0, insuranceOpenCents: 0, balanced: true },
    });
    expect(outcomes).toEqual(['written_off']);
    expect(calls.submitted).toHaveLength(1); // nothing appealed, nothing sent again
    await recordHistory(handle, 'visit-denied-timely-filing');
  });
});

test('a CO-18 denial whose original was paid by the same payer closes the visit as paid', async () => {
  const { acts, calls } = mockActivities({ overrides: { findOriginalPayment: async () => ({ attempt: 1, payerId: '87726', paidCents: 26000 }) } });
  await withWorker(acts, async (tq) => {
    const handle = await start(tq);
    await claimAccepted(handle, 'PCN-18');
    await handle.signal(remittanceReceivedSignal, {
      traceNumber: 'T18',
      payerId: '87726',
      claimStatusCode: '4',
      frequency: '1',
      chargeCents: 37500,
      paidCents: 0,
      patientResponsibilityCents: 0,
      payerClaimNumber: 'PCN-18',
      adjustments: [{ lineNumber: null, group: 'CO', carc: '18', amountCents: 37500, rarcs: ['N111'] }],
      lines: [],
      sourceKey: 'dup-835',
    });
    const closed = await handle.result();
    expect(closed).toMatchObject({ outcome: 'paid', denial: { code: 'CO-18', outcome: 'original_paid' } });
    expect(calls.submitted).toHaveLength(1);
  });
});

test('an 835 that arrives while the visit is closing (a reversal and its correction) is posted by the visit, not dropped', async () => {
  let release!: () => void;
  const closing = new Promise<void>((r) => (release = r));
  let closeStarted = false;
  const posted: string[] = [];
  const { acts } = mockActivities({
    overrides: {
      closeVisit: async () => {
        closeStarted = true;
        await closing;
      },
      recordRemittance: async ({ remittance }) => {
        posted.push(remittance.sourceKey);
        return { underpaid: [] };
      },
    },
  });
  await withWorker(acts, async (tq) => {
    const handle = await start(tq);
    await claimAccepted(handle, 'PCN-R');
    const paid = {
      traceNumber: 'TR1',
      payerId: '87726',
      claimStatusCode: '1',
      frequency: '1' as const,
      chargeCents: 37500,
      paidCents: 26000,
      patientResponsibilityCents: 3000,
      payerClaimNumber: 'PCN-R',
      adjustments: [
        { lineNumber: null, group: 'CO' as const, carc: '45', amountCents: 8500, rarcs: [] },
        { lineNumber: null, group: 'PR' as const, carc: '3', amountCents: 3000, rarcs: [] },
      ],
      lines: [],
      sourceKey: 'paid',
    };
    await handle.signal(remittanceReceivedSignal, paid);
    await eventually(async () => closeStarted, { what: 'the close to start' });
    await handle.signal(remittanceReceivedSignal, {
      ...paid,
      traceNumber: 'TR2',
      claimStatusCode: '22',
      chargeCents: -37500,
      paidCents: -26000,
      patientResponsibilityCents: -3000,
      adjustments: paid.adjustments.map((a) => ({ ...a, amountCents: -a.amountCents })),
      sourceKey: 'reversal',
    });
    await handle.signal(remittanceReceivedSignal, {
      ...paid,
      traceNumber: 'TR2',
      paidCents: 24000,
      adjustments: [...paid.adjustments, { lineNumber: null, group: 'CO', carc: '45', amountCents: 2000, rarcs: [] }],
      payerClaimNumber: 'PCN-R2',
      sourceKey: 'corrected',
    });
    release();
    const closed = await handle.result();
    expect(posted).toEqual(['paid', 'reversal', 'corrected']);
    expect(closed.summary).toMatchObject({ billedCents: 37500, insurancePaidCents: 24000, balanced: true });
  });
});
