/**
 * The inbound webhooks as an attacker and a flaky sender would use them: unsigned or replayed
 * requests are refused; a forged 835 for a claim we never sent to that payer is kept but never
 * reaches the visit; a file received twice reaches it once; a 999 with a non-numeric control
 * number and a malformed FHIR Bundle are 400s, not 500s.
 */
import request from 'supertest';
import { createClaims, markInterchangeSubmitted } from '../db/claims';
import { saveEhrRefs, saveIntake } from '../db/visits';
import { signedHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../domain/webhook-signature';
import { build999 } from '../domain/x12/acknowledgment';
import { build835 } from '../domain/x12/remittance-build';
import { sampleEnvelope, sampleRemittance } from '../domain/x12/samples';
import { sampleVisit } from '../test/fixtures';
import { startApiUnderTest, testTimers as timers } from '../test/api-under-test';
import { signedBody, TEST_WEBHOOKS } from '../test/secrets';
import { uniqueId } from '../test/support';

let api: Awaited<ReturnType<typeof startApiUnderTest>>;
let app: typeof api.app;
let temporal: { client: typeof api.temporal };
let database: { db: typeof api.db };

beforeAll(async () => {
  api = await startApiUnderTest('tq-wh');
  app = api.app;
  temporal = { client: api.temporal };
  database = { db: api.db };
});
afterAll(async () => {
  expect(api.logged).toEqual([]); // nothing in this file was a 500
  await api.stop();
});

const x12 = (body: string, headers: Record<string, string>) =>
  request(app).post('/webhooks/clearinghouse').set('content-type', 'application/edi-x12').set(headers).send(body);
const postX12 = (body: string) => x12(body, signedBody('clearinghouse', body).headers);

/** A visit whose claim (payer 87726, $150.00) was submitted, with its workflow running (no worker: signals just land in history). */
async function submittedVisit(): Promise<string> {
  const visit = sampleVisit(uniqueId('v'));
  await saveIntake(database.db, visit);
  const controlNumber = Math.floor(Math.random() * 1e8) + 1;
  await createClaims(database.db, { controlNumber, receiverId: 'CLEARINGHOUSE', x12: 'ISA' }, [
    {
      visitId: visit.visitId,
      attempt: 1,
      frequency: '1',
      payerId: '87726',
      filingIndicator: 'CI',
      payerResponsibility: 'P',
      billedCents: 15000,
      lines: [
        { lineNumber: 1, code: '99214', modifiers: ['25'], units: 1, chargeCents: 15000, diagnosisPointers: [1], lineControlNumber: `${visit.visitId}-1` },
      ],
    },
  ]);
  await markInterchangeSubmitted(database.db, controlNumber, 'sub-1');
  await temporal.client.workflow.start('visitWorkflow', { workflowId: `visit-${visit.visitId}`, taskQueue: uniqueId('tq-none'), args: [{ visit, timers }] });
  return visit.visitId;
}

async function remittanceSignals(visitId: string): Promise<number> {
  const history = await temporal.client.workflow.getHandle(`visit-${visitId}`).fetchHistory();
  return history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'remittanceReceived').length;
}

function era(visitId: string, trace: string, payerId = '87726'): string {
  const r = sampleRemittance();
  r.trace.number = trace;
  r.payer.id = payerId;
  r.claims[0].patientControlNumber = visitId;
  return build835([r], sampleEnvelope(Math.floor(Math.random() * 1e8) + 1));
}

test('an unsigned, mis-signed or replayed webhook is refused with 401 and nothing is stored', async () => {
  const body = era('v-unsigned', 'T1');
  const unsigned = await x12(body, {});
  expect(unsigned.status).toBe(401);
  expect(unsigned.body).toMatchObject({ code: 'SIGNATURE_INVALID', message: expect.stringContaining(TIMESTAMP_HEADER) });
  const otherSecret = await x12(body, signedHeaders('not-the-clearinghouse-secret-0123456789', body));
  expect(otherSecret.status).toBe(401);
  const stale = await x12(body, signedHeaders(TEST_WEBHOOKS.clearinghouseSecret, body, Math.floor(Date.now() / 1000) - 3600));
  expect(stale.status).toBe(401);
  expect(stale.body.message).toMatch(/replay/);
  const ehrSignedAsClearinghouse = signedBody('clearinghouse', { visitId: 'v1', encounterId: 'e1' });
  const ehr = await request(app)
    .post('/webhooks/ehr/encounter-signed')
    .set(ehrSignedAsClearinghouse.headers)
    .set('content-type', 'application/json')
    .send(ehrSignedAsClearinghouse.body);
  expect(ehr.status).toBe(401);
  expect(await database.db('inbound_messages').count('* as n').first()).toEqual({ n: '0' });
  expect(unsigned.headers[SIGNATURE_HEADER]).toBeUndefined();
});

test('an 835 reaches the visit only when it matches a claim we submitted (visit, payer, amount), and only once', async () => {
  const visitId = await submittedVisit();
  const forgedPayer = await postX12(era(visitId, 'FORGED1', '99999'));
  expect(forgedPayer.status).toBe(202);
  expect(forgedPayer.body).toMatchObject({ transaction: '835', delivered: 0, unmatched: 1 });
  const neverSent = await postX12(era(uniqueId('v'), 'FORGED2'));
  expect(neverSent.body).toMatchObject({ delivered: 0, unmatched: 1 });

  const genuine = era(visitId, 'EFT-OK');
  expect((await postX12(genuine)).body).toMatchObject({ delivered: 1, unmatched: 0 });
  const again = await postX12(genuine); // the clearinghouse redelivers the same file
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ duplicate: true, delivered: 0 });
  expect(await remittanceSignals(visitId)).toBe(1);
  await temporal.client.workflow.getHandle(`visit-${visitId}`).terminate('test done');
});

test('a 999 whose control number is not a number is a 400 naming AK102, not a 500', async () => {
  const body = build999(
    { functionalId: 'HC', groupControlNumber: 'ABC', status: 'accepted', transactions: [], counts: { included: 1, received: 1, accepted: 1 } },
    '005010X222A1',
    sampleEnvelope(77),
  );
  const res = await postX12(body);
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ code: 'X12_CONTENT', message: expect.stringContaining('AK102') });
});

test.each([
  ['an entry that is not an object', { resourceType: 'Bundle', type: 'history', entry: ['x'] }],
  [
    'an Encounter whose appointment is a string',
    {
      resourceType: 'Bundle',
      type: 'history',
      entry: [{ resource: { resourceType: 'Parameters', parameter: [] } }, { resource: { resourceType: 'Encounter', id: 'e1', appointment: 'Appointment/1' } }],
    },
  ],
  [
    'an Appointment whose identifier is an object',
    {
      resourceType: 'Bundle',
      type: 'history',
      entry: [
        { resource: { resourceType: 'Parameters', parameter: [] } },
        { resource: { resourceType: 'Encounter', id: 'e1', appointment: [{ reference: 'Appointment/1' }] } },
        { resource: { resourceType: 'Appointment', id: '1', identifier: { value: 'v1' } } },
      ],
    },
  ],
  [
    'an Encounter id with a NUL byte',
    {
      resourceType: 'Bundle',
      type: 'history',
      entry: [{ resource: { resourceType: 'Parameters', parameter: [] } }, { resource: { resourceType: 'Encounter', id: 'e\u00001' } }],
    },
  ],
])('a malformed FHIR notification (%s) is a 400 with issues', async (_what, bundle) => {
  const s = signedBody('ehr', bundle);
  const res = await request(app).post('/webhooks/ehr/encounter-signed').set(s.headers).set('content-type', 'application/fhir+json').send(s.body);
  expect(res.status).toBe(400);
  expect(res.body.issues.length).toBeGreaterThan(0);
});

test('an "encounter signed" notification delivered again is not signalled to the visit again; one not delivered can be resent', async () => {
  const visit = sampleVisit(uniqueId('v'));
  const notification = signedBody('ehr', { visitId: visit.visitId, encounterId: 'enc-77' });
  const send = () =>
    request(app).post('/webhooks/ehr/encounter-signed').set(notification.headers).set('content-type', 'application/json').send(notification.body);
  // No workflow yet: nothing delivered, nothing kept, so the EHR's retry is delivered in full.
  expect((await send()).status).toBe(404);
  await temporal.client.workflow.start('visitWorkflow', { workflowId: `visit-${visit.visitId}`, taskQueue: uniqueId('tq-none'), args: [{ visit, timers }] });
  expect(await send()).toMatchObject({ status: 202, body: { visitId: visit.visitId, encounterId: 'enc-77' } });
  expect(await send()).toMatchObject({ status: 200, body: { duplicate: true } });
  const history = await temporal.client.workflow.getHandle(`visit-${visit.visitId}`).fetchHistory();
  expect(history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'encounterSigned')).toHaveLength(1);
  await temporal.client.workflow.getHandle(`visit-${visit.visitId}`).terminate('test done');
});

test('regression (fast-check, webhooks-fuzz): a 277CA with NUL bytes in its GS was a 500 (Postgres cannot store NUL); now a 400 naming the line, nothing stored', async () => {
  const before = await database.db('inbound_messages').count('* as n').first();
  const file = build999(
    { functionalId: 'HC', groupControlNumber: '42', status: 'accepted', transactions: [], counts: { included: 1, received: 1, accepted: 1 } },
    '005010X222A1',
    sampleEnvelope(78),
  ).replace(/\nGS\*/, `\nGS*${'\u0000'.repeat(40)}`);
  const res = await postX12(file);
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ code: 'X12_SYNTAX', message: expect.stringMatching(/^line 2: a NUL byte/), issues: [{ path: 'line 2' }] });
  expect(await database.db('inbound_messages').count('* as n').first()).toEqual(before);
});

test('an "encounter signed" notification for another patient or appointment than the visit\'s is a 409 and reaches no visit', async () => {
  const visit = sampleVisit(uniqueId('v'));
  await saveIntake(database.db, visit);
  await saveEhrRefs(database.db, visit, { patientRef: 'Patient/p-right', coverageRef: 'Coverage/c1', appointmentRef: 'Appointment/a-right' });
  await temporal.client.workflow.start('visitWorkflow', { workflowId: `visit-${visit.visitId}`, taskQueue: uniqueId('tq-none'), args: [{ visit, timers }] });
  const notification = (subject: string, appointment: string) => ({
    resourceType: 'Bundle',
    type: 'history',
    entry: [
      { resource: { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'event-notification' }] } },
      { resource: { resourceType: 'Encounter', id: 'enc-x', subject: { reference: subject }, appointment: [{ reference: appointment }] } },
      { resource: { resourceType: 'Appointment', id: appointment.split('/')[1], identifier: [{ system: 'urn:revcycle:visit', value: visit.visitId }] } },
    ],
  });
  const post = (body: object) => {
    const s = signedBody('ehr', body);
    return request(app).post('/webhooks/ehr/encounter-signed').set(s.headers).set('content-type', 'application/fhir+json').send(s.body);
  };
  const otherPatient = await post(notification('Patient/p-wrong', 'Appointment/a-right'));
  expect(otherPatient.status).toBe(409);
  expect(otherPatient.body).toMatchObject({
    code: 'ENCOUNTER_MISMATCH',
    message: expect.stringContaining('Patient/p-wrong'),
    issues: [{ path: 'entry.Encounter' }],
  });
  expect((await post(notification('Patient/p-right', 'Appointment/a-wrong'))).status).toBe(409);
  expect((await post(notification('Patient/p-right', 'Appointment/a-right'))).status).toBe(202);
  const history = await temporal.client.workflow.getHandle(`visit-${visit.visitId}`).fetchHistory();
  expect(history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'encounterSigned')).toHaveLength(1);
  await temporal.client.workflow.getHandle(`visit-${visit.visitId}`).terminate('test done');
});

describe('POST /webhooks/ehr/subscription (FHIR R4 Subscriptions Backport rest-hook)', () => {
  const post = (body: object, type = 'application/fhir+json') => {
    const s = signedBody('ehr', body);
    return request(app).post('/webhooks/ehr/subscription').set(s.headers).set('content-type', type).send(s.body);
  };
  const status = (type: string) => ({
    resource: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'topic', valueCanonical: 'urn:revcycle:fhir:topic:encounter-signed' },
        { name: 'type', valueCode: type },
      ],
    },
  });

  test('a handshake and a heartbeat are answered 200 and reach no visit; unsigned they are 401', async () => {
    const before = await database.db('inbound_messages').count('* as n').first();
    for (const type of ['handshake', 'heartbeat']) {
      expect(await post({ resourceType: 'Bundle', type: 'history', entry: [status(type)] })).toMatchObject({ status: 200, body: { type } });
    }
    expect(await database.db('inbound_messages').count('* as n').first()).toEqual(before);
    const unsigned = await request(app)
      .post('/webhooks/ehr/subscription')
      .set('content-type', 'application/fhir+json')
      .send({ resourceType: 'Bundle', type: 'history', entry: [status('handshake')] });
    expect(unsigned.status).toBe(401);
  });

  test('an event notification reaches its visit once; the plain {visitId, encounterId} body and a Bundle without its status first are 400s', async () => {
    const visit = sampleVisit(uniqueId('v'));
    await saveIntake(database.db, visit);
    await saveEhrRefs(database.db, visit, { patientRef: 'Patient/p-sub', coverageRef: 'Coverage/c-sub', appointmentRef: 'Appointment/a-sub' });
    await temporal.client.workflow.start('visitWorkflow', { workflowId: `visit-${visit.visitId}`, taskQueue: uniqueId('tq-none'), args: [{ visit, timers }] });
    const event = {
      resourceType: 'Bundle',
      type: 'history',
      entry: [
        status('event-notification'),
        {
          fullUrl: 'http://ehr/Encounter/enc-sub',
          resource: { resourceType: 'Encounter', id: 'enc-sub', subject: { reference: 'Patient/p-sub' }, appointment: [{ reference: 'Appointment/a-sub' }] },
        },
        {
          fullUrl: 'http://ehr/Appointment/a-sub',
          resource: { resourceType: 'Appointment', id: 'a-sub', identifier: [{ system: 'urn:revcycle:visit', value: visit.visitId }] },
        },
      ],
    };
    expect(await post(event)).toMatchObject({ status: 202, body: { visitId: visit.visitId, encounterId: 'enc-sub' } });
    expect(await post(event)).toMatchObject({ status: 200, body: { duplicate: true } });
    const history = await temporal.client.workflow.getHandle(`visit-${visit.visitId}`).fetchHistory();
    expect(history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'encounterSigned')).toHaveLength(1);
    await temporal.client.workflow.getHandle(`visit-${visit.visitId}`).terminate('test done');

    const plain = await post({ visitId: visit.visitId, encounterId: 'enc-sub' }, 'application/json');
    expect(plain.status).toBe(400);
    expect(plain.body.issues.length).toBeGreaterThan(0);
    const noStatus = await post({ resourceType: 'Bundle', type: 'history', entry: event.entry.slice(1) });
    expect(noStatus.status).toBe(400);
    expect(noStatus.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^entry\.0\.resource/) })]));
  });
});
