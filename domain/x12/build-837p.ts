/**
 * Builds 837P professional claims, ASC X12 005010X222A1. Loop order per the guide:
 * 1000A submitter, 1000B receiver, 2000A/2010AA billing provider, then per claim
 * 2000B/2010BA subscriber, 2010BB payer, 2000C/2010CA patient when not the
 * subscriber, 2300 CLM (REF*G1, REF*F8, HI), 2310B rendering provider, 2400 lines.
 */
import { X12BuildError } from './errors';
import { buildInterchange, ElementValue, EnvelopeOptions } from './envelope';
import {
  BillingProvider, claimChargeCents, ClaimPatient, ClaimSubscriber, GUIDE_837P, PATIENT_RELATIONSHIP_CODES,
  ProfessionalClaim, ProfessionalClaimBatch, ServiceLine, X12Address,
} from './professional-claim';
import { centsToAmount, toX12Date } from './syntax';

type Body = ElementValue[][];

/** Builds one interchange holding one 837P transaction with every claim of the batch. */
export function build837P(batch: ProfessionalClaimBatch, envelope: EnvelopeOptions): string {
  if (batch.claims.length === 0) throw new X12BuildError('a batch needs at least one claim', 'claims');
  batch.claims.forEach(checkClaim);
  const body: ElementValue[][] = [
    ['BHT', '0019', '00', String(envelope.controlNumber), toX12Date(envelope.date), envelope.time, 'CH'],
    ['NM1', '41', '2', batch.submitter.name, '', '', '', '', '46', batch.submitter.id],
    ['PER', 'IC', batch.submitter.contactName, 'TE', batch.submitter.phone],
    ['NM1', '40', '2', batch.receiver.name, '', '', '', '', '46', batch.receiver.id],
    ...billingProviderLoop(batch.billingProvider),
  ];
  let hl = 1;
  for (const claim of batch.claims) {
    const subscriberHl = ++hl;
    body.push(['HL', String(subscriberHl), '1', '22', claim.patient ? '1' : '0']);
    body.push(...subscriberLoop(claim));
    if (claim.patient) {
      body.push(['HL', String(++hl), String(subscriberHl), '23', '0']);
      body.push(...patientLoop(claim.patient));
    }
    body.push(...claimLoop(claim));
  }
  return buildInterchange(envelope, 'HC', GUIDE_837P, [{ type: '837', body }]);
}

function billingProviderLoop(p: BillingProvider): Body {
  if (!/^\d{9}$/.test(p.address.postalCode)) throw new X12BuildError('must be a 9-digit ZIP code (2010AA N403)', 'billingProvider.address.postalCode');
  if (!/^\d{9}$/.test(p.taxId)) throw new X12BuildError('must be a 9-digit EIN', 'billingProvider.taxId');
  return [
    ['HL', '1', '', '20', '1'],
    ...(p.taxonomy ? [['PRV', 'BI', 'PXC', p.taxonomy]] : []),
    ['NM1', '85', '2', p.name, '', '', '', '', 'XX', p.npi],
    ...addressSegments(p.address),
    ['REF', 'EI', p.taxId],
  ];
}

function subscriberLoop(claim: ProfessionalClaim): Body {
  const s = claim.subscriber;
  const isPatient = !claim.patient;
  if (isPatient && (!s.birthDate || !s.sex || !s.address)) {
    throw new X12BuildError('birth date, sex and address are required when the subscriber is the patient', `claims[${claim.claimId}].subscriber`);
  }
  return [
    ['SBR', 'P', isPatient ? '18' : '', s.groupNumber ?? '', '', '', '', '', '', claim.payer.filingIndicator],
    ['NM1', 'IL', '1', s.lastName, s.firstName, '', '', '', 'MI', s.memberId],
    ...(s.address ? addressSegments(s.address) : []),
    ...(s.birthDate ? [demographics(s)] : []),
    ['NM1', 'PR', '2', claim.payer.name, '', '', '', '', 'PI', claim.payer.id],
  ];
}

function patientLoop(p: ClaimPatient): Body {
  return [
    ['PAT', PATIENT_RELATIONSHIP_CODES[p.relationship]],
    ['NM1', 'QC', '1', p.lastName, p.firstName],
    ...addressSegments(p.address),
    demographics(p),
  ];
}

function claimLoop(claim: ProfessionalClaim): Body {
  const [principal, ...others] = claim.diagnoses;
  const body: Body = [
    ['CLM', claim.claimId, centsToAmount(claimChargeCents(claim)), '', '', [claim.placeOfService, 'B', claim.frequency], 'Y', 'A', 'Y', 'Y'],
  ];
  if (claim.priorAuthorization) body.push(['REF', 'G1', claim.priorAuthorization]);
  if (claim.payerClaimNumber) body.push(['REF', 'F8', claim.payerClaimNumber]);
  body.push(['HI', ['ABK', principal], ...others.map((d) => ['ABF', d])]);
  const r = claim.renderingProvider;
  if (r) body.push(['NM1', '82', '1', r.lastName, r.firstName ?? '', '', '', '', 'XX', r.npi]);
  claim.lines.forEach((line, i) => body.push(...serviceLine(line, i + 1)));
  return body;
}

function serviceLine(line: ServiceLine, n: number): Body {
  return [
    ['LX', String(n)],
    ['SV1', ['HC', line.code, ...line.modifiers], centsToAmount(line.chargeCents), 'UN', String(line.units), '', '', line.diagnosisPointers.map(String)],
    ['DTP', '472', 'D8', toX12Date(line.serviceDate)],
  ];
}

function addressSegments(a: X12Address): Body {
  return [
    ['N3', a.line1],
    ['N4', a.city, a.state, a.postalCode],
  ];
}

function demographics(p: Pick<ClaimSubscriber, 'birthDate' | 'sex'>): string[] {
  return ['DMG', 'D8', toX12Date(p.birthDate!), p.sex ?? 'U'];
}

/** Refuses claims the guide or the payer would reject for their shape, naming the field. */
function checkClaim(claim: ProfessionalClaim): void {
  const at = (field: string) => `claims[${claim.claimId}].${field}`;
  if (!/^[A-Za-z0-9-]{1,38}$/.test(claim.claimId)) throw new X12BuildError('must be 1-38 letters, digits or dashes', 'claimId');
  if (claim.diagnoses.length < 1 || claim.diagnoses.length > 12) throw new X12BuildError('a claim carries 1 to 12 diagnoses', at('diagnoses'));
  for (const d of claim.diagnoses) {
    if (!/^[A-Z][0-9A-Z]{2,6}$/.test(d)) throw new X12BuildError(`"${d}" is not an ICD-10-CM code without its decimal point`, at('diagnoses'));
  }
  if ((claim.frequency === '7' || claim.frequency === '8') && !claim.payerClaimNumber) {
    throw new X12BuildError(`frequency ${claim.frequency} needs the payer's claim number (REF*F8)`, at('payerClaimNumber'));
  }
  if (claim.lines.length < 1 || claim.lines.length > 50) throw new X12BuildError('a claim carries 1 to 50 lines', at('lines'));
  claim.lines.forEach((line, i) => checkLine(line, claim.diagnoses.length, at(`lines[${i}]`)));
}

function checkLine(line: ServiceLine, diagnoses: number, at: string): void {
  if (line.modifiers.length > 4) throw new X12BuildError('at most 4 modifiers', `${at}.modifiers`);
  if (!Number.isInteger(line.units) || line.units < 1) throw new X12BuildError('must be a positive whole number', `${at}.units`);
  if (!Number.isInteger(line.chargeCents) || line.chargeCents < 0) throw new X12BuildError('must be whole cents, not negative', `${at}.chargeCents`);
  const pointers = line.diagnosisPointers;
  if (pointers.length < 1 || pointers.length > 4 || pointers.some((p) => !Number.isInteger(p) || p < 1 || p > diagnoses)) {
    throw new X12BuildError(`1 to 4 pointers into the ${diagnoses} diagnoses`, `${at}.diagnosisPointers`);
  }
}
