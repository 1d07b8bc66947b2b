import type { Knex } from 'knex';

/**
 * The Medicare Physician Fee Schedule as data, each file its own release
 * (`rule_releases.kind` pfs_rvu, pfs_gpci, pfs_locality): RVUs per code, GPCIs per
 * locality and the ZIP-to-locality map. `line` is the row's line in the file it came
 * from, so a priced amount can cite the row that priced it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pfs_rvus', (t) => {
    t.integer('release_id').notNullable().references('rule_releases.id').onDelete('CASCADE');
    t.integer('line').notNullable();
    t.text('code').notNullable();
    t.text('modifier');
    t.text('status').notNullable();
    t.decimal('work', 8, 3).notNullable();
    t.decimal('non_facility_pe', 8, 3).notNullable();
    t.decimal('facility_pe', 8, 3).notNullable();
    t.decimal('mp', 8, 3).notNullable();
    t.text('multiple_procedure').notNullable();
    t.text('bilateral').notNullable();
    t.decimal('conversion_factor', 10, 4);
    t.index(['release_id', 'code']);
  });
  await knex.schema.createTable('pfs_gpcis', (t) => {
    t.integer('release_id').notNullable().references('rule_releases.id').onDelete('CASCADE');
    t.integer('line').notNullable();
    t.text('contractor').notNullable();
    t.text('locality').notNullable();
    t.text('name').notNullable();
    t.decimal('work', 6, 3).notNullable();
    t.decimal('pe', 6, 3).notNullable();
    t.decimal('mp', 6, 3).notNullable();
    t.index(['release_id', 'contractor', 'locality']);
  });
  await knex.schema.createTable('pfs_zip_localities', (t) => {
    t.integer('release_id').notNullable().references('rule_releases.id').onDelete('CASCADE');
    t.integer('line').notNullable();
    t.text('zip').notNullable();
    t.text('contractor').notNullable();
    t.text('locality').notNullable();
    t.index(['release_id', 'zip']);
  });
  // What priced a charge line's expected amount (the Medicare formula with its file rows); null: the fee schedule.
  await knex.schema.alterTable('charges', (t) => {
    t.text('priced_by');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('charges', (t) => {
    t.dropColumn('priced_by');
  });
  await knex.schema.dropTableIfExists('pfs_zip_localities');
  await knex.schema.dropTableIfExists('pfs_gpcis');
  await knex.schema.dropTableIfExists('pfs_rvus');
}
