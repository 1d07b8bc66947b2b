/**
 * Appeals of denied claims: the packet as sent (the clinical notes by their EHR reference and
 * type, not their text), the payer's appeal deadline, and what came of it. One per denied
 * claim attempt, so an activity retried after a crash sends and records one appeal.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('appeals', (t) => {
    t.increments('id');
    t.text('packet_id').notNullable().unique();
    t.text('visit_id').notNullable().references('appointments.visit_id');
    t.integer('claim_attempt').notNullable();
    t.text('denial_code').notNullable();
    t.text('category').notNullable();
    t.text('payer_id').notNullable();
    t.text('payer_claim_number').notNullable();
    t.jsonb('documents').notNullable();
    t.date('deadline').notNullable();
    t.text('status').notNullable(); // submitted | needs_documents
    t.text('appeal_id');
    t.timestamps(true, true);
    t.unique(['visit_id', 'claim_attempt']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('appeals');
}
