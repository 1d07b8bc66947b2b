/**
 * Line-level remittance posting: each CLP posts once by its posting key (a reversal and its
 * correction in the same 835 are two postings), SVC lines with how they were matched and the
 * contracted comparison, PLB adjustments at the remittance level, and a posting queue where
 * unmatched or unbalanced claims wait for a person (never lost).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.dropUnique(['claim_id', 'trace_number']);
    t.text('posting_key').unique();
    t.text('document_key');
    t.boolean('late').notNullable().defaultTo(false);
  });

  await knex.schema.createTable('payment_lines', (t) => {
    t.increments('id');
    t.integer('payment_id').notNullable().references('payments.id');
    /** The billed line it answers; null when no billed line matched. */
    t.integer('line_number');
    t.text('match').notNullable(); // 6R | code_date_modifiers | code_date | unmatched
    t.text('code').notNullable();
    t.specificType('modifiers', 'text[]').notNullable().defaultTo('{}');
    t.bigInteger('charge_cents').notNullable();
    t.bigInteger('paid_cents').notNullable();
    t.bigInteger('contracted_cents');
    t.bigInteger('underpaid_cents').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('provider_adjustments', (t) => {
    t.increments('id');
    t.text('document_key').notNullable();
    t.text('trace_number').notNullable();
    t.integer('position').notNullable();
    t.text('provider_id').notNullable();
    t.text('reason_code').notNullable();
    t.text('reference');
    t.bigInteger('amount_cents').notNullable();
    t.unique(['document_key', 'trace_number', 'position']);
  });

  await knex.schema.createTable('posting_queue', (t) => {
    t.increments('id');
    t.text('posting_key').notNullable().unique();
    t.text('document_key').notNullable();
    t.text('trace_number').notNullable();
    /** CLP01 and the payer: ids, not PHI. */
    t.text('patient_control_number').notNullable();
    t.text('payer_id').notNullable();
    t.text('reason').notNullable(); // unmatched | unbalanced
    t.text('detail').notNullable();
    t.bigInteger('paid_cents').notNullable();
    t.text('status').notNullable().defaultTo('open');
    t.timestamp('queued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('posting_queue');
  await knex.schema.dropTable('provider_adjustments');
  await knex.schema.dropTable('payment_lines');
  await knex.schema.alterTable('payments', (t) => {
    t.dropColumn('late');
    t.dropColumn('document_key');
    t.dropColumn('posting_key');
    t.unique(['claim_id', 'trace_number']);
  });
}
