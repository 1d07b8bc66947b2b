/** Valid HL7 v2 messages the property tests start from: the public samples and our own builders' SIU^S12, SIU^S15 and ADT^A04. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAdt } from '../../domain/hl7/adt';
import { buildSiuS12, buildSiuS15 } from '../../domain/hl7/siu';
import type { StartVisit } from '../../domain/visit';
import { sharedFixtures } from '../fixtures';

export function hl7Samples() {
  const visit: StartVisit = {
    visitId: 'V-2001',
    patient: {
      patientId: 'MRN-1',
      firstName: 'Ana',
      lastName: 'Lee',
      birthDate: '1980-01-02',
      sex: 'F',
      address: { line1: '1 Main St', city: 'Madison', state: 'WI', postalCode: '53703' },
    },
    coverage: { payerId: '87726', payerName: 'UHC', memberId: 'M-1', relationship: 'self' },
    appointment: { appointmentId: 'A-1', serviceDate: '2026-04-01', providerNpi: '1234567893', placeOfService: '11' },
  };
  const at = new Date('2026-03-01T00:00:00Z');
  const { dir, present } = sharedFixtures('hl7v2');
  const publicSamples = present
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.hl7'))
        .map((f) => readFileSync(join(dir, f), 'utf8'))
    : [];
  const ownSamples = [
    buildSiuS12(visit, { controlId: 'S12-1', at }).toString(),
    buildSiuS15({ visitId: 'V-2001', reason: 'ill' }, { controlId: 'S15-1', at }).toString(),
    buildAdt({ patient: visit.patient, coverage: visit.coverage }, { controlId: 'A04-1', at }).toString(),
  ];
  /** Segments ended by CR, as on the wire. */
  const samples = [...publicSamples, ...ownSamples].map((s) => s.replace(/\r\n|\n/g, '\r'));
  return { visit, at, ownSamples, samples };
}
