/** Shared pieces for integration tests: a fresh database per test file, the shared Temporal server. */
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { createDb, migrateLatest, type Db } from '../db/knex';

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error('TEST_PG_ADMIN_URL is not set: integration tests run under jest project "int"');
  return url;
}

export async function createTestDb(): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const name = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new PgClient({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = adminUrl().replace(/\/postgres$/, `/${name}`);
  const db = createDb(url, { min: 0, max: 5 });
  await migrateLatest(db);
  return { db, url, drop: () => db.destroy() };
}

export const temporalAddress = () => {
  const a = process.env.TEST_TEMPORAL_ADDRESS;
  if (!a) throw new Error('TEST_TEMPORAL_ADDRESS is not set: integration tests run under jest project "int"');
  return a;
};

let runtimeInstalled = false;

export async function temporalClients(dataConverter?: DataConverter): Promise<{ client: Client; nativeConnection: NativeConnection; close(): Promise<void> }> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') }); // retried activity failures (WARN) would drown test output
    runtimeInstalled = true;
  }
  const connection = await Connection.connect({ address: temporalAddress() });
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress() });
  return {
    client: new Client({ connection, dataConverter }),
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

export const uniqueId = (prefix = 'v') => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Polls until `check` returns a value, without timing assertions: the jest timeout is the only limit. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, intervalMs = 100): Promise<T> {
  for (;;) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
