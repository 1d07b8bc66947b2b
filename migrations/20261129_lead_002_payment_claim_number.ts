/**
 * Each payment keeps the payer claim number (CLP07) it answered: a reversal names the original
 * claim number and its correction a new one, so the claim row's latest number cannot tell which
 * payment answered what (cycle:check compares the payers' ledger per claim number).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.text('payer_claim_number');
    t.index(['payer_claim_number']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => t.dropColumn('payer_claim_number'));
}
