import type { Bundle } from '@medplum/fhirtypes';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { parseEncounterNotification } from '../../domain/fhir/notification';
import { Faults } from '../faults';
import { startEhrSimulator, type EhrSimulator } from './server';
import { appointment, FHIR_JSON, patient, signed } from './test-resources';

/** A webhook receiver that answers each POST with the next status in `statuses` (then 200), and keeps the bodies. */
async function webhook(statuses: number[] = []): Promise<{ url: string; bodies: Bundle[]; close(): Promise<void> }> {
  const bodies: Bundle[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) bodies.push(JSON.parse(text) as Bundle);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/ehr/encounter-signed`,
    bodies,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function prepopulated(sim: EhrSimulator, visitId: string): Promise<void> {
  const p = await request(sim.url)
    .post('/Patient')
    .set('content-type', FHIR_JSON)
    .send(patient(`MRN-${visitId}`))
    .expect(201);
  await request(sim.url)
    .post('/Appointment')
    .set('content-type', FHIR_JSON)
    .send(appointment(visitId, `Patient/${p.body.id}`))
    .expect(201);
}

describe('EHR simulator: FHIR R4', () => {
  let sim: EhrSimulator;
  beforeEach(async () => (sim = await startEhrSimulator()));
  afterEach(() => sim.close());

  it('serves a CapabilityStatement at /metadata', async () => {
    const res = await request(sim.url)
      .get('/metadata')
      .expect(200)
      .expect('content-type', /application\/fhir\+json/);
    expect(res.body).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
    expect(res.body.rest[0].resource.map((r: { type: string }) => r.type)).toEqual(
      expect.arrayContaining(['Patient', 'Coverage', 'Appointment', 'Encounter', 'Condition', 'Procedure', 'ChargeItem', 'Practitioner']),
    );
  });

  it('is seeded with synthetic patients and signed encounters', () => {
    expect([sim.count('Patient'), sim.count('Encounter'), sim.count('Condition'), sim.count('ChargeItem')]).toEqual([3, 3, 5, 5]);
  });

  it('creates with a version and Location, and updates to the next version', async () => {
    const created = await request(sim.url).post('/Patient').set('content-type', FHIR_JSON).send(patient('MRN-1')).expect(201);
    expect(created.headers.location).toBe(`${sim.url}/Patient/${created.body.id}/_history/1`);
    expect(created.headers.etag).toBe('W/"1"');
    expect(created.body.meta).toEqual({ versionId: '1', lastUpdated: expect.any(String) });
    const updated = await request(sim.url)
      .put(`/Patient/${created.body.id}`)
      .set('content-type', FHIR_JSON)
      .send({ ...created.body, gender: 'female' })
      .expect(200);
    expect(updated.body).toMatchObject({ gender: 'female', meta: { versionId: '2' } });
    await request(sim.url).get(`/Patient/${created.body.id}`).expect(200).expect('etag', 'W/"2"');
  });

  it('answers a conditional create with the existing resource (200), and refuses an ambiguous one (412)', async () => {
    const criteria = 'identifier=urn%3Arevcycle%3Apatient%7CMRN%5C%7C2';
    const body = { ...patient('MRN|2') };
    const first = await request(sim.url).post('/Patient').set('content-type', FHIR_JSON).set('if-none-exist', criteria).send(body).expect(201);
    const again = await request(sim.url).post('/Patient').set('content-type', FHIR_JSON).set('if-none-exist', criteria).send(body).expect(200);
    expect(again.body.id).toBe(first.body.id);
    await request(sim.url).post('/Patient').set('content-type', FHIR_JSON).send(body).expect(201);
    const ambiguous = await request(sim.url).post('/Patient').set('content-type', FHIR_JSON).set('if-none-exist', criteria).send(body).expect(412);
    expect(ambiguous.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'duplicate' }] });
  });

  it.each([
    ['an unknown resource', (s: string) => request(s).get('/Patient/999'), 404, 'not-found'],
    ['an unsupported type', (s: string) => request(s).get('/Basic'), 404, 'not-supported'],
    ['an unknown search parameter', (s: string) => request(s).get('/Patient?nmae=x'), 400, 'not-supported'],
    ['a malformed _lastUpdated', (s: string) => request(s).get('/Encounter?_lastUpdated=yesterday'), 400, 'not-supported'],
    ['a body of another type', (s: string) => request(s).post('/Patient').set('content-type', FHIR_JSON).send({ resourceType: 'Coverage' }), 400, 'invalid'],
    ['invalid JSON', (s: string) => request(s).post('/Patient').set('content-type', FHIR_JSON).send('{"resourceType":'), 400, 'invalid'],
  ])('answers %s with an OperationOutcome', async (_name, call, status, code) => {
    const res = await call(sim.url)
      .expect(status)
      .expect('content-type', /application\/fhir\+json/);
    expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code }] });
  });

  it('searches with _include and _revinclude', async () => {
    const res = await request(sim.url)
      .get('/Encounter?_id=1&_include=Encounter:practitioner&_include=Encounter:appointment&_revinclude=Condition:encounter&_revinclude=ChargeItem:context')
      .expect(200);
    const entries = res.body.entry as { resource: { resourceType: string }; search: { mode: string } }[];
    expect(entries.map((e) => `${e.search.mode} ${e.resource.resourceType}`)).toEqual([
      'match Encounter',
      'include Practitioner',
      'include Appointment',
      'include Condition',
      'include Condition',
      'include ChargeItem',
      'include ChargeItem',
    ]);
  });

  it('signs an encounter and notifies the webhook with the Appointment included, retrying a failing webhook', async () => {
    const hook = await webhook([503, 500]);
    const notifying = await startEhrSimulator({ seed: false, webhookUrl: hook.url });
    try {
      await prepopulated(notifying, 'V-1');
      const { encounterId } = await notifying.signEncounter(signed('V-1'));
      expect(hook.bodies).toHaveLength(1);
      expect(hook.bodies[0]).toMatchObject({ resourceType: 'Bundle', type: 'history' });
      expect(parseEncounterNotification(hook.bodies[0])).toEqual({ encounterId, visitId: 'V-1', appointmentRef: 'Appointment/1', patientRef: 'Patient/1' });
      expect(notifying.notifications).toMatchObject({ delivered: 1, failed: 0 });
    } finally {
      await notifying.close();
      await hook.close();
    }
  });

  it('delivers a notification twice when the seeded faults say so, and charts a visit only once', async () => {
    const hook = await webhook();
    const notifying = await startEhrSimulator({ seed: false, webhookUrl: hook.url, faults: new Faults({ duplicateRate: 1 }) });
    try {
      await prepopulated(notifying, 'V-2');
      const first = await request(notifying.url).post('/sim/encounters').send(signed('V-2')).expect(201);
      const again = await notifying.signEncounter(signed('V-2'));
      expect(again.encounterId).toBe(first.body.encounterId);
      expect(notifying.count('Encounter')).toBe(1);
      expect(hook.bodies.map((b) => parseEncounterNotification(b).encounterId)).toEqual(Array(4).fill(first.body.encounterId));
    } finally {
      await notifying.close();
      await hook.close();
    }
  });

  it("fails FHIR calls under faults but never the clinician's endpoint, which refuses unknown visits and bad input", async () => {
    const failing = await startEhrSimulator({ seed: false, faults: new Faults({ errorRate: 1 }) });
    try {
      await request(failing.url).post('/Patient').set('content-type', FHIR_JSON).send(patient('MRN-3')).expect(503);
      const unknown = await request(failing.url).post('/sim/encounters').send(signed('V-3')).expect(404);
      expect(unknown.body).toMatchObject({ code: 'VISIT_NOT_PREPOPULATED' });
      const invalid = await request(failing.url)
        .post('/sim/encounters')
        .send({ ...signed('V-3'), procedures: [{ code: '99213', diagnosisPointers: [2] }] })
        .expect(400);
      expect(invalid.body.issues[0].message).toMatch(/past the last diagnosis/);
    } finally {
      await failing.close();
    }
  });
});
