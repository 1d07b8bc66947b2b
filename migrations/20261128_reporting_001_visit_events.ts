import type { Knex } from 'knex';

/**
 * The analysts' tables (docs/analytics.md): `visit_events`, one row per thing that
 * happened to a visit, keyed so a retried activity writes nothing twice; and
 * `visit_facts` / `visit_fact_lines`, one row per visit (and claim line) folded from
 * those events as they are written, which the KPIs and work queues read.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('visit_events', (t) => {
    t.bigIncrements('id');
    t.text('event_key').notNullable().unique();
    t.text('visit_id').notNullable();
    t.text('event_type').notNullable();
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.text('stage');
    t.text('awaiting_action');
    t.integer('claim_attempt');
    t.text('payer_id');
    t.string('provider_npi', 10);
    t.date('service_date');
    t.specificType('cpt_codes', 'text[]').notNullable().defaultTo('{}');
    t.specificType('carc_codes', 'text[]').notNullable().defaultTo('{}');
    t.bigInteger('amount_cents');
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.index(['visit_id', 'occurred_at']);
    t.index(['event_type', 'occurred_at']);
  });

  await knex.schema.createTable('visit_facts', (t) => {
    t.text('visit_id').primary();
    t.text('payer_id');
    t.string('provider_npi', 10);
    t.date('service_date');
    t.specificType('cpt_codes', 'text[]').notNullable().defaultTo('{}');
    t.text('stage').notNullable();
    t.text('awaiting_action');
    t.timestamp('awaiting_since', { useTz: true });
    t.text('outcome');
    t.boolean('coding_review').notNullable().defaultTo(false);
    t.timestamp('encounter_signed_at', { useTz: true });
    t.timestamp('charges_posted_at', { useTz: true });
    t.timestamp('first_submitted_at', { useTz: true });
    t.text('first_pass');
    t.timestamp('accepted_at', { useTz: true });
    t.text('first_adjudication');
    t.specificType('initial_denial_carcs', 'text[]').notNullable().defaultTo('{}');
    t.bigInteger('billed_cents').notNullable().defaultTo(0);
    t.bigInteger('paid_cents').notNullable().defaultTo(0);
    t.bigInteger('contractual_cents').notNullable().defaultTo(0);
    t.bigInteger('patient_responsibility_cents').notNullable().defaultTo(0);
    t.bigInteger('patient_paid_cents').notNullable().defaultTo(0);
    t.bigInteger('written_off_cents').notNullable().defaultTo(0);
    /** Derived when the row is written (domain/reporting/visit-facts.ts), so reports only add them up. */
    t.bigInteger('ar_cents').notNullable().defaultTo(0);
    t.bigInteger('denied_cents').notNullable().defaultTo(0);
    t.integer('charge_lag_days');
    t.decimal('claim_lag_hours', 10, 1);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE INDEX visit_facts_service_date ON visit_facts (service_date, payer_id)');
  await knex.raw('CREATE INDEX visit_facts_cpt ON visit_facts USING gin (cpt_codes)');
  await knex.raw('CREATE INDEX visit_facts_awaiting ON visit_facts (awaiting_action, awaiting_since) WHERE awaiting_action IS NOT NULL');
  await knex.raw('CREATE INDEX visit_facts_open_ar ON visit_facts (payer_id, service_date) INCLUDE (ar_cents) WHERE ar_cents > 0');

  await knex.schema.createTable('visit_fact_lines', (t) => {
    t.text('visit_id').notNullable().references('visit_facts.visit_id');
    t.integer('line_number').notNullable();
    t.text('code').notNullable();
    t.date('service_date');
    t.text('payer_id');
    t.string('provider_npi', 10);
    t.bigInteger('billed_cents').notNullable();
    t.bigInteger('paid_cents').notNullable();
    t.bigInteger('denied_cents').notNullable();
    t.primary(['visit_id', 'line_number']);
  });
  await knex.raw('CREATE INDEX visit_fact_lines_date ON visit_fact_lines (service_date, code)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('visit_fact_lines');
  await knex.schema.dropTableIfExists('visit_facts');
  await knex.schema.dropTableIfExists('visit_events');
}
