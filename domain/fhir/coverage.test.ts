import type { Coverage, Patient } from '@medplum/fhirtypes';
import type { StartVisit } from '../visit';
import { billedCoverage } from './coverage';
import { EncounterNotBillableError } from './encounter';
import { coverageResource } from './prepopulate';

const patient: Patient = { resourceType: 'Patient', id: '5' };
const visit = {
  visitId: 'V-1',
  patient: { patientId: 'MRN-1' },
  coverage: { payerId: '87726', payerName: 'Example Health', memberId: 'W123', groupNumber: 'G7', relationship: 'self' },
} as StartVisit;
const written: Coverage = { ...coverageResource(visit, 'Patient/5'), id: '9' };

function problemsOf(coverages: Coverage[]) {
  try {
    billedCoverage('e1', patient, coverages);
  } catch (err) {
    expect(err).toBeInstanceOf(EncounterNotBillableError);
    return (err as EncounterNotBillableError).problems;
  }
  throw new Error('expected EncounterNotBillableError');
}

describe('billedCoverage', () => {
  it('reads back the payer, member id and group revcycle wrote', () => {
    expect(billedCoverage('e1', patient, [written])).toEqual({ payerId: '87726', memberId: 'W123', groupNumber: 'G7' });
  });

  it('chooses the Coverage ordered first when the patient has several', () => {
    const secondary: Coverage = { ...written, id: '10', order: 2, subscriberId: 'S2' };
    expect(billedCoverage('e1', patient, [secondary, { ...written, order: 1 }]).memberId).toBe('W123');
  });

  it.each<[string, Coverage[], { path: string; reason: RegExp }]>([
    ['no Coverage', [], { path: 'Coverage', reason: /no active Coverage/ }],
    ['a cancelled Coverage only', [{ ...written, status: 'cancelled' }], { path: 'Coverage', reason: /no active Coverage/ }],
    ['another patient\'s Coverage', [{ ...written, beneficiary: { reference: 'Patient/6' } }], { path: 'Coverage', reason: /no active Coverage/ }],
    ['two unordered Coverages', [written, { ...written, id: '10' }], { path: 'Coverage', reason: /2 active Coverages and none has order 1/ }],
    ['no payer identifier', [{ ...written, payor: [{ display: 'Example Health' }] }], { path: 'Coverage/9.payor', reason: /no payer identifier/ }],
    ['no member id', [{ ...written, subscriberId: undefined }], { path: 'Coverage/9.subscriberId', reason: /no member id/ }],
  ])('reports %s as not billable', (_name, coverages, expected) => {
    expect(problemsOf(coverages)).toEqual([{ path: expected.path, reason: expect.stringMatching(expected.reason) }]);
  });
});
