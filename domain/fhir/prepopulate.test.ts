import type { StartVisit } from '../visit';
import { appointmentResource, coverageResource, identifierToken, patientResource } from './prepopulate';

const visit: StartVisit = {
  visitId: 'V-1001',
  patient: {
    patientId: 'MRN-77',
    firstName: 'Ada',
    lastName: 'Testpatient',
    birthDate: '1980-04-02',
    sex: 'F',
    address: { line1: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701' },
  },
  coverage: { payerId: '87726', payerName: 'Example Health', memberId: 'W123-456', groupNumber: 'G77', relationship: 'self' },
  appointment: { serviceDate: '2026-03-02', providerNpi: '1234567893', placeOfService: '11' },
};

describe('pre-population resources', () => {
  it('builds the Patient with the revcycle patient identifier', () => {
    expect(patientResource(visit)).toMatchObject({
      resourceType: 'Patient',
      identifier: [{ system: 'urn:revcycle:patient', value: 'MRN-77' }],
      name: [{ family: 'Testpatient', given: ['Ada'] }],
      gender: 'female',
      birthDate: '1980-04-02',
      address: [{ line: ['1 Main St'], city: 'Springfield', state: 'IL', postalCode: '62701' }],
    });
  });

  it('builds a self Coverage pointing beneficiary and subscriber at the Patient', () => {
    expect(coverageResource(visit, 'Patient/5')).toMatchObject({
      identifier: [{ system: 'urn:revcycle:coverage', value: '87726-W123-456-MRN-77' }],
      status: 'active',
      beneficiary: { reference: 'Patient/5' },
      subscriber: { reference: 'Patient/5' },
      subscriberId: 'W123-456',
      relationship: { coding: [{ code: 'self' }] },
      payor: [{ identifier: { system: 'urn:revcycle:payer', value: '87726' }, display: 'Example Health' }],
      class: [{ type: { coding: [{ code: 'group' }] }, value: 'G77' }],
    });
  });

  it('carries a subscriber other than the patient as a contained RelatedPerson', () => {
    const child: StartVisit = {
      ...visit,
      coverage: {
        ...visit.coverage,
        groupNumber: undefined,
        relationship: 'child',
        subscriber: { firstName: 'Bo', lastName: 'Testparent', birthDate: '1950-01-01', sex: 'M' },
      },
    };
    const coverage = coverageResource(child, 'Patient/5');
    expect(coverage.subscriber).toEqual({ reference: '#subscriber' });
    expect(coverage.contained).toEqual([
      expect.objectContaining({ resourceType: 'RelatedPerson', id: 'subscriber', patient: { reference: 'Patient/5' }, gender: 'male' }),
    ]);
    expect(coverage.class).toBeUndefined();
  });

  it('builds the Appointment with the visit identifier, the patient and the provider NPI', () => {
    expect(appointmentResource(visit, 'Patient/5')).toMatchObject({
      identifier: [{ system: 'urn:revcycle:visit', value: 'V-1001' }],
      requestedPeriod: [{ start: '2026-03-02', end: '2026-03-02' }],
      participant: [{ actor: { reference: 'Patient/5' } }, { actor: { identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' } } }],
    });
  });

  it('escapes the characters token search reserves', () => {
    expect(identifierToken({ system: 'urn:revcycle:patient', value: 'A|B,C$D\\E' })).toBe('urn:revcycle:patient|A\\|B\\,C\\$D\\\\E');
  });
});
