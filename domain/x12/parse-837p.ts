/**
 * Reads an 837P (005010X222A1) back into `ProfessionalClaimBatch`. Loops are told
 * apart the way the guide does: by HL level code (20 billing provider, 22 subscriber,
 * 23 patient) and by NM101 entity code. Other payers (2320/2330A/2330B, 2430) are read
 * into `otherPayers`; loops we do not model (pay-to 2010AB, line-level 2420, 2330C-G) are
 * read past, not refused, so files from other systems still parse.
 */
import { EnvelopeOptions, ReadOptions, transactionsOfType } from './envelope';
import { X12ContentError } from './errors';
import {
  BillingProvider,
  ClaimPatient,
  ClaimSubscriber,
  CobAdjustment,
  INDIVIDUAL_RELATIONSHIP_CODES,
  OtherPayer,
  PATIENT_RELATIONSHIP_CODES,
  PayerResponsibility,
  ProfessionalClaim,
  ProfessionalClaimBatch,
  ServiceLine,
  Sex,
  X12Address,
} from './professional-claim';
import { Segment } from './syntax';

export interface Parsed837P {
  envelope: EnvelopeOptions;
  batch: ProfessionalClaimBatch;
  /** Faults worth a look that do not stop reading (a CLM02 that is not the sum of its lines). */
  warnings: string[];
}

const RELATIONSHIP_BY_CODE = Object.fromEntries(Object.entries(PATIENT_RELATIONSHIP_CODES).map(([k, v]) => [v, k])) as Record<
  string,
  ClaimPatient['relationship']
>;
const INDIVIDUAL_BY_CODE = Object.fromEntries(Object.entries(INDIVIDUAL_RELATIONSHIP_CODES).map(([k, v]) => [v, k])) as Record<
  string,
  OtherPayer['subscriber']['relationship']
>;

/** Where the reader is: which loop owns the next N3/N4/DMG/NM1. */
type Loop =
  | 'header'
  | 'billing'
  | 'payTo'
  | 'subscriber'
  | 'payer'
  | 'patient'
  | 'claim'
  | 'rendering'
  | 'otherSubscriber'
  | 'otherPayer'
  | 'line'
  | 'lineAdjudication'
  | 'lineOther';

/** CAS01 group and up to six reason/amount/quantity triplets. */
function casOf(s: Segment): CobAdjustment[] {
  const group = s.required(1) as CobAdjustment['group'];
  const out: CobAdjustment[] = [];
  for (let k = 2; k <= 17; k += 3) {
    if (!s.el(k)) continue;
    const a: CobAdjustment = { group, carc: s.el(k), amountCents: s.cents(k + 1) ?? 0 };
    if (s.el(k + 2)) a.quantity = Number(s.el(k + 2));
    out.push(a);
  }
  return out;
}

class ClaimReader {
  batch: ProfessionalClaimBatch = {
    submitter: { name: '', id: '', contactName: '', phone: '' },
    receiver: { name: '', id: '' },
    billingProvider: { name: '', npi: '', taxId: '', address: { line1: '', city: '', state: '', postalCode: '' } },
    claims: [],
  };
  warnings: string[] = [];
  private loop: Loop = 'header';
  private subscriber: ClaimSubscriber = { memberId: '', firstName: '', lastName: '' };
  private payer = { name: '', id: '', filingIndicator: '' };
  private patient?: ClaimPatient;
  private claim?: ProfessionalClaim;
  private claimTotal = 0;
  private line?: ServiceLine;
  private lineNumber = 0;
  private other?: OtherPayer;
  private lineAdjudication?: OtherPayer['lines'][number];
  private entity = '';

  read(s: Segment): void {
    switch (s.id) {
      case 'HL':
        return this.hl(s);
      case 'NM1':
        return this.nm1(s);
      case 'PER':
        if (this.loop === 'header' && s.el(3) === 'TE') {
          this.batch.submitter.contactName = s.el(2);
          this.batch.submitter.phone = s.el(4);
        }
        return;
      case 'PRV':
        return this.prv(s);
      case 'N3':
      case 'N4':
        return this.address(s);
      case 'REF':
        return this.ref(s);
      case 'SBR':
        return this.sbr(s);
      case 'DMG':
        return this.dmg(s);
      case 'PAT':
        this.patient = {
          relationship: RELATIONSHIP_BY_CODE[s.el(1)] ?? 'other',
          firstName: '',
          lastName: '',
          birthDate: '',
          sex: 'U',
          address: emptyAddress(),
        };
        return;
      case 'CLM':
        return this.clm(s);
      case 'HI':
        return this.hi(s);
      case 'LX':
        return this.lx();
      case 'SV1':
        return this.sv1(s);
      case 'DTP':
        return this.dtp(s);
      case 'CAS':
        return this.cas(s);
      case 'AMT':
        return this.amt(s);
      case 'SVD':
        return this.svd(s);
    }
  }

  private prv(s: Segment): void {
    if (this.loop === 'billing' && s.el(1) === 'BI') this.batch.billingProvider.taxonomy = s.el(3);
    if (this.loop === 'rendering' && s.el(1) === 'PE' && this.claim?.renderingProvider) this.claim.renderingProvider.taxonomy = s.el(3);
  }

  private dtp(s: Segment): void {
    if (this.loop === 'line' && this.line && s.el(1) === '472') this.line.serviceDate = s.startDate(3);
    if (s.el(1) !== '573') return;
    if (this.loop === 'otherPayer' && this.other) this.other.adjudicatedOn = s.date(3);
    if (this.loop === 'lineAdjudication' && this.other && !this.other.adjudicatedOn) this.other.adjudicatedOn = s.date(3);
  }

  private cas(s: Segment): void {
    if (this.loop === 'otherSubscriber' && this.other) this.other.adjustments.push(...casOf(s));
    if (this.loop === 'lineAdjudication' && this.lineAdjudication) this.lineAdjudication.adjustments.push(...casOf(s));
  }

  private amt(s: Segment): void {
    if (this.loop !== 'otherSubscriber' || !this.other) return;
    if (s.el(1) === 'D') this.other.paidCents = s.cents(2) ?? 0;
    if (s.el(1) === 'EAF') this.other.remainingPatientLiabilityCents = s.cents(2) ?? 0;
  }

  /** 2430 SVD: the other payer (SVD01 = its 2330B id) adjudicated the current line. */
  private svd(s: Segment): void {
    const other = this.claim?.otherPayers?.find((o) => o.payer.id === s.el(1));
    this.loop = 'lineAdjudication';
    if (!other) {
      this.lineAdjudication = undefined;
      return;
    }
    const [, code = '', ...modifiers] = s.components(3);
    this.other = other;
    this.lineAdjudication = { lineNumber: this.lineNumber, code, modifiers, units: Number(s.el(5) || '1'), paidCents: s.cents(2) ?? 0, adjustments: [] };
    other.lines.push(this.lineAdjudication);
  }

  finish(): void {
    this.closeClaim();
  }

  private hl(s: Segment): void {
    this.closeClaim();
    const level = s.el(3);
    if (level === '20') this.loop = 'billing';
    else if (level === '22') {
      this.loop = 'subscriber';
      this.subscriber = { memberId: '', firstName: '', lastName: '' };
      this.patient = undefined;
    } else if (level === '23') this.loop = 'patient';
  }

  private nm1(s: Segment): void {
    const entity = s.el(1);
    this.entity = entity;
    if (this.loop === 'otherSubscriber' || this.loop === 'otherPayer') return this.otherNm1(s);
    if (this.loop === 'line' || this.loop === 'lineAdjudication' || this.loop === 'lineOther') {
      this.loop = 'lineOther'; // 2420 line-level providers: read past
      return;
    }
    const b = this.batch;
    if (entity === '41') {
      b.submitter.name = s.el(3);
      b.submitter.id = s.el(9);
    } else if (entity === '40') b.receiver = { name: s.el(3), id: s.el(9) };
    else if (entity === '85') {
      b.billingProvider.name = s.el(3);
      b.billingProvider.npi = s.el(9);
    } else if (entity === '87') this.loop = 'payTo';
    else if (entity === 'IL') Object.assign(this.subscriber, { lastName: s.el(3), firstName: s.el(4), memberId: s.el(9) });
    else if (entity === 'PR') {
      this.payer.name = s.el(3);
      this.payer.id = s.el(9);
      this.loop = 'payer';
    } else if (entity === 'QC' && this.patient) Object.assign(this.patient, { lastName: s.el(3), firstName: s.el(4) });
    else if (entity === '82' && this.claim) {
      this.claim.renderingProvider = { npi: s.el(9), lastName: s.el(3), ...(s.el(4) ? { firstName: s.el(4) } : {}) };
      this.loop = 'rendering';
    } else if (this.claim) this.loop = 'claim'; // another 2310 provider: read past its PRV
  }

  /** 2330A other subscriber, 2330B other payer; 2330C-G (other payers' providers) are read past. */
  private otherNm1(s: Segment): void {
    const o = this.other;
    if (!o) return;
    if (s.el(1) === 'IL') Object.assign(o.subscriber, { lastName: s.el(3), firstName: s.el(4), memberId: s.el(9) });
    else if (s.el(1) === 'PR') {
      Object.assign(o.payer, { name: s.el(3), id: s.el(9) });
      this.loop = 'otherPayer';
    } else this.loop = 'claim';
  }

  private address(s: Segment): void {
    const target = this.addressOwner();
    if (!target) return;
    const a = (target.address ??= emptyAddress());
    if (s.id === 'N3') a.line1 = s.el(1);
    else Object.assign(a, { city: s.el(1), state: s.el(2), postalCode: s.el(3) });
  }

  private addressOwner(): { address?: X12Address } | undefined {
    if (this.loop === 'billing' && this.entity === '85') return this.batch.billingProvider as BillingProvider;
    if (this.loop === 'subscriber' && this.entity === 'IL') return this.subscriber;
    if (this.loop === 'patient' && this.entity === 'QC') return this.patient;
    if (this.loop === 'otherSubscriber' && this.entity === 'IL') return this.other?.subscriber;
    return undefined;
  }

  private ref(s: Segment): void {
    if (this.loop === 'billing' && s.el(1) === 'EI') this.batch.billingProvider.taxId = s.el(2);
    if (this.loop === 'line' && this.line && s.el(1) === '6R') this.line.lineItemControlNumber = s.el(2);
    if (this.loop === 'otherPayer' && this.other && s.el(1) === 'F8') this.other.payerClaimNumber = s.el(2);
    if (this.loop !== 'claim' || !this.claim) return;
    if (s.el(1) === 'F8') this.claim.payerClaimNumber = s.el(2);
    if (s.el(1) === 'G1') this.claim.priorAuthorization = s.el(2);
  }

  private responsibility = '';

  private sbr(s: Segment): void {
    if (this.claim) return this.otherSbr(s);
    if (s.el(3)) this.subscriber.groupNumber = s.el(3);
    this.responsibility = s.el(1);
    this.payer = { name: '', id: '', filingIndicator: s.el(9), ...(s.el(5) ? { insuranceType: s.el(5) } : {}) };
  }

  /** 2320: an SBR inside the claim opens another payer's loop. */
  private otherSbr(s: Segment): void {
    this.loop = 'otherSubscriber';
    this.entity = '';
    this.other = {
      responsibility: (s.el(1) || 'P') as PayerResponsibility,
      payer: { name: '', id: '', filingIndicator: s.el(9), ...(s.el(5) ? { insuranceType: s.el(5) } : {}) },
      subscriber: {
        memberId: '',
        firstName: '',
        lastName: '',
        ...(s.el(3) ? { groupNumber: s.el(3) } : {}),
        relationship: INDIVIDUAL_BY_CODE[s.el(2)] ?? 'other',
      },
      paidCents: 0,
      adjudicatedOn: '',
      adjustments: [],
      lines: [],
    };
    (this.claim!.otherPayers ??= []).push(this.other);
  }

  private dmg(s: Segment): void {
    const person = this.loop === 'subscriber' ? this.subscriber : this.loop === 'patient' ? this.patient : undefined;
    if (!person) return;
    person.birthDate = s.date(2);
    person.sex = (['M', 'F'].includes(s.el(3)) ? s.el(3) : 'U') as Sex;
  }

  private clm(s: Segment): void {
    this.closeClaim();
    const [placeOfService = '', , frequency = '1'] = s.components(5);
    this.claim = {
      claimId: s.required(1),
      frequency: frequency as ProfessionalClaim['frequency'],
      placeOfService,
      ...(this.responsibility && this.responsibility !== 'P' ? { payerResponsibility: this.responsibility as PayerResponsibility } : {}),
      payer: { ...this.payer },
      subscriber: { ...this.subscriber },
      ...(this.patient ? { patient: { ...this.patient } } : {}),
      diagnoses: [],
      lines: [],
    };
    this.claimTotal = s.cents(2) ?? 0;
    this.loop = 'claim';
  }

  private hi(s: Segment): void {
    if (!this.claim || this.loop !== 'claim') return;
    for (let n = 1; n <= 12; n++) {
      const [qualifier, code] = s.components(n);
      if (code && /^A?B[KF]$/.test(qualifier)) this.claim.diagnoses.push(code);
    }
  }

  private lx(): void {
    if (!this.claim) throw new X12ContentError('a service line (LX) before any CLM');
    this.loop = 'line';
    this.lineNumber++;
  }

  private sv1(s: Segment): void {
    if (!this.claim) throw new X12ContentError('SV1 outside a claim', s.at());
    const [, code = '', ...modifiers] = s.components(1);
    this.line = {
      code,
      modifiers,
      units: Number(s.el(4) || '1'),
      chargeCents: s.cents(2) ?? 0,
      diagnosisPointers: s.components(7).map(Number),
      serviceDate: '',
    };
    this.claim.lines.push(this.line);
  }

  private closeClaim(): void {
    const claim = this.claim;
    if (!claim) return;
    const sum = claim.lines.reduce((t, l) => t + l.chargeCents, 0);
    if (sum !== this.claimTotal) this.warnings.push(`claim ${claim.claimId}: CLM02 ${this.claimTotal / 100} is not the sum of its lines ${sum / 100}`);
    this.batch.claims.push(claim);
    this.claim = undefined;
    this.line = undefined;
    this.other = undefined;
    this.lineAdjudication = undefined;
    this.lineNumber = 0;
  }
}

function emptyAddress(): X12Address {
  return { line1: '', city: '', state: '', postalCode: '' };
}

/** Parses every claim of every 837 transaction in the file. */
export function parse837P(text: string, options?: ReadOptions): Parsed837P {
  const { interchange, transactions } = transactionsOfType(text, '837', options);
  const reader = new ClaimReader();
  for (const tx of transactions) tx.each((s) => reader.read(s)); // the reader keeps values, never `s`
  reader.finish();
  return { envelope: interchange.envelope, batch: reader.batch, warnings: [...interchange.warnings, ...reader.warnings] };
}
