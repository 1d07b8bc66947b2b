/**
 * PMS → EHR pre-population: the FHIR R4 Patient, Coverage and Appointment for a
 * visit, so no one keys them again in the EHR. Each carries a revcycle identifier
 * that the client searches by before it writes, so a retry finds instead of duplicating.
 */
import type { Address as FhirAddress, Appointment, Coverage, Identifier, Patient, Reference, RelatedPerson } from '@medplum/fhirtypes';
import type { StartVisit, Subscriber } from '../visit';

type Sex = StartVisit['patient']['sex'];
type Address = StartVisit['patient']['address'];
import { IDENTIFIER, SYSTEM } from './systems';

const GENDER: Record<Sex, Patient['gender']> = { M: 'male', F: 'female', U: 'unknown' };

/** What a Patient or a Coverage resource is written from: a visit, or a registration from the PMS. */
type OfPatient = Pick<StartVisit, 'patient'>;
type OfCoverage = Pick<StartVisit, 'patient' | 'coverage'>;

export const patientIdentifier = (visit: OfPatient): Identifier => ({ system: IDENTIFIER.patient, value: visit.patient.patientId });

/** One Coverage per patient, payer and member id: dependents share a subscriber's member id, so the patient is part of it. */
export const coverageIdentifier = (visit: OfCoverage): Identifier => ({
  system: IDENTIFIER.coverage,
  value: `${visit.coverage.payerId}-${visit.coverage.memberId}-${visit.patient.patientId}`,
});

export const visitIdentifier = (visit: StartVisit): Identifier => ({ system: IDENTIFIER.visit, value: visit.visitId });

/** FHIR token search value `system|value`, with the characters search syntax reserves escaped. */
export const identifierToken = (id: Identifier): string => `${id.system}|${(id.value ?? '').replace(/[\\|,$]/g, (c) => `\\${c}`)}`;

const fhirAddress = (a: Address): FhirAddress => ({ use: 'home', line: [a.line1], city: a.city, state: a.state, postalCode: a.postalCode, country: 'US' });

export function patientResource(visit: OfPatient): Patient {
  const p = visit.patient;
  return {
    resourceType: 'Patient',
    identifier: [patientIdentifier(visit)],
    name: [{ use: 'official', family: p.lastName, given: [p.firstName] }],
    gender: GENDER[p.sex],
    birthDate: p.birthDate,
    address: [fhirAddress(p.address)],
  };
}

/** A subscriber other than the patient travels inside the Coverage as a contained RelatedPerson. */
function containedSubscriber(s: Subscriber, patientRef: string): RelatedPerson {
  return {
    resourceType: 'RelatedPerson',
    id: 'subscriber',
    patient: { reference: patientRef },
    name: [{ family: s.lastName, given: [s.firstName] }],
    gender: GENDER[s.sex],
    birthDate: s.birthDate,
    ...(s.address && { address: [fhirAddress(s.address)] }),
  };
}

export function coverageResource(visit: OfCoverage, patientRef: string): Coverage {
  const c = visit.coverage;
  const self = c.relationship === 'self' || !c.subscriber;
  const subscriber: Reference<Patient | RelatedPerson> = self ? { reference: patientRef } : { reference: '#subscriber' };
  return {
    resourceType: 'Coverage',
    ...(!self && c.subscriber && { contained: [containedSubscriber(c.subscriber, patientRef)] }),
    identifier: [coverageIdentifier(visit)],
    status: 'active',
    beneficiary: { reference: patientRef },
    subscriber,
    subscriberId: c.memberId,
    relationship: { coding: [{ system: SYSTEM.subscriberRelationship, code: c.relationship }] },
    payor: [{ identifier: { system: IDENTIFIER.payer, value: c.payerId }, display: c.payerName }],
    ...(c.groupNumber && {
      class: [{ type: { coding: [{ system: SYSTEM.coverageClass, code: 'group' }] }, value: c.groupNumber }],
    }),
  };
}

/**
 * The PMS books the slot; revcycle knows the day, not the time. A booked Appointment
 * must have a start instant (invariant app-3), so the day goes in requestedPeriod of a
 * proposed Appointment rather than inventing a time.
 */
export function appointmentResource(visit: StartVisit, patientRef: string): Appointment {
  const a = visit.appointment;
  return {
    resourceType: 'Appointment',
    identifier: [visitIdentifier(visit)],
    status: 'proposed',
    requestedPeriod: [{ start: a.serviceDate, end: a.serviceDate }],
    participant: [
      { actor: { reference: patientRef }, required: 'required', status: 'accepted' },
      { actor: { type: 'Practitioner', identifier: { system: SYSTEM.npi, value: a.providerNpi } }, required: 'required', status: 'accepted' },
    ],
  };
}
