/**
 * Synthetic patients the EHR already holds, each with a signed, billable encounter.
 * They were not booked through revcycle (no urn:revcycle:visit identifier), as in a real
 * EHR, so the safety-net sweep finds them and must leave them alone. Names are invented.
 */
import type { Appointment, Patient } from '@medplum/fhirtypes';
import { referenceTo } from '../../domain/fhir/references';
import { chartEncounter } from './clinician';
import type { FhirStore } from './store';

const SEEDS = [
  {
    family: 'Simpatient',
    given: 'Alba',
    birthDate: '1961-05-14',
    gender: 'female',
    day: '2026-01-12',
    npi: '1234567893',
    dx: ['M54.50', 'M79.18'],
    px: ['99213', '97110'],
  },
  { family: 'Simpatient', given: 'Brann', birthDate: '1990-11-02', gender: 'male', day: '2026-01-13', npi: '1992753880', dx: ['J06.9'], px: ['99212'] },
  {
    family: 'Exampleton',
    given: 'Cleo',
    birthDate: '2015-07-30',
    gender: 'female',
    day: '2026-01-14',
    npi: '1234567893',
    dx: ['Z00.129', 'Z23'],
    px: ['99393', '90471'],
  },
] as const;

export function seedEhr(store: FhirStore): void {
  SEEDS.forEach((s, i) => {
    const patient = store.create<Patient>({
      resourceType: 'Patient',
      identifier: [{ system: 'urn:ehr-sim:mrn', value: `SIM-${1000 + i}` }],
      name: [{ family: s.family, given: [s.given] }],
      gender: s.gender,
      birthDate: s.birthDate,
    });
    const appointment = store.create<Appointment>({
      resourceType: 'Appointment',
      status: 'fulfilled',
      start: `${s.day}T14:00:00Z`,
      end: `${s.day}T14:20:00Z`,
      participant: [{ actor: { reference: referenceTo(patient) }, status: 'accepted' }],
    });
    chartEncounter(store, appointment, {
      visitId: `seed-${i + 1}`,
      renderingNpi: s.npi,
      diagnoses: s.dx.map((code, rank) => ({ code, rank: rank + 1 })),
      procedures: s.px.map((code) => ({ code, modifiers: [], units: 1, diagnosisPointers: [1] })),
    });
  });
}
