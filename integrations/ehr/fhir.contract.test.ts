/**
 * Contract: the FHIR client against the EHR simulator, over real sockets.
 */
import type { StartVisit } from '../../domain/visit';
import { EncounterNotBillableError } from '../../domain/fhir/encounter';
import { Faults } from '../../simulators/faults';
import { startEhrSimulator, type EhrSimulator } from '../../simulators/ehr';
import { EhrUnavailableError, EncounterNotFoundError } from './errors';
import { createFhirEhrClient } from './fhir';

const visit = (visitId: string): StartVisit => ({
  visitId,
  patient: {
    patientId: `MRN-${visitId}`,
    firstName: 'Ada',
    lastName: 'Testpatient',
    birthDate: '1980-04-02',
    sex: 'F',
    address: { line1: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701' },
  },
  coverage: { payerId: '87726', payerName: 'Example Health', memberId: 'W123|456', relationship: 'self' },
  appointment: { serviceDate: '2026-03-02', providerNpi: '1234567893', placeOfService: '11' },
});

const signed = (visitId: string) => ({
  visitId,
  renderingNpi: '1497758544',
  renderingName: { family: 'Kim', given: 'Joy' },
  renderingTaxonomy: '207Q00000X',
  diagnoses: [
    { code: 'E11.9', rank: 2 },
    { code: 'M5450', rank: 1 },
  ],
  procedures: [
    { code: '99214', modifiers: ['25'], diagnosisPointers: [1, 2] },
    { code: '97110', modifiers: ['GP', '59'], units: 3, diagnosisPointers: [1] },
    { code: 'J1100', diagnosisPointers: [2] },
  ],
});

/** Calls again until the EHR answers, as Temporal's retry policy would; each failure must be a retryable one. */
async function retried<T>(call: () => Promise<T>, attempts = 30): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof EhrUnavailableError) || attempt === attempts) throw err;
    }
  }
}

describe('FHIR EHR client against the EHR simulator', () => {
  let sim: EhrSimulator;
  afterEach(() => sim.close());

  const counts = () => ['Patient', 'Coverage', 'Appointment'].map((t) => sim.count(t));

  it('pre-populates a visit once, however often it is retried', async () => {
    sim = await startEhrSimulator({ seed: false });
    const ehr = createFhirEhrClient({ baseUrl: sim.url, timeoutMs: 2000 });
    const first = await ehr.prepopulate(visit('V-1'));
    const second = await ehr.prepopulate(visit('V-1'));
    expect(second).toEqual(first);
    expect(first).toEqual({
      patientRef: expect.stringMatching(/^Patient\/\w+$/),
      coverageRef: expect.stringMatching(/^Coverage\//),
      appointmentRef: expect.stringMatching(/^Appointment\//),
    });
    expect(counts()).toEqual([1, 1, 1]);
  });

  it('reads back exactly the codes the clinician signed', async () => {
    sim = await startEhrSimulator();
    const ehr = createFhirEhrClient({ baseUrl: sim.url, timeoutMs: 2000 });
    await ehr.prepopulate(visit('V-2'));
    const { encounterId } = await sim.signEncounter(signed('V-2'));
    expect(await ehr.getCodedEncounter(encounterId)).toEqual({
      encounterId,
      serviceDate: '2026-03-02',
      renderingNpi: '1497758544',
      renderingName: { lastName: 'KIM', firstName: 'JOY' },
      renderingTaxonomy: '207Q00000X',
      diagnoses: [
        { code: 'M5450', rank: 1 },
        { code: 'E119', rank: 2 },
      ],
      procedures: [
        { code: '99214', modifiers: ['25'], units: 1, diagnosisPointers: [1, 2] },
        { code: '97110', modifiers: ['GP', '59'], units: 3, diagnosisPointers: [1] },
        { code: 'J1100', modifiers: [], units: 1, diagnosisPointers: [2] },
      ],
    });
  });

  it('still creates one of each when calls fail with 503s and lost answers, and the caller retries', async () => {
    const faults = new Faults({ seed: 7, errorRate: 0.3, dropAckRate: 0.3 });
    sim = await startEhrSimulator({ seed: false, faults });
    const ehr = createFhirEhrClient({ baseUrl: sim.url, timeoutMs: 2000 });
    for (const id of ['V-3', 'V-4', 'V-5', 'V-3']) await retried(() => ehr.prepopulate(visit(id)));
    expect(faults.injected.error).toBeGreaterThan(0);
    expect(faults.injected.dropAck).toBeGreaterThan(0);
    expect(counts()).toEqual([3, 3, 3]); // V-3 twice: still one Patient, Coverage and Appointment for it
    const { encounterId } = await sim.signEncounter(signed('V-4'));
    const coded = await retried(() => ehr.getCodedEncounter(encounterId));
    expect(coded.procedures.map((p) => p.code)).toEqual(['99214', '97110', 'J1100']);
  });

  it("turns a 503 into a retryable error carrying the EHR's words apart from its message", async () => {
    sim = await startEhrSimulator({ seed: false, faults: new Faults({ errorRate: 1 }) });
    const ehr = createFhirEhrClient({ baseUrl: sim.url, timeoutMs: 2000 });
    const err = await ehr.prepopulate(visit('V-6')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EhrUnavailableError);
    expect(err).toMatchObject({ code: 'EHR_UNAVAILABLE', retryable: true, message: 'POST Patient: HTTP 503', remote: 'simulated 503' });
  });

  it('turns an EHR that does not answer in time into a retryable error', async () => {
    sim = await startEhrSimulator({ seed: false, faults: new Faults({ timeoutRate: 1 }) });
    const ehr = createFhirEhrClient({ baseUrl: sim.url, timeoutMs: 50 });
    await expect(ehr.getCodedEncounter('1')).rejects.toMatchObject({ code: 'EHR_UNAVAILABLE', message: 'GET Encounter: no answer within 50 ms' });
  });

  it('reports an unknown encounter as not found, and an unbillable chart as not billable', async () => {
    sim = await startEhrSimulator({ seed: false });
    const ehr = createFhirEhrClient({ baseUrl: sim.url, timeoutMs: 2000 });
    await expect(ehr.getCodedEncounter('404')).rejects.toBeInstanceOf(EncounterNotFoundError);
    await expect(ehr.getCodedEncounter('../Patient/1')).rejects.toMatchObject({ name: 'EncounterNotFoundError', code: 'EncounterNotBillable' });
    await ehr.prepopulate(visit('V-7'));
    const { encounterId } = await sim.signEncounter({ ...signed('V-7'), diagnoses: [], procedures: [{ code: '99213', diagnosisPointers: [] }] });
    const err = await ehr.getCodedEncounter(encounterId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EncounterNotBillableError);
    expect((err as EncounterNotBillableError).problems.map((p) => p.path)).toEqual(['Encounter.diagnosis', 'ChargeItem/1']);
  });

  it('finds finished encounters for the sweep, with the visit of those revcycle booked', async () => {
    sim = await startEhrSimulator();
    const ehr = createFhirEhrClient({ baseUrl: sim.url, timeoutMs: 2000 });
    const since = new Date(Date.now() - 60_000).toISOString();
    const refs = await ehr.prepopulate(visit('V-8'));
    const { encounterId } = await sim.signEncounter(signed('V-8'));
    const found = await ehr.findFinishedEncounters(since);
    expect(found).toContainEqual(expect.objectContaining({ encounterId, visitId: 'V-8', appointmentRef: refs.appointmentRef }));
    expect(found.filter((f) => !f.visitId)).toHaveLength(3); // the seeded chart, never booked through revcycle
    expect(await ehr.findFinishedEncounters(new Date(Date.now() + 60_000).toISOString())).toEqual([]);
  });

  it('reads the clinical notes an appeal needs', async () => {
    sim = await startEhrSimulator({ seed: false });
    const ehr = createFhirEhrClient({ baseUrl: sim.url, timeoutMs: 2000 });
    await ehr.prepopulate(visit('V-9'));
    const { encounterId } = await sim.signEncounter({ ...signed('V-9'), note: 'Low back pain for 3 weeks; PT started.' });
    const notes = await ehr.getClinicalNotes(encounterId);
    expect(notes).toEqual([expect.objectContaining({ type: '11506-3', title: 'Progress note', contentType: 'text/plain' })]);
    expect(Buffer.from(notes[0].data as string, 'base64').toString()).toBe('Low back pain for 3 weeks; PT started.');
  });
});
