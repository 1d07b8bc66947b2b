import type { Knex } from 'knex';

/**
 * The 837P a payer expects and secondary claims:
 * - `claim_lines.line_control_number`: the REF*6R each line was sent with, unique within
 *   the claim, so an 835's SVC REF*6R finds its line;
 * - `claims.filing_indicator`, `prior_authorization`, `payer_responsibility` (SBR01 P/S/T):
 *   what the claim was billed as;
 * - several claims may share one interchange (a batch), so `claims.interchange_control_number`
 *   is no longer unique; `interchange_claims` keeps the map ISA13 ↔ claim (CLM01, frequency,
 *   position in the file), which a 999 (it names only the ISA13) is routed by;
 * - `appointments.secondary_coverage_id`: the visit's secondary coverage (COB);
 * - `encounters.rendering_name`, `rendering_taxonomy`: the rendering practitioner for 2310B.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('claim_lines', (t) => {
    t.string('line_control_number', 30);
    t.unique(['claim_id', 'line_control_number']);
  });
  await knex.schema.alterTable('claims', (t) => {
    t.string('filing_indicator', 2);
    t.text('prior_authorization');
    t.string('payer_responsibility', 1).notNullable().defaultTo('P');
    t.dropUnique(['interchange_control_number']);
    t.index(['interchange_control_number']);
  });
  await knex.schema.createTable('interchange_claims', (t) => {
    t.integer('interchange_control_number').notNullable();
    t.integer('claim_id').notNullable().references('claims.id');
    /** CLM01 as sent: the patient control number the 277CA and the 835 echo. */
    t.text('patient_control_number').notNullable();
    t.string('frequency', 1).notNullable();
    /** 1-based position of the claim in the interchange. */
    t.integer('position').notNullable();
    t.text('receiver_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['interchange_control_number', 'claim_id']);
    t.unique(['interchange_control_number', 'position']);
    t.index(['claim_id']);
  });
  // Claims sent before this migration were one per interchange: their map rows are their own.
  await knex.raw(`
    INSERT INTO interchange_claims (interchange_control_number, claim_id, patient_control_number, frequency, position, receiver_id)
    SELECT interchange_control_number, id, patient_control_number, frequency, 1, '' FROM claims`);
  await knex.schema.alterTable('appointments', (t) => {
    t.integer('secondary_coverage_id').references('coverages.id');
  });
  await knex.schema.alterTable('encounters', (t) => {
    t.jsonb('rendering_name');
    t.string('rendering_taxonomy', 10);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('encounters', (t) => {
    t.dropColumn('rendering_name');
    t.dropColumn('rendering_taxonomy');
  });
  await knex.schema.alterTable('appointments', (t) => t.dropColumn('secondary_coverage_id'));
  await knex.schema.dropTable('interchange_claims');
  await knex.schema.alterTable('claims', (t) => {
    t.dropIndex(['interchange_control_number']);
    t.unique(['interchange_control_number']);
    t.dropColumn('filing_indicator');
    t.dropColumn('prior_authorization');
    t.dropColumn('payer_responsibility');
  });
  await knex.schema.alterTable('claim_lines', (t) => {
    t.dropUnique(['claim_id', 'line_control_number']);
    t.dropColumn('line_control_number');
  });
}
