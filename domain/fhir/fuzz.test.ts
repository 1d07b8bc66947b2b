/**
 * Property test (fast-check) of the FHIR notification Bundle validator: any JSON (valid
 * notifications with nodes replaced, removed or retyped, resources of a real Synthea bundle
 * in the entries, arbitrary JSON) is either read into an encounter signal whose ids are
 * FHIR ids, or refused with a ZodError (the API's 400 with issues); never a TypeError.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZodError } from 'zod';
import { sharedFixtures } from '../../test/fixtures';
import { mutatedJson, runs } from '../../test/fuzz/mutations';
import { parseEncounterNotification } from './notification';

const status = {
  resourceType: 'Parameters',
  parameter: [
    { name: 'status', valueCode: 'active' },
    { name: 'type', valueCode: 'event-notification' },
  ],
};
const encounter = {
  resourceType: 'Encounter',
  id: 'e7',
  status: 'finished',
  subject: { reference: 'Patient/p1' },
  appointment: [{ reference: 'Appointment/a3' }],
};
const appointment = { resourceType: 'Appointment', id: 'a3', identifier: [{ system: 'urn:revcycle:visit', value: 'V-1001' }] };
const valid = [
  {
    resourceType: 'Bundle',
    type: 'history',
    entry: [{ fullUrl: 'urn:uuid:s', resource: status }, { fullUrl: 'http://ehr/fhir/Encounter/e7', resource: encounter }, { resource: appointment }],
  },
  {
    resourceType: 'Bundle',
    type: 'history',
    entry: [{ resource: { resourceType: 'SubscriptionStatus', type: 'event-notification' } }, { fullUrl: 'https://ehr/fhir/Encounter/e9/_history/1' }],
  },
];

const { dir, present } = sharedFixtures('fhir');
const synthea: object[] = present
  ? (JSON.parse(readFileSync(join(dir, 'synthea-Cris921.bundle.json'), 'utf8')) as { entry: { resource: object }[] }).entry.slice(0, 60).map((e) => e.resource)
  : [];
const withSynthea = synthea.length ? [{ ...valid[0], entry: [...valid[0].entry, ...synthea.slice(0, 20).map((resource) => ({ resource }))] }] : [];

const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

function readsOrRefuses(body: unknown): void {
  let signal;
  try {
    signal = parseEncounterNotification(body);
  } catch (err) {
    if (err instanceof ZodError) {
      expect(err.issues.length).toBeGreaterThan(0);
      return;
    }
    throw new Error(`threw ${(err as Error)?.name}: ${(err as Error)?.message} (not a validation refusal)`, { cause: err });
  }
  expect(signal.encounterId).toMatch(FHIR_ID);
  for (const v of [signal.visitId, signal.appointmentRef, signal.patientRef]) if (v !== undefined) expect(typeof v).toBe('string');
}

describe('FHIR notification validator', () => {
  test('the valid notifications read', () => {
    expect(parseEncounterNotification(valid[0])).toEqual({ encounterId: 'e7', visitId: 'V-1001', appointmentRef: 'Appointment/a3', patientRef: 'Patient/p1' });
    expect(parseEncounterNotification(valid[1])).toEqual({ encounterId: 'e9' });
    for (const b of withSynthea) expect(parseEncounterNotification(b).encounterId).toBe('e7');
  });

  test('mutated notifications: a signal with FHIR ids, or a validation refusal', () => {
    fc.assert(fc.property(mutatedJson([...valid, ...withSynthea]), readsOrRefuses), runs(200));
  });

  test('arbitrary JSON and non-JSON values: a validation refusal', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.anything()), readsOrRefuses), runs(300));
  });

  test('Synthea resources of every kind in the entries: read or refused', () => {
    fc.assert(
      fc.property(fc.subarray(synthea.length ? synthea : [encounter]), fc.boolean(), (resources, statusFirst) => {
        readsOrRefuses({
          resourceType: 'Bundle',
          type: 'history',
          entry: [...(statusFirst ? [{ resource: status }] : []), ...resources.map((resource) => ({ resource }))],
        });
      }),
      runs(200),
    );
  });
});
