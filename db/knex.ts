import knexFactory, { type Knex } from 'knex';
import { migrationSource } from '../migrations';

export type Db = Knex;

export function createDb(connectionString: string, pool = { min: 0, max: 10 }): Db {
  // compileSqlOnError: false keeps bound values (names, member ids) out of error messages and logs.
  return knexFactory({ client: 'pg', connection: connectionString, pool, compileSqlOnError: false });
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = await db.migrate.latest({ migrationSource });
  return applied as string[];
}
