/**
 * The patient balance's repository: the balance a visit's payers left to the patient, its
 * statements and the patient's payments. Each write is keyed on a natural key with a unique
 * constraint (the visit; the visit and statement sequence; the visit and payment reference),
 * so an activity retried after a crash writes nothing twice.
 */
import type { BalanceResolution, PatientLedger, PatientStatement, PostedPatientPayment } from '../domain/billing/patient-balance';
import type { PaymentMethod } from '../domain/billing/patient-balance';
import type { Db } from './knex';

const iso = (v: Date | string) => new Date(v).toISOString();
const day = (v: Date | string) =>
  typeof v === 'string' ? v.slice(0, 10) : `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;

/** Opens the visit's patient balance once; answers the ledger as the record has it (a reopened one keeps its payments and statements). */
export async function openPatientBalance(db: Db, visitId: string, openingCents: number, openedAt: string): Promise<PatientLedger> {
  await db('patient_balances').insert({ visit_id: visitId, opening_cents: openingCents, opened_at: openedAt }).onConflict('visit_id').ignore();
  return (await patientLedger(db, visitId))!;
}

export async function patientLedger(db: Db, visitId: string): Promise<PatientLedger | undefined> {
  const row = await db('patient_balances').where({ visit_id: visitId }).first();
  if (!row) return undefined;
  const [statements, payments] = await Promise.all([
    db('patient_statements').where({ visit_id: visitId }).orderBy('sequence'),
    db('patient_payments').where({ visit_id: visitId }).orderBy('id'),
  ]);
  return {
    openingCents: Number(row.opening_cents),
    openedAt: iso(row.opened_at),
    writtenOffCents: Number(row.written_off_cents),
    statements: statements.map((s): PatientStatement => ({ sequence: s.sequence, amountDueCents: Number(s.amount_due_cents), sentOn: day(s.sent_on) })),
    payments: payments.map(paymentOf),
    ...(row.status !== 'open' ? { resolution: row.status as BalanceResolution } : {}),
    ...(row.collections_cents !== null ? { collectionsCents: Number(row.collections_cents) } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
  };
}

export async function savePatientStatement(db: Db, visitId: string, s: PatientStatement): Promise<void> {
  await db('patient_statements')
    .insert({ visit_id: visitId, sequence: s.sequence, amount_due_cents: s.amountDueCents, sent_on: s.sentOn })
    .onConflict(['visit_id', 'sequence'])
    .ignore();
}

/** Saves the payment unless its reference is already on the visit; answers the payment the record holds under that reference. */
export async function savePatientPayment(db: Db, visitId: string, p: PostedPatientPayment): Promise<{ inserted: boolean; payment: PostedPatientPayment }> {
  const inserted = await db('patient_payments')
    .insert({ visit_id: visitId, amount_cents: p.amountCents, method: p.method, reference: p.reference, received_at: p.receivedAt })
    .onConflict(['visit_id', 'reference'])
    .ignore()
    .returning('id');
  return { inserted: inserted.length > 0, payment: (await findPatientPayment(db, visitId, p.reference))! };
}

export async function findPatientPayment(db: Db, visitId: string, reference: string): Promise<PostedPatientPayment | undefined> {
  const row = await db('patient_payments').where({ visit_id: visitId, reference }).first();
  return row ? paymentOf(row) : undefined;
}

/** How the balance ended; only an open balance is closed (a retry changes nothing). */
export async function closePatientBalance(
  db: Db,
  visitId: string,
  c: { resolution: BalanceResolution; writtenOffCents: number; collectionsCents?: number; reason?: string; closedAt: string },
): Promise<boolean> {
  const updated = await db('patient_balances')
    .where({ visit_id: visitId, status: 'open' })
    .update({
      status: c.resolution,
      written_off_cents: c.writtenOffCents,
      collections_cents: c.collectionsCents ?? null,
      reason: c.reason ?? null,
      closed_at: c.closedAt,
      updated_at: db.fn.now(),
    });
  return updated > 0;
}

function paymentOf(r: { amount_cents: string | number; method: string; reference: string; received_at: Date | string }): PostedPatientPayment {
  return { amountCents: Number(r.amount_cents), method: r.method as PaymentMethod, reference: r.reference, receivedAt: iso(r.received_at) };
}
