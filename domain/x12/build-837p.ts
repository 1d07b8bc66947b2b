/**
 * Builds 837P professional claims, ASC X12 005010X222A1. Loop order per the guide:
 * 1000A submitter, 1000B receiver, 2000A/2010AA billing provider, then per claim
 * 2000B/2010BA subscriber, 2010BB payer, 2000C/2010CA patient when not the
 * subscriber, 2300 CLM (REF*G1, REF*F8, HI), 2310B rendering provider, 2320/2330A/2330B
 * other payers (COB), 2400 lines (SV1, DTP*472, REF*6R) with 2430 other-payer line adjudication.
 */
import { X12BuildError } from './errors';
import { buildInterchange, ElementValue, EnvelopeOptions } from './envelope';
import {
  BillingProvider, claimChargeCents, CobAdjustment, ClaimPatient, ClaimSubscriber, FILING_INDICATORS, GUIDE_837P,
  INDIVIDUAL_RELATIONSHIP_CODES, LINE_ITEM_CONTROL_NUMBER_MAX, lineItemControlNumber, OtherPayer, PATIENT_RELATIONSHIP_CODES,
  ProfessionalClaim, ProfessionalClaimBatch, ServiceLine, X12Address,
} from './professional-claim';
import { centsToAmount, toX12Date } from './syntax';

type Body = ElementValue[][];

/** X222A1 1.4.1: at most 5000 claims (CLM) in one transaction set. */
export const MAX_CLAIMS_PER_837 = 5000;

/**
 * Builds one interchange holding one 837P transaction with every claim of the batch: the
 * claims submitted together to one clearinghouse. Each claim keeps its CLM01, so the
 * interchange's ISA13 and the claims' CLM01s are the map a 999 and a 277CA are read against.
 */
export function build837P(batch: ProfessionalClaimBatch, envelope: EnvelopeOptions): string {
  if (batch.claims.length === 0) throw new X12BuildError('a batch needs at least one claim', 'claims');
  if (batch.claims.length > MAX_CLAIMS_PER_837) throw new X12BuildError(`a transaction set holds at most ${MAX_CLAIMS_PER_837} claims`, 'claims');
  const ids = new Set<string>();
  for (const c of batch.claims) {
    const key = `${c.claimId}|${c.frequency}|${c.payer.id}`;
    if (ids.has(key)) throw new X12BuildError(`claim ${c.claimId} (frequency ${c.frequency}) to payer ${c.payer.id} is twice in the batch`, 'claims');
    ids.add(key);
  }
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
  const responsibility = claim.payerResponsibility ?? 'P';
  return [
    ['SBR', responsibility, isPatient ? '18' : '', s.groupNumber ?? '', '', responsibility === 'P' ? '' : claim.payer.insuranceType ?? '', '', '', '', claim.payer.filingIndicator],
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
  const [principal, ...secondary] = claim.diagnoses;
  const body: Body = [
    ['CLM', claim.claimId, centsToAmount(claimChargeCents(claim)), '', '', [claim.placeOfService, 'B', claim.frequency], 'Y', 'A', 'Y', 'Y'],
  ];
  if (claim.priorAuthorization) body.push(['REF', 'G1', claim.priorAuthorization]);
  if (claim.payerClaimNumber) body.push(['REF', 'F8', claim.payerClaimNumber]);
  body.push(['HI', ['ABK', principal], ...secondary.map((d) => ['ABF', d])]);
  const r = claim.renderingProvider;
  if (r) {
    body.push(['NM1', '82', '1', r.lastName, r.firstName ?? '', '', '', '', 'XX', r.npi]);
    if (r.taxonomy) body.push(['PRV', 'PE', 'PXC', r.taxonomy]);
  }
  const others = claim.otherPayers ?? [];
  for (const other of others) body.push(...otherPayerLoops(other));
  claim.lines.forEach((line, i) => {
    body.push(...serviceLine(line, i + 1, claim.claimId));
    for (const other of others) body.push(...otherPayerLine(other, i + 1));
  });
  return body;
}

/** 2320 (SBR, CAS, AMT*D, AMT*EAF, OI), 2330A other subscriber, 2330B other payer. */
function otherPayerLoops(o: OtherPayer): Body {
  const s = o.subscriber;
  const body: Body = [
    ['SBR', o.responsibility, INDIVIDUAL_RELATIONSHIP_CODES[s.relationship], s.groupNumber ?? '', '', '', '', '', '', o.payer.filingIndicator],
    ...casSegments(o.adjustments),
    ['AMT', 'D', centsToAmount(o.paidCents)],
  ];
  if (o.remainingPatientLiabilityCents !== undefined) body.push(['AMT', 'EAF', centsToAmount(o.remainingPatientLiabilityCents)]);
  body.push(['OI', '', '', 'Y', '', '', 'Y']);
  body.push(['NM1', 'IL', '1', s.lastName, s.firstName, '', '', '', 'MI', s.memberId]);
  if (s.address) body.push(...addressSegments(s.address));
  body.push(['NM1', 'PR', '2', o.payer.name, '', '', '', '', 'PI', o.payer.id]);
  // DTP*573 sits in 2330B only when no line (2430) carries the adjudication date.
  if (o.lines.length === 0) body.push(['DTP', '573', 'D8', toX12Date(o.adjudicatedOn)]);
  if (o.payerClaimNumber) body.push(['REF', 'F8', o.payerClaimNumber]);
  return body;
}

/** 2430: SVD (payer id, paid, procedure, units), CAS, DTP*573. */
function otherPayerLine(o: OtherPayer, n: number): Body {
  const line = o.lines.find((l) => l.lineNumber === n);
  if (!line) return [];
  return [
    ['SVD', o.payer.id, centsToAmount(line.paidCents), ['HC', line.code, ...line.modifiers], '', String(line.units)],
    ...casSegments(line.adjustments),
    ['DTP', '573', 'D8', toX12Date(o.adjudicatedOn)],
  ];
}

/** One CAS per group, up to six reason/amount/quantity triplets each (X222A1 2320 and 2430 CAS). */
function casSegments(adjustments: CobAdjustment[]): Body {
  const groups = new Map<string, CobAdjustment[]>();
  for (const a of adjustments) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);
  const out: Body = [];
  for (const [group, list] of groups) {
    for (let i = 0; i < list.length; i += 6) {
      out.push(['CAS', group, ...list.slice(i, i + 6).flatMap((a) => [a.carc, centsToAmount(a.amountCents), a.quantity !== undefined ? String(a.quantity) : ''])]);
    }
  }
  return out;
}

function serviceLine(line: ServiceLine, n: number, claimId: string): Body {
  return [
    ['LX', String(n)],
    ['SV1', ['HC', line.code, ...line.modifiers], centsToAmount(line.chargeCents), 'UN', String(line.units), '', '', line.diagnosisPointers.map(String)],
    ['DTP', '472', 'D8', toX12Date(line.serviceDate)],
    ['REF', '6R', line.lineItemControlNumber ?? lineItemControlNumber(claimId, n)],
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
  checkPayer(claim.payer, claim.payerResponsibility ?? 'P', at('payer'));
  if (claim.priorAuthorization !== undefined && !/^[A-Za-z0-9-]{1,50}$/.test(claim.priorAuthorization)) {
    throw new X12BuildError('must be 1-50 letters, digits or dashes (REF*G1)', at('priorAuthorization'));
  }
  const controls = claim.lines.map((l, i) => l.lineItemControlNumber ?? lineItemControlNumber(claim.claimId, i + 1));
  controls.forEach((c, i) => {
    if (c.length < 1 || c.length > LINE_ITEM_CONTROL_NUMBER_MAX) throw new X12BuildError(`must be 1-${LINE_ITEM_CONTROL_NUMBER_MAX} characters (REF*6R)`, at(`lines[${i}].lineItemControlNumber`));
    if (controls.indexOf(c) !== i) throw new X12BuildError(`"${c}" is already line ${controls.indexOf(c) + 1}'s: unique within the claim (REF*6R)`, at(`lines[${i}].lineItemControlNumber`));
  });
  checkOtherPayers(claim, at);
}

function checkPayer(payer: ProfessionalClaim['payer'], responsibility: string, at: string): void {
  if (!(FILING_INDICATORS as readonly string[]).includes(payer.filingIndicator)) {
    throw new X12BuildError(`"${payer.filingIndicator}" is not a claim filing indicator (SBR09: ${FILING_INDICATORS.join(', ')})`, `${at}.filingIndicator`);
  }
  if (payer.filingIndicator === 'MB' && responsibility !== 'P' && !payer.insuranceType) {
    throw new X12BuildError('Medicare (MB) as a secondary payer needs the insurance type code (SBR05)', `${at}.insuranceType`);
  }
}

/**
 * COB balancing (X222A1 2320 AMT*D and 2430 SVD notes): for each other payer, the claim's
 * charge = what it paid + its claim-level and line-level adjustments; and each line it
 * adjudicated: the line's charge = SVD02 + that line's CAS.
 */
function checkOtherPayers(claim: ProfessionalClaim, at: (field: string) => string): void {
  const others = claim.otherPayers ?? [];
  if (others.length && (claim.payerResponsibility ?? 'P') === 'P') throw new X12BuildError('a claim with other payers (2320) is billed to a secondary or tertiary payer (SBR01 S or T)', at('payerResponsibility'));
  if (others.length > 10) throw new X12BuildError('at most 10 other payers (2320)', at('otherPayers'));
  const sum = (list: CobAdjustment[]) => list.reduce((t, a) => t + a.amountCents, 0);
  others.forEach((o, k) => {
    const where = (field: string) => at(`otherPayers[${k}].${field}`);
    checkPayer(o.payer, o.responsibility, where('payer'));
    if (o.payer.id === claim.payer.id) throw new X12BuildError(`the other payer ${o.payer.id} is the payer this claim is billed to`, where('payer.id'));
    for (const line of o.lines) {
      const billed = claim.lines[line.lineNumber - 1];
      if (!billed) throw new X12BuildError(`line ${line.lineNumber} is not one of the claim's ${claim.lines.length} lines`, where('lines'));
      if (line.modifiers.length > 4) throw new X12BuildError('at most 4 modifiers', where(`lines[${line.lineNumber}].modifiers`));
      const off = billed.chargeCents - line.paidCents - sum(line.adjustments);
      if (off !== 0) throw new X12BuildError(`line ${line.lineNumber} does not balance: charge ${centsToAmount(billed.chargeCents)} is not paid ${centsToAmount(line.paidCents)} + adjustments ${centsToAmount(sum(line.adjustments))}`, where('lines'));
    }
    if (new Set(o.lines.map((l) => l.lineNumber)).size !== o.lines.length) throw new X12BuildError('one adjudication (2430) per line', where('lines'));
    const adjusted = sum(o.adjustments) + o.lines.reduce((t, l) => t + sum(l.adjustments), 0);
    const charge = claimChargeCents(claim);
    if (charge - adjusted !== o.paidCents) {
      throw new X12BuildError(`does not balance: charge ${centsToAmount(charge)} less adjustments ${centsToAmount(adjusted)} is not the paid amount ${centsToAmount(o.paidCents)} (AMT*D)`, where('paidCents'));
    }
  });
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
