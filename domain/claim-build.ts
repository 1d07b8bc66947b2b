/**
 * From the visit as revcycle holds it to the X12 inputs: the 270 eligibility request and
 * the 837P claim. Pure, so what goes to the payer is exactly what the tests see. Nothing
 * here is re-keyed: patient and coverage come from intake, codes from the EHR.
 */
import { FailureType } from './failures';
import { diagnosesInClaimOrder } from './coding';
import type { ClaimFrequency, ClaimRemittance } from './claim';
import type { EligibilityRequest } from './x12/eligibility';
import type { ClaimStatusRequest } from './x12/claim-status';
import {
  claimChargeCents,
  DEFAULT_FILING_INDICATOR,
  lineItemControlNumber,
  type BillingProvider,
  type CobAdjustment,
  type OtherPayer,
  type ProfessionalClaim,
  type ProfessionalClaimBatch,
  type RenderingProvider,
  type Submitter,
} from './x12/professional-claim';
import type { ChargeLine, CodedEncounter, Coverage, StartVisit } from './visit';

export interface Practice {
  billingProvider: BillingProvider;
  submitter: Submitter;
  receiver: { name: string; id: string };
}

/** The subscriber is the patient unless coverage names someone else. */
function subscriberOf(visit: StartVisit, coverage: Coverage = visit.coverage) {
  const { patient } = visit;
  const person =
    coverage.relationship === 'self' || !coverage.subscriber
      ? { ...patient }
      : { ...coverage.subscriber, address: coverage.subscriber.address ?? patient.address };
  return { ...person, memberId: coverage.memberId };
}

export function eligibilityRequestFor(visit: StartVisit, attempt: number, practice: Practice): EligibilityRequest {
  const s = subscriberOf(visit);
  const { patient, coverage } = visit;
  return {
    payer: { name: coverage.payerName, id: coverage.payerId },
    provider: { name: practice.billingProvider.name, npi: practice.billingProvider.npi },
    subscriber: { firstName: s.firstName, lastName: s.lastName, birthDate: s.birthDate, sex: s.sex, memberId: s.memberId },
    dependent:
      coverage.relationship === 'self'
        ? undefined
        : { firstName: patient.firstName, lastName: patient.lastName, birthDate: patient.birthDate, sex: patient.sex },
    serviceDate: visit.appointment.serviceDate,
    traceNumber: `${visit.visitId}-${attempt}`,
    originatorId: `1${practice.billingProvider.taxId}`,
    serviceTypes: ['30'],
  };
}

/** A 276 about a claim as it was sent: who it was billed to, for whom, how much, which day. */
export function claimStatusRequestFor(claim: ProfessionalClaim, payerClaimNumber: string | undefined, practice: Practice): ClaimStatusRequest {
  return {
    payer: { name: claim.payer.name, id: claim.payer.id },
    submitter: { name: practice.submitter.name, id: practice.submitter.id },
    provider: { name: practice.billingProvider.name, npi: practice.billingProvider.npi },
    subscriber: { memberId: claim.subscriber.memberId, firstName: claim.subscriber.firstName, lastName: claim.subscriber.lastName },
    patientControlNumber: claim.claimId,
    ...(payerClaimNumber ? { payerClaimNumber } : {}),
    chargeCents: claimChargeCents(claim),
    serviceDate: claim.lines[0].serviceDate,
  };
}

export interface ClaimRequest {
  visit: StartVisit;
  encounter: CodedEncounter;
  lines: ChargeLine[];
  frequency: ClaimFrequency;
  payerClaimNumber?: string;
  /** SBR09 claim filing indicator from the payer rules ('CI', 'MB', 'MC', 'BL', ...); CI when absent. */
  filingIndicator?: string;
  /** REF*G1 prior authorization number, when the payer rules require one for the billed codes. */
  priorAuthorization?: string;
  /** The billing provider's NPI: a rendering practitioner with another NPI is written in 2310B. */
  billingNpi?: string;
  /**
   * Bill the visit's `secondaryCoverage` after the primary adjudicated: the claim goes to the
   * secondary (SBR*S, 2000B/2010BB) and carries the primary's answer in 2320/2330A/2330B/2430.
   */
  cob?: CobInput;
}

/** What the primary payer said about the claim, for the secondary claim (see `buildSecondaryClaim`). */
export interface CobInput {
  /** The primary's 835 answer for this visit's claim (the one to take payment and adjustments from). */
  primary: ClaimRemittance;
  /** The primary's SBR09 as it was billed; CI when absent. */
  primaryFilingIndicator?: string;
  /** DTP*573 when the 835 carries no payment date (BPR16). */
  adjudicatedOn?: string;
}

/** 2310B: the rendering practitioner, when the chart names one other than the billing provider. */
function renderingProviderOf(encounter: CodedEncounter, billingNpi: string | undefined): RenderingProvider | undefined {
  if (!billingNpi || encounter.renderingNpi === billingNpi) return undefined;
  const name = encounter.renderingName;
  if (!name) throw new MissingRenderingNameError(encounter.renderingNpi);
  return {
    npi: encounter.renderingNpi,
    lastName: name.lastName,
    ...(name.firstName ? { firstName: name.firstName } : {}),
    ...(encounter.renderingTaxonomy ? { taxonomy: encounter.renderingTaxonomy } : {}),
  };
}

/** A claim must name its rendering provider (2310B NM103); the chart gave an NPI without a name. */
export class MissingRenderingNameError extends Error {
  readonly code = FailureType.RenderingProviderUnnamed;
  readonly retryable = false;
  constructor(readonly npi: string) {
    super(`the rendering practitioner (NPI ${npi}) differs from the billing provider and has no name in the chart: 2310B needs one`);
    this.name = 'MissingRenderingNameError';
  }
}

/**
 * One 837P claim; CLM01 is the visit id, which the payer echoes in the 277CA and the 835.
 * Each line's REF*6R is `lineItemControlNumber(visitId, lineNumber)`: the same on every
 * retry and resubmission. With `cob`, it is the secondary claim (`buildSecondaryClaim`).
 */
export function claimFor(r: ClaimRequest): ProfessionalClaim {
  if (r.cob) return buildSecondaryClaim({ ...r, cob: r.cob });
  return primaryClaimFor(r);
}

function primaryClaimFor(r: ClaimRequest, coverage: Coverage = r.visit.coverage): ProfessionalClaim {
  const { visit, encounter } = r;
  const s = subscriberOf(visit, coverage);
  const { patient } = visit;
  const renderingProvider = renderingProviderOf(encounter, r.billingNpi);
  return {
    claimId: visit.visitId,
    frequency: r.frequency,
    payerClaimNumber: r.frequency === '1' ? undefined : r.payerClaimNumber,
    placeOfService: visit.appointment.placeOfService,
    ...(r.priorAuthorization ? { priorAuthorization: r.priorAuthorization } : {}),
    payer: { name: coverage.payerName, id: coverage.payerId, filingIndicator: r.filingIndicator ?? DEFAULT_FILING_INDICATOR },
    subscriber: {
      memberId: s.memberId,
      firstName: s.firstName,
      lastName: s.lastName,
      groupNumber: coverage.groupNumber,
      birthDate: s.birthDate,
      sex: s.sex,
      address: s.address,
    },
    patient:
      coverage.relationship === 'self'
        ? undefined
        : {
            relationship: coverage.relationship,
            firstName: patient.firstName,
            lastName: patient.lastName,
            birthDate: patient.birthDate,
            sex: patient.sex,
            address: patient.address,
          },
    diagnoses: diagnosesInClaimOrder(encounter).map((d) => d.code),
    ...(renderingProvider ? { renderingProvider } : {}),
    lines: r.lines.map((l) => ({
      code: l.code,
      modifiers: l.modifiers,
      units: l.units,
      chargeCents: l.chargeCents,
      diagnosisPointers: l.diagnosisPointers,
      serviceDate: encounter.serviceDate,
      lineItemControlNumber: lineItemControlNumber(visit.visitId, l.lineNumber),
    })),
  };
}

/** The visit has no secondary coverage to bill, or the primary's answer cannot be carried to it. */
export class SecondaryClaimError extends Error {
  readonly code = FailureType.SecondaryClaimInvalid;
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'SecondaryClaimError';
  }
}

/**
 * The secondary claim (COB), after the primary's 835: billed to `visit.secondaryCoverage`
 * (2000B SBR*S, 2010BA its subscriber, 2010BB its payer) with the primary in 2320/2330A/2330B:
 * its claim-level CAS and AMT*D paid amount, AMT*EAF the patient's share it left; and per
 * line (2430) SVD paid, CAS and DTP*573, matched to our lines by the 835's REF*6R (else by
 * position). `filingIndicator` and `priorAuthorization` are the secondary payer's.
 */
export function buildSecondaryClaim(r: ClaimRequest & { cob: CobInput }): ProfessionalClaim {
  const { visit, cob } = r;
  const secondary = visit.secondaryCoverage;
  if (!secondary) throw new SecondaryClaimError(`visit ${visit.visitId} has no secondary coverage`);
  const remit = cob.primary;
  if (remit.claimStatusCode === '22') throw new SecondaryClaimError("the primary's answer is a reversal (CLP02 22), not an adjudication");
  const adjudicatedOn = remit.paidOn ?? cob.adjudicatedOn;
  if (!adjudicatedOn) throw new SecondaryClaimError("the primary's 835 has no payment date (BPR16): pass cob.adjudicatedOn");
  const claim = primaryClaimFor(r, secondary);
  const primarySubscriber = subscriberOf(visit, visit.coverage);
  const otherLines = claim.lines.map((line, i) => {
    const lineNumber = r.lines[i].lineNumber;
    const answered =
      remit.lines.find((l) => l.lineControlNumber === line.lineItemControlNumber) ??
      remit.lines.find((l) => !l.lineControlNumber && l.lineNumber === lineNumber);
    if (!answered) throw new SecondaryClaimError(`the primary's 835 does not answer line ${lineNumber} (${line.code}, REF*6R ${line.lineItemControlNumber})`);
    return {
      lineNumber: i + 1,
      code: answered.code || line.code,
      modifiers: answered.modifiers ?? line.modifiers,
      units: answered.units ?? line.units,
      paidCents: answered.paidCents,
      adjustments: adjustmentsOf(remit, answered.lineNumber),
    };
  });
  const primaryPayer: OtherPayer = {
    responsibility: 'P',
    payer: { name: visit.coverage.payerName, id: visit.coverage.payerId, filingIndicator: cob.primaryFilingIndicator ?? DEFAULT_FILING_INDICATOR },
    subscriber: {
      memberId: primarySubscriber.memberId,
      firstName: primarySubscriber.firstName,
      lastName: primarySubscriber.lastName,
      ...(visit.coverage.groupNumber ? { groupNumber: visit.coverage.groupNumber } : {}),
      relationship: visit.coverage.relationship,
    },
    paidCents: remit.paidCents,
    remainingPatientLiabilityCents: remit.patientResponsibilityCents,
    adjudicatedOn,
    ...(remit.payerClaimNumber ? { payerClaimNumber: remit.payerClaimNumber } : {}),
    adjustments: adjustmentsOf(remit, null),
    lines: otherLines,
  };
  return { ...claim, payerResponsibility: 'S', otherPayers: [primaryPayer] };
}

function adjustmentsOf(r: ClaimRemittance, lineNumber: number | null): CobAdjustment[] {
  return r.adjustments.filter((a) => a.lineNumber === lineNumber).map((a) => ({ group: a.group, carc: a.carc, amountCents: a.amountCents }));
}

export function claimBatch(practice: Practice, claims: ProfessionalClaim[]): ProfessionalClaimBatch {
  return { submitter: practice.submitter, receiver: practice.receiver, billingProvider: practice.billingProvider, claims };
}
