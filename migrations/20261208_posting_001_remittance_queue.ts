/**
 * The posting queue becomes the remittance work queue a biller reads (GET /remittances): each
 * refused 835 claim keeps what it said (status code, amounts, payer claim number, frequency),
 * where it sits in its file, the attempt it was matched to when the refusal came after the match,
 * and one reason word (charge_mismatch, payer_mismatch, unknown_control_number,
 * reversal_of_unpaid, ambiguous, unbalanced; entries queued before this say `unmatched`).
 * A remittance that came as a bare signal, with no stored file, has no document key.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('posting_queue', (t) => {
    t.text('document_key').nullable().alter();
    /** The CLP's place in its file, counted from 1 across the file's remittances. */
    t.integer('position');
    t.text('claim_status');
    t.text('frequency');
    t.text('payer_claim_number');
    t.bigInteger('charge_cents');
    t.bigInteger('patient_responsibility_cents');
    t.integer('claim_id').references('claims.id');
    t.index(['reason']);
    t.index(['queued_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('posting_queue', (t) => {
    t.dropIndex(['queued_at']);
    t.dropIndex(['reason']);
    for (const c of ['claim_id', 'patient_responsibility_cents', 'charge_cents', 'payer_claim_number', 'frequency', 'claim_status', 'position'])
      t.dropColumn(c);
  });
}
