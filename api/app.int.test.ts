/**
 * The REST API against a real Temporal server and a real Postgres: what a front-end
 * developer sees, status and body, for good requests and every kind of bad one.
 */
import request from 'supertest';
import { startApiUnderTest } from '../test/api-under-test';
import { sampleVisit } from '../test/fixtures';
import { signedBody } from '../test/secrets';
import { uniqueId } from '../test/support';

let under: Awaited<ReturnType<typeof startApiUnderTest>>;
let api: typeof under.admin;
let app: typeof under.app;
let logged: string[];
let temporal: { client: typeof under.temporal };

beforeAll(async () => {
  under = await startApiUnderTest('tq-api');
  ({ app, logged, admin: api } = under);
  temporal = { client: under.temporal };
});
afterAll(() => under.stop());

test('POST /visits starts a visit once: the same visit id again returns the same workflow, not a second one', async () => {
  const visit = sampleVisit(uniqueId('v'));
  const first = await api.post('/visits').send(visit);
  expect(first.status).toBe(201);
  expect(first.body).toEqual({ visitId: visit.visitId, workflowId: `visit-${visit.visitId}`, created: true });
  expect(first.headers.location).toBe(`/visits/${visit.visitId}`);

  const again = await api.post('/visits').send(visit);
  expect(again.status).toBe(200);
  expect(again.body).toEqual({ visitId: visit.visitId, workflowId: `visit-${visit.visitId}`, created: false });

  const runs = [];
  for await (const w of temporal.client.workflow.list({ query: `WorkflowId = 'visit-${visit.visitId}'` })) runs.push(w);
  expect(runs).toHaveLength(1);
  await temporal.client.workflow.getHandle(`visit-${visit.visitId}`).terminate('test done');
});

test('a visit with bad fields is refused with 400 naming each field path and reason, and nothing is started', async () => {
  const visit = sampleVisit(uniqueId('v'));
  const bad = {
    ...visit,
    patient: { ...visit.patient, birthDate: '1980-02-30', lastName: 'DOE*SMITH' },
    appointment: { ...visit.appointment, providerNpi: '123' },
    coverage: { ...visit.coverage, relationship: 'child' },
  };
  const res = await api.post('/visits').send(bad);
  expect(res.status).toBe(400);
  expect(res.body.code).toBe('VALIDATION_FAILED');
  expect(res.body.issues).toEqual(
    expect.arrayContaining([
      { path: 'patient.birthDate', message: 'is not a real calendar date' },
      { path: 'patient.lastName', message: 'must not contain * : ~ ^, line breaks or control characters' },
      { path: 'appointment.providerNpi', message: 'must be a 10-digit NPI' },
      { path: 'coverage.subscriber', message: 'is required when relationship is not self' },
    ]),
  );
  const status = await api.get(`/visits/${visit.visitId}`);
  expect(status.status).toBe(404);
});

test.each([
  ['malformed JSON', '{"visitId": ', 'application/json', 400, 'MALFORMED_BODY'],
  ['an empty object', '{}', 'application/json', 400, 'VALIDATION_FAILED'],
  ['a JSON array', '[1,2]', 'application/json', 400, 'VALIDATION_FAILED'],
])('POST /visits with %s is a 400, never a 500', async (_what, body, type, status, code) => {
  const res = await api.post('/visits').set('content-type', type).send(body);
  expect(res.status).toBe(status);
  expect(res.body.code).toBe(code);
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
});

test('unknown visits, bad ids and unknown routes are 4xx with a JSON error body', async () => {
  const unknown = await api.get('/visits/never-booked');
  expect(unknown.status).toBe(404);
  expect(unknown.body).toMatchObject({ code: 'NOT_FOUND', message: 'visit not found' });

  const badId = await api.get('/visits/has%20space');
  expect(badId.status).toBe(400);
  expect(badId.body.issues).toEqual([{ path: 'visitId', message: 'must be 1-30 letters, digits or dashes' }]);

  const cancelUnknown = await api.post('/visits/never-booked/cancel').send({ reason: 'x' });
  expect(cancelUnknown.status).toBe(404);

  const cancelNoReason = await api.post('/visits/never-booked/cancel').send({});
  expect(cancelNoReason.status).toBe(400);
  expect(cancelNoReason.body.issues[0].path).toBe('reason');

  const route = await api.get('/nope');
  expect(route.status).toBe(404);
  expect(route.body.code).toBe('NOT_FOUND');
});

test('the EHR webhook refuses a signature for a visit that does not exist, and bad bodies', async () => {
  const post = (body: object) => {
    const s = signedBody('ehr', body);
    return request(app).post('/webhooks/ehr/encounter-signed').set(s.headers).set('content-type', 'application/json').send(s.body);
  };
  const unknown = await post({ visitId: 'never-booked', encounterId: 'e1' });
  expect(unknown.status).toBe(404);
  const bad = await post({ visitId: 'v1' });
  expect(bad.status).toBe(400);
  expect(bad.body.issues).toEqual([{ path: 'encounterId', message: expect.any(String) }]);
});

test('GET /health reports Postgres and Temporal', async () => {
  const res = await request(app).get('/health');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'ok', postgres: 'up', temporal: 'up' });
});

test('the OpenAPI document is generated from the same schemas, and the docs page serves it', async () => {
  const spec = await request(app).get('/openapi.json');
  expect(spec.status).toBe(200);
  expect(Object.keys(spec.body.paths)).toEqual(
    expect.arrayContaining(['/visits', '/visits/{visitId}', '/visits/{visitId}/cancel', '/webhooks/ehr/encounter-signed', '/health']),
  );
  const visitSchema = spec.body.paths['/visits'].post.requestBody.content['application/json'].schema;
  expect(visitSchema.required).toEqual(expect.arrayContaining(['visitId', 'patient', 'coverage', 'appointment']));
  const docs = await request(app).get('/docs');
  expect(docs.status).toBe(200);
  expect(docs.text).toContain('/docs/revcycle-init.js'); // no inline script: the CSP allows only our own files
  expect((await request(app).get('/docs/revcycle-init.js')).text).toContain('SwaggerUIBundle');
  const bundle = await request(app).get('/docs/swagger-ui-bundle.js');
  expect(bundle.status).toBe(200);
  expect(logged).toEqual([]); // no request in this file was an internal error
});
