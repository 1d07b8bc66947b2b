import knexFactory, { type Knex } from 'knex';
import { migrationSource } from '../migrations';

export type Db = Knex;

export function createDb(connectionString: string, pool = { min: 0, max: 10 }): Db {
  return knexFactory({ client: 'pg', connection: connectionString, pool });
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = await db.migrate.latest({ migrationSource });
  return applied as string[];
}
