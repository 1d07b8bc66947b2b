/**
 * The remittance work queue as a biller reads it (GET /remittances): 835 claims posted, or kept
 * but not posted (refused by the posting rule, or in a file that does not balance) with their
 * reason, newest first. Posting and queueing are db/posting.ts.
 */
import { queueStatusOf, type QueueStatus } from '../domain/billing/posting';
import type { Db } from './knex';

/** One 835 claim as the remittance work queue lists it (GET /remittances). Ids and amounts only. */
export interface RemittanceEntry {
  /** The posting queue entry's id (unmatched, unbalanced) or the payment's id (posted). */
  id: number;
  status: QueueStatus | 'posted';
  /** decidePosting's reason word; null for a posted claim. */
  reason: string | null;
  detail: string | null;
  /** The stored 835 file (inbound_messages id) and the claim's place in it; null for an answer that came as a bare signal. */
  fileId: number | null;
  position: number | null;
  traceNumber: string;
  payerId: string;
  /** CLP01. */
  patientControlNumber: string;
  claimStatus: string | null;
  payerClaimNumber: string | null;
  chargeCents: number | null;
  paidCents: number;
  patientResponsibilityCents: number | null;
  /** When the file was received (or, without a file, when the entry was written). */
  receivedAt: string;
  /** The visit and attempt it posted to, or was matched to before it was refused. */
  visitId: string | null;
  claimAttempt: number | null;
}

export interface RemittanceQuery {
  status: QueueStatus | 'posted';
  payerId?: string;
  /** Entries with a smaller id than this (the previous page's `next`). */
  before?: number;
  limit: number;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const iso = (v: Date | string) => new Date(v).toISOString();

/** Newest first, one page at a time. Unmatched and unbalanced entries come from the posting queue, posted ones from payments. */
export async function listRemittances(db: Db, q: RemittanceQuery): Promise<{ entries: RemittanceEntry[]; next?: number }> {
  let rows: RemittanceEntry[];
  if (q.status === 'posted') {
    const query = db('payments as p')
      .join('claims as c', 'c.id', 'p.claim_id')
      .leftJoin('inbound_messages as f', function joinFile() {
        this.on('f.message_key', 'p.document_key').andOnVal('f.channel', 'clearinghouse');
      })
      .orderBy('p.id', 'desc')
      .limit(q.limit + 1)
      .select(
        'p.id',
        'p.trace_number',
        'p.payer_id',
        'c.patient_control_number',
        'p.claim_status',
        'p.payer_claim_number',
        'p.charge_cents',
        'p.paid_cents',
        'p.patient_responsibility_cents',
        'p.recorded_at',
        'p.visit_id',
        'c.attempt',
        'f.id as file_id',
        'f.received_at',
      );
    if (q.payerId) query.where('p.payer_id', q.payerId);
    if (q.before) query.where('p.id', '<', q.before);
    rows = (await query).map((r) => ({
      id: r.id,
      status: 'posted',
      reason: null,
      detail: null,
      fileId: r.file_id ?? null,
      position: null,
      traceNumber: r.trace_number,
      payerId: r.payer_id,
      patientControlNumber: r.patient_control_number,
      claimStatus: r.claim_status,
      payerClaimNumber: r.payer_claim_number ?? null,
      chargeCents: num(r.charge_cents),
      paidCents: Number(r.paid_cents),
      patientResponsibilityCents: num(r.patient_responsibility_cents),
      receivedAt: iso(r.received_at ?? r.recorded_at),
      visitId: r.visit_id,
      claimAttempt: r.attempt,
    }));
  } else {
    const query = db('posting_queue as q')
      .leftJoin('claims as c', 'c.id', 'q.claim_id')
      .leftJoin('inbound_messages as f', function joinFile() {
        this.on('f.message_key', 'q.document_key').andOnVal('f.channel', 'clearinghouse');
      })
      .orderBy('q.id', 'desc')
      .limit(q.limit + 1)
      .select('q.*', 'c.visit_id', 'c.attempt', 'f.id as file_id', 'f.received_at');
    if (q.status === 'unbalanced') query.where('q.reason', 'unbalanced');
    else query.whereNot('q.reason', 'unbalanced');
    if (q.payerId) query.where('q.payer_id', q.payerId);
    if (q.before) query.where('q.id', '<', q.before);
    rows = (await query).map((r) => ({
      id: r.id,
      status: queueStatusOf(r.reason),
      reason: r.reason,
      detail: r.detail,
      fileId: r.file_id ?? null,
      position: r.position ?? null,
      traceNumber: r.trace_number,
      payerId: r.payer_id,
      patientControlNumber: r.patient_control_number,
      claimStatus: r.claim_status ?? null,
      payerClaimNumber: r.payer_claim_number ?? null,
      chargeCents: num(r.charge_cents),
      paidCents: Number(r.paid_cents),
      patientResponsibilityCents: num(r.patient_responsibility_cents),
      receivedAt: iso(r.received_at ?? r.queued_at),
      visitId: r.visit_id ?? null,
      claimAttempt: r.attempt ?? null,
    }));
  }
  const entries = rows.slice(0, q.limit);
  return { entries, next: rows.length > q.limit ? entries[entries.length - 1].id : undefined };
}
