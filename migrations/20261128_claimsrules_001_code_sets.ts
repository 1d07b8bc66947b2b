import type { Knex } from 'knex';

/**
 * Code sets, edits, payer rules and fee schedules as data (docs/scrubber.md). Every file
 * loaded is a release (`rule_releases`, keyed by its SHA-256, so loading it twice does
 * nothing); the rows of a release carry its id. A ruleset is a set of releases, named by
 * a hash of their contents; the claim row records the ruleset that scrubbed it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rule_releases', (t) => {
    t.increments('id');
    /** icd10cm, cpt, hcpcs, ncci_ptp, mue, payer_rules, scrub_rules */
    t.text('kind').notNullable();
    t.text('name').notNullable();
    t.text('sha256').notNullable();
    t.date('effective_from');
    t.date('effective_to');
    t.integer('row_count').notNullable().defaultTo(0);
    /** The parsed file, for the small JSON rule files. */
    t.jsonb('content');
    t.timestamp('loaded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['kind', 'sha256']);
  });

  await knex.schema.createTable('icd10cm_codes', (t) => {
    t.integer('release_id').notNullable().references('rule_releases.id').onDelete('CASCADE');
    t.text('code').notNullable(); // without the decimal point, as billed
    t.text('description').notNullable();
    t.boolean('billable').notNullable();
    t.text('parent');
    t.date('effective_from').notNullable();
    /** The day before the next release that covers later dates, or the release's own end; null while current. */
    t.date('effective_to');
    t.primary(['release_id', 'code']);
    t.index(['code']);
    t.index(['release_id', 'parent']);
  });

  await knex.schema.createTable('procedure_codes', (t) => {
    t.integer('release_id').notNullable().references('rule_releases.id').onDelete('CASCADE');
    t.text('system').notNullable(); // CPT or HCPCS
    t.text('code').notNullable();
    t.text('description').notNullable();
    t.date('effective_from');
    t.date('effective_to');
    t.primary(['release_id', 'code']);
    t.index(['code']);
  });

  await knex.schema.createTable('ncci_ptp_edits', (t) => {
    t.integer('release_id').notNullable().references('rule_releases.id').onDelete('CASCADE');
    t.text('column1').notNullable();
    t.text('column2').notNullable();
    t.date('effective_from').notNullable();
    t.date('deleted_on');
    t.string('modifier_indicator', 1).notNullable();
    t.primary(['release_id', 'column1', 'column2', 'effective_from']);
    t.index(['release_id', 'column2']);
  });

  await knex.schema.createTable('mue_limits', (t) => {
    t.integer('release_id').notNullable().references('rule_releases.id').onDelete('CASCADE');
    t.text('code').notNullable();
    t.integer('max_units').notNullable();
    t.string('adjudication_indicator', 1).notNullable();
    t.text('rationale').notNullable().defaultTo('');
    t.primary(['release_id', 'code']);
  });

  await knex.schema.createTable('payer_rules', (t) => {
    t.integer('release_id').notNullable().references('rule_releases.id').onDelete('CASCADE');
    t.text('payer_id').notNullable(); // '*' = the default
    t.text('filing_indicator').notNullable();
    t.integer('timely_filing_days').notNullable();
    t.specificType('prior_auth_codes', 'text[]').notNullable();
    t.primary(['release_id', 'payer_id']);
  });

  await knex.schema.createTable('rulesets', (t) => {
    t.text('version').primary();
    t.specificType('release_ids', 'integer[]').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('fee_schedule', (t) => {
    t.increments('id');
    t.text('payer_id').notNullable(); // '*' = the default schedule
    t.string('provider_npi', 10).notNullable().defaultTo(''); // '' = any provider
    t.text('code').notNullable();
    t.string('modifier', 2).notNullable().defaultTo(''); // '' = any modifier
    t.date('effective_from').notNullable();
    t.date('effective_to');
    t.bigInteger('charge_cents').notNullable();
    t.bigInteger('expected_cents').notNullable();
    t.text('source').notNullable();
    t.timestamp('loaded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['payer_id', 'provider_npi', 'code', 'modifier', 'effective_from']);
    t.index(['code']);
  });

  await knex.schema.alterTable('claims', (t) => {
    t.text('ruleset_version');
  });
  await knex.schema.alterTable('charges', (t) => {
    t.bigInteger('expected_cents');
  });
  await knex.schema.alterTable('appointments', (t) => {
    t.text('prior_authorization');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('appointments', (t) => t.dropColumn('prior_authorization'));
  await knex.schema.alterTable('charges', (t) => t.dropColumn('expected_cents'));
  await knex.schema.alterTable('claims', (t) => t.dropColumn('ruleset_version'));
  for (const table of ['fee_schedule', 'rulesets', 'payer_rules', 'mue_limits', 'ncci_ptp_edits', 'procedure_codes', 'icd10cm_codes', 'rule_releases']) {
    await knex.schema.dropTable(table);
  }
}
