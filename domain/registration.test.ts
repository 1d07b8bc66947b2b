import { applyRegistration, appointmentChanged, registrationChanges, type RegistrationChange } from './registration';
import type { StartVisit } from './visit';

const visit: StartVisit = {
  visitId: 'V-1',
  patient: {
    patientId: 'MRN-1',
    firstName: 'Ana',
    lastName: 'Lopez',
    birthDate: '1980-02-29',
    sex: 'F',
    address: { line1: '1 Main St', city: 'Austin', state: 'TX', postalCode: '78701' },
  },
  coverage: { payerId: '87726', payerName: 'UNITEDHEALTHCARE', memberId: 'W100', relationship: 'self' },
  appointment: { serviceDate: '2026-03-02', providerNpi: '1234567893', placeOfService: '11' },
};
const change = (patch: Partial<RegistrationChange>): RegistrationChange => ({ changeKey: 'C1', patient: visit.patient, coverage: visit.coverage, ...patch });

describe('a registration update (ADT^A08) against an open visit', () => {
  it('changes nothing when the PMS sends what the visit already has, whatever the key order', () => {
    const reordered = { relationship: 'self' as const, memberId: 'W100', payerName: 'UNITEDHEALTHCARE', payerId: '87726' };
    expect(registrationChanges(visit, change({ coverage: reordered }))).toEqual([]);
  });

  it('names a moved address as demographics, and applies it', () => {
    const moved = { ...visit.patient, address: { ...visit.patient.address, line1: '9 Elm St' } };
    expect(registrationChanges(visit, change({ patient: moved }))).toEqual(['demographics']);
    expect(applyRegistration(visit, change({ patient: moved })).patient.address.line1).toBe('9 Elm St');
  });

  it('names a new member id as a coverage change, so eligibility is checked again', () => {
    const coverage = { ...visit.coverage, memberId: 'W200' };
    expect(registrationChanges(visit, change({ coverage }))).toEqual(['coverage']);
    expect(applyRegistration(visit, change({ coverage })).coverage.memberId).toBe('W200');
  });

  it('adds and drops a secondary coverage only when the message carries insurance at all', () => {
    const secondary = { payerId: '60054', payerName: 'AETNA', memberId: 'A1', relationship: 'self' as const };
    expect(registrationChanges(visit, change({ secondaryCoverage: secondary }))).toEqual(['secondary_coverage']);
    const withSecondary = { ...visit, secondaryCoverage: secondary };
    expect(registrationChanges(withSecondary, change({}))).toEqual(['secondary_coverage']);
    expect(applyRegistration(withSecondary, change({})).secondaryCoverage).toBeUndefined();
    // No IN1 at all (self-pay registration): the visit keeps both coverages.
    expect(registrationChanges(withSecondary, { changeKey: 'C2', patient: visit.patient })).toEqual([]);
  });

  it('ignores a registration of another patient', () => {
    expect(registrationChanges(visit, change({ patient: { ...visit.patient, patientId: 'MRN-2', lastName: 'X' } }))).toEqual([]);
  });
});

describe('a reschedule (SIU^S14)', () => {
  it('is a change when the day, provider or place moves, not when only the key order or a missing prior auth differs', () => {
    expect(appointmentChanged(visit, { placeOfService: '11', providerNpi: '1234567893', serviceDate: '2026-03-02' })).toBe(false);
    expect(appointmentChanged(visit, { ...visit.appointment, serviceDate: '2026-03-09' })).toBe(true);
    expect(appointmentChanged(visit, { ...visit.appointment, placeOfService: '02' })).toBe(true);
  });
});
