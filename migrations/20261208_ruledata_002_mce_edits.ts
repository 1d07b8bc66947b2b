import type { Knex } from 'knex';

/**
 * The Medicare Code Editor's sex and age lists as data: which ICD-10-CM codes are for
 * newborns (age 0), children (0-17), maternity (9-64), adults (15-124), females only or
 * males only, per MCE release (`rule_releases.kind = 'mce'`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mce_edits', (t) => {
    t.integer('release_id').notNullable().references('rule_releases.id').onDelete('CASCADE');
    /** newborn, pediatric, maternity, adult, female, male */
    t.text('edit').notNullable();
    t.text('code').notNullable();
    t.integer('min_age');
    t.integer('max_age');
    t.index(['release_id', 'code']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mce_edits');
}
