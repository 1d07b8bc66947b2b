import { ZodError } from 'zod';
import { parseEncounterNotification } from './notification';

const status = {
  resourceType: 'Parameters',
  meta: { profile: ['http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4'] },
  parameter: [
    { name: 'subscription', valueReference: { reference: 'Subscription/encounter-signed' } },
    { name: 'status', valueCode: 'active' },
    { name: 'type', valueCode: 'event-notification' },
  ],
};

const encounter = { resourceType: 'Encounter', id: 'e7', status: 'finished', appointment: [{ reference: 'Appointment/a3' }] };
const appointment = { resourceType: 'Appointment', id: 'a3', identifier: [{ system: 'urn:revcycle:visit', value: 'V-1001' }] };

const bundle = (...entry: object[]) => ({ resourceType: 'Bundle', type: 'history', entry });

describe('parseEncounterNotification', () => {
  it('reads the encounter and, from the included Appointment, the visit', () => {
    const body = bundle(
      { fullUrl: 'urn:uuid:s', resource: status },
      { fullUrl: 'http://ehr/fhir/Encounter/e7', resource: encounter },
      { fullUrl: 'http://ehr/fhir/Appointment/a3', resource: appointment },
    );
    expect(parseEncounterNotification(body)).toEqual({ encounterId: 'e7', visitId: 'V-1001', appointmentRef: 'Appointment/a3' });
  });

  it('gives the appointment reference alone when the Appointment is not included', () => {
    const withAbsoluteRef = { ...encounter, appointment: [{ reference: 'https://ehr.example/fhir/Appointment/a3/_history/2' }] };
    expect(parseEncounterNotification(bundle({ resource: status }, { resource: withAbsoluteRef }))).toEqual({
      encounterId: 'e7',
      appointmentRef: 'Appointment/a3',
    });
  });

  it('reads an R4B/R5 SubscriptionStatus and an id-only payload', () => {
    const r5Status = { resourceType: 'SubscriptionStatus', type: 'event-notification', status: 'active' };
    expect(parseEncounterNotification(bundle({ resource: r5Status }, { fullUrl: 'https://ehr.example/fhir/Encounter/e9/_history/1' }))).toEqual({
      encounterId: 'e9',
    });
  });

  it.each([
    ['not a Bundle', { resourceType: 'Encounter', id: 'e7' }, /Bundle/],
    ['a searchset, not a history', { resourceType: 'Bundle', type: 'searchset', entry: [] }, /history/],
    ['no status entry first', bundle({ resource: encounter }), /SubscriptionStatus/],
    ['a heartbeat', bundle({ resource: { ...status, parameter: [{ name: 'type', valueCode: 'heartbeat' }] } }), /heartbeat carries no Encounter/],
  ])('refuses %s with a validation error', (_name, body, message) => {
    let error: unknown;
    try {
      parseEncounterNotification(body);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues.map((i) => i.message).join(' ')).toMatch(message);
  });
});
