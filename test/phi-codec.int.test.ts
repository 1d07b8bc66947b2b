/**
 * PHI in Temporal, as an operator with server access would see it: the raw history of a
 * new visit, read with a client that has no codec, holds no name, birth date, member id or
 * address; the Web UI's codec endpoint opens it for a caller from an allowed origin and
 * writes each decode to the audit trail; a visit started before a key rotation keeps running
 * and stays readable after it.
 */
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import request from 'supertest';
import { ensureEncounterSweep } from '../app/services';
import { ENCOUNTER_SWEEP_SCHEDULE_ID, ENCOUNTER_SWEEP_WORKFLOW_ID } from '../workflows/definitions';
import { AesGcmCodec, parseKeyRing, phiDataConverter, WORKFLOW_ID_METADATA } from '../temporal/codec';
import { sampleVisit } from './fixtures';

import { reach, startTestStack, type TestStack } from './stack';
import { TEST_KEYS_SPEC } from './secrets';
import { eventually, temporalAddress, uniqueId } from './support';

const UI_ORIGIN = 'http://127.0.0.1:8233'; // the default TEMPORAL_UI_ORIGINS for the default TEMPORAL_UI_PORT
const PHI = (memberId: string) => ['JANE', 'DOE', '1980-02-14', '19800214', memberId, '12 ELM ST', 'SPRINGFIELD', '62701'];

let stack: TestStack;
let raw: { client: Client; connection: Connection };

beforeAll(async () => {
  stack = await startTestStack();
  const connection = await Connection.connect({ address: temporalAddress() });
  raw = { connection, client: new Client({ connection }) }; // no data converter: what the server stores
});
afterAll(async () => {
  await raw.connection.close();
  await stack.stop();
});

async function rawHistoryBytes(workflowId: string): Promise<Buffer> {
  const history = await raw.client.workflow.getHandle(workflowId).fetchHistory();
  return Buffer.from(proto.api.history.v1.History.encode(history).finish());
}

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

async function startInput(workflowId: string): Promise<Payload[]> {
  const history = await raw.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads as Payload[];
}

test('the raw history of a new visit holds no patient identifier in clear text; the codec endpoint opens it and audits', async () => {
  const memberId = 'W918273645';
  const visit = sampleVisit(uniqueId('v'), memberId);
  expect((await stack.api.post('/visits').send(visit)).status).toBe(201);
  await reach(stack, visit.visitId, 'awaiting_encounter'); // intake, pre-population and eligibility have run: PHI went through activities

  const bytes = (await rawHistoryBytes(`visit-${visit.visitId}`)).toString('latin1');
  expect(bytes).toContain(visit.visitId); // the workflow id and search attributes are not encrypted, and hold no PHI
  for (const s of PHI(memberId)) expect(bytes).not.toContain(s);
  expect(bytes).toContain('binary/encrypted');

  const payloads = await startInput(`visit-${visit.visitId}`);
  const res = await (
    await stack.as('biller')
  )
    .post('/codec/decode')
    .set('origin', UI_ORIGIN)
    .set('x-namespace', 'default')
    .send({ payloads: payloads.map(toJson) });
  expect(res.status).toBe(200);
  expect(res.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
  const decoded = res.body.payloads.map((p: { metadata: Record<string, string>; data: string }) =>
    defaultPayloadConverter.fromPayload({
      metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data, 'base64'),
    }),
  );
  expect(decoded[0].visit.patient).toMatchObject({ firstName: 'JANE', lastName: 'DOE', birthDate: '1980-02-14' });
  expect(decoded[0].visit.coverage.memberId).toBe(memberId);
  // Reading PHI through the codec is a biller's (or admin's) right, not the front desk's; no key at all is 401.
  expect((await (await stack.as('front_desk')).post('/codec/decode').send({ payloads: [] })).status).toBe(403);
  expect((await request(stack.apiUrl).post('/codec/decode').send({ payloads: [] })).status).toBe(401);

  const audited = await stack.db('audit_log').where({ action: 'codec.decode' });
  expect(audited).toHaveLength(1);
  // The UI says only the namespace; the payload's own (authenticated) binding says whose data was read.
  expect(audited[0].detail).toMatchObject({
    namespace: 'default',
    payloads: 1,
    keyIds: ['test-2'],
    workflowIds: [`visit-${visit.visitId}`],
    visitIds: [visit.visitId],
    unbound: 0,
  });
  expect(audited[0].visit_id).toBe(visit.visitId);
  expect(audited[0].actor_role).toBe('biller');
});

test('the codec endpoint answers only the Temporal UI origin (preflight included) and only our namespace', async () => {
  const preflight = await request(stack.apiUrl)
    .options('/codec/decode')
    .set('origin', UI_ORIGIN)
    .set('access-control-request-method', 'POST')
    .set('access-control-request-headers', 'authorization,content-type,x-namespace');
  expect(preflight.status).toBe(204);
  expect(preflight.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
  expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
  expect(preflight.headers['access-control-allow-credentials']).toBe('true');

  const evil = await request(stack.apiUrl).post('/codec/decode').set('origin', 'https://evil.example').send({ payloads: [] });
  expect(evil.status).toBe(403);
  expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  expect(evil.body.code).toBe('ORIGIN_NOT_ALLOWED');

  const otherNamespace = await stack.api.post('/codec/decode').set('x-namespace', 'other').send({ payloads: [] });
  expect(otherNamespace.status).toBe(403);
  const bad = await stack.api.post('/codec/decode').send({ payloads: [{ data: 'not base64!' }] });
  expect(bad.status).toBe(400);
  expect(bad.body.issues[0].path).toBe('payloads.0.data');
});

test('encode then decode through the endpoint round-trips, sealed with the current key', async () => {
  const plain = defaultPayloadConverter.toPayload({ hello: 'world' });
  const enc = await stack.api.post('/codec/encode').send({ payloads: [toJson(plain)] });
  expect(enc.status).toBe(200);
  expect(Buffer.from(enc.body.payloads[0].metadata['encryption-key-id'], 'base64').toString()).toBe('test-2');
  const dec = await stack.api.post('/codec/decode').send(enc.body);
  expect(dec.body.payloads[0]).toEqual(toJson(plain));
});

test('a visit started before a key rotation (old key only) keeps running after it, and its history still decodes', async () => {
  const ring = parseKeyRing(TEST_KEYS_SPEC);
  const beforeRotation = new Client({
    connection: raw.connection,
    dataConverter: phiDataConverter({ keys: new Map([['test-1', ring.get('test-1')!]]), currentKeyId: 'test-1' }),
  });
  const visit = sampleVisit(uniqueId('v'), 'W555000111');
  await beforeRotation.workflow.start('visitWorkflow', {
    workflowId: `visit-${visit.visitId}`,
    taskQueue: stack.taskQueue,
    args: [{ visit, timers: { coverageDeadlineMs: 60_000, ackTimeoutMs: 60_000, adjudicationTimeoutMs: 60_000, activityRetryMaxIntervalMs: 2_000 } }],
  });
  // The stack's worker and API hold the rotated ring (test-2 current, test-1 kept): they read it and carry on.
  await reach(stack, visit.visitId, 'awaiting_encounter');

  const payloads = await startInput(`visit-${visit.visitId}`);
  expect(Buffer.from(payloads[0].metadata!['encryption-key-id']!).toString()).toBe('test-1');
  const res = await (await stack.as('biller')).post('/codec/decode').send({ payloads: payloads.map(toJson) });
  expect(res.status).toBe(200);
  expect(Buffer.from(res.body.payloads[0].data, 'base64').toString()).toContain('W555000111');
});

const TIMERS = { coverageDeadlineMs: 60_000, ackTimeoutMs: 60_000, adjudicationTimeoutMs: 60_000, activityRetryMaxIntervalMs: 2_000 };

describe('ciphertext is bound to its workflow', () => {
  let visitA: ReturnType<typeof sampleVisit>;
  let payloadsOfA: Payload[];
  beforeAll(async () => {
    visitA = sampleVisit(uniqueId('v'), 'W222333444');
    expect((await stack.api.post('/visits').send(visitA)).status).toBe(201);
    await reach(stack, visitA.visitId, 'awaiting_encounter');
    payloadsOfA = await startInput(`visit-${visitA.visitId}`);
    expect(Buffer.from(payloadsOfA[0].metadata![WORKFLOW_ID_METADATA]!).toString()).toBe(`visit-${visitA.visitId}`);
  });
  const audits = (action: string) => stack.db('audit_log').where({ action }).orderBy('id');

  test("a visit started with another visit's sealed input (copied from its history) does not open it: its workflow task fails", async () => {
    const workflowId = `visit-${uniqueId('v')}`;
    // What someone with access to the Temporal frontend but no key can do: start a workflow whose input is copied ciphertext.
    await raw.client.workflowService.startWorkflowExecution({
      namespace: 'default',
      workflowId,
      requestId: uniqueId('req'),
      identity: 'copy-attack',
      workflowType: { name: 'visitWorkflow' },
      taskQueue: { name: stack.taskQueue },
      input: { payloads: payloadsOfA },
    });
    const failed = await eventually(
      async () => {
        const history = await raw.client.workflow.getHandle(workflowId).fetchHistory();
        return history.events?.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
      },
      { what: 'the copied input to fail its workflow task' },
    );
    // The failure's text is sealed too (encodeCommonAttributes); opened with the keys, it says why.
    const ring = parseKeyRing(TEST_KEYS_SPEC);
    const why = defaultPayloadConverter.fromPayload<{ message: string }>(
      new AesGcmCodec({ keys: ring, currentKeyId: 'test-2' }).open(failed?.failure?.encodedAttributes as Payload),
    );
    expect(why.message).toContain(`belongs to workflow "visit-${visitA.visitId}", not "${workflowId}"`);
    const history = await raw.client.workflow.getHandle(workflowId).fetchHistory();
    expect(history.events!.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false); // the workflow never ran a step with the copied data
    await raw.client.workflow.getHandle(workflowId).terminate('copied ciphertext');
  });

  test("through the endpoint, a payload asked for as another workflow's is refused (422) and the refusal audited", async () => {
    const biller = await stack.as('biller');
    const other = `visit-${uniqueId('v')}`;
    const before = (await audits('codec.decode_refused')).length;
    const res = await biller
      .post('/codec/decode')
      .set('x-workflow-id', other)
      .send({ payloads: payloadsOfA.map(toJson) });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'CODEC_BINDING', issues: [{ path: `payloads.0.metadata.${WORKFLOW_ID_METADATA}` }] });
    expect(JSON.stringify(res.body)).not.toContain('JANE');
    const refused = (await audits('codec.decode_refused')).slice(before);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ visit_id: visitA.visitId, actor_role: 'biller' });
    expect(refused[0].detail).toMatchObject({
      claimedWorkflowId: other,
      workflowIds: [`visit-${visitA.visitId}`],
      visitIds: [visitA.visitId],
      refused: 'CODEC_BINDING',
      idsAuthenticated: false,
    });

    // Asked for as its own workflow's, it opens (and that read is audited with the ids).
    const own = await biller
      .post('/codec/decode')
      .set('x-workflow-id', `visit-${visitA.visitId}`)
      .send({ payloads: payloadsOfA.map(toJson) });
    expect(own.status).toBe(200);
    const [read] = (await audits('codec.decode')).slice(-1);
    expect(read).toMatchObject({ visit_id: visitA.visitId });
    expect(read.detail).toMatchObject({ claimedWorkflowId: `visit-${visitA.visitId}`, workflowIds: [`visit-${visitA.visitId}`] });
  });

  test('relabelling a payload with another workflow id breaks it: refused (422 CODEC_KEY) and audited', async () => {
    const other = `visit-${uniqueId('v')}`;
    const relabelled = payloadsOfA.map((p) => ({ ...p, metadata: { ...p.metadata, [WORKFLOW_ID_METADATA]: new TextEncoder().encode(other) } }));
    const before = (await audits('codec.decode_refused')).length;
    const res = await (await stack.as('biller')).post('/codec/decode').send({ payloads: relabelled.map(toJson) });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('CODEC_KEY');
    const refused = (await audits('codec.decode_refused')).slice(before);
    expect(refused).toHaveLength(1);
    expect(refused[0].detail).toMatchObject({ workflowIds: [other], refused: 'CODEC_KEY', idsAuthenticated: false });
  });

  test('a payload sealed before binding (no workflow id) still opens, counted as unbound', async () => {
    const visit = sampleVisit(uniqueId('v'), 'W777888999');
    const ring = parseKeyRing(TEST_KEYS_SPEC);
    const old = new AesGcmCodec({ keys: ring, currentKeyId: 'test-2' }).seal(defaultPayloadConverter.toPayload({ visit, timers: TIMERS }));
    const res = await (await stack.as('biller')).post('/codec/decode').send({ payloads: [toJson(old)] });
    expect(res.status).toBe(200);
    const [read] = (await audits('codec.decode')).slice(-1);
    expect(read.detail).toMatchObject({ workflowIds: [], unbound: 1 });
    expect(read.visit_id).toBeNull();
  });
});

test('the encounter sweep, started by its Schedule (runs named encounter-sweep-workflow-<time>), opens the arguments sealed for the schedule and runs', async () => {
  await ensureEncounterSweep(stack.config, stack.temporal);
  const schedule = stack.temporal.schedule.getHandle(ENCOUNTER_SWEEP_SCHEDULE_ID);
  try {
    await schedule.trigger();
    const run = await eventually(async () => (await schedule.describe()).info.recentActions[0]?.action.workflow, { what: "the schedule's triggered run" });
    expect(run.workflowId).toMatch(/^encounter-sweep-workflow-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const input = await startInput(run.workflowId);
    expect(Buffer.from(input[0].metadata![WORKFLOW_ID_METADATA]!).toString()).toBe(ENCOUNTER_SWEEP_WORKFLOW_ID);
    await expect(stack.temporal.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result()).resolves.toMatchObject({ found: expect.any(Number) });
  } finally {
    await schedule.delete();
  }
});
