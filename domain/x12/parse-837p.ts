/**
 * Reads an 837P (005010X222A1) back into `ProfessionalClaimBatch`. Loops are told
 * apart the way the guide does: by HL level code (20 billing provider, 22 subscriber,
 * 23 patient) and by NM101 entity code. Loops we do not model (pay-to 2010AB, other
 * subscriber 2320/2330, line-level 2420) are read past, not refused, so files from
 * other systems still parse.
 */
import { EnvelopeOptions, ReadOptions, transactionsOfType } from './envelope';
import { X12ContentError } from './errors';
import {
  BillingProvider, ClaimPatient, ClaimSubscriber, PATIENT_RELATIONSHIP_CODES, ProfessionalClaim, ProfessionalClaimBatch,
  ServiceLine, Sex, X12Address,
} from './professional-claim';
import { Segment } from './syntax';

export interface Parsed837P {
  envelope: EnvelopeOptions;
  batch: ProfessionalClaimBatch;
  /** Faults worth a look that do not stop reading (a CLM02 that is not the sum of its lines). */
  warnings: string[];
}

const RELATIONSHIP_BY_CODE = Object.fromEntries(Object.entries(PATIENT_RELATIONSHIP_CODES).map(([k, v]) => [v, k])) as Record<string, ClaimPatient['relationship']>;

/** Where the reader is: which loop owns the next N3/N4/DMG/NM1. */
type Loop = 'header' | 'billing' | 'payTo' | 'subscriber' | 'payer' | 'patient' | 'claim' | 'otherSubscriber' | 'line';

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
  private entity = '';

  read(s: Segment): void {
    switch (s.id) {
      case 'HL': return this.hl(s);
      case 'NM1': return this.nm1(s);
      case 'PER': if (this.loop === 'header' && s.el(3) === 'TE') { this.batch.submitter.contactName = s.el(2); this.batch.submitter.phone = s.el(4); } return;
      case 'PRV': if (this.loop === 'billing' && s.el(1) === 'BI') this.batch.billingProvider.taxonomy = s.el(3); return;
      case 'N3': case 'N4': return this.address(s);
      case 'REF': return this.ref(s);
      case 'SBR': return this.sbr(s);
      case 'DMG': return this.dmg(s);
      case 'PAT': this.patient = { relationship: RELATIONSHIP_BY_CODE[s.el(1)] ?? 'other', firstName: '', lastName: '', birthDate: '', sex: 'U', address: emptyAddress() }; return;
      case 'CLM': return this.clm(s);
      case 'HI': return this.hi(s);
      case 'LX': return this.lx();
      case 'SV1': return this.sv1(s);
      case 'DTP': if (this.line && s.el(1) === '472') this.line.serviceDate = s.startDate(3); return;
    }
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
    if (this.loop === 'otherSubscriber' || this.loop === 'line') return;
    const b = this.batch;
    if (entity === '41') { b.submitter.name = s.el(3); b.submitter.id = s.el(9); }
    else if (entity === '40') b.receiver = { name: s.el(3), id: s.el(9) };
    else if (entity === '85') { b.billingProvider.name = s.el(3); b.billingProvider.npi = s.el(9); }
    else if (entity === '87') this.loop = 'payTo';
    else if (entity === 'IL') Object.assign(this.subscriber, { lastName: s.el(3), firstName: s.el(4), memberId: s.el(9) });
    else if (entity === 'PR') { this.payer.name = s.el(3); this.payer.id = s.el(9); this.loop = 'payer'; }
    else if (entity === 'QC' && this.patient) Object.assign(this.patient, { lastName: s.el(3), firstName: s.el(4) });
    else if (entity === '82' && this.claim) {
      this.claim.renderingProvider = { npi: s.el(9), lastName: s.el(3), ...(s.el(4) ? { firstName: s.el(4) } : {}) };
    }
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
    return undefined;
  }

  private ref(s: Segment): void {
    if (this.loop === 'billing' && s.el(1) === 'EI') this.batch.billingProvider.taxId = s.el(2);
    if (this.loop !== 'claim' || !this.claim) return;
    if (s.el(1) === 'F8') this.claim.payerClaimNumber = s.el(2);
    if (s.el(1) === 'G1') this.claim.priorAuthorization = s.el(2);
  }

  private sbr(s: Segment): void {
    if (this.claim) {
      this.loop = 'otherSubscriber';
      return;
    }
    if (s.el(3)) this.subscriber.groupNumber = s.el(3);
    this.payer = { name: '', id: '', filingIndicator: s.el(9) };
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
  }
}

function emptyAddress(): X12Address {
  return { line1: '', city: '', state: '', postalCode: '' };
}

/** Parses every claim of every 837 transaction in the file. */
export function parse837P(text: string, options?: ReadOptions): Parsed837P {
  const { interchange, transactions } = transactionsOfType(text, '837', options);
  const reader = new ClaimReader();
  for (const tx of transactions) for (const s of tx.segments) reader.read(s);
  reader.finish();
  return { envelope: interchange.envelope, batch: reader.batch, warnings: [...interchange.warnings, ...reader.warnings] };
}
