/**
 * The 835 health care claim payment/advice (ERA), ASC X12 005010X221A1: `parse835`,
 * `build835` (parse(build(x)) = x) and the balancing rule a remittance must satisfy:
 * BPR02 (the money moved) = Σ CLP04 (paid per claim) − Σ PLB amounts (provider-level
 * adjustments; a positive PLB amount reduces the payment).
 */
import { EnvelopeOptions, ReadOptions, Transaction, transactionsOfType } from './envelope';
import { carc, listedCode, rarc } from './code-lists';
import { X12ContentError } from './errors';
import type { X12Address } from './professional-claim';
import { Segment } from './syntax';

export const GUIDE_835 = '005010X221A1';

export type AdjustmentGroup = 'CO' | 'PR' | 'OA' | 'PI' | 'CR';

/** One CAS triplet: group, claim adjustment reason code (CARC), amount. */
export interface Adjustment {
  group: AdjustmentGroup;
  carc: string;
  amountCents: number;
  quantity?: number;
}

/** 2110 SVC: one paid service line. */
export interface RemittanceLine {
  /** SVC01-1, HC for CPT/HCPCS. */
  qualifier: string;
  code: string;
  modifiers: string[];
  chargeCents: number;
  paidCents: number;
  units?: number;
  serviceDate?: string;
  /** REF*6R: the line item control number the claim sent, here the LX number. */
  lineControlNumber?: string;
  /** AMT*B6 */
  allowedCents?: number;
  adjustments: Adjustment[];
  /** LQ*HE remittance advice remark codes (RARC). */
  remarks: string[];
}

/** 2100 CLP: one adjudicated claim. */
export interface RemittanceClaim {
  /** CLP01: our CLM01. */
  patientControlNumber: string;
  /** CLP02: 1 processed as primary, 2 secondary, 3 tertiary, 4 denied, 22 reversal. */
  statusCode: string;
  chargeCents: number;
  paidCents: number;
  patientResponsibilityCents: number;
  /** CLP06, e.g. 12 PPO, MB Medicare Part B. */
  filingIndicator: string;
  /** CLP07: the payer's claim control number, needed for a replacement (REF*F8). */
  payerClaimNumber?: string;
  /** CLP08: place of service for professional claims. */
  facilityCode?: string;
  /** CLP09: the claim frequency as the payer processed it. */
  frequency?: string;
  patient?: { lastName: string; firstName: string; memberId?: string };
  adjustments: Adjustment[];
  /** MOA remark codes. */
  remarks: string[];
  lines: RemittanceLine[];
}

/** PLB: an adjustment not tied to a claim (interest, recoupment of an overpayment...). */
export interface ProviderAdjustment {
  providerId: string;
  /** PLB02, the end of the provider's fiscal year. */
  fiscalPeriodDate: string;
  /** PLB03-1, e.g. L6 interest, WO overpayment recovery, CV capital pass-through. */
  reasonCode: string;
  reference?: string;
  /** Positive reduces the payment. */
  amountCents: number;
}

export interface Remittance {
  payment: {
    /** BPR01: I remittance with payment, H notification only. */
    handling: string;
    amountCents: number;
    creditDebit: 'C' | 'D';
    /** BPR04: ACH, CHK, NON. */
    method: string;
    /** BPR16: the payment (effective) date; required by the guide, absent in some files. */
    date?: string;
  };
  /** TRN02 check or EFT trace number and TRN03 payer id ('1' + EIN). */
  trace: { number: string; originatorId: string };
  /** DTM*405 */
  productionDate?: string;
  payer: { name: string; id?: string; address?: X12Address; contactPhone?: string };
  payee: { name: string; idQualifier: string; id: string; taxId?: string };
  claims: RemittanceClaim[];
  providerAdjustments: ProviderAdjustment[];
}

export interface Parsed835 {
  envelope: EnvelopeOptions;
  /** One per ST/SE: each is one payment. */
  remittances: Remittance[];
  warnings: string[];
}

export interface RemittanceBalance {
  balanced: boolean;
  paymentCents: number;
  claimsPaidCents: number;
  providerAdjustmentCents: number;
  /** Says what does not add up, in dollars. */
  message?: string;
}

const dollars = (cents: number) => (cents / 100).toFixed(2);

/** BPR02 must equal Σ CLP04 − Σ PLB (X221A1 section 1.10.2.1, balancing). */
export function remittanceBalance(r: Remittance): RemittanceBalance {
  const claimsPaidCents = r.claims.reduce((s, c) => s + c.paidCents, 0);
  const providerAdjustmentCents = r.providerAdjustments.reduce((s, p) => s + p.amountCents, 0);
  const expected = claimsPaidCents - providerAdjustmentCents;
  const paymentCents = r.payment.creditDebit === 'D' ? -r.payment.amountCents : r.payment.amountCents;
  const balance: RemittanceBalance = { balanced: expected === paymentCents, paymentCents, claimsPaidCents, providerAdjustmentCents };
  if (!balance.balanced) {
    balance.message =
      `remittance ${r.trace.number} does not balance: BPR02 pays ${dollars(paymentCents)}, but claims paid ${dollars(claimsPaidCents)} ` +
      `minus provider adjustments ${dollars(providerAdjustmentCents)} is ${dollars(expected)} (off by ${dollars(paymentCents - expected)})`;
  }
  return balance;
}

/** Each claim must balance too: CLP03 − CLP04 = Σ claim and line adjustments (X221A1 1.10.2.1.1). */
export function claimBalanceProblems(r: Remittance): string[] {
  const problems: string[] = [];
  for (const c of r.claims) {
    if (c.statusCode === '22') continue; // reversals carry negated amounts with their own rules
    const adjusted = sumAdjustments(c.adjustments) + c.lines.reduce((s, l) => s + sumAdjustments(l.adjustments), 0);
    if (c.chargeCents - c.paidCents !== adjusted) {
      problems.push(`claim ${c.patientControlNumber}: charge ${dollars(c.chargeCents)} − paid ${dollars(c.paidCents)} ≠ adjustments ${dollars(adjusted)}`);
    }
  }
  return problems;
}

function sumAdjustments(a: Adjustment[]): number {
  return a.reduce((s, x) => s + x.amountCents, 0);
}

export function parse835(text: string, options?: ReadOptions): Parsed835 {
  const { interchange, transactions } = transactionsOfType(text, '835', options);
  return { envelope: interchange.envelope, remittances: transactions.map(readRemittance), warnings: interchange.warnings };
}

/**
 * One pass over the body with one moving Segment (nothing here keeps `s`). Amounts and
 * dates are read off the text and codes are shared strings (Segment.cents, code,
 * sharedDate). A claim and its lines are made when they end (at the next SVC or CLP, or
 * the SE), from values held in the reader, so each object is made once with every
 * property it will have and each list at its length: a claim or line made at its CLP or
 * SVC and filled in afterwards grew a second properties store, and lists grown by push
 * keep room for 16 (144 bytes for one adjustment), more memory than the claim's own data,
 * all of it copied by the collector. What the file says is read exactly as before.
 */
function readRemittance(tx: Transaction): Remittance {
  const reader = new RemittanceReader();
  tx.each((s) => reader.read(s));
  return reader.finish();
}

/** The open claim's values (CLP, then NM1*QC), kept until the claim ends. */
type ClaimDraft = Omit<RemittanceClaim, 'adjustments' | 'remarks' | 'lines'>;

/** The open line's values (SVC, then DTM, REF*6R, AMT*B6), kept until the line ends. */
type LineDraft = Omit<RemittanceLine, 'adjustments' | 'remarks'> & {
  /** AMT*B6 was read (its amount may be empty: the property is there, undefined). */
  allowed: boolean;
};

class RemittanceReader {
  private readonly r: Remittance = {
    payment: { handling: '', amountCents: 0, creditDebit: 'C', method: '' },
    trace: { number: '', originatorId: '' },
    payer: { name: '' },
    payee: { name: '', idQualifier: '', id: '' },
    claims: [],
    providerAdjustments: [],
  };
  private party: 'payer' | 'payee' | undefined;
  private claim: ClaimDraft | undefined;
  private line: LineDraft | undefined;
  // The open claim's and line's lists, emptied and reused from one to the next.
  private readonly claimAdjustments: Adjustment[] = [];
  private readonly claimRemarks: string[] = [];
  private readonly claimLines: RemittanceLine[] = [];
  private readonly lineAdjustments: Adjustment[] = [];
  private readonly lineRemarks: string[] = [];

  read(s: Segment): void {
    const { r } = this;
    switch (s.id) {
      case 'CLP':
        this.endClaim();
        this.claim = claimDraft(s);
        break;
      case 'SVC':
        this.need(s);
        this.endLine();
        this.line = lineDraft(s);
        break;
      case 'CAS':
        if (this.line) readAdjustments(s, this.lineAdjustments);
        else {
          this.need(s);
          readAdjustments(s, this.claimAdjustments);
        }
        break;
      case 'DTM':
        this.readDate(s);
        break;
      case 'REF':
        this.readRef(s);
        break;
      case 'AMT':
        if (this.line && s.is(1, 'B6')) {
          this.line.allowed = true;
          this.line.allowedCents = s.cents(2);
        }
        break;
      case 'LQ':
        if (this.line && s.is(1, 'HE')) this.lineRemarks.push(rarc(s, 2, s.code(2)));
        break;
      case 'NM1':
        if (this.claim && s.is(1, 'QC')) this.claim.patient = patientOf(s);
        break;
      case 'MOA':
        this.need(s);
        readRemarks(s, this.claimRemarks);
        break;
      case 'BPR':
        r.payment = paymentOf(s);
        break;
      case 'TRN':
        r.trace = { number: s.el(2), originatorId: s.el(3) };
        break;
      case 'N1':
        this.party = s.is(1, 'PR') ? 'payer' : s.is(1, 'PE') ? 'payee' : undefined;
        readParty(r, this.party, s);
        break;
      case 'N3':
      case 'N4':
        if (this.party === 'payer' && !this.claim) readPayerAddress(r, s);
        break;
      case 'PER':
        if (this.party === 'payer' && s.is(1, 'BL') && !this.claim) r.payer.contactPhone = s.el(4);
        break;
      case 'PLB':
        readProviderAdjustments(s, r.providerAdjustments);
        break;
    }
  }

  finish(): Remittance {
    this.endClaim();
    return this.r;
  }

  private need(s: Segment): void {
    if (!this.claim) throw new X12ContentError(`${s.id} outside a claim (CLP)`, s.at());
  }

  private readDate(s: Segment): void {
    const { line } = this;
    if (s.is(1, '472')) {
      if (line) line.serviceDate = s.sharedDate(2);
    } else if (s.is(1, '150')) {
      if (line && !line.serviceDate) line.serviceDate = s.sharedDate(2);
    } else if (s.is(1, '405') && !this.claim) this.r.productionDate = s.sharedDate(2);
  }

  private readRef(s: Segment): void {
    const { r, party } = this;
    if (this.line && s.is(1, '6R')) this.line.lineControlNumber = s.code(2);
    else if (!this.claim && party === 'payer' && s.is(1, '2U')) r.payer.id = s.el(2);
    else if (!this.claim && party === 'payee' && s.is(1, 'TJ')) r.payee.taxId = s.el(2);
  }

  private endLine(): void {
    const d = this.line;
    if (!d) return;
    this.line = undefined;
    const adjustments = taken(this.lineAdjustments);
    const remarks = taken(this.lineRemarks);
    let line: RemittanceLine;
    if (d.units !== undefined && d.serviceDate !== undefined && d.lineControlNumber !== undefined && d.allowed) {
      // The usual line, every property in one literal.
      line = {
        qualifier: d.qualifier,
        code: d.code,
        modifiers: d.modifiers,
        chargeCents: d.chargeCents,
        paidCents: d.paidCents,
        adjustments,
        remarks,
        units: d.units,
        serviceDate: d.serviceDate,
        lineControlNumber: d.lineControlNumber,
        allowedCents: d.allowedCents,
      };
    } else {
      line = { qualifier: d.qualifier, code: d.code, modifiers: d.modifiers, chargeCents: d.chargeCents, paidCents: d.paidCents, adjustments, remarks };
      if (d.units !== undefined) line.units = d.units;
      if (d.serviceDate !== undefined) line.serviceDate = d.serviceDate;
      if (d.lineControlNumber !== undefined) line.lineControlNumber = d.lineControlNumber;
      if (d.allowed) line.allowedCents = d.allowedCents;
    }
    this.claimLines.push(line);
  }

  private endClaim(): void {
    this.endLine();
    const d = this.claim;
    if (!d) return;
    this.claim = undefined;
    const adjustments = taken(this.claimAdjustments);
    const remarks = taken(this.claimRemarks);
    const lines = taken(this.claimLines);
    let claim: RemittanceClaim;
    if (d.payerClaimNumber && d.facilityCode && d.frequency && d.patient) {
      // The usual claim, every property in one literal.
      claim = {
        patientControlNumber: d.patientControlNumber,
        statusCode: d.statusCode,
        chargeCents: d.chargeCents,
        paidCents: d.paidCents,
        patientResponsibilityCents: d.patientResponsibilityCents,
        filingIndicator: d.filingIndicator,
        adjustments,
        remarks,
        lines,
        payerClaimNumber: d.payerClaimNumber,
        facilityCode: d.facilityCode,
        frequency: d.frequency,
        patient: d.patient,
      };
    } else {
      claim = {
        patientControlNumber: d.patientControlNumber,
        statusCode: d.statusCode,
        chargeCents: d.chargeCents,
        paidCents: d.paidCents,
        patientResponsibilityCents: d.patientResponsibilityCents,
        filingIndicator: d.filingIndicator,
        adjustments,
        remarks,
        lines,
      };
      if (d.payerClaimNumber) claim.payerClaimNumber = d.payerClaimNumber;
      if (d.facilityCode) claim.facilityCode = d.facilityCode;
      if (d.frequency) claim.frequency = d.frequency;
      if (d.patient) claim.patient = d.patient;
    }
    this.r.claims.push(claim);
  }
}

/** A copy of `list` at its length (a new empty array when empty); `list` is emptied for reuse. */
function taken<T>(list: T[]): T[] {
  if (list.length === 0) return [];
  const copy = list.slice();
  list.length = 0;
  return copy;
}

function claimDraft(s: Segment): ClaimDraft {
  return {
    patientControlNumber: s.required(1),
    statusCode: listedCode(s, 2, 'claimStatus', s.code(2)),
    chargeCents: s.cents(3) ?? 0,
    paidCents: s.cents(4) ?? 0,
    patientResponsibilityCents: s.cents(5) ?? 0,
    filingIndicator: s.code(6),
    payerClaimNumber: s.el(7),
    facilityCode: s.code(8),
    frequency: s.code(9),
  };
}

function lineDraft(s: Segment): LineDraft {
  const procedure = s.codes(1);
  const units = s.el(5);
  return {
    qualifier: procedure[0] ?? '',
    code: procedure[1] ?? '',
    modifiers: procedure.length > 2 ? procedure.slice(2) : [],
    chargeCents: s.cents(2) ?? 0,
    paidCents: s.cents(3) ?? 0,
    units: units ? Number(units) : undefined,
    allowed: false,
  };
}

function patientOf(s: Segment): NonNullable<RemittanceClaim['patient']> {
  const memberId = s.el(9);
  return memberId ? { lastName: s.el(3), firstName: s.el(4), memberId } : { lastName: s.el(3), firstName: s.el(4) };
}

function paymentOf(s: Segment): Remittance['payment'] {
  const payment: Remittance['payment'] = { handling: s.code(1), amountCents: s.cents(2) ?? 0, creditDebit: s.is(3, 'D') ? 'D' : 'C', method: s.code(4) };
  if (s.has(16)) payment.date = s.sharedDate(16);
  return payment;
}

function readParty(r: Remittance, party: 'payer' | 'payee' | undefined, s: Segment): void {
  if (party === 'payer') {
    r.payer.name = s.el(2);
    if (s.has(4)) r.payer.id = s.el(4);
  } else if (party === 'payee') r.payee = { name: s.el(2), idQualifier: s.code(3), id: s.el(4) };
}

function readPayerAddress(r: Remittance, s: Segment): void {
  const a = (r.payer.address ??= { line1: '', city: '', state: '', postalCode: '' });
  if (s.id === 'N3') a.line1 = s.el(1);
  else Object.assign(a, { city: s.el(1), state: s.el(2), postalCode: s.el(3) });
}

/** MOA03-MOA07: remark codes (RARC), appended to `out`. */
function readRemarks(s: Segment, out: string[]): void {
  for (let n = 3; n <= 7; n++) {
    const code = s.code(n);
    if (code) out.push(rarc(s, n, code));
  }
}

/** CAS holds one group and up to six reason/amount/quantity triplets (CAS02-CAS19), appended to `out`. */
function readAdjustments(s: Segment, out: Adjustment[]): void {
  const group = listedCode(s, 1, 'adjustmentGroup', s.code(1)) as AdjustmentGroup;
  for (let k = 2; k <= 17; k += 3) {
    const reason = s.code(k);
    if (!reason) continue;
    const a: Adjustment = { group, carc: carc(s, k, reason), amountCents: s.cents(k + 1) ?? 0 };
    const quantity = s.el(k + 2);
    if (quantity) a.quantity = Number(quantity);
    out.push(a);
  }
}

/** PLB03-PLB14: up to six reason/amount pairs, appended to `out`. */
function readProviderAdjustments(s: Segment, out: ProviderAdjustment[]): void {
  for (let k = 3; k <= 13; k += 2) {
    if (!s.has(k)) continue;
    const [reasonCode, reference] = s.components(k);
    out.push({ providerId: s.el(1), fiscalPeriodDate: s.date(2), reasonCode, ...(reference ? { reference } : {}), amountCents: s.cents(k + 1) ?? 0 });
  }
}
