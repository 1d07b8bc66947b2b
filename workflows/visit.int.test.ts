/**
 * visitWorkflow on the real Temporal dev server, with activities mocked (typed as the
 * real ones): every path a biller cares about, asserted on the status query and on
 * the search attributes an analyst would query.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ClaimRemittance } from '../domain/claim';
import { sampleEncounter, sampleVisit } from '../test/fixtures';
import { mockActivities, workflowTestEnv } from '../test/visit-mocks';
import { recordHistory } from '../test/histories';
import { eventually, uniqueId } from '../test/support';
import {
  acceptSuggestionUpdate,
  cancelUpdate,
  claimAcknowledgedSignal,
  correctCodingUpdate,
  encounterSignedSignal,
  remittanceReceivedSignal,
  statusQuery,
  updateCoverageUpdate,
  type VisitStage,
  type VisitStatus,
} from './definitions';
import { encounterSweepWorkflow } from './sweep';
import { visitWorkflow } from './visit/visit';

const timers = { coverageDeadlineMs: 60_000, ackTimeoutMs: 60_000, adjudicationTimeoutMs: 60_000, activityTimeoutMs: 5_000 };

const env = workflowTestEnv();
const withWorker = env.withWorker;

async function start(taskQueue: string, memberId = 'W1', t = timers): Promise<{ handle: WorkflowHandle<typeof visitWorkflow>; visitId: string }> {
  const visitId = uniqueId('v');
  const handle = await env.client().workflow.start(visitWorkflow, {
    workflowId: `visit-${visitId}`,
    taskQueue,
    args: [{ visit: sampleVisit(visitId, memberId), timers: t }],
  });
  return { handle, visitId };
}

const reachStage = (h: WorkflowHandle, stage: VisitStage) =>
  eventually(
    async () => {
      const s: VisitStatus = await h.query(statusQuery);
      return s.stage === stage && s;
    },
    { what: `stage ${stage}` },
  );

function remittance(overrides: Partial<ClaimRemittance>): ClaimRemittance {
  return {
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
    ...overrides,
  };
}

async function acknowledge(h: WorkflowHandle, attempt: number, payerClaimNumber = 'PCN-1') {
  await h.signal(claimAcknowledgedSignal, { kind: '999', controlNumber: 1000 + attempt, accepted: true, codes: ['A'], sourceKey: `999-${attempt}` });
  await h.signal(claimAcknowledgedSignal, { kind: '277CA', accepted: true, codes: ['A1:20'], payerClaimNumber, sourceKey: `277-${attempt}` });
}

async function searchAttributes(h: WorkflowHandle): Promise<Record<string, unknown>> {
  const d = await h.describe();
  const out: Record<string, unknown> = {};
  for (const { key, value } of d.typedSearchAttributes.getAll()) out[key.name] = value;
  return out;
}

test('a paid visit runs every stage, closes, and is findable by its search attributes without any patient identifier', async () => {
  const { acts, calls } = mockActivities();
  await withWorker(acts, async (tq) => {
    const { handle, visitId } = await start(tq);
    await reachStage(handle, 'awaiting_encounter');
    await handle.signal(encounterSignedSignal, { encounterId: 'enc-9' });
    await handle.signal(encounterSignedSignal, { encounterId: 'enc-other' }); // a redelivery changes nothing
    await reachStage(handle, 'claim_submitted');
    await acknowledge(handle, 1);
    await reachStage(handle, 'awaiting_adjudication');
    const r = remittance({});
    await handle.signal(remittanceReceivedSignal, r);
    await handle.signal(remittanceReceivedSignal, r); // a redelivered 835 is ignored
    const result = await handle.result();
    await recordHistory(handle, 'visit-paid');

    expect(result.stage).toBe('closed');
    expect(result.outcome).toBe('paid');
    expect(result.encounterId).toBe('enc-9');
    expect(result.history.map((h) => h.stage)).toEqual([
      'intake',
      'eligibility',
      'awaiting_encounter',
      'coding',
      'charges',
      'claim_submitted',
      'awaiting_adjudication',
      'closed',
    ]);
    expect(result.claim).toMatchObject({ status: 'paid', billedCents: 37500, paidCents: 27000, patientResponsibilityCents: 3000, payerClaimNumber: 'PCN-1' });
    expect(result.balance).toEqual({ billedCents: 37500, paidCents: 27000, adjustedCents: 7500, patientResponsibilityCents: 3000, insuranceBalanceCents: 0 });
    expect(calls.submitted).toEqual([{ attempt: 1, frequency: '1', payerClaimNumber: undefined }]);
    expect(calls.submittedWith).toEqual([{ rulesetVersion: 'rs-test', filingIndicator: 'CI', lineCodes: ['99214', '20610'] }]);
    expect(result.history.find((h) => h.stage === 'coding')).toMatchObject({ rulesetVersion: 'rs-test', findings: 0 });
    expect(result.claim?.rulesetVersion).toBe('rs-test');
    expect(calls.closed).toEqual(['paid']);

    const sa = await searchAttributes(handle);
    expect(sa).toMatchObject({
      VisitId: visitId,
      PayerId: '87726',
      ProviderNpi: '1234567893',
      VisitStage: 'closed',
      ClaimStatus: 'paid',
      CptCodes: ['99214', '20610'],
      BilledCents: 37500,
      PaidCents: 27000,
      AwaitingAction: 'none',
    });
    const patient = sampleVisit(visitId, 'W1').patient;
    const values = Object.values(sa)
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .map((v) => (v instanceof Date ? v.toISOString() : String(v)));
    for (const phi of [patient.firstName, patient.lastName, patient.birthDate, patient.patientId, patient.address.line1, 'W1']) {
      expect(values.filter((v) => v.includes(phi))).toEqual([]);
    }
  });
});

test('a denied claim is corrected and resubmitted as a replacement (frequency 7) carrying the payer claim number, then paid', async () => {
  const { acts, calls } = mockActivities();
  await withWorker(acts, async (tq) => {
    const { handle } = await start(tq);
    await reachStage(handle, 'awaiting_encounter');
    await handle.signal(encounterSignedSignal, { encounterId: 'enc-1' });
    await reachStage(handle, 'claim_submitted');
    await acknowledge(handle, 1, 'PCN-77');
    await reachStage(handle, 'awaiting_adjudication');
    await handle.signal(
      remittanceReceivedSignal,
      remittance({
        claimStatusCode: '4',
        paidCents: 0,
        patientResponsibilityCents: 0,
        payerClaimNumber: 'PCN-77',
        sourceKey: 'deny#1',
        adjustments: [{ lineNumber: null, group: 'CO', carc: '16', amountCents: 37500, rarcs: ['M51'] }],
      }),
    );
    await eventually(async () => calls.submitted.length === 2, { what: 'a second claim submitted' });
    await acknowledge(handle, 2, 'PCN-78');
    await handle.signal(remittanceReceivedSignal, remittance({ frequency: '7', payerClaimNumber: 'PCN-78', sourceKey: 'pay#1' }));
    const result = await handle.result();
    await recordHistory(handle, 'visit-denied-corrected');

    expect(result.outcome).toBe('paid');
    expect(calls.submitted).toEqual([
      { attempt: 1, frequency: '1', payerClaimNumber: undefined },
      { attempt: 2, frequency: '7', payerClaimNumber: 'PCN-77' },
    ]);
    expect(result.claims.map((c) => [c.frequency, c.status])).toEqual([
      ['1', 'denied'],
      ['7', 'paid'],
    ]);
    expect(result.claims[0].denialCodes).toEqual(['CO-16']);
    expect(result.history.map((h) => h.stage)).toContain('denied');
    expect(await searchAttributes(handle)).toMatchObject({ DenialCodes: ['CO-16'], ClaimStatus: 'paid' });
  });
});

test('inactive coverage waits for a correction, re-verifies, and closes as ineligible when the deadline passes', async () => {
  const { acts, calls } = mockActivities({ active: [false, false] });
  await withWorker(acts, async (tq) => {
    const { handle } = await start(tq, 'INACT1', { ...timers, coverageDeadlineMs: 1500 });
    await reachStage(handle, 'awaiting_coverage');
    expect(await searchAttributes(handle)).toMatchObject({ VisitStage: 'awaiting_coverage', AwaitingAction: 'coverage' });
    await handle.executeUpdate(updateCoverageUpdate, { args: [{ ...sampleVisit('x').coverage, memberId: 'INACT2' }] });
    const result = await handle.result();

    expect(calls.eligibility).toBe(2);
    expect(result.outcome).toBe('ineligible');
    expect(result.eligibility?.active).toBe(false);
    expect(calls.submitted).toEqual([]);
  });
});

test('a visit can be cancelled before submission, and not after', async () => {
  const { acts, calls } = mockActivities();
  await withWorker(acts, async (tq) => {
    const early = await start(tq);
    await reachStage(early.handle, 'awaiting_encounter');
    await early.handle.executeUpdate(cancelUpdate, { args: [{ reason: 'patient cancelled' }] });
    expect(await early.handle.result()).toMatchObject({ stage: 'closed', outcome: 'cancelled' });
    expect(calls.closed).toEqual(['cancelled']);

    const late = await start(tq);
    await reachStage(late.handle, 'awaiting_encounter');
    await late.handle.signal(encounterSignedSignal, { encounterId: 'enc-2' });
    await reachStage(late.handle, 'claim_submitted');
    const refused = await late.handle.executeUpdate(cancelUpdate, { args: [{ reason: 'too late' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'InvalidStage', message: 'cannot cancel a visit in stage claim_submitted' });
    await late.handle.terminate('test done');
  });
});

test('the encounter sweep signals visits whose webhook was lost, and skips visits that are not running', async () => {
  const signed: { visitId: string; encounterId: string }[] = [];
  const { acts } = mockActivities({ signed });
  await withWorker(acts, async (tq) => {
    const { handle, visitId } = await start(tq);
    await reachStage(handle, 'awaiting_encounter');
    signed.push({ visitId, encounterId: 'enc-swept' }, { visitId: 'never-started', encounterId: 'enc-x' });
    const result = await env
      .client()
      .workflow.execute(encounterSweepWorkflow, { workflowId: uniqueId('sweep'), taskQueue: tq, args: [{ lookbackMs: 3600_000 }] });
    expect(result).toEqual({ found: 2, delivered: 1 });
    const status = await reachStage(handle, 'claim_submitted');
    expect(status.encounterId).toBe('enc-swept');
    await handle.terminate('test done');
  });
});

test("an encounter the EHR cannot bill goes to coding review; the coder's correction is what gets billed", async () => {
  const billed: string[][] = [];
  const { acts } = mockActivities({
    overrides: {
      fetchEncounter: async () => {
        throw ApplicationFailure.create({
          type: 'EncounterNotBillable',
          nonRetryable: true,
          message: 'not billable',
          details: [[{ path: 'Condition/7.code', reason: 'SNOMED CT only: no ICD-10-CM code' }]],
        });
      },
      postCharges: async ({ encounter }) => {
        billed.push(encounter.procedures.map((p) => p.code));
        return encounter.procedures.map((p, i) => ({ ...p, lineNumber: i + 1, chargeCents: 100 }));
      },
    },
  });
  await withWorker(acts, async (tq) => {
    const { handle } = await start(tq);
    await reachStage(handle, 'awaiting_encounter');
    const tooEarly = await handle.executeUpdate(correctCodingUpdate, { args: [sampleEncounter('enc-3')] }).catch((e: unknown) => e);
    expect((tooEarly as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'InvalidStage' });
    await handle.signal(encounterSignedSignal, { encounterId: 'enc-3' });
    const review = await reachStage(handle, 'coding_review');
    expect(review.codingProblems).toEqual([{ path: 'Condition/7.code', reason: 'SNOMED CT only: no ICD-10-CM code' }]);
    expect(await searchAttributes(handle)).toMatchObject({ AwaitingAction: 'coding_review' });
    const otherEncounter = await handle.executeUpdate(correctCodingUpdate, { args: [sampleEncounter('enc-other')] }).catch((e: unknown) => e);
    expect((otherEncounter as WorkflowUpdateFailedError).cause).toMatchObject({ message: "the visit's encounter is enc-3, not enc-other" });

    await handle.executeUpdate(correctCodingUpdate, { args: [sampleEncounter('enc-3')] });
    const submitted = await reachStage(handle, 'claim_submitted');
    expect(submitted.codingProblems).toEqual([]);
    expect(billed).toEqual([['99214', '20610']]);
    await handle.terminate('test done');
  });
});

test('charges the PMS refuses go to coding review and are posted again once corrected', async () => {
  let posts = 0;
  const { acts } = mockActivities({
    overrides: {
      postCharges: async ({ encounter }) => {
        if (posts++ === 0) throw ApplicationFailure.create({ type: 'PMS_REJECTED', nonRetryable: true, message: 'FT1-19: unknown diagnosis' });
        return encounter.procedures.map((p, i) => ({ ...p, lineNumber: i + 1, chargeCents: 100 }));
      },
    },
  });
  await withWorker(acts, async (tq) => {
    const { handle } = await start(tq);
    await reachStage(handle, 'awaiting_encounter');
    await handle.signal(encounterSignedSignal, { encounterId: 'enc-4' });
    const review = await reachStage(handle, 'coding_review');
    expect(review.codingProblems).toEqual([{ path: 'charges', reason: 'FT1-19: unknown diagnosis' }]);
    await handle.executeUpdate(correctCodingUpdate, { args: [sampleEncounter('enc-4')] });
    await reachStage(handle, 'claim_submitted');
    expect(posts).toBe(2);
    await handle.terminate('test done');
  });
});

test('a claim the payer rejects (277CA A7) waits for corrected coverage and goes out again as a new original', async () => {
  const { acts, calls } = mockActivities();
  await withWorker(acts, async (tq) => {
    const { handle } = await start(tq, 'REJ1');
    await reachStage(handle, 'awaiting_encounter');
    await handle.signal(encounterSignedSignal, { encounterId: 'enc-5' });
    await reachStage(handle, 'claim_submitted');
    await handle.signal(claimAcknowledgedSignal, { kind: '999', controlNumber: 1001, accepted: true, codes: ['accepted'], sourceKey: 'r-999' });
    await handle.signal(claimAcknowledgedSignal, { kind: '277CA', accepted: false, codes: ['A7:164:IL'], message: 'invalid member id', sourceKey: 'r-277' });
    const rejected = await reachStage(handle, 'claim_rejected');
    expect(rejected.claim).toMatchObject({ status: 'rejected', rejection: { queue: 'coverage', reason: 'invalid member id' } });
    expect(await searchAttributes(handle)).toMatchObject({ ClaimStatus: 'rejected', AwaitingAction: 'coverage' });

    await handle.executeUpdate(updateCoverageUpdate, { args: [{ ...sampleVisit('x').coverage, memberId: 'W2' }] });
    await eventually(async () => calls.submitted.length === 2, { what: 'a second claim submitted' });
    await acknowledge(handle, 2);
    await handle.signal(remittanceReceivedSignal, remittance({ sourceKey: 'rej-pay' }));
    const result = await handle.result();
    expect(result.outcome).toBe('paid');
    expect(calls.submitted.map((c) => [c.attempt, c.frequency])).toEqual([
      [1, '1'],
      [2, '1'],
    ]);
    expect(calls.eligibility).toBe(2); // the corrected coverage was checked before the new original went out
    await recordHistory(handle, 'visit-rejected-coverage-fixed');
  });
});

test('a claim whose acknowledgment is late is flagged for follow-up, and the flag clears when the 999 arrives', async () => {
  const { acts } = mockActivities();
  await withWorker(acts, async (tq) => {
    const { handle } = await start(tq, 'W1', { ...timers, ackTimeoutMs: 1500 });
    await reachStage(handle, 'awaiting_encounter');
    await handle.signal(encounterSignedSignal, { encounterId: 'enc-6' });
    await reachStage(handle, 'claim_submitted');
    await eventually(async () => (await handle.query(statusQuery)).awaitingAction === 'acknowledgment_overdue', { what: 'awaiting acknowledgment_overdue' });
    expect(await searchAttributes(handle)).toMatchObject({ AwaitingAction: 'acknowledgment_overdue' });
    await handle.signal(claimAcknowledgedSignal, { kind: '999', controlNumber: 1001, accepted: true, codes: ['accepted'], sourceKey: 'late-999' });
    await eventually(async () => (await handle.query(statusQuery)).awaitingAction === 'acknowledgment', { what: 'awaiting acknowledgment again' });
    await handle.terminate('test done');
  });
});

test('scrubber errors hold the visit in coding review; an accepted suggestion re-scrubs and the corrected coding is billed', async () => {
  const corrected: string[][] = [];
  const withHeader = {
    ...sampleEncounter('enc-7'),
    diagnoses: [
      { code: 'M545', rank: 1 },
      { code: 'E119', rank: 2 },
    ],
  };
  const { acts, calls } = mockActivities({
    overrides: {
      fetchEncounter: async () => withHeader,
      recordCodingCorrection: async ({ encounter }) => {
        corrected.push(encounter.diagnoses.map((d) => d.code));
        return encounter;
      },
    },
  });
  await withWorker(acts, async (tq) => {
    const { handle } = await start(tq);
    await reachStage(handle, 'awaiting_encounter');
    await handle.signal(encounterSignedSignal, { encounterId: 'enc-7' });
    const review = await reachStage(handle, 'coding_review');
    expect(review.awaitingAction).toBe('coding_review');
    expect(review.findings).toEqual([expect.objectContaining({ id: 'ICD10_HEADER@diagnoses[0].code', message: expect.stringContaining('M54.5') })]);
    expect(review.history.find((h) => h.stage === 'coding')).toMatchObject({ rulesetVersion: 'rs-test', findings: 1 });

    const notOffered = await handle
      .executeUpdate(acceptSuggestionUpdate, { args: [{ findingId: 'ICD10_HEADER@diagnoses[0].code', choice: 'M5452' }] })
      .catch((e: unknown) => e);
    expect((notOffered as WorkflowUpdateFailedError).cause).toMatchObject({
      type: 'SuggestionRejected',
      message: expect.stringContaining('not one of the suggested codes'),
    });
    const unknown = await handle.executeUpdate(acceptSuggestionUpdate, { args: [{ findingId: 'NOPE', choice: 'M5450' }] }).catch((e: unknown) => e);
    expect((unknown as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'SuggestionRejected' });
    expect(corrected).toEqual([]); // refused updates changed nothing

    await handle.executeUpdate(acceptSuggestionUpdate, { args: [{ findingId: 'ICD10_HEADER@diagnoses[0].code', choice: 'M54.50' }] });
    const submitted = await reachStage(handle, 'claim_submitted');
    expect(corrected).toEqual([['M5450', 'E119']]);
    expect(calls.scrubbed).toEqual([
      ['M545', 'E119'],
      ['M5450', 'E119'],
    ]);
    expect(submitted.findings).toEqual([]);
    await handle.terminate('test done');
  });
});

test('a correction that still fails the scrubber stays in coding review until one passes', async () => {
  const { acts, calls } = mockActivities({
    overrides: { fetchEncounter: async () => ({ ...sampleEncounter('enc-8'), diagnoses: [{ code: 'M545', rank: 1 }] }) },
  });
  await withWorker(acts, async (tq) => {
    const { handle } = await start(tq);
    await reachStage(handle, 'awaiting_encounter');
    await handle.signal(encounterSignedSignal, { encounterId: 'enc-8' });
    await reachStage(handle, 'coding_review');
    await handle.executeUpdate(correctCodingUpdate, {
      args: [
        {
          ...sampleEncounter('enc-8'),
          diagnoses: [
            { code: 'E119', rank: 1 },
            { code: 'M545', rank: 2 },
          ],
        },
      ],
    });
    const still = await eventually(
      async () => {
        const s: VisitStatus = await handle.query(statusQuery);
        return s.findings[0]?.id === 'ICD10_HEADER@diagnoses[1].code' && s;
      },
      { what: 'the re-scrub to find the remaining header code' },
    );
    expect(still.stage).toBe('coding_review');
    expect(calls.scrubbed).toHaveLength(2);
    await handle.executeUpdate(correctCodingUpdate, { args: [sampleEncounter('enc-8')] });
    await reachStage(handle, 'claim_submitted');
    expect(calls.scrubbed).toHaveLength(3);
    await handle.terminate('test done');
  });
});
