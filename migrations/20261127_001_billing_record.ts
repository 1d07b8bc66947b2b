import type { Knex } from 'knex';

/**
 * The billing record: what the visit workflow's activities write, and what analysts
 * query. Money is integer cents (bigint); dates of service are `date`; instants are
 * `timestamptz`. Natural keys carry the unique constraints that make retried
 * activities harmless (a second insert conflicts and is ignored).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('patients', (t) => {
    t.text('patient_id').primary(); // the practice's MRN in the PMS
    t.text('first_name').notNullable();
    t.text('last_name').notNullable();
    t.date('birth_date').notNullable();
    t.string('sex', 1).notNullable();
    t.jsonb('address').notNullable();
    t.text('ehr_ref');
    t.timestamps(true, true);
  });

  await knex.schema.createTable('coverages', (t) => {
    t.increments('id');
    t.text('patient_id').notNullable().references('patients.patient_id');
    t.text('payer_id').notNullable();
    t.text('payer_name').notNullable();
    t.text('member_id').notNullable();
    t.text('group_number');
    t.text('relationship').notNullable();
    t.jsonb('subscriber');
    t.text('ehr_ref');
    t.timestamps(true, true);
    t.unique(['patient_id', 'payer_id', 'member_id']);
  });

  await knex.schema.createTable('appointments', (t) => {
    t.text('visit_id').primary();
    t.text('patient_id').notNullable().references('patients.patient_id');
    t.integer('coverage_id').notNullable().references('coverages.id');
    t.text('appointment_id');
    t.date('service_date').notNullable();
    t.string('provider_npi', 10).notNullable();
    t.string('place_of_service', 2).notNullable();
    t.text('status').notNullable().defaultTo('booked');
    t.text('ehr_ref');
    t.timestamps(true, true);
  });

  await knex.schema.createTable('eligibility_checks', (t) => {
    t.increments('id');
    t.text('visit_id').notNullable().references('appointments.visit_id');
    t.text('inquiry_key').notNullable().unique();
    t.boolean('active').notNullable();
    t.jsonb('benefits').notNullable();
    t.text('x12_request');
    t.text('x12_response');
    t.timestamp('checked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('encounters', (t) => {
    t.text('encounter_id').primary();
    t.text('visit_id').notNullable().unique().references('appointments.visit_id');
    t.date('service_date').notNullable();
    t.string('rendering_npi', 10).notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('diagnoses', (t) => {
    t.text('encounter_id').notNullable().references('encounters.encounter_id');
    t.integer('rank').notNullable();
    t.text('code').notNullable();
    t.primary(['encounter_id', 'rank']);
  });

  await knex.schema.createTable('procedures', (t) => {
    t.text('encounter_id').notNullable().references('encounters.encounter_id');
    t.integer('line_number').notNullable();
    t.text('code').notNullable();
    t.specificType('modifiers', 'text[]').notNullable();
    t.integer('units').notNullable();
    t.specificType('diagnosis_pointers', 'integer[]').notNullable();
    t.primary(['encounter_id', 'line_number']);
  });

  await knex.schema.createTable('charges', (t) => {
    t.increments('id');
    t.text('visit_id').notNullable().references('appointments.visit_id');
    t.integer('line_number').notNullable();
    t.text('code').notNullable();
    t.specificType('modifiers', 'text[]').notNullable();
    t.integer('units').notNullable();
    t.bigInteger('charge_cents').notNullable();
    t.text('pms_charge_id');
    t.text('idempotency_key').notNullable();
    t.timestamp('posted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['visit_id', 'line_number']);
  });

  // Interchange control numbers (ISA13) must never repeat for a sender.
  await knex.raw('CREATE SEQUENCE x12_interchange_control_seq MINVALUE 1 MAXVALUE 999999999 CYCLE');

  await knex.schema.createTable('claims', (t) => {
    t.increments('id');
    t.text('visit_id').notNullable().references('appointments.visit_id');
    /** 1 original, 7 replacement, 8 void: one row per submission of the visit's claim. */
    t.integer('attempt').notNullable();
    t.string('frequency', 1).notNullable();
    t.text('patient_control_number').notNullable();
    t.text('payer_claim_number');
    t.text('payer_id').notNullable();
    t.text('status').notNullable();
    t.bigInteger('billed_cents').notNullable();
    t.bigInteger('paid_cents').notNullable().defaultTo(0);
    t.bigInteger('patient_responsibility_cents').notNullable().defaultTo(0);
    t.integer('interchange_control_number').notNullable().unique();
    t.text('x12').notNullable();
    t.text('submission_id');
    t.timestamp('submitted_at', { useTz: true });
    t.timestamps(true, true);
    t.unique(['visit_id', 'attempt']);
  });

  await knex.schema.createTable('claim_lines', (t) => {
    t.integer('claim_id').notNullable().references('claims.id');
    t.integer('line_number').notNullable();
    t.text('code').notNullable();
    t.specificType('modifiers', 'text[]').notNullable();
    t.integer('units').notNullable();
    t.bigInteger('charge_cents').notNullable();
    t.bigInteger('paid_cents');
    t.primary(['claim_id', 'line_number']);
  });

  await knex.schema.createTable('claim_events', (t) => {
    t.increments('id');
    t.integer('claim_id').notNullable().references('claims.id');
    /** submitted | 999 | 277CA | 835 */
    t.text('kind').notNullable();
    t.text('status').notNullable();
    t.jsonb('detail').notNullable().defaultTo('{}');
    /** Fingerprint of the message that caused it, so a duplicate delivery records nothing twice. */
    t.text('source_key').notNullable();
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['claim_id', 'kind', 'source_key']);
  });

  await knex.schema.createTable('payments', (t) => {
    t.increments('id');
    t.integer('claim_id').notNullable().references('claims.id');
    t.text('visit_id').notNullable().references('appointments.visit_id');
    t.text('payer_id').notNullable();
    /** TRN02: the check or EFT trace number of the 835. */
    t.text('trace_number').notNullable();
    t.string('claim_status', 2).notNullable();
    t.bigInteger('charge_cents').notNullable();
    t.bigInteger('paid_cents').notNullable();
    t.bigInteger('patient_responsibility_cents').notNullable();
    t.date('paid_on');
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['claim_id', 'trace_number']);
  });

  await knex.schema.createTable('payment_adjustments', (t) => {
    t.increments('id');
    t.integer('payment_id').notNullable().references('payments.id');
    /** null for claim-level CAS, else the SVC line it belongs to. */
    t.integer('line_number');
    t.string('group_code', 2).notNullable();
    t.text('carc').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.specificType('rarcs', 'text[]').notNullable().defaultTo('{}');
  });

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.text('key').primary();
    t.jsonb('result').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  /** Inbound files and messages, stored before they are acted on, so nothing received is lost. */
  await knex.schema.createTable('inbound_messages', (t) => {
    t.increments('id');
    t.text('channel').notNullable(); // clearinghouse | ehr | hl7
    t.text('message_key').notNullable();
    t.text('kind').notNullable();
    t.text('body').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['channel', 'message_key']);
  });

  /** Who did what to which visit. Ids only: no names, dates of birth or member ids. */
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('action').notNullable();
    t.text('visit_id');
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.index(['visit_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'audit_log',
    'inbound_messages',
    'idempotency_keys',
    'payment_adjustments',
    'payments',
    'claim_events',
    'claim_lines',
    'claims',
    'charges',
    'procedures',
    'diagnoses',
    'encounters',
    'eligibility_checks',
    'appointments',
    'coverages',
    'patients',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('DROP SEQUENCE IF EXISTS x12_interchange_control_seq');
}
