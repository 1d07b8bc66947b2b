import type { Knex } from 'knex';

/**
 * API keys may expire (`revcycle keys create --expires-in 30d`), and a rotated key expires
 * after a grace period (`revcycle keys rotate ID`): `expires_at`, null for a key that never
 * does. `rotated_to` names the key that replaced it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.timestamp('expires_at', { useTz: true });
    t.text('rotated_to');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.dropColumn('expires_at');
    t.dropColumn('rotated_to');
  });
}
