/**
 * The EHR keeps its resources in `dataFile`: after a restart a visit booked before it can
 * still be signed, ids and versions are the same, and new ids follow the old ones.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { SimulatorStateError } from '../persist';
import { startEhrSimulator } from './server';
import { appointment, FHIR_JSON, patient, signed } from './test-resources';

describe('EHR simulator with a data file', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ehr-sim-'));
    dataFile = join(dir, 'nested', 'ehr.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('after a restart keeps ids and versions, signs a visit booked before it, and gives new ids after the old ones', async () => {
    const before = await startEhrSimulator({ dataFile });
    const p = await request(before.url).post('/Patient').set('content-type', FHIR_JSON).send(patient('MRN-1')).expect(201);
    const updated = await request(before.url)
      .put(`/Patient/${p.body.id}`)
      .set('content-type', FHIR_JSON)
      .send({ ...p.body, gender: 'female' })
      .expect(200);
    await request(before.url)
      .post('/Appointment')
      .set('content-type', FHIR_JSON)
      .send(appointment('V-1', `Patient/${p.body.id}`))
      .expect(201);
    const seededPatients = before.count('Patient') - 1;
    await before.close();
    expect(existsSync(dataFile)).toBe(true);

    const after = await startEhrSimulator({ dataFile });
    try {
      const read = await request(after.url).get(`/Patient/${p.body.id}`).expect(200).expect('etag', 'W/"2"');
      expect(read.body).toEqual(updated.body);
      expect(after.count('Patient')).toBe(seededPatients + 1);
      const { encounterId } = await after.signEncounter(signed('V-1'));
      await request(after.url).get(`/Encounter/${encounterId}`).expect(200);
      const next = await request(after.url).post('/Patient').set('content-type', FHIR_JSON).send(patient('MRN-2')).expect(201);
      expect(Number(next.body.id)).toBe(Number(p.body.id) + 1);
    } finally {
      await after.close();
    }
  });

  it('seeds only an empty store, not again on a restart', async () => {
    await (await startEhrSimulator({ dataFile })).close();
    const restarted = await startEhrSimulator({ dataFile });
    const seeded = await startEhrSimulator();
    try {
      expect(restarted.count('Patient')).toBe(seeded.count('Patient'));
    } finally {
      await Promise.all([restarted.close(), seeded.close()]);
    }
  });

  it('refuses to start on a corrupt data file, naming it, and leaves the file alone', async () => {
    writeFileSync(join(dir, 'ehr.json'), JSON.stringify({ lastId: { Patient: 1 }, resources: [{ name: 'no type' }] }));
    const start = startEhrSimulator({ dataFile: join(dir, 'ehr.json') });
    await expect(start).rejects.toThrow(SimulatorStateError);
    await expect(start).rejects.toThrow(`simulator state file ${join(dir, 'ehr.json')} is unusable`);
    expect(readFileSync(join(dir, 'ehr.json'), 'utf8')).toContain('no type');
  });
});
