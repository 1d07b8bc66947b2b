/**
 * The 999 implementation acknowledgment, ASC X12 005010X231A1: did the receiver accept
 * the syntax of each transaction set (IK5) and of the group (AK9), and where each
 * error is (IK3 segment, IK4 element). `build999` writes the same shape back.
 */
import { EnvelopeOptions, ReadOptions, transactionsOfType } from './envelope';
import { buildInterchange, ElementValue } from './writer';
import { Segment } from './syntax';
import { listedCode, wholeNumber } from './code-lists';
import { X12ContentError } from './errors';

export const GUIDE_999 = '005010X231A1';

export type AckStatus = 'accepted' | 'accepted_with_errors' | 'partially_accepted' | 'rejected';

/** IK3 (segment) and, when given, IK4 (element) of one error. */
export interface SegmentError {
  /** IK301 segment id, e.g. NM1. */
  segment: string;
  /** IK302 position of the segment in the transaction set (ST = 1). */
  position: number;
  /** IK303 loop id, e.g. 2010BA. */
  loop?: string;
  /** IK304 segment syntax error code (8 = segment has data element errors, 3 = required segment missing...). */
  code: string;
  element?: {
    /** IK401-1 position in the segment, IK401-2 component position. */
    position: number;
    component?: number;
    /** IK403 element syntax error code (1 = required element missing, 7 = invalid code value...). */
    code: string;
    /** IK404 copy of the bad data. */
    value?: string;
  };
}

export interface TransactionAck {
  /** AK201 */
  type: string;
  /** AK202: the ST02 acknowledged. */
  controlNumber: string;
  /** IK501 */
  status: AckStatus;
  errors: SegmentError[];
  /** IK502-IK506 implementation transaction set syntax error codes. */
  codes: string[];
}

export interface FunctionalAck {
  /** AK101 */
  functionalId: string;
  /** AK102: the GS06 acknowledged; our builders make it equal to ISA13. */
  groupControlNumber: string;
  /** AK901 */
  status: AckStatus;
  transactions: TransactionAck[];
  /** AK902-AK904 */
  counts: { included: number; received: number; accepted: number };
}

const STATUS: Record<string, AckStatus> = {
  A: 'accepted',
  E: 'accepted_with_errors',
  P: 'partially_accepted',
  R: 'rejected',
  M: 'rejected',
  W: 'rejected',
  X: 'rejected',
};
const CODE: Record<AckStatus, string> = { accepted: 'A', accepted_with_errors: 'E', partially_accepted: 'P', rejected: 'R' };

function statusOf(s: Segment, list: 'transactionAck' | 'groupAck'): AckStatus {
  return STATUS[listedCode(s, 1, list)];
}

export function parse999(text: string, options?: ReadOptions): { envelope: EnvelopeOptions; acks: FunctionalAck[]; warnings: string[] } {
  const { interchange, transactions } = transactionsOfType(text, '999', options);
  return { envelope: interchange.envelope, acks: transactions.map((t) => readAck(t.segments)), warnings: interchange.warnings };
}

function readAck(segments: Segment[]): FunctionalAck {
  const ack: FunctionalAck = {
    functionalId: '',
    groupControlNumber: '',
    status: 'rejected',
    transactions: [],
    counts: { included: 0, received: 0, accepted: 0 },
  };
  let tx: TransactionAck | undefined;
  let lastError: SegmentError | undefined;
  for (const s of segments) {
    if (s.id === 'AK1') Object.assign(ack, { functionalId: s.el(1), groupControlNumber: s.el(2) });
    else if (s.id === 'AK2') ack.transactions.push((tx = { type: s.el(1), controlNumber: s.el(2), status: 'accepted', errors: [], codes: [] }));
    else if (s.id === 'IK3' && tx) tx.errors.push((lastError = segmentErrorOf(s)));
    else if (s.id === 'IK4' && lastError) lastError.element = elementErrorOf(s);
    else if (s.id === 'IK5' && tx)
      Object.assign(tx, {
        status: statusOf(s, 'transactionAck'),
        codes: [2, 3, 4, 5, 6].filter((n) => s.el(n)).map((n) => listedCode(s, n, 'transactionError')),
      });
    else if (s.id === 'AK9') {
      ack.status = statusOf(s, 'groupAck');
      ack.counts = {
        included: wholeNumber(s, 2, 'transaction set count'),
        received: wholeNumber(s, 3, 'transaction set count'),
        accepted: wholeNumber(s, 4, 'transaction set count'),
      };
      for (const n of [5, 6, 7, 8, 9]) if (s.el(n)) listedCode(s, n, 'groupError');
    }
  }
  return ack;
}

function segmentErrorOf(s: Segment): SegmentError {
  const e: SegmentError = { segment: s.required(1), position: wholeNumber(s, 2, 'segment position'), code: listedCode(s, 4, 'segmentError') };
  if (s.el(3)) e.loop = s.el(3);
  return e;
}

function elementErrorOf(s: Segment): SegmentError['element'] {
  const [position = '', component] = s.components(1);
  if (!/^\d{1,4}$/.test(position) || (component !== undefined && !/^\d{1,4}$/.test(component))) {
    throw new X12ContentError(`is not an element position (IK401: position, or position:component)`, s.at(1), s.el(1));
  }
  const e: NonNullable<SegmentError['element']> = { position: Number(position), code: listedCode(s, 3, 'elementError') };
  if (component) e.component = Number(component);
  if (s.el(4)) e.value = s.el(4);
  return e;
}

/** Builds a 999 answering one functional group; `version` is the acknowledged group's GS08. */
export function build999(ack: FunctionalAck, version: string, envelope: EnvelopeOptions): string {
  const body: ElementValue[][] = [['AK1', ack.functionalId, ack.groupControlNumber, version]];
  for (const tx of ack.transactions) {
    body.push(['AK2', tx.type, tx.controlNumber, version]);
    for (const e of tx.errors) {
      body.push(['IK3', e.segment, String(e.position), e.loop ?? '', e.code]);
      if (e.element) {
        const pos = e.element.component ? [String(e.element.position), String(e.element.component)] : String(e.element.position);
        body.push(['IK4', pos, '', e.element.code, e.element.value ?? '']);
      }
    }
    body.push(['IK5', CODE[tx.status], ...tx.codes]);
  }
  body.push(['AK9', CODE[ack.status], String(ack.counts.included), String(ack.counts.received), String(ack.counts.accepted)]);
  return buildInterchange(envelope, 'FA', GUIDE_999, [{ type: '999', body }]);
}
