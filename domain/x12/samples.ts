/**
 * Made-up but realistic inputs for tests, the benchmark and the simulator's docs:
 * no real person is in them. The NPIs pass the Luhn check the NPI standard uses.
 */
import type { EnvelopeOptions } from './envelope';
import type { EligibilityRequest } from './eligibility';
import type { ProfessionalClaim, ProfessionalClaimBatch } from './professional-claim';
import type { Remittance } from './remittance';

export function sampleEnvelope(controlNumber: number, overrides: Partial<EnvelopeOptions> = {}): EnvelopeOptions {
  return { controlNumber, senderId: 'NORTHSIDE01', receiverId: 'SIMCH', date: '2026-03-11', time: '0930', usage: 'T', ...overrides };
}

export function sampleClaim(claimId: string, overrides: Partial<ProfessionalClaim> = {}): ProfessionalClaim {
  return {
    claimId,
    frequency: '1',
    placeOfService: '11',
    payer: { name: 'ACME HEALTH PLAN', id: '87726', filingIndicator: 'CI' },
    subscriber: {
      memberId: 'W100200300',
      firstName: 'ANA',
      lastName: 'RIVERA',
      groupNumber: 'GRP-7',
      birthDate: '1980-02-29',
      sex: 'F',
      address: { line1: '12 ELM ST', city: 'MADISON', state: 'WI', postalCode: '53703' },
    },
    diagnoses: ['M5450', 'E119'],
    renderingProvider: { npi: '1497758544', lastName: 'KIM', firstName: 'JOY' },
    lines: [
      {
        code: '99214',
        modifiers: ['25'],
        units: 1,
        chargeCents: 15000,
        diagnosisPointers: [1, 2],
        serviceDate: '2026-03-10',
        lineItemControlNumber: `${claimId}-1`,
      },
    ],
    ...overrides,
  };
}

/** A child on a parent's plan: 2000C patient loop, subscriber without demographics. */
export function sampleDependentClaim(claimId: string): ProfessionalClaim {
  return sampleClaim(claimId, {
    subscriber: { memberId: 'W100200300', firstName: 'BEN', lastName: 'RIVERA', groupNumber: 'GRP-7' },
    patient: {
      relationship: 'child',
      firstName: 'LIA',
      lastName: 'RIVERA',
      birthDate: '2015-06-01',
      sex: 'F',
      address: { line1: '12 ELM ST', city: 'MADISON', state: 'WI', postalCode: '53703' },
    },
  });
}

/** Twelve diagnoses, a prior authorization, lines with four modifiers, units and odd cents. */
export function sampleMultiLineClaim(claimId: string): ProfessionalClaim {
  return sampleClaim(claimId, {
    priorAuthorization: 'PA-7788',
    diagnoses: ['M5450', 'E119', 'I10', 'Z0000', 'R0600', 'J029', 'K219', 'N390', 'L309', 'G4700', 'F419', 'H6590'],
    lines: [
      {
        code: '99214',
        modifiers: ['25'],
        units: 1,
        chargeCents: 15000,
        diagnosisPointers: [1, 2, 3, 12],
        serviceDate: '2026-03-10',
        lineItemControlNumber: `${claimId}-1`,
      },
      {
        code: '20610',
        modifiers: ['RT', '59', 'XS', '76'],
        units: 2,
        chargeCents: 32050,
        diagnosisPointers: [1],
        serviceDate: '2026-03-10',
        lineItemControlNumber: `${claimId}-2`,
      },
      { code: 'J1030', modifiers: [], units: 4, chargeCents: 1204, diagnosisPointers: [2], serviceDate: '2026-03-11', lineItemControlNumber: `${claimId}-3` },
    ],
  });
}

/**
 * A secondary claim (SBR*S) to a Medicaid plan after the primary paid: 2320 with the primary's
 * claim-level CAS and AMT*D, 2330A/2330B, and 2430 SVD/CAS/DTP*573 for each line. It balances:
 * per line, charge = paid + CAS; per claim, charge = AMT*D + every CAS.
 */
export function sampleSecondaryClaim(claimId: string): ProfessionalClaim {
  const primary = sampleMultiLineClaim(claimId);
  const { groupNumber: _primaryGroup, ...subscriber } = primary.subscriber;
  return {
    ...primary,
    payerResponsibility: 'S',
    payer: { name: 'STATE MEDICAID', id: 'SKWI0', filingIndicator: 'MC' },
    subscriber: { ...subscriber, memberId: 'MCD55501' },
    otherPayers: [
      {
        responsibility: 'P',
        payer: { name: 'ACME HEALTH PLAN', id: '87726', filingIndicator: 'CI' },
        subscriber: { memberId: 'W100200300', firstName: 'ANA', lastName: 'RIVERA', groupNumber: 'GRP-7', relationship: 'self' },
        paidCents: 32040,
        remainingPatientLiabilityCents: 5500,
        adjudicatedOn: '2026-03-20',
        payerClaimNumber: 'SIM000000042',
        adjustments: [{ group: 'OA', carc: '23', amountCents: 100 }],
        lines: [
          {
            lineNumber: 1,
            code: '99214',
            modifiers: ['25'],
            units: 1,
            paidCents: 6500,
            adjustments: [
              { group: 'CO', carc: '45', amountCents: 3000 },
              { group: 'PR', carc: '3', amountCents: 2500 },
              { group: 'PR', carc: '2', amountCents: 3000 },
            ],
          },
          {
            lineNumber: 2,
            code: '20610',
            modifiers: ['RT', '59', 'XS', '76'],
            units: 2,
            paidCents: 25640,
            adjustments: [{ group: 'CO', carc: '45', amountCents: 6410 }],
          },
          { lineNumber: 3, code: 'J1030', modifiers: [], units: 4, paidCents: 0, adjustments: [{ group: 'CO', carc: '97', amountCents: 1204 }] },
        ],
      },
    ],
  };
}

export function sampleBatch(claims: ProfessionalClaim[]): ProfessionalClaimBatch {
  return {
    submitter: { name: 'NORTHSIDE FAMILY CLINIC', id: 'NORTHSIDE01', contactName: 'BILLING OFFICE', phone: '6085551212' },
    receiver: { name: 'SIM CLEARINGHOUSE', id: 'SIMCH' },
    billingProvider: {
      name: 'NORTHSIDE FAMILY CLINIC',
      npi: '1234567893',
      taxId: '391234567',
      address: { line1: '100 MAIN ST', city: 'MADISON', state: 'WI', postalCode: '537031234' },
      taxonomy: '207Q00000X',
    },
    claims,
  };
}

export function sampleEligibilityRequest(overrides: Partial<EligibilityRequest> = {}): EligibilityRequest {
  return {
    payer: { name: 'ACME HEALTH PLAN', id: '87726' },
    provider: { name: 'NORTHSIDE FAMILY CLINIC', npi: '1234567893' },
    subscriber: { memberId: 'W100200300', firstName: 'ANA', lastName: 'RIVERA', birthDate: '1980-02-29', sex: 'F' },
    serviceDate: '2026-03-10',
    traceNumber: 'V-1001-1',
    originatorId: '1391234567',
    serviceTypes: ['30'],
    ...overrides,
  };
}

/** One paid claim: CO-45 contractual, PR-3 copay, PR-2 coinsurance, and a PLB recovery; it balances. */
export function sampleRemittance(): Remittance {
  return {
    payment: { handling: 'I', amountCents: 9000, creditDebit: 'C', method: 'CHK', date: '2026-03-20' },
    trace: { number: 'EFT0001', originatorId: '1876543210' },
    productionDate: '2026-03-19',
    payer: {
      name: 'ACME HEALTH PLAN',
      id: '87726',
      address: { line1: '1 PAYER WAY', city: 'HARTFORD', state: 'CT', postalCode: '06101' },
      contactPhone: '8005550000',
    },
    payee: { name: 'NORTHSIDE FAMILY CLINIC', idQualifier: 'XX', id: '1234567893', taxId: '391234567' },
    claims: [
      {
        patientControlNumber: 'C-1',
        statusCode: '1',
        chargeCents: 15000,
        paidCents: 9100,
        patientResponsibilityCents: 2900,
        filingIndicator: '12',
        payerClaimNumber: 'SIM000001',
        facilityCode: '11',
        frequency: '1',
        patient: { lastName: 'RIVERA', firstName: 'ANA', memberId: 'W100200300' },
        adjustments: [],
        remarks: [],
        lines: [
          {
            qualifier: 'HC',
            code: '99214',
            modifiers: ['25'],
            chargeCents: 15000,
            paidCents: 9100,
            units: 1,
            serviceDate: '2026-03-10',
            lineControlNumber: '1',
            allowedCents: 12000,
            adjustments: [
              { group: 'CO', carc: '45', amountCents: 3000 },
              { group: 'PR', carc: '3', amountCents: 2500 },
              { group: 'PR', carc: '2', amountCents: 400 },
            ],
            remarks: ['N130'],
          },
        ],
      },
    ],
    providerAdjustments: [{ providerId: '1234567893', fiscalPeriodDate: '2026-12-31', reasonCode: 'WO', reference: 'C-0', amountCents: 100 }],
  };
}
