/**
 * Two database users: the owner of revcycle's tables, who runs migrations, and the app, which
 * reads and writes the billing record but may only INSERT and SELECT `audit_log`. Not owning
 * the tables, the app cannot disable the append-only trigger, alter the chain, or grant itself
 * more (docs/security.md).
 */
import { createDb, migrateLatest, type Db } from './knex';
import { migrationSource } from '../migrations';

/** The user name a connection string logs in as. */
export const userOf = (url: string): string => decodeURIComponent(new URL(url).username);

/** What the app's user may do, granted by the owner after every migration (new tables included). */
export async function grantAppRole(owner: Db, appRole: string): Promise<void> {
  const quoted = `"${appRole.replace(/"/g, '""')}"`;
  await owner.raw(`GRANT USAGE ON SCHEMA public TO ${quoted}`);
  await owner.raw(`GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO ${quoted}`);
  await owner.raw(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${quoted}`);
  await owner.raw(`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM ${quoted}`);
  await owner.raw(`REVOKE ALL ON audit_chain_head, knex_migrations, knex_migrations_lock FROM ${quoted}`);
  await owner.raw(`GRANT SELECT ON audit_chain_head, knex_migrations, knex_migrations_lock TO ${quoted}`);
}

/** Migrations not yet applied to this database (read-only: the app's user may call it). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const all = await migrationSource.getMigrations([]);
  const hasTable = await db.schema.hasTable('knex_migrations');
  const done = new Set(hasTable ? (await db('knex_migrations').select('name')).map((r: { name: string }) => r.name) : []);
  return all.filter((m) => !done.has(m));
}

/**
 * Migrates as the owner (`ownerUrl`), then grants `appUrl`'s user the app's rights. Returns
 * the migrations applied; `afterApplied` runs as the owner when any were (rollup rebuilds).
 */
export async function migrateAsOwner(
  ownerUrl: string,
  appUrl: string | undefined,
  afterApplied?: (owner: Db, applied: string[]) => Promise<void>,
): Promise<string[]> {
  const owner = createDb(ownerUrl, { min: 0, max: 1 });
  try {
    const applied = await migrateLatest(owner);
    if (applied.length && afterApplied) await afterApplied(owner, applied);
    if (appUrl && userOf(appUrl) !== userOf(ownerUrl)) await grantAppRole(owner, userOf(appUrl));
    return applied;
  } finally {
    await owner.destroy();
  }
}
