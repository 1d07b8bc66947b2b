import type { Knex } from 'knex';

/**
 * The KPI rollups (domain/reporting/kpi-rollup.ts, docs/analytics.md): daily × payer ×
 * provider × CPT sums the KPIs read instead of adding up `visit_facts`, kept current by
 * the transaction that records each visit event; and a partial index on open visits
 * that wait for someone, for the work queues. Existing facts are rolled up once by
 * connectDb (app/services.ts) right after this migration runs (rebuildRollups).
 */
export async function up(knex: Knex): Promise<void> {
  const dims = (t: Knex.CreateTableBuilder) => {
    t.text('cpt').notNullable();
    t.date('service_date').notNullable();
    t.text('payer_id').notNullable();
    t.text('provider_npi').notNullable();
  };
  await knex.schema.createTable('kpi_daily', (t) => {
    dims(t);
    for (const m of [
      'visits',
      'first_pass_accepted',
      'first_pass_decided',
      'claims_submitted',
      'clean_claims',
      'adjudicated',
      'initial_denied',
      'billed_cents',
      'paid_cents',
      'contractual_cents',
      'patient_responsibility_cents',
      'patient_paid_cents',
      'ar_cents',
      'denied_cents',
      'lines',
      'line_billed_cents',
      'line_paid_cents',
      'line_denied_cents',
    ])
      t.bigInteger(m).notNullable().defaultTo(0);
    t.primary(['cpt', 'service_date', 'payer_id', 'provider_npi']);
  });
  await knex.schema.createTable('kpi_daily_lags', (t) => {
    t.text('kind').notNullable();
    dims(t);
    t.decimal('value', 10, 1).notNullable();
    t.bigInteger('visits').notNullable().defaultTo(0);
    t.primary(['cpt', 'kind', 'service_date', 'payer_id', 'provider_npi', 'value']);
  });
  await knex.schema.createTable('kpi_daily_carcs', (t) => {
    dims(t);
    t.text('carc').notNullable();
    t.bigInteger('denied').notNullable().defaultTo(0);
    t.primary(['cpt', 'service_date', 'payer_id', 'provider_npi', 'carc']);
  });
  await knex.raw(`CREATE INDEX visit_facts_open_queue ON visit_facts (awaiting_action, awaiting_since)
    INCLUDE (payer_id) WHERE awaiting_action IS NOT NULL AND outcome IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS visit_facts_open_queue');
  await knex.schema.dropTableIfExists('kpi_daily_carcs');
  await knex.schema.dropTableIfExists('kpi_daily_lags');
  await knex.schema.dropTableIfExists('kpi_daily');
}
