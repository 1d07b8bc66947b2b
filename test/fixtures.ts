/** Visits this project writes itself for tests (public samples live in ../shared/fixtures). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { priceLines } from '../domain/billing/pricing';
import type { ChargeLine, CodedEncounter, ProcedureLine, StartVisit } from '../domain/visit';

export function sampleVisit(visitId: string, memberId = 'W123456789', patientId = `P${visitId.replace(/-/g, '').slice(-8)}`): StartVisit {
  return {
    visitId,
    patient: {
      patientId,
      firstName: 'JANE',
      lastName: 'DOE',
      birthDate: '1980-02-14',
      sex: 'F',
      address: { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
    },
    coverage: { payerId: '87726', payerName: 'UNITEDHEALTHCARE', memberId, groupNumber: 'GRP001', relationship: 'self' },
    appointment: { appointmentId: `A-${visitId}`, serviceDate: '2026-11-20', providerNpi: '1234567893', placeOfService: '11' },
  };
}

/** What the clinician signs in the EHR (the EHR simulator's /sim/encounters body): two procedures, two diagnoses. */
export const signedEncounter = (visitId: string) => ({
  visitId,
  renderingNpi: '1234567893',
  diagnoses: [
    { code: 'M54.50', rank: 1 },
    { code: 'E11.9', rank: 2 },
  ],
  procedures: [
    { code: '99214', modifiers: ['25'], units: 1, diagnosisPointers: [1, 2] },
    { code: '20610', modifiers: ['RT'], units: 1, diagnosisPointers: [1] },
  ],
});

export function sampleEncounter(encounterId = 'enc-1'): CodedEncounter {
  return {
    encounterId,
    serviceDate: '2026-11-20',
    renderingNpi: '1234567893',
    diagnoses: [
      { code: 'M5450', rank: 1 },
      { code: 'E119', rank: 2 },
    ],
    procedures: [
      { code: '99214', modifiers: ['25'], units: 1, diagnosisPointers: [1, 2] },
      { code: '20610', modifiers: ['RT'], units: 1, diagnosisPointers: [1] },
    ],
  };
}

/**
 * A folder of ../shared/fixtures (public samples written outside this project, read in
 * place). `present` is false where the folder is missing, and the caller skips, saying so.
 */
export function sharedFixtures(sub: 'x12' | 'hl7v2' | 'fhir'): { dir: string; present: boolean } {
  const dir = join(__dirname, '..', '..', 'shared', 'fixtures', sub);
  const present = existsSync(dir);
  if (!present) console.warn(`${dir} is missing: conformance tests on the public ${sub} samples are skipped`);
  return { dir, present };
}

/** The demo fee schedule's charges for the codes tests bill (data/ holds the real seed CSV). */
const TEST_FEES: Record<string, number> = { '99213': 13500, '99214': 19500, '20610': 18000, '97110': 9500, '36415': 1500 };

/** Lines priced as the charges step prices them, from a default schedule of TEST_FEES. */
export function pricedLines(procedures: ProcedureLine[], serviceDate = '2026-11-20'): ChargeLine[] {
  const fees = Object.entries(TEST_FEES).map(([code, chargeCents]) => ({
    payerId: '*',
    code,
    effectiveFrom: '2020-01-01',
    chargeCents,
    expectedCents: Math.round(chargeCents * 0.8),
  }));
  return priceLines(procedures, fees, { payerId: '87726', providerNpi: '1234567893', serviceDate });
}
