/**
 * What an acknowledgment means for the claim it answers, and where a rejection goes.
 *
 *   999 accepted             received: the file's syntax passed; the 277CA decides the claim
 *   277CA from the clearinghouse, accepted   forwarded: the payer's own 277CA is still to come
 *   277CA with a P category  pended: in the payer's adjudication, on hold
 *   277CA otherwise accepted accepted into adjudication
 *   any rejection            rejected, with the work queue a person fixes it from
 *
 * The routing table is data (domain/billing/data/claim-rejections.csv), loaded by the
 * activity that records the acknowledgment; the reading is this pure function.
 */
import type { ClaimAcknowledgment } from '../claim';
import { readRuleTable } from './csv';

export type AckOutcome = 'received' | 'forwarded' | 'accepted' | 'pended' | 'rejected';
/** The work queues a rejected claim waits in (AwaitingAction values). */
export type RejectionQueue = 'coverage' | 'coding_review' | 'claim_data';

export interface AckReading {
  outcome: AckOutcome;
  /** Rejections only: where a person fixes it, and why (the rule's note). */
  queue?: RejectionQueue;
  note?: string;
}

export interface RejectionRule {
  source: '999' | '277CA';
  /** 277CA: STC category; 999: IK3 segment id. `*` matches any. */
  category: string;
  /** 277CA: STC status code; 999: IK3 loop id. */
  code: string;
  entity: string;
  queue: RejectionQueue;
  note: string;
}

const QUEUES = new Set<string>(['coverage', 'coding_review', 'claim_data']);
const COLUMNS = ['source', 'category', 'code', 'entity', 'queue', 'note'] as const;

export function parseRejectionRules(csv: string): RejectionRule[] {
  return readRuleTable(csv, 'claim rejections', COLUMNS).map((row, i) => {
    if (row.source !== '999' && row.source !== '277CA') throw new Error(`claim rejections rule ${i + 1}: source must be 999 or 277CA`);
    if (!QUEUES.has(row.queue)) throw new Error(`claim rejections rule ${i + 1}: queue must be one of ${[...QUEUES].join(', ')}`);
    return { ...row, source: row.source, queue: row.queue as RejectionQueue };
  });
}

/** Rejected STC categories (code list 507): returned, not found, missing or invalid information, error. */
const REJECTED = /^(A3|A4|A6|A7|A8|E\d)$/;
const matches = (pattern: string, value: string | undefined) => pattern === '*' || pattern === (value ?? '');

/** A 277CA status as it travels on the acknowledgment: `category:code[:entity]`. */
function statusOf(code: string): { category: string; code: string; entity?: string } {
  const [category, status = '', entity] = code.split(':');
  return { category, code: status, entity };
}

export function readAcknowledgment(ack: ClaimAcknowledgment, rules: RejectionRule[]): AckReading {
  if (ack.kind === '999') {
    if (ack.accepted) return { outcome: 'received' };
    const errors = ack.errorSegments?.length ? ack.errorSegments : [{ segment: '', loop: undefined }];
    return routed(errors.map((e) => rules.find((r) => r.source === '999' && matches(r.category, e.segment) && matches(r.code, e.loop))));
  }
  const statuses = ack.codes.map(statusOf);
  if (!ack.accepted || statuses.some((s) => REJECTED.test(s.category))) {
    return routed(
      statuses.map((s) => rules.find((r) => r.source === '277CA' && matches(r.category, s.category) && matches(r.code, s.code) && matches(r.entity, s.entity))),
    );
  }
  if (ack.source === 'clearinghouse') return { outcome: 'forwarded' };
  if (statuses.some((s) => s.category.startsWith('P'))) return { outcome: 'pended' };
  return { outcome: 'accepted' };
}

/** The first status or error a rule places decides; none placed is claim data, for a person to read. */
function routed(found: (RejectionRule | undefined)[]): AckReading {
  const rule = found.find((r) => r !== undefined);
  return { outcome: 'rejected', queue: rule?.queue ?? 'claim_data', note: rule?.note ?? 'no routing rule matched: read the acknowledgment' };
}
