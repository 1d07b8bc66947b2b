/**
 * Contract: the FHIR client against a FHIR engine we did not write (Medplum's FHIR router
 * over its in-memory repository, test/medplum-fhir-server.ts), so conditional create,
 * conditional update, token, reference and date search are judged by someone else's
 * reading of FHIR R4, not by our simulator's. What the in-memory repository does not do
 * (`_include`, `_revinclude`) is left to the simulator's contract (fhir.contract.test.ts).
 */
import type { DocumentReference, Encounter, Patient } from '@medplum/fhirtypes';
import type { StartVisit } from '../../domain/visit';
import { type MedplumFhirServer, startMedplumFhirServer } from '../../test/medplum-fhir-server';
import { EncounterNotFoundError } from './errors';
import { createFhirEhrClient } from './fhir';

const visit = (visitId: string, memberId = 'W123-456'): StartVisit => ({
  visitId,
  patient: {
    patientId: `MRN-${visitId}`,
    firstName: 'Ada',
    lastName: 'Testpatient',
    birthDate: '1980-04-02',
    sex: 'F',
    address: { line1: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701' },
  },
  coverage: { payerId: '87726', payerName: 'Example Health', memberId, relationship: 'self' },
  appointment: { serviceDate: '2026-03-02', providerNpi: '1234567893', placeOfService: '11' },
});

let server: MedplumFhirServer;
beforeAll(async () => {
  server = await startMedplumFhirServer();
});
afterAll(() => server.close());

const count = async (type: 'Patient' | 'Coverage' | 'Appointment') => (await server.repo.search({ resourceType: type })).entry?.length ?? 0;
const client = () => createFhirEhrClient({ baseUrl: server.url, timeoutMs: 5000 });

it('pre-populates once by conditional create (If-None-Exist), however often it is retried', async () => {
  const first = await client().prepopulate(visit('M-1'));
  const again = await client().prepopulate(visit('M-1'));
  expect(again).toEqual(first);
  expect(first).toEqual({
    patientRef: expect.stringMatching(/^Patient\/[\w-]+$/),
    coverageRef: expect.stringMatching(/^Coverage\//),
    appointmentRef: expect.stringMatching(/^Appointment\//),
  });
  expect([await count('Patient'), await count('Coverage'), await count('Appointment')]).toEqual([1, 1, 1]);
  const patient = await server.repo.readReference({ reference: first.patientRef });
  expect(patient).toMatchObject({ resourceType: 'Patient', identifier: [{ system: 'urn:revcycle:patient', value: 'MRN-M-1' }], birthDate: '1980-04-02' });
});

// Found by this suite: our If-None-Exist escapes a `|` inside a token value as `\|` (FHIR R4 search, "Escaping
// search parameters"); Medplum 4.5.2 does not unescape it, finds nothing, and creates a second Coverage. An EHR
// that behaves the same gets a duplicate for a member id with `|`. Marked failing so a fix on either side shows.
test.failing('a member id with "|" is still written once (escaped token in If-None-Exist)', async () => {
  const first = await client().prepopulate(visit('M-PIPE', 'W9|1'));
  const again = await client().prepopulate(visit('M-PIPE', 'W9|1'));
  expect(again.coverageRef).toBe(first.coverageRef);
});

it('updates a registration in place by conditional update, and creates it when the EHR has none', async () => {
  const refs = await client().prepopulate(visit('M-2'));
  const before = await count('Patient');
  const updated = await client().updateRegistration({ patient: { ...visit('M-2').patient, lastName: 'Renamed' }, coverage: visit('M-2').coverage });
  expect(updated.patientRef).toBe(refs.patientRef);
  expect(await count('Patient')).toBe(before);
  expect((await server.repo.readReference<Patient>({ reference: refs.patientRef })).name?.[0]?.family).toBe('Renamed');
  const fresh = await client().updateRegistration({ patient: visit('M-3').patient, coverage: visit('M-3').coverage });
  expect(fresh.patientRef).toMatch(/^Patient\//);
  expect(await count('Patient')).toBe(before + 1);
});

it('finds finished encounters updated since an instant (date search on _lastUpdated, token search on status)', async () => {
  const refs = await client().prepopulate(visit('M-4'));
  const since = new Date(Date.now() - 60_000).toISOString();
  const enc = (status: Encounter['status']) =>
    server.repo.createResource<Encounter>({
      resourceType: 'Encounter',
      status,
      class: { code: 'AMB' },
      subject: { reference: refs.patientRef },
      appointment: [{ reference: refs.appointmentRef }],
    });
  const finished = await enc('finished');
  await enc('in-progress');
  const found = await client().findFinishedEncounters(since);
  expect(found).toEqual([{ encounterId: finished.id, appointmentRef: refs.appointmentRef, patientRef: refs.patientRef }]);
  expect(await client().findFinishedEncounters(new Date(Date.now() + 60_000).toISOString())).toEqual([]);
});

it("reads an encounter's clinical notes by reference search", async () => {
  const refs = await client().prepopulate(visit('M-5'));
  const encounter = await server.repo.createResource<Encounter>({
    resourceType: 'Encounter',
    status: 'finished',
    class: { code: 'AMB' },
    subject: { reference: refs.patientRef },
  });
  const other = await server.repo.createResource<Encounter>({
    resourceType: 'Encounter',
    status: 'finished',
    class: { code: 'AMB' },
    subject: { reference: refs.patientRef },
  });
  const note = (encounterId: string, text: string): DocumentReference => ({
    resourceType: 'DocumentReference',
    status: 'current',
    type: { coding: [{ system: 'http://loinc.org', code: '11506-3' }] },
    description: 'Progress note',
    context: { encounter: [{ reference: `Encounter/${encounterId}` }] },
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(text).toString('base64'), title: 'Progress note' } }],
  });
  await server.repo.createResource(note(encounter.id, 'Low back pain for 3 weeks.'));
  await server.repo.createResource(note(other.id, 'Another visit.'));
  const notes = await client().getClinicalNotes(encounter.id);
  expect(notes).toHaveLength(1);
  expect(Buffer.from(notes[0].data as string, 'base64').toString()).toBe('Low back pain for 3 weeks.');
});

it('an encounter the server does not have is not found', async () => {
  await expect(client().getCodedEncounter('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(EncounterNotFoundError);
});
