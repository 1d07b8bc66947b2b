import type { Knex } from 'knex';

/**
 * The ICD-10-CM tabular's instructional notes, per release: Excludes1 (two codes that may
 * never be reported together), "code first" (a manifestation code is not listed first)
 * and "use additional code". A note written at a code applies to every code under it;
 * `targets` are the codes and ranges it names, billed form (E10 for "E10.-", O00-O9A).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('icd10cm_notes', (t) => {
    t.integer('release_id').notNullable().references('rule_releases.id').onDelete('CASCADE');
    t.text('code').notNullable();
    /** excludes1, code_first, use_additional */
    t.text('kind').notNullable();
    t.text('note').notNullable();
    t.specificType('targets', 'text[]').notNullable();
    t.index(['release_id', 'code']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('icd10cm_notes');
}
