/**
 * Failures carry no PHI into Temporal: an outside party whose refusal quotes a patient (an
 * EHR's OperationOutcome naming a duplicate patient, a clearinghouse reply naming the
 * subscriber) parks the visit, and the raw history (read with a client that has no codec,
 * as an operator with server access would) holds none of it, nor does GET /visits/:id for
 * any role. The refusal's words are kept, sealed, in the failure's details: a biller opens
 * them through the codec endpoint.
 */
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROLES } from '../domain/roles';
import { runWorker } from '../app/services';
import type { VisitStatus } from '../workflows/definitions';
import { sampleVisit } from './fixtures';
import { reach, startTestStack, type TestStack } from './stack';
import { temporalAddress, uniqueId } from './support';

/** Another patient, as a real EHR's duplicate check or a payer's "not found" names them. */
const OTHER = { name: 'ROBERTA QUIMBY', birthDate: '1961-07-04', x12Date: '19610704', memberId: 'ZX99887766' };
const OTHER_PHI = ['ROBERTA', 'QUIMBY', OTHER.birthDate, OTHER.x12Date, OTHER.memberId];
const OWN_PHI = ['JANE', 'DOE', '1980-02-14', '19800214', '12 ELM ST', 'SPRINGFIELD'];
const outcome = {
  resourceType: 'OperationOutcome',
  issue: [
    { severity: 'error', code: 'duplicate', diagnostics: `Patient conflicts with existing ${OTHER.name} born ${OTHER.birthDate}, member ${OTHER.memberId}` },
  ],
};
const clearinghouseReply = `AAA*N**75*C~ subscriber ${OTHER.name} DOB ${OTHER.x12Date} member ${OTHER.memberId} not on file at this payer`;

let stack: TestStack;
let raw: { client: Client; connection: Connection };
let worker: { stop(): Promise<void> };
const servers: Server[] = [];
/** POST /Patient bodies naming this patient id are refused: a 503 first (retried), then a 422. */
let refusedPatientId = '';
let patientAttempts = 0;

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  stack = await startTestStack({ worker: false, timers: { activityMaxAttempts: 3 } });
  // The EHR: the simulator, except for one patient, whom it refuses quoting another patient.
  const ehrUrl = await listen(
    createServer(async (req, res) => {
      const text = await body(req);
      if (req.method === 'POST' && /\/Patient$/.test(req.url ?? '') && refusedPatientId && text.includes(refusedPatientId)) {
        patientAttempts += 1;
        res.writeHead(patientAttempts === 1 ? 503 : 422, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(outcome));
        return;
      }
      const answer = await fetch(`${stack.ehr.url}${req.url}`, {
        method: req.method,
        body: text || undefined,
        headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)) as [string, string][]),
      });
      res.writeHead(
        answer.status,
        Object.fromEntries([...answer.headers].filter(([k]) => !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k))),
      );
      res.end(Buffer.from(await answer.arrayBuffer()));
    }),
  );
  // The clearinghouse: refuses every file, quoting a subscriber.
  const clearinghouseUrl = await listen(
    createServer(async (req, res) => {
      await body(req);
      res.writeHead(400, { 'content-type': 'text/plain' }).end(clearinghouseReply);
    }),
  );
  worker = await runWorker(stack.config, stack.db, temporalAddress(), { ...stack.endpoints, ehrUrl, clearinghouseUrl });
  const connection = await Connection.connect({ address: temporalAddress() });
  raw = { connection, client: new Client({ connection }) }; // no data converter: what the server stores
});

afterAll(async () => {
  await raw?.connection.close();
  await worker?.stop();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await stack?.stop();
});

/** The whole raw history, as the server keeps it: its protobuf bytes (clear strings and bytes appear verbatim) and its JSON. */
async function rawHistory(workflowId: string): Promise<{ bytes: string; json: string; events: proto.api.history.v1.IHistoryEvent[] }> {
  const history = await raw.client.workflow.getHandle(workflowId).fetchHistory();
  return {
    bytes: Buffer.from(proto.api.history.v1.History.encode(history).finish()).toString('latin1'),
    json: JSON.stringify(proto.api.history.v1.History.toObject(history as proto.api.history.v1.History, { bytes: String, longs: String, enums: String })),
    events: history.events ?? [],
  };
}

async function parked(visitId: string): Promise<VisitStatus> {
  const status = await reach(stack, visitId, 'needs_attention');
  expect(status.failure).toBeDefined();
  return status;
}

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

async function expectNoPhiAnywhere(visitId: string): Promise<proto.api.history.v1.IHistoryEvent[]> {
  const { bytes, json, events } = await rawHistory(`visit-${visitId}`);
  for (const s of [...OTHER_PHI, ...OWN_PHI]) {
    expect(bytes).not.toContain(s);
    expect(json).not.toContain(s);
  }
  expect(bytes).toContain('Encoded failure'); // the failure is there, its message and stack trace sealed
  for (const role of ROLES) {
    const res = await (await stack.as(role)).get(`/visits/${visitId}`);
    expect(res.status).toBe(200);
    for (const s of OTHER_PHI) expect(JSON.stringify(res.body)).not.toContain(s);
  }
  return events;
}

/** The refusal's words, from the failure's details, opened through the codec endpoint as a biller. */
async function sealedDetails(events: proto.api.history.v1.IHistoryEvent[]): Promise<unknown[]> {
  const failed = events.filter((e) => e.activityTaskFailedEventAttributes).map((e) => e.activityTaskFailedEventAttributes!.failure!);
  const payloads = failed.flatMap((f) => (f.applicationFailureInfo?.details?.payloads ?? []) as Payload[]);
  expect(payloads.length).toBeGreaterThan(0);
  const res = await (await stack.as('biller')).post('/codec/decode').send({ payloads: payloads.map(toJson) });
  expect(res.status).toBe(200);
  return res.body.payloads.map((p: { metadata: Record<string, string>; data: string }) =>
    defaultPayloadConverter.fromPayload({
      metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data, 'base64'),
    }),
  );
}

test("an EHR refusing with another patient's name in its OperationOutcome: fixed text in history and visit, its words sealed", async () => {
  const visit = sampleVisit(uniqueId('v'), 'W100200300');
  refusedPatientId = visit.patient.patientId;
  expect((await stack.api.post('/visits').send(visit)).status).toBe(201);
  const status = await parked(visit.visitId);
  const events = await expectNoPhiAnywhere(visit.visitId);
  // What a biller reads on the visit: which call, the HTTP status and the FHIR issue code.
  expect(status.failure).toMatchObject({ type: 'EHR_REQUEST_REJECTED', step: 'prepopulateEhr', message: 'POST Patient: HTTP 422 (duplicate)' });
  expect(status.awaitingAction).toBe('ehr_refused');
  expect(patientAttempts).toBe(2); // the 503 with the same words was retried, then the 422 refused

  // The retried 503 is recorded too (the started event's last failure): sealed as well, checked above with the rest.
  expect(events.some((e) => e.activityTaskStartedEventAttributes?.lastFailure)).toBe(true);
  expect(await sealedDetails(events)).toEqual([{ remote: outcome.issue[0].diagnostics }]);
});

test('a clearinghouse refusing with a subscriber named in its reply: fixed text in history and visit, its words sealed', async () => {
  const visit = sampleVisit(uniqueId('v'), 'W400500600');
  expect((await stack.api.post('/visits').send(visit)).status).toBe(201);
  const status = await parked(visit.visitId);
  const events = await expectNoPhiAnywhere(visit.visitId);
  expect(status.failure).toMatchObject({ type: 'CLEARINGHOUSE_REJECTED', message: 'clearinghouse refused the file (HTTP 400)' });
  expect(await sealedDetails(events)).toEqual([{ remote: clearinghouseReply }]);
});
