/**
 * From the visit as revcycle holds it to the X12 inputs: the 270 eligibility request and
 * the 837P claim. Pure, so what goes to the payer is exactly what the tests see. Nothing
 * here is re-keyed: patient and coverage come from intake, codes from the EHR.
 */
import { diagnosesInClaimOrder } from './coding';
import type { ClaimFrequency } from './claim';
import type { EligibilityRequest } from './x12/eligibility';
import type { BillingProvider, ProfessionalClaim, ProfessionalClaimBatch, Submitter } from './x12/professional-claim';
import type { ChargeLine, CodedEncounter, StartVisit } from './visit';

export interface Practice {
  billingProvider: BillingProvider;
  submitter: Submitter;
  receiver: { name: string; id: string };
}

/** The subscriber is the patient unless coverage names someone else. */
function subscriberOf(visit: StartVisit) {
  const { patient, coverage } = visit;
  const person = coverage.relationship === 'self' || !coverage.subscriber ? { ...patient } : { ...coverage.subscriber, address: coverage.subscriber.address ?? patient.address };
  return { ...person, memberId: coverage.memberId };
}

export function eligibilityRequestFor(visit: StartVisit, attempt: number, practice: Practice): EligibilityRequest {
  const s = subscriberOf(visit);
  const { patient, coverage } = visit;
  return {
    payer: { name: coverage.payerName, id: coverage.payerId },
    provider: { name: practice.billingProvider.name, npi: practice.billingProvider.npi },
    subscriber: { firstName: s.firstName, lastName: s.lastName, birthDate: s.birthDate, sex: s.sex, memberId: s.memberId },
    dependent: coverage.relationship === 'self' ? undefined : { firstName: patient.firstName, lastName: patient.lastName, birthDate: patient.birthDate, sex: patient.sex },
    serviceDate: visit.appointment.serviceDate,
    traceNumber: `${visit.visitId}-${attempt}`,
    originatorId: `1${practice.billingProvider.taxId}`,
    serviceTypes: ['30'],
  };
}

export interface ClaimRequest {
  visit: StartVisit;
  encounter: CodedEncounter;
  lines: ChargeLine[];
  frequency: ClaimFrequency;
  payerClaimNumber?: string;
  /** SBR09 claim filing indicator from the payer rules (CI, MB, MC, BL, ...); CI when absent. */
  filingIndicator?: string;
  /** The payer's prior authorization number (837P REF*G1), from the payer rules' check. */
  priorAuthorization?: string;
}

/** One 837P claim; CLM01 is the visit id, which the payer echoes in the 277CA and the 835. */
export function claimFor(r: ClaimRequest): ProfessionalClaim {
  const { visit, encounter } = r;
  const s = subscriberOf(visit);
  const { patient, coverage } = visit;
  return {
    claimId: visit.visitId,
    frequency: r.frequency,
    payerClaimNumber: r.frequency === '1' ? undefined : r.payerClaimNumber,
    placeOfService: visit.appointment.placeOfService,
    payer: { name: coverage.payerName, id: coverage.payerId, filingIndicator: r.filingIndicator ?? 'CI' },
    subscriber: {
      memberId: s.memberId, firstName: s.firstName, lastName: s.lastName, groupNumber: coverage.groupNumber,
      birthDate: s.birthDate, sex: s.sex, address: s.address,
    },
    patient: coverage.relationship === 'self' ? undefined : {
      relationship: coverage.relationship, firstName: patient.firstName, lastName: patient.lastName,
      birthDate: patient.birthDate, sex: patient.sex, address: patient.address,
    },
    diagnoses: diagnosesInClaimOrder(encounter).map((d) => d.code),
    lines: r.lines.map((l) => ({
      code: l.code, modifiers: l.modifiers, units: l.units, chargeCents: l.chargeCents,
      diagnosisPointers: l.diagnosisPointers, serviceDate: encounter.serviceDate,
    })),
  };
}

export function claimBatch(practice: Practice, claims: ProfessionalClaim[]): ProfessionalClaimBatch {
  return { submitter: practice.submitter, receiver: practice.receiver, billingProvider: practice.billingProvider, claims };
}
