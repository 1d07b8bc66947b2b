/**
 * The embedded Postgres `npm start` runs: a random superuser password made with the cluster
 * and kept in its data folder (0600), never the old fixed one; an owner and an app user; a
 * cluster made before all this has its fixed password replaced and its tables handed to the
 * owner on its next start.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { APP_ROLE, CREDENTIALS_FILE, findEmbeddedCluster, OWNER_ROLE, startEmbeddedPostgres, type EmbeddedCredentials } from './postgres';
import { freePort } from '../test/ports';

async function login(port: number, user: string, password: string, database = 'postgres'): Promise<string> {
  const client = new Client({ host: '127.0.0.1', port, user, password, database });
  try {
    await client.connect();
    return (await client.query('SELECT current_user AS u')).rows[0].u;
  } catch (err) {
    return `refused: ${(err as Error & { code?: string }).code}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'revcycle-pgpw-'));
  chmodSync(home, 0o755); // as root, Postgres runs as its own user and must reach the folder
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

test('a new cluster gets random passwords kept in its data folder (0600); the fixed one no longer opens it; a restart keeps them', async () => {
  mkdirSync(join(home, 'fresh'), { mode: 0o755 }); // DATA_DIR, as npm start makes it
  const dir = join(home, 'fresh', 'pg');
  const port = await freePort();
  let pg = await startEmbeddedPostgres({ dir, port, persistent: true });
  let credentials: EmbeddedCredentials;
  try {
    const file = join(pg.dataDir, CREDENTIALS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    credentials = JSON.parse(readFileSync(file, 'utf8'));
    expect(credentials.superuser).toMatch(/^[0-9a-f]{48}$/);
    expect(new Set([credentials.superuser, credentials.owner, credentials.app]).size).toBe(3);
    expect(await login(port, 'postgres', 'revcycle')).toBe('refused: 28P01');
    expect(await login(port, 'postgres', credentials.superuser)).toBe('postgres');
    expect(await login(port, OWNER_ROLE, credentials.owner)).toBe(OWNER_ROLE);
    expect(await login(port, APP_ROLE, credentials.app)).toBe(APP_ROLE);
    expect(pg.appUrl('revcycle')).toContain(`${APP_ROLE}:${credentials.app}@127.0.0.1:${port}/revcycle`);
    expect(findEmbeddedCluster(dir)).toEqual({ dataDir: pg.dataDir, credentials });
  } finally {
    await pg.stop();
  }
  pg = await startEmbeddedPostgres({ dir, port, persistent: false });
  try {
    expect(await login(port, 'postgres', credentials.superuser)).toBe('postgres');
  } finally {
    await pg.stop();
  }
});

test('a cluster from before random passwords: its fixed password is replaced, its tables handed to the owner', async () => {
  mkdirSync(join(home, 'legacy'), { mode: 0o755 });
  const dir = join(home, 'legacy', 'pg');
  const port = await freePort();
  let pg = await startEmbeddedPostgres({ dir, port, persistent: true });
  const old = JSON.parse(readFileSync(join(pg.dataDir, CREDENTIALS_FILE), 'utf8')) as EmbeddedCredentials;
  try {
    // Made the old way: the fixed superuser password, no credentials file, a database and table the superuser owns.
    const su = new Client({ connectionString: pg.url('postgres') });
    await su.connect();
    await su.query("ALTER ROLE postgres PASSWORD 'revcycle'");
    await su.query('CREATE DATABASE revcycle');
    await su.end();
    const db = new Client({ host: '127.0.0.1', port, user: 'postgres', password: 'revcycle', database: 'revcycle' });
    await db.connect();
    await db.query('CREATE TABLE audit_log (id bigserial PRIMARY KEY, actor text)');
    await db.end();
  } finally {
    await pg.stop();
  }
  unlinkSync(join(pg.dataDir, CREDENTIALS_FILE));

  pg = await startEmbeddedPostgres({ dir, port, persistent: false });
  try {
    const now = JSON.parse(readFileSync(join(pg.dataDir, CREDENTIALS_FILE), 'utf8')) as EmbeddedCredentials;
    expect(now.superuser).not.toBe(old.superuser);
    expect(await login(port, 'postgres', 'revcycle')).toBe('refused: 28P01');
    expect(await login(port, 'postgres', now.superuser)).toBe('postgres');
    await pg.createDatabase('revcycle');
    const owner = new Client({ connectionString: pg.ownerUrl('revcycle') });
    await owner.connect();
    const { rows } = await owner.query(
      `SELECT pg_get_userbyid(relowner) AS owner, relname FROM pg_class WHERE relname IN ('audit_log', 'audit_log_id_seq') ORDER BY relname`,
    );
    const db = await owner.query('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()');
    await owner.end();
    expect(rows).toEqual([
      { owner: OWNER_ROLE, relname: 'audit_log' },
      { owner: OWNER_ROLE, relname: 'audit_log_id_seq' },
    ]);
    expect(db.rows[0].owner).toBe(OWNER_ROLE);
  } finally {
    await pg.stop();
  }
});
