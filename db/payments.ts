/**
 * Payments: the one place a payment row (and its adjustments) is written, whether the 835 came
 * as a visit's signal or as a file the webhook posts (db/posting.ts), and what each attempt was paid.
 */
import type { AttemptPayment } from '../domain/billing/denials';
import type { Db } from './knex';

/** What each of the visit's claim attempts was paid, net of reversals, by payer: where a duplicate's original payment is found. */
export async function paymentsByAttempt(db: Db, visitId: string): Promise<AttemptPayment[]> {
  const rows = await db('payments as p')
    .join('claims as c', 'c.id', 'p.claim_id')
    .where('p.visit_id', visitId)
    .groupBy('c.attempt', 'p.payer_id')
    .select('c.attempt', 'p.payer_id', db.raw('sum(p.paid_cents)::bigint as paid'));
  return rows.map((r) => ({ attempt: r.attempt, payerId: r.payer_id, paidCents: Number(r.paid) }));
}

/** A payment row as the billing record keeps it (one per 835 claim answer posted). */
export interface PaymentRow {
  claim_id: number;
  visit_id: string;
  payer_id: string;
  trace_number: string;
  claim_status: string;
  charge_cents: number;
  paid_cents: number;
  patient_responsibility_cents: number;
  paid_on: string | null;
  posting_key: string;
  payer_claim_number: string | null;
  document_key?: string;
  late?: boolean;
}

/** One CAS adjustment of a payment, at claim level (line_number null) or on a line. */
export interface PaymentAdjustmentRow {
  line_number: number | null;
  group_code: string;
  carc: string;
  amount_cents: number;
  rarcs: string[];
}

/**
 * The one insert of a payment and its adjustments, for both ways an 835 arrives (a visit's
 * signal, a file the webhook posts). Undefined: its posting key was posted already (a retry).
 */
export async function insertPayment(db: Db, payment: PaymentRow, adjustments: PaymentAdjustmentRow[]): Promise<number | undefined> {
  const [row] = await db('payments').insert(payment).onConflict('posting_key').ignore().returning('id');
  if (!row) return undefined;
  if (adjustments.length) await db('payment_adjustments').insert(adjustments.map((a) => ({ payment_id: row.id, ...a })));
  return row.id;
}
