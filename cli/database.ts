/**
 * The database a CLI command works on, said out loud. With DATABASE_URL: that database. Without:
 * the embedded Postgres `npm start` made for this checkout's DATA_DIR, reached with the random
 * credentials kept in its data folder; anything else answering on EMBEDDED_PG_PORT (another
 * checkout's stack) refuses those credentials, and the command stops saying so instead of
 * writing keys or code sets into someone else's database.
 */
import { join, resolve } from 'node:path';
import type { Config } from '../config';
import { createDb, migrateLatest, type Db } from '../db/knex';
import { migrateAsOwner, pendingMigrations } from '../db/roles';
import { APP_ROLE, EMBEDDED_DATABASE, embeddedUrl, findEmbeddedCluster, OWNER_ROLE } from '../app/postgres';
import { InputError } from './errors';

export interface CliDatabase {
  url: string;
  /** Migrations run as this user first, when given. */
  ownerUrl?: string;
  /** What the command prints: which database, never a password. */
  described: string;
  embedded: boolean;
}

const withoutPassword = (url: string) => url.replace(/\/\/([^:@/]*)(:[^@]*)?@/, '//$1@');

export function cliDatabase(config: Config): CliDatabase {
  if (config.database.url) {
    return {
      url: config.database.url,
      ownerUrl: config.database.migrationUrl,
      described: `DATABASE_URL ${withoutPassword(config.database.url)}`,
      embedded: false,
    };
  }
  const pgDir = join(resolve(config.dataDir), 'pg');
  const cluster = findEmbeddedCluster(pgDir);
  if (!cluster) {
    throw new InputError(
      `no embedded Postgres of this checkout in ${pgDir} (start it with \`npm start\`), and DATABASE_URL is not set: refusing to use whatever answers on port ${config.database.embeddedPort}`,
    );
  }
  const port = config.database.embeddedPort;
  return {
    url: embeddedUrl(port, APP_ROLE, cluster.credentials.app, EMBEDDED_DATABASE),
    ownerUrl: embeddedUrl(port, OWNER_ROLE, cluster.credentials.owner, EMBEDDED_DATABASE),
    described: `embedded Postgres of this checkout (data ${cluster.dataDir}) on 127.0.0.1:${port}/${EMBEDDED_DATABASE}`,
    embedded: true,
  };
}

/** Connects as the app, migrating first (as the owner when there is one); `say` hears which database. */
export async function openCliDatabase(config: Config, say: (line: string) => void, poolMax = 1): Promise<Db> {
  const target = cliDatabase(config);
  say(`revcycle: database: ${target.described}\n`);
  const db = createDb(target.url, { min: 0, max: poolMax });
  try {
    const pending = await pendingMigrations(db);
    if (pending.length) {
      if (target.ownerUrl) await migrateAsOwner(target.ownerUrl, target.url);
      else await migrateLatest(db);
    }
  } catch (e) {
    await db.destroy();
    const err = e as Error & { code?: string };
    if (target.embedded && (err.code === '28P01' || err.code === '28000')) {
      throw new InputError(
        `the Postgres on port ${config.database.embeddedPort} is not this checkout's (it refused this checkout's credentials); stop the other stack, set EMBEDDED_PG_PORT, or set DATABASE_URL to use it on purpose`,
      );
    }
    throw new InputError(
      `cannot reach the database (${target.embedded ? `embedded Postgres on port ${config.database.embeddedPort}: is \`npm start\` running?` : 'DATABASE_URL'}): ${err.message}`,
    );
  }
  return db;
}
