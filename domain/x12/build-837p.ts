/**
 * Builds 837P professional claims, ASC X12 005010X222A1. Loop order per the guide:
 * 1000A submitter, 1000B receiver, 2000A/2010AA billing provider, then per claim
 * 2000B/2010BA subscriber, 2010BB payer, 2000C/2010CA patient when not the
 * subscriber, 2300 CLM (REF*G1, REF*F8, HI), 2310B rendering provider, 2320/2330A/2330B
 * other payers (COB), 2400 lines (SV1, DTP*472, REF*6R) with 2430 other-payer line adjudication.
 */
import { X12BuildError } from './errors';
import { EnvelopeOptions } from './envelope';
import { writeInterchange, X12Writer } from './writer';
import {
  BillingProvider,
  claimChargeCents,
  CobAdjustment,
  ClaimPatient,
  ClaimPayer,
  ClaimSubscriber,
  FILING_INDICATORS,
  GUIDE_837P,
  INDIVIDUAL_RELATIONSHIP_CODES,
  LINE_ITEM_CONTROL_NUMBER_MAX,
  lineItemControlNumber,
  OtherPayer,
  PATIENT_RELATIONSHIP_CODES,
  ProfessionalClaim,
  ProfessionalClaimBatch,
  ServiceLine,
  X12Address,
} from './professional-claim';
import { centsToAmount, toX12Date } from './values';

/** X222A1 1.4.1: at most 5000 claims (CLM) in one transaction set. */
export const MAX_CLAIMS_PER_837 = 5000;

/**
 * Builds one interchange holding one 837P transaction with every claim of the batch: the
 * claims submitted together to one clearinghouse. Each claim keeps its CLM01, so the
 * interchange's ISA13 and the claims' CLM01s are the map a 999 and a 277CA are read against.
 *
 * Every claim is checked before the first segment is written, and each segment is then
 * written as it is made, value by value (X12Writer): held as arrays of element strings
 * until the end, about 30 per claim, the batch was garbage the collector copied and
 * marked while the builder ran.
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
  checkBillingProvider(batch.billingProvider);
  batch.claims.forEach(checkSubscriber);
  return writeInterchange(envelope, 'HC', GUIDE_837P, [{ type: '837', write: (w) => writeClaims(w, batch, envelope) }]);
}

/** BHT, 1000A submitter, 1000B receiver, 2000A/2010AA billing provider, then each claim's loops. */
function writeClaims(w: X12Writer, batch: ProfessionalClaimBatch, envelope: EnvelopeOptions): void {
  const { submitter, receiver } = batch;
  w.begin('BHT*0019*00').el(String(envelope.controlNumber)).el(toX12Date(envelope.date)).el(envelope.time).el('CH').end();
  w.begin('NM1*41*2').el(submitter.name).skip(4).el('46').el(submitter.id).end();
  w.begin('PER*IC').el(submitter.contactName).el('TE').el(submitter.phone).end();
  w.begin('NM1*40*2').el(receiver.name).skip(4).el('46').el(receiver.id).end();
  billingProviderLoop(w, batch.billingProvider);
  let hl = 1;
  for (const claim of batch.claims) {
    const subscriberHl = ++hl;
    w.begin('HL')
      .el(String(subscriberHl))
      .el('1')
      .el('22')
      .el(claim.patient ? '1' : '0')
      .end();
    subscriberLoop(w, claim);
    if (claim.patient) {
      w.begin('HL').el(String(++hl)).el(String(subscriberHl)).el('23').el('0').end();
      patientLoop(w, claim.patient);
    }
    claimLoop(w, claim);
  }
}

function checkBillingProvider(p: BillingProvider): void {
  if (!/^\d{9}$/.test(p.address.postalCode)) throw new X12BuildError('must be a 9-digit ZIP code (2010AA N403)', 'billingProvider.address.postalCode');
  if (!/^\d{9}$/.test(p.taxId)) throw new X12BuildError('must be a 9-digit EIN', 'billingProvider.taxId');
}

function billingProviderLoop(w: X12Writer, p: BillingProvider): void {
  w.begin('HL*1**20*1').end();
  if (p.taxonomy) w.begin('PRV*BI*PXC').el(p.taxonomy).end();
  w.begin('NM1*85*2').el(p.name).skip(4).el('XX').el(p.npi).end();
  addressSegments(w, p.address);
  w.begin('REF*EI').el(p.taxId).end();
}

/** 2010BA: a subscriber who is the patient carries the patient's DMG, N3 and N4. */
function checkSubscriber(claim: ProfessionalClaim): void {
  const s = claim.subscriber;
  if (!claim.patient && (!s.birthDate || !s.sex || !s.address)) {
    throw new X12BuildError('birth date, sex and address are required when the subscriber is the patient', `claims[${claim.claimId}].subscriber`);
  }
}

function subscriberLoop(w: X12Writer, claim: ProfessionalClaim): void {
  const s = claim.subscriber;
  const responsibility = claim.payerResponsibility ?? 'P';
  w.begin('SBR')
    .el(responsibility)
    .el(claim.patient ? '' : '18')
    .el(s.groupNumber ?? '')
    .skip(1)
    .el(responsibility === 'P' ? '' : (claim.payer.insuranceType ?? ''))
    .skip(3)
    .el(claim.payer.filingIndicator)
    .end();
  subscriberName(w, s);
  if (s.address) addressSegments(w, s.address);
  if (s.birthDate) demographics(w, s);
  payerName(w, claim.payer);
}

function patientLoop(w: X12Writer, p: ClaimPatient): void {
  w.begin('PAT').el(PATIENT_RELATIONSHIP_CODES[p.relationship]).end();
  w.begin('NM1*QC*1').el(p.lastName).el(p.firstName).end();
  addressSegments(w, p.address);
  demographics(w, p);
}

function claimLoop(w: X12Writer, claim: ProfessionalClaim): void {
  w.begin('CLM')
    .el(claim.claimId)
    .el(centsToAmount(claimChargeCents(claim)))
    .skip(2)
    .el(claim.placeOfService)
    .component('B')
    .component(claim.frequency)
    .el('Y')
    .el('A')
    .el('Y')
    .el('Y')
    .end();
  if (claim.priorAuthorization) w.begin('REF*G1').el(claim.priorAuthorization).end();
  if (claim.payerClaimNumber) w.begin('REF*F8').el(claim.payerClaimNumber).end();
  const { diagnoses } = claim;
  w.begin('HI').el('ABK').component(diagnoses[0]);
  for (let i = 1; i < diagnoses.length; i++) w.el('ABF').component(diagnoses[i]);
  w.end();
  const r = claim.renderingProvider;
  if (r) {
    w.begin('NM1*82*1')
      .el(r.lastName)
      .el(r.firstName ?? '')
      .skip(3)
      .el('XX')
      .el(r.npi)
      .end();
    if (r.taxonomy) w.begin('PRV*PE*PXC').el(r.taxonomy).end();
  }
  const others = claim.otherPayers ?? [];
  for (const other of others) otherPayerLoops(w, other);
  for (let i = 0; i < claim.lines.length; i++) {
    serviceLine(w, claim.lines[i], i + 1, claim.claimId);
    for (const other of others) otherPayerLine(w, other, i + 1);
  }
}

/** 2320 (SBR, CAS, AMT*D, AMT*EAF, OI), 2330A other subscriber, 2330B other payer. */
function otherPayerLoops(w: X12Writer, o: OtherPayer): void {
  const s = o.subscriber;
  w.begin('SBR')
    .el(o.responsibility)
    .el(INDIVIDUAL_RELATIONSHIP_CODES[s.relationship])
    .el(s.groupNumber ?? '')
    .skip(5)
    .el(o.payer.filingIndicator)
    .end();
  casSegments(w, o.adjustments);
  w.begin('AMT*D').el(centsToAmount(o.paidCents)).end();
  if (o.remainingPatientLiabilityCents !== undefined) w.begin('AMT*EAF').el(centsToAmount(o.remainingPatientLiabilityCents)).end();
  w.begin('OI***Y***Y').end();
  subscriberName(w, s);
  if (s.address) addressSegments(w, s.address);
  payerName(w, o.payer);
  // DTP*573 sits in 2330B only when no line (2430) carries the adjudication date.
  if (o.lines.length === 0) w.begin('DTP*573*D8').el(toX12Date(o.adjudicatedOn)).end();
  if (o.payerClaimNumber) w.begin('REF*F8').el(o.payerClaimNumber).end();
}

/** 2430: SVD (payer id, paid, procedure, units), CAS, DTP*573. */
function otherPayerLine(w: X12Writer, o: OtherPayer, n: number): void {
  const line = o.lines.find((l) => l.lineNumber === n);
  if (!line) return;
  w.begin('SVD').el(o.payer.id).el(centsToAmount(line.paidCents));
  procedure(w, line.code, line.modifiers);
  w.skip(1).el(String(line.units)).end();
  casSegments(w, line.adjustments);
  w.begin('DTP*573*D8').el(toX12Date(o.adjudicatedOn)).end();
}

/** One CAS per group, up to six reason/amount/quantity triplets each (X222A1 2320 and 2430 CAS). */
function casSegments(w: X12Writer, adjustments: CobAdjustment[]): void {
  const groups = new Map<string, CobAdjustment[]>();
  for (const a of adjustments) {
    const list = groups.get(a.group);
    if (list) list.push(a);
    else groups.set(a.group, [a]);
  }
  for (const [group, list] of groups) {
    for (let i = 0; i < list.length; i += 6) {
      w.begin('CAS').el(group);
      for (const a of list.slice(i, i + 6))
        w.el(a.carc)
          .el(centsToAmount(a.amountCents))
          .el(a.quantity !== undefined ? String(a.quantity) : '');
      w.end();
    }
  }
}

function serviceLine(w: X12Writer, line: ServiceLine, n: number, claimId: string): void {
  w.begin('LX').el(String(n)).end();
  w.begin('SV1');
  procedure(w, line.code, line.modifiers);
  w.el(centsToAmount(line.chargeCents)).el('UN').el(String(line.units)).skip(2);
  const pointers = line.diagnosisPointers;
  w.el(String(pointers[0]));
  for (let k = 1; k < pointers.length; k++) w.component(String(pointers[k]));
  w.end();
  w.begin('DTP*472*D8').el(toX12Date(line.serviceDate)).end();
  w.begin('REF*6R')
    .el(line.lineItemControlNumber ?? lineItemControlNumber(claimId, n))
    .end();
}

/** SV101 and SVD03: HC, the procedure code and its modifiers. */
function procedure(w: X12Writer, code: string, modifiers: string[]): void {
  w.el('HC').component(code);
  for (const m of modifiers) w.component(m);
}

/** 2010BA and 2330A NM1*IL. */
function subscriberName(w: X12Writer, s: Pick<ClaimSubscriber, 'lastName' | 'firstName' | 'memberId'>): void {
  w.begin('NM1*IL*1').el(s.lastName).el(s.firstName).skip(3).el('MI').el(s.memberId).end();
}

/** 2010BB and 2330B NM1*PR. */
function payerName(w: X12Writer, payer: ClaimPayer): void {
  w.begin('NM1*PR*2').el(payer.name).skip(4).el('PI').el(payer.id).end();
}

function addressSegments(w: X12Writer, a: X12Address): void {
  w.begin('N3').el(a.line1).end();
  w.begin('N4').el(a.city).el(a.state).el(a.postalCode).end();
}

function demographics(w: X12Writer, p: Pick<ClaimSubscriber, 'birthDate' | 'sex'>): void {
  w.begin('DMG*D8')
    .el(toX12Date(p.birthDate!))
    .el(p.sex ?? 'U')
    .end();
}

/** Refuses claims the guide or the payer would reject for their shape, naming the field. */
function checkClaim(claim: ProfessionalClaim): void {
  if (!/^[A-Za-z0-9-]{1,38}$/.test(claim.claimId)) throw new X12BuildError('must be 1-38 letters, digits or dashes', 'claimId');
  if (claim.diagnoses.length < 1 || claim.diagnoses.length > 12) throw new X12BuildError('a claim carries 1 to 12 diagnoses', at(claim, 'diagnoses'));
  for (const d of claim.diagnoses) {
    if (!/^[A-Z][0-9A-Z]{2,6}$/.test(d)) throw new X12BuildError(`"${d}" is not an ICD-10-CM code without its decimal point`, at(claim, 'diagnoses'));
  }
  if ((claim.frequency === '7' || claim.frequency === '8') && !claim.payerClaimNumber) {
    throw new X12BuildError(`frequency ${claim.frequency} needs the payer's claim number (REF*F8)`, at(claim, 'payerClaimNumber'));
  }
  if (claim.lines.length < 1 || claim.lines.length > 50) throw new X12BuildError('a claim carries 1 to 50 lines', at(claim, 'lines'));
  claim.lines.forEach((line, i) => checkLine(line, claim.diagnoses.length, at(claim, `lines[${i}]`)));
  checkPayer(claim.payer, claim.payerResponsibility ?? 'P', at(claim, 'payer'));
  if (claim.priorAuthorization !== undefined && !/^[A-Za-z0-9-]{1,50}$/.test(claim.priorAuthorization)) {
    throw new X12BuildError('must be 1-50 letters, digits or dashes (REF*G1)', at(claim, 'priorAuthorization'));
  }
  const controls = claim.lines.map((l, i) => l.lineItemControlNumber ?? lineItemControlNumber(claim.claimId, i + 1));
  controls.forEach((c, i) => {
    if (c.length < 1 || c.length > LINE_ITEM_CONTROL_NUMBER_MAX)
      throw new X12BuildError(`must be 1-${LINE_ITEM_CONTROL_NUMBER_MAX} characters (REF*6R)`, at(claim, `lines[${i}].lineItemControlNumber`));
    if (controls.indexOf(c) !== i)
      throw new X12BuildError(
        `"${c}" is already line ${controls.indexOf(c) + 1}'s: unique within the claim (REF*6R)`,
        at(claim, `lines[${i}].lineItemControlNumber`),
      );
  });
  checkOtherPayers(claim);
}

/**
 * Where in the batch a refused field is, e.g. claims[V-1001].diagnoses. A function, not a
 * closure over the claim: checkClaim runs for every claim, and under tsx (esbuild's
 * keepNames) each closure made was also named with Object.defineProperty, 17% of a
 * profile of the whole build.
 */
function at(claim: ProfessionalClaim, field: string): string {
  return `claims[${claim.claimId}].${field}`;
}

function checkPayer(payer: ProfessionalClaim['payer'], responsibility: string, path: string): void {
  if (!(FILING_INDICATORS as readonly string[]).includes(payer.filingIndicator)) {
    throw new X12BuildError(`"${payer.filingIndicator}" is not a claim filing indicator (SBR09: ${FILING_INDICATORS.join(', ')})`, `${path}.filingIndicator`);
  }
  if (payer.filingIndicator === 'MB' && responsibility !== 'P' && !payer.insuranceType) {
    throw new X12BuildError('Medicare (MB) as a secondary payer needs the insurance type code (SBR05)', `${path}.insuranceType`);
  }
}

/**
 * COB balancing (X222A1 2320 AMT*D and 2430 SVD notes): for each other payer, the claim's
 * charge = what it paid + its claim-level and line-level adjustments; and each line it
 * adjudicated: the line's charge = SVD02 + that line's CAS.
 */
function checkOtherPayers(claim: ProfessionalClaim): void {
  const others = claim.otherPayers ?? [];
  if (others.length && (claim.payerResponsibility ?? 'P') === 'P')
    throw new X12BuildError('a claim with other payers (2320) is billed to a secondary or tertiary payer (SBR01 S or T)', at(claim, 'payerResponsibility'));
  if (others.length > 10) throw new X12BuildError('at most 10 other payers (2320)', at(claim, 'otherPayers'));
  others.forEach((o, k) => {
    const where = (field: string) => at(claim, `otherPayers[${k}].${field}`);
    checkPayer(o.payer, o.responsibility, where('payer'));
    if (o.payer.id === claim.payer.id) throw new X12BuildError(`the other payer ${o.payer.id} is the payer this claim is billed to`, where('payer.id'));
    for (const line of o.lines) {
      const billed = claim.lines[line.lineNumber - 1];
      if (!billed) throw new X12BuildError(`line ${line.lineNumber} is not one of the claim's ${claim.lines.length} lines`, where('lines'));
      if (line.modifiers.length > 4) throw new X12BuildError('at most 4 modifiers', where(`lines[${line.lineNumber}].modifiers`));
      const off = billed.chargeCents - line.paidCents - adjustmentCents(line.adjustments);
      if (off !== 0)
        throw new X12BuildError(
          `line ${line.lineNumber} does not balance: charge ${centsToAmount(billed.chargeCents)} is not paid ${centsToAmount(line.paidCents)} + adjustments ${centsToAmount(adjustmentCents(line.adjustments))}`,
          where('lines'),
        );
    }
    if (new Set(o.lines.map((l) => l.lineNumber)).size !== o.lines.length) throw new X12BuildError('one adjudication (2430) per line', where('lines'));
    const adjusted = adjustmentCents(o.adjustments) + o.lines.reduce((t, l) => t + adjustmentCents(l.adjustments), 0);
    const charge = claimChargeCents(claim);
    if (charge - adjusted !== o.paidCents) {
      throw new X12BuildError(
        `does not balance: charge ${centsToAmount(charge)} less adjustments ${centsToAmount(adjusted)} is not the paid amount ${centsToAmount(o.paidCents)} (AMT*D)`,
        where('paidCents'),
      );
    }
  });
}

function adjustmentCents(list: CobAdjustment[]): number {
  return list.reduce((t, a) => t + a.amountCents, 0);
}

function checkLine(line: ServiceLine, diagnoses: number, path: string): void {
  if (line.modifiers.length > 4) throw new X12BuildError('at most 4 modifiers', `${path}.modifiers`);
  if (!Number.isInteger(line.units) || line.units < 1) throw new X12BuildError('must be a positive whole number', `${path}.units`);
  if (!Number.isInteger(line.chargeCents) || line.chargeCents < 0) throw new X12BuildError('must be whole cents, not negative', `${path}.chargeCents`);
  const pointers = line.diagnosisPointers;
  if (pointers.length < 1 || pointers.length > 4 || pointers.some((p) => !Number.isInteger(p) || p < 1 || p > diagnoses)) {
    throw new X12BuildError(`1 to 4 pointers into the ${diagnoses} diagnoses`, `${path}.diagnosisPointers`);
  }
}
