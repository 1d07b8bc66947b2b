/**
 * Claim status: the 276 inquiry (005010X212), and the 277 answers — both the claim
 * acknowledgment 277CA (005010X214, sent after a batch reaches the payer's front end)
 * and the 277 response to a 276 (005010X212). Each claim's STC carries a category
 * (A1/A2 accepted, A3/A6/A7/A8 rejected, F1 paid, F2 denied, P pending...) and a
 * status code, with the patient control number (TRN*2) and the payer's claim number
 * (REF*1K) to match it back.
 */
import { EnvelopeOptions, ReadOptions, transactionsOfType } from './envelope';
import { buildInterchange, ElementValue } from './writer';
import { Segment } from './syntax';
import { centsToAmount, toX12Date } from './values';
import { formattedCode, listedCode, STATUS_CODE_FORMAT } from './code-lists';

export const GUIDE_276_277 = '005010X212';
export const GUIDE_277CA = '005010X214';

/** Health care claim status category codes (external code list 507), the ones a biller meets. */
const CATEGORIES: Record<string, string> = {
  A0: 'Acknowledgement/Forwarded',
  A1: 'Acknowledgement/Receipt',
  A2: 'Acknowledgement/Acceptance into adjudication system',
  A3: 'Acknowledgement/Returned as unprocessable claim',
  A4: 'Acknowledgement/Not Found',
  A5: 'Acknowledgement/Split Claim',
  A6: 'Acknowledgement/Rejected for Missing Information',
  A7: 'Acknowledgement/Rejected for Invalid Information',
  A8: 'Acknowledgement/Rejected for relational field in error',
  E0: 'Response not possible - error on submitted request data',
  F0: 'Finalized',
  F1: 'Finalized/Payment',
  F2: 'Finalized/Denial',
  F3: 'Finalized/Revised',
  F4: 'Finalized/Adjudication Complete - No payment forthcoming',
  P0: 'Pending',
  P1: 'Pending/In Process',
  P2: 'Pending/Payer Review',
  P3: 'Pending/Provider Requested Information',
  P4: 'Pending/Patient Requested Information',
};

/** Health care claim status codes (external code list 508), a working subset. */
const STATUS_CODES: Record<string, string> = {
  '0': 'Cannot provide further status electronically',
  '1': 'For more detailed information, see remittance advice',
  '3': 'Claim has been adjudicated and is awaiting payment cycle',
  '19': 'Entity acknowledges receipt of claim/encounter',
  '20': 'Accepted for processing',
  '21': 'Missing or invalid information',
  '33': 'Subscriber and subscriber id not found',
  '35': 'Claim/encounter not found',
  '65': 'Claim/line has been paid',
  '164': "Entity's contract/member number",
  '562': "Entity's National Provider Identifier (NPI)",
};

const ENTITIES: Record<string, string> = {
  IL: 'subscriber',
  QC: 'patient',
  '85': 'billing provider',
  '82': 'rendering provider',
  '41': 'submitter',
  '40': 'receiver',
  PR: 'payer',
};

/** Categories meaning the payer will not process the claim as sent. */
const REJECTED = new Set(['A3', 'A4', 'A6', 'A7', 'A8', 'E0']);

export interface ClaimStatusCode {
  category: string;
  code: string;
  /** Entity the code is about, e.g. IL subscriber. */
  entity?: string;
  /** The codes in words. */
  text: string;
}

export interface ClaimStatus {
  /** TRN*2 at the claim level: our CLM01 (277CA) or the 276's trace (277). */
  patientControlNumber: string;
  /** REF*1K */
  payerClaimNumber?: string;
  /** STC01, STC10, STC11. */
  statuses: ClaimStatusCode[];
  /** STC02 */
  effectiveDate?: string;
  /** STC04 */
  chargeCents?: number;
  /** STC05 */
  paidCents?: number;
  /** STC12 free-form message. */
  message?: string;
  rejected: boolean;
  memberId?: string;
}

export interface ClaimStatusReport {
  /** 277CA (X214) acknowledges a submitted batch; 277 (X212) answers a 276. */
  kind: '277CA' | '277';
  /** 2100A NM101: the payer (PR) answered, or a clearinghouse (AY) on the way to it: the two-stage 277CA. */
  source: 'payer' | 'clearinghouse';
  payer: { name: string; id: string };
  /** 277CA 2200B TRN02: the 837's BHT03 it acknowledges (ours is the interchange control number). */
  batchTrace?: string;
  /** STCs about the whole batch (information receiver level). */
  batch: ClaimStatusCode[];
  claims: ClaimStatus[];
}

export function describeStatus(category: string, code: string, entity?: string): string {
  const cat = CATEGORIES[category] ?? `category ${category}`;
  const what = STATUS_CODES[code] ?? `status ${code}`;
  return `${cat}: ${what}${entity ? ` (${ENTITIES[entity] ?? entity})` : ''}`;
}

/** STC01, STC10 or STC11 (element n): category from code list 507, status code from 508 (digits), optional entity. */
function statusCodeOf(s: Segment, n: number): ClaimStatusCode | undefined {
  const [category, code = '', entity] = s.components(n);
  if (!category) {
    if (n === 1) s.required(1);
    return undefined;
  }
  listedCode(s, n, 'statusCategory', category);
  if (code) formattedCode(s, n, STATUS_CODE_FORMAT, 'claim status code', code);
  return { category, code, ...(entity ? { entity } : {}), text: describeStatus(category, code, entity) };
}

export function parse277(text: string, options?: ReadOptions): { envelope: EnvelopeOptions; report: ClaimStatusReport; warnings: string[] } {
  const { interchange, transactions } = transactionsOfType(text, '277', options);
  const kind = transactions[0].version.includes('X214') ? '277CA' : '277';
  const report: ClaimStatusReport = { kind, source: 'payer', payer: { name: '', id: '' }, batch: [], claims: [] };
  for (const tx of transactions) readReport(report, tx.segments);
  return { envelope: interchange.envelope, report, warnings: interchange.warnings };
}

/** HL levels 22 (subscriber), 23 (dependent) and PT (277CA patient) carry claims. */
const CLAIM_LEVELS = new Set(['22', '23', 'PT']);

function readReport(report: ClaimStatusReport, segments: Segment[]): void {
  let level = '';
  let claim: ClaimStatus | undefined;
  let memberId: string | undefined;
  for (const s of segments) {
    if (s.id === 'HL') {
      level = s.el(3);
      claim = undefined;
    } else if (s.id === 'NM1' && s.el(1) === 'PR') report.payer = { name: s.el(3), id: s.el(9) };
    else if (s.id === 'NM1' && s.el(1) === 'AY') Object.assign(report, { source: 'clearinghouse', payer: { name: s.el(3), id: s.el(9) } });
    else if (s.id === 'TRN' && s.el(1) === '2' && level === '21' && report.kind === '277CA') report.batchTrace = s.el(2);
    else if (s.id === 'NM1' && (s.el(1) === 'IL' || s.el(1) === 'QC')) memberId = s.el(9) || memberId;
    else if (s.id === 'TRN' && s.el(1) === '2' && CLAIM_LEVELS.has(level)) {
      claim = { patientControlNumber: s.el(2), statuses: [], rejected: false, ...(memberId ? { memberId } : {}) };
      report.claims.push(claim);
    } else if (s.id === 'STC') readStc(report, claim, level, s);
    else if (s.id === 'REF' && s.el(1) === '1K' && claim) claim.payerClaimNumber = s.el(2);
  }
}

function readStc(report: ClaimStatusReport, claim: ClaimStatus | undefined, level: string, s: Segment): void {
  const codes = [1, 10, 11].map((n) => statusCodeOf(s, n)).filter((c): c is ClaimStatusCode => c !== undefined);
  if (!claim) {
    if (level === '21') report.batch.push(...codes);
    return;
  }
  claim.statuses.push(...codes);
  claim.rejected = claim.statuses.some((c) => REJECTED.has(c.category));
  if (s.el(2)) claim.effectiveDate = s.date(2);
  if (s.el(4)) claim.chargeCents = s.cents(4);
  if (s.el(5)) claim.paidCents = s.cents(5);
  if (s.el(12)) claim.message = s.el(12);
}

/** A 276 asks about one claim. */
export interface ClaimStatusRequest {
  payer: { name: string; id: string };
  /** 2100B information receiver: the submitter, by ETIN (46). */
  submitter: { name: string; id: string };
  /** 2100C service provider, by NPI. */
  provider: { name: string; npi: string };
  subscriber: { memberId: string; firstName: string; lastName: string };
  /** TRN02 at the claim level; the 277 echoes it. Our CLM01. */
  patientControlNumber: string;
  payerClaimNumber?: string;
  chargeCents: number;
  /** Service date of the claim (DTP*472). */
  serviceDate: string;
}

/** X212 2000A payer, 2000B information receiver (the submitter), 2000C service provider: the same in a 276 and its 277. */
function statusParties(p: Pick<ClaimStatusRequest, 'payer' | 'submitter' | 'provider'>): string[][] {
  return [
    ['HL', '1', '', '20', '1'],
    ['NM1', 'PR', '2', p.payer.name, '', '', '', '', 'PI', p.payer.id],
    ['HL', '2', '1', '21', '1'],
    ['NM1', '41', '2', p.submitter.name, '', '', '', '', '46', p.submitter.id],
    ['HL', '3', '2', '19', '1'],
    ['NM1', '1P', '2', p.provider.name, '', '', '', '', 'XX', p.provider.npi],
  ];
}

export function build276(req: ClaimStatusRequest, envelope: EnvelopeOptions): string {
  const body: string[][] = [
    ['BHT', '0010', '13', String(envelope.controlNumber), toX12Date(envelope.date), envelope.time],
    ...statusParties(req),
    ['HL', '4', '3', '22', '0'],
    ['NM1', 'IL', '1', req.subscriber.lastName, req.subscriber.firstName, '', '', '', 'MI', req.subscriber.memberId],
    ['TRN', '1', req.patientControlNumber],
    ...(req.payerClaimNumber ? [['REF', '1K', req.payerClaimNumber]] : []),
    ['AMT', 'T3', centsToAmount(req.chargeCents)],
    ['DTP', '472', 'RD8', `${toX12Date(req.serviceDate)}-${toX12Date(req.serviceDate)}`],
  ];
  return buildInterchange(envelope, 'HR', GUIDE_276_277, [{ type: '276', body }]);
}

export function parse276(text: string, options?: ReadOptions): { envelope: EnvelopeOptions; request: ClaimStatusRequest; warnings: string[] } {
  const { interchange, transactions } = transactionsOfType(text, '276', options);
  const req: ClaimStatusRequest = {
    payer: { name: '', id: '' },
    submitter: { name: '', id: '' },
    provider: { name: '', npi: '' },
    subscriber: { memberId: '', firstName: '', lastName: '' },
    patientControlNumber: '',
    chargeCents: 0,
    serviceDate: '',
  };
  for (const s of transactions[0].segments) {
    const entity = s.id === 'NM1' ? s.el(1) : '';
    if (entity === 'PR') req.payer = { name: s.el(3), id: s.el(9) };
    else if (entity === '41') req.submitter = { name: s.el(3), id: s.el(9) };
    else if (entity === '1P') req.provider = { name: s.el(3), npi: s.el(9) };
    else if (entity === 'IL') req.subscriber = { memberId: s.el(9), firstName: s.el(4), lastName: s.el(3) };
    else if (s.id === 'TRN') req.patientControlNumber = s.el(2);
    else if (s.id === 'REF' && s.el(1) === '1K') req.payerClaimNumber = s.el(2);
    else if (s.id === 'AMT' && s.el(1) === 'T3') req.chargeCents = s.cents(2) ?? 0;
    else if (s.id === 'DTP' && s.el(1) === '472') req.serviceDate = s.startDate(3);
  }
  return { envelope: interchange.envelope, request: req, warnings: interchange.warnings };
}

/** One claim's status to report in a 277CA or 277, with who it is about. */
export interface ClaimStatusEntry {
  patientControlNumber: string;
  payerClaimNumber?: string;
  status: { category: string; code: string; entity?: string };
  chargeCents: number;
  paidCents?: number;
  serviceDate: string;
  subscriber: { memberId: string; firstName: string; lastName: string };
}

export interface ClaimStatusAnswer {
  payer: { name: string; id: string };
  /** 277CA: a clearinghouse answering on its own behalf (2100A NM1*AY, by ETIN) before the payer does. */
  clearinghouse?: { name: string; id: string };
  /** 277CA: the BHT03 of the 837 acknowledged (2200B TRN02); the 277CA's own control number when absent. */
  batchTrace?: string;
  submitter: { name: string; id: string };
  provider: { name: string; npi: string };
  /** The day the claims were received or the status applies, YYYY-MM-DD. */
  date: string;
  claims: ClaimStatusEntry[];
}

function stcOf(st: ClaimStatusEntry['status']): string[] {
  return st.entity ? [st.category, st.code, st.entity] : [st.category, st.code];
}

/**
 * Builds a 277CA (005010X214) acknowledging the claims of one batch: per claim an
 * STC with action WQ (accepted) or U (rejected), the payer's claim number for the
 * accepted ones, and batch totals at the information receiver level.
 */
export function build277CA(answer: ClaimStatusAnswer, envelope: EnvelopeOptions): string {
  const day = toX12Date(answer.date);
  const rejected = answer.claims.filter((c) => REJECTED.has(c.status.category));
  const accepted = answer.claims.filter((c) => !REJECTED.has(c.status.category));
  const total = (list: ClaimStatusEntry[]) => centsToAmount(list.reduce((s, c) => s + c.chargeCents, 0));
  const body: ElementValue[][] = [
    ['BHT', '0085', '08', String(envelope.controlNumber), toX12Date(envelope.date), envelope.time, 'TH'],
    ['HL', '1', '', '20', '1'],
    answer.clearinghouse
      ? ['NM1', 'AY', '2', answer.clearinghouse.name, '', '', '', '', '46', answer.clearinghouse.id]
      : ['NM1', 'PR', '2', answer.payer.name, '', '', '', '', 'PI', answer.payer.id],
    ['TRN', '1', String(envelope.controlNumber)],
    ['DTP', '050', 'D8', day],
    ['DTP', '009', 'D8', day],
    ['HL', '2', '1', '21', '1'],
    ['NM1', '41', '2', answer.submitter.name, '', '', '', '', '46', answer.submitter.id],
    ['TRN', '2', answer.batchTrace ?? String(envelope.controlNumber)],
    ['STC', ['A1', '19'], day, 'WQ', total(answer.claims)],
    ...(accepted.length ? [['QTY', '90', String(accepted.length)]] : []),
    ...(rejected.length ? [['QTY', 'AA', String(rejected.length)]] : []),
    ...(accepted.length ? [['AMT', 'YU', total(accepted)]] : []),
    ...(rejected.length ? [['AMT', 'YY', total(rejected)]] : []),
    ['HL', '3', '2', '19', '1'],
    ['NM1', '85', '2', answer.provider.name, '', '', '', '', 'XX', answer.provider.npi],
    // 2200C (required): the billing provider's own trace and status for the batch.
    ['TRN', '1', '0'],
    ['STC', ['A1', '19'], '', 'WQ', total(answer.claims)],
  ];
  answer.claims.forEach((c, i) => {
    const isRejected = REJECTED.has(c.status.category);
    body.push(
      ['HL', String(4 + i), '3', 'PT'],
      ['NM1', 'QC', '1', c.subscriber.lastName, c.subscriber.firstName, '', '', '', 'MI', c.subscriber.memberId],
      ['TRN', '2', c.patientControlNumber],
      ['STC', stcOf(c.status), day, isRejected ? 'U' : 'WQ', centsToAmount(c.chargeCents)],
      ...(c.payerClaimNumber ? [['REF', '1K', c.payerClaimNumber]] : []),
      ['DTP', '472', 'RD8', `${toX12Date(c.serviceDate)}-${toX12Date(c.serviceDate)}`],
    );
  });
  return buildInterchange(envelope, 'HN', GUIDE_277CA, [{ type: '277', body }]);
}

/** Builds a 277 (005010X212) answering a 276: the claim's status, charge and payment. */
export function build277(answer: ClaimStatusAnswer, envelope: EnvelopeOptions): string {
  const body: ElementValue[][] = [
    ['BHT', '0010', '08', String(envelope.controlNumber), toX12Date(envelope.date), envelope.time, 'DG'],
    ...statusParties(answer),
  ];
  answer.claims.forEach((c, i) => {
    body.push(
      ['HL', String(4 + i), '3', '22', '0'],
      ['NM1', 'IL', '1', c.subscriber.lastName, c.subscriber.firstName, '', '', '', 'MI', c.subscriber.memberId],
      ['TRN', '2', c.patientControlNumber],
      ['STC', stcOf(c.status), toX12Date(answer.date), '', centsToAmount(c.chargeCents), c.paidCents !== undefined ? centsToAmount(c.paidCents) : ''],
      ...(c.payerClaimNumber ? [['REF', '1K', c.payerClaimNumber]] : []),
      ['DTP', '472', 'RD8', `${toX12Date(c.serviceDate)}-${toX12Date(c.serviceDate)}`],
    );
  });
  return buildInterchange(envelope, 'HN', GUIDE_276_277, [{ type: '277', body }]);
}
