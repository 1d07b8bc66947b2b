/**
 * Conformance: the public HL7 v2 samples (v2.8 headers, LF segment endings) read in place.
 * Every field we bill from is read as the sample has it; what the samples cannot give us
 * (no IN1 on SIU, providers without an NPI, SNOMED diagnoses) is reported, not guessed.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parseDftP03 } from './dft';
import { readInbound } from './inbound';
import { Hl7MappingError, parseHl7 } from './message';
import { readCoverage, readPatient } from './patient';
import { readProviderNpi, readServiceDate, readVisitId } from './siu';
import { sharedFixtures } from '../../test/fixtures';

const { dir, present } = sharedFixtures('hl7v2');
// Not describe.skip: a skipped describe still runs its body, which reads the files.
const describeIfFixtures = present ? describe : (name: string) => test.skip(name, () => undefined);
const fixture = (name: string) => readFileSync(join(dir, name), 'utf8');

/** The issues a mapping reports, or [] when it succeeded. */
function issuesOf(read: () => unknown): string[] {
  try {
    read();
    return [];
  } catch (err) {
    if (err instanceof Hl7MappingError) return err.issues;
    throw err;
  }
}

const samplePatient = {
  patientId: 'PATID1234',
  firstName: 'ADAM',
  lastName: 'EVERYMAN',
  birthDate: '1988-08-18',
  sex: 'M',
  address: { line1: '1000 Hospital Lane', city: 'Ann Arbor', state: 'MI', postalCode: '99999' },
};

describeIfFixtures('public HL7 v2 samples', () => {
  describe.each(['SIU-S12-01.hl7', 'SIU-S12-02.hl7'])('%s', (name) => {
    const msg = parseHl7(fixture(name));

    it('reads the visit id, patient and date of service', () => {
      expect(readVisitId(msg.getSegment('SCH'), [])).toBe('12345');
      expect(readPatient(msg.getSegment('PID'), [])).toEqual(samplePatient);
      expect(readServiceDate(msg)).toBe(name === 'SIU-S12-01.hl7' ? '2021-09-24' : '2021-08-18');
    });

    it('reports that it has no coverage and no provider NPI instead of guessing them', () => {
      expect(readProviderNpi(msg)).toBeUndefined();
      expect(issuesOf(() => readInbound(fixture(name)))).toEqual(['IN1: missing (no coverage)', 'AIP-3/PV1-7: no provider with an NPI']);
    });
  });

  it('SIU-S12-01 sent as an S14 (same SIU_S12 structure) moves that visit, and says its provider has no NPI', () => {
    const s14 = fixture('SIU-S12-01.hl7').replace('SIU^S12', 'SIU^S14');
    expect(issuesOf(() => readInbound(s14))).toEqual(['AIP-3/PV1-7: no provider with an NPI']);
    const withNpi = s14.replace(/AIP\|001\|\|[^|]*/, 'AIP|001||1234567893^DOE^JANE^^^^^^^^^^NPI');
    expect(readInbound(withNpi)).toEqual({
      kind: 'appointmentRescheduled',
      reschedule: { visitId: '12345', appointment: expect.objectContaining({ serviceDate: '2021-09-24', providerNpi: '1234567893' }) },
    });
  });

  it('SIU-S15-01 cancels the visit SIU-S12-01 booked', () => {
    expect(readInbound(fixture('SIU-S15-01.hl7'))).toEqual({ kind: 'appointmentCancelled', cancellation: { visitId: '12345', reason: 'Add' } });
  });

  it('ADT-A04-02 registers the patient, with no coverage', () => {
    expect(readInbound(fixture('ADT-A04-02.hl7'))).toEqual({ kind: 'registration', registration: { patient: samplePatient } });
  });

  it('ADT-A04-01 reads IN1 but reports its payer id, which no clearinghouse would accept', () => {
    const msg = parseHl7(fixture('ADT-A04-01.hl7'));
    expect(issuesOf(() => readInbound(fixture('ADT-A04-01.hl7')))).toEqual(['IN1-3: must be 2-10 letters or digits']);
    const fixedPayer = parseHl7(fixture('ADT-A04-01.hl7').replace('|IC-1.31^24^', '|BCBSTX^24^'));
    expect(readCoverage(fixedPayer.getSegment('IN1')!, [])).toEqual({
      payerId: 'BCBSTX',
      payerName: 'Blue Cross Blue Shield of Texas',
      memberId: 'PN-145',
      groupNumber: 'PUBSUMB',
      relationship: 'spouse',
      subscriber: {
        firstName: 'Rosallie',
        lastName: 'Doe',
        birthDate: '1975-02-28',
        sex: 'F',
        address: { line1: '3857 Velvet Treasure Terrace', city: 'Midnight', state: 'NC', postalCode: '27878' },
      },
    });
    expect(msg.getSegment('IN1')).toBeDefined();
  });

  describe.each(['DFT-P03-01.hl7', 'DFT-P03-02.hl7'])('%s', (name) => {
    it('reports SNOMED diagnoses and an uncoded procedure as unbillable', () => {
      expect(issuesOf(() => parseDftP03(parseHl7(fixture(name))))).toEqual([
        'DG1-3 (1): 29857009 is SCT, not I10',
        'DG1-3 (2): 68235000 is SCT, not I10',
        'FT1-19 (line 1): 29857009 is SCT, not I10',
        'FT1-19 (line 1): 68235000 is SCT, not I10',
        'FT1-25 (line 2): 99011 is in no coding system, not C4',
        'FT1-19 (line 2): 29857009 is SCT, not I10',
      ]);
    });

    it('reports two diagnoses that both claim to be the principal one', () => {
      const coded = fixture(name)
        .replace(/\^SCT\|/g, '^I10|')
        .replace(/29857009/g, 'R07.9')
        .replace(/68235000/g, 'R09.81');
      expect(issuesOf(() => parseDftP03(parseHl7(coded)))).toContain('DG1-15 (2): priority 1 given twice');
    });

    it('reads the billed line once its diagnoses are ICD-10-CM', () => {
      const coded = fixture(name)
        .replace(/29857009\^Chest pain\^SCT/g, 'R07.9^Chest pain^I10')
        .replace(/68235000\^Nasal congestion\^SCT/g, 'R09.81^Nasal congestion^I10')
        .replace(/\nFT1\|2\|[^\n]*/, '')
        .replace(/(\nDG1\|2\|[^\n]*\|F\|{9})1\|/, (_, head: string) => `${head}2|`);
      expect(parseDftP03(parseHl7(coded))).toEqual({
        controlId: 'MSG00001',
        visitId: '40007716',
        patientId: 'PATID1234',
        serviceDate: '2019-11-22',
        renderingNpi: '9941339108',
        diagnoses: [
          { code: 'R079', rank: 1 },
          { code: 'R0981', rank: 2 },
        ],
        lines: [{ lineNumber: 1, code: '71045', modifiers: ['26'], units: 2, chargeCents: 10000, diagnosisPointers: [1, 2] }],
      });
    });
  });
});
