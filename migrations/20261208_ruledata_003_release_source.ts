import type { Knex } from 'knex';

/** Where each rule file came from (a registry package and its file, CMS's zip, a seed in data/): shown beside its release name and checksum. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rule_releases', (t) => {
    t.text('source');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rule_releases', (t) => {
    t.dropColumn('source');
  });
}
