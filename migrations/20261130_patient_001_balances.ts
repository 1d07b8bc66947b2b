/**
 * The patient's share after insurance answered: the balance the payers' PR
 * adjustments left (one per visit, and how it ended: paid, written off, or sent to
 * collections), the statements of its cycle (one per sequence number) and the patient's
 * payments (one per reference: the payment's idempotency key). Money is integer cents.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('patient_balances', (t) => {
    t.text('visit_id').primary().references('appointments.visit_id');
    t.bigInteger('opening_cents').notNullable();
    t.timestamp('opened_at', { useTz: true }).notNullable();
    t.text('status').notNullable().defaultTo('open'); // open | paid | written_off | collections
    t.bigInteger('written_off_cents').notNullable().defaultTo(0);
    t.bigInteger('collections_cents');
    t.text('reason');
    t.timestamp('closed_at', { useTz: true });
    t.timestamps(true, true);
  });
  await knex.schema.createTable('patient_statements', (t) => {
    t.increments('id');
    t.text('visit_id').notNullable().references('patient_balances.visit_id');
    t.integer('sequence').notNullable();
    t.bigInteger('amount_due_cents').notNullable();
    t.date('sent_on').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['visit_id', 'sequence']);
  });
  await knex.schema.createTable('patient_payments', (t) => {
    t.increments('id');
    t.text('visit_id').notNullable().references('patient_balances.visit_id');
    t.bigInteger('amount_cents').notNullable();
    t.text('method').notNullable();
    t.text('reference').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['visit_id', 'reference']);
  });
  await knex.raw('ALTER TABLE patient_payments ADD CONSTRAINT patient_payments_amount_positive CHECK (amount_cents > 0)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('patient_payments');
  await knex.schema.dropTable('patient_statements');
  await knex.schema.dropTable('patient_balances');
}
