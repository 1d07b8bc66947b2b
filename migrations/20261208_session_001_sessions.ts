/**
 * Browser sessions: a person signs in once (an OIDC login, or in development an API key
 * exchanged on the sign-in page) and the browser holds only a random session id in an
 * HttpOnly cookie. Only SHA-256 of that id is stored, so a copy of this table opens no
 * session. A session ends at `expires_at` (absolute), after `idle_ms` without use, or when
 * revoked (sign-out, or the API key it came from is revoked).
 *
 * `oidc_logins` holds an OIDC authorization request between the redirect to the identity
 * provider and its answer: the PKCE verifier and nonce stay on the server, the browser
 * carries only the state (hashed here) in the redirect and a cookie binding it to itself.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (t) => {
    t.text('id_sha256').primary();
    /** `key:<id>` or `oidc:<subject>`: the actor the audit trail records. */
    t.text('actor').notNullable();
    t.specificType('roles', 'text[]').notNullable();
    /** The API key the session was exchanged for; revoking the key ends the session. */
    t.text('api_key_id').references('api_keys.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.bigInteger('idle_ms').notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.text('source');
  });
  await knex.schema.createTable('oidc_logins', (t) => {
    t.text('state_sha256').primary();
    t.text('code_verifier').notNullable();
    t.text('nonce').notNullable();
    t.text('return_to').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oidc_logins');
  await knex.schema.dropTable('sessions');
}
