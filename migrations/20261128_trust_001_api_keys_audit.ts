import type { Knex } from 'knex';

/**
 * Who may call the API, and an audit trail nobody can rewrite.
 *
 * - `api_keys`: one row per key. Only a SHA-256 of the key's secret is stored (the
 *   secret is 32 random bytes, so a fast hash is enough: there is nothing to guess).
 *   A revoked key keeps its row, so the audit trail can still name it.
 * - `audit_log` (from the first migration) gains the caller's role and address, and a
 *   trigger that refuses UPDATE, DELETE and TRUNCATE: rows are only ever appended.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_keys', (t) => {
    t.text('id').primary(); // public part of the key: rck_<id>_<secret>
    t.text('name').notNullable();
    t.text('role').notNullable();
    t.text('secret_sha256').notNullable();
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
    t.text('revoked_by');
  });
  await knex.raw(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('front_desk', 'coder', 'biller', 'analyst', 'admin'))`);

  await knex.schema.alterTable('audit_log', (t) => {
    t.text('actor_role');
    /** The caller's address (API) or the process that acted (cli, workflow, pms). */
    t.text('source');
    t.index(['actor']);
    t.index(['action']);
    t.index(['at']);
  });
  await knex.raw(`
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await knex.raw(`CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
  await knex.raw(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log');
  await knex.raw('DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log');
  await knex.raw('DROP FUNCTION IF EXISTS audit_log_append_only()');
  await knex.schema.alterTable('audit_log', (t) => {
    t.dropIndex(['actor']);
    t.dropIndex(['action']);
    t.dropIndex(['at']);
    t.dropColumn('actor_role');
    t.dropColumn('source');
  });
  await knex.schema.dropTableIfExists('api_keys');
}
