import type { Knex } from 'knex';

/**
 * A hash chain over `audit_log`, so a row changed or removed by anyone who can get past the
 * append-only trigger (the tables' owner, a superuser, a restored backup) is found by
 * `revcycle audit verify` (db/audit-chain.ts).
 *
 * Each row stores `chain_seq` (1, 2, 3, … with no gap), `prev_hash` (the previous row's
 * `row_hash`; 64 zeros for the first) and `row_hash` = SHA-256 hex of prev_hash followed by
 * the row's canonical content: seq, at (UTC, microseconds), actor, action, visit_id,
 * detail (jsonb text), actor_role, source, each written `<utf-8 byte length>:<text>;`, or
 * `N;` for null.
 *
 * A BEFORE INSERT trigger fills them in; whatever the inserter sent for them is overwritten.
 * Appends are serialised by a single-row chain head locked FOR UPDATE until the inserting
 * transaction commits: the sequence ids of concurrent inserts can commit out of order, the
 * chain cannot. The trigger function is SECURITY DEFINER (runs as the tables' owner), so the
 * app's database user needs no right on the chain head beyond reading it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE audit_log ADD COLUMN chain_seq bigint, ADD COLUMN prev_hash text, ADD COLUMN row_hash text`);
  await knex.raw(`CREATE TABLE audit_chain_head (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq bigint NOT NULL,
    hash text NOT NULL
  )`);
  await knex.raw(`INSERT INTO audit_chain_head (id, seq, hash) VALUES (true, 0, repeat('0', 64))`);
  await knex.raw(`
    CREATE FUNCTION audit_log_canonical(seq bigint, at timestamptz, actor text, action text, visit_id text, detail jsonb, actor_role text, source text)
    RETURNS text LANGUAGE sql STABLE AS $$
      SELECT string_agg(CASE WHEN f IS NULL THEN 'N;' ELSE octet_length(f)::text || ':' || f || ';' END, '' ORDER BY n)
      FROM unnest(ARRAY[
        seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), actor, action, visit_id, detail::text, actor_role, source
      ]) WITH ORDINALITY AS u(f, n)
    $$`);
  await knex.raw(`
    CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
      head_seq bigint;
      head_hash text;
    BEGIN
      SELECT seq, hash INTO head_seq, head_hash FROM audit_chain_head WHERE id FOR UPDATE;
      NEW.chain_seq := head_seq + 1;
      NEW.prev_hash := head_hash;
      NEW.row_hash := encode(sha256(convert_to(head_hash || audit_log_canonical(
        NEW.chain_seq, NEW.at, NEW.actor, NEW.action, NEW.visit_id, NEW.detail, NEW.actor_role, NEW.source), 'UTF8')), 'hex');
      UPDATE audit_chain_head SET seq = NEW.chain_seq, hash = NEW.row_hash WHERE id;
      RETURN NEW;
    END $$`);

  // Rows written before the chain existed join it in id order (the append-only trigger is lifted
  // for this one statement's transaction: the migration runs as the owner, in a transaction).
  await knex.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete');
  await knex.raw(`
    DO $$
    DECLARE r record; s bigint := 0; h text := repeat('0', 64); nh text;
    BEGIN
      FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
        s := s + 1;
        nh := encode(sha256(convert_to(h || audit_log_canonical(s, r.at, r.actor, r.action, r.visit_id, r.detail, r.actor_role, r.source), 'UTF8')), 'hex');
        UPDATE audit_log SET chain_seq = s, prev_hash = h, row_hash = nh WHERE id = r.id;
        h := nh;
      END LOOP;
      UPDATE audit_chain_head SET seq = s, hash = h WHERE id;
    END $$`);
  await knex.raw('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete');
  await knex.raw('CREATE UNIQUE INDEX audit_log_chain_seq ON audit_log (chain_seq)');
  await knex.raw('CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS audit_log_chain ON audit_log');
  await knex.raw('DROP FUNCTION IF EXISTS audit_log_chain()');
  await knex.raw('DROP FUNCTION IF EXISTS audit_log_canonical(bigint, timestamptz, text, text, text, jsonb, text, text)');
  await knex.raw('DROP TABLE IF EXISTS audit_chain_head');
  await knex.raw('DROP INDEX IF EXISTS audit_log_chain_seq');
  await knex.raw('ALTER TABLE audit_log DROP COLUMN chain_seq, DROP COLUMN prev_hash, DROP COLUMN row_hash');
}
