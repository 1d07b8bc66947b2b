/** Shared pieces for integration tests: a fresh database per test file, the shared Temporal server. */
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import request from 'supertest';
import { createApiKey } from '../db/api-keys';
import { createDb, type Db } from '../db/knex';
import { migrateAsOwner, userOf } from '../db/roles';
import type { Role } from '../domain/roles';

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error('TEST_PG_ADMIN_URL is not set: integration tests run under jest project "int"');
  return url;
}

const inDatabase = (serverUrl: string, name: string) => serverUrl.replace(/\/postgres$/, `/${name}`);

/**
 * A fresh database for one test file, owned by the owner role and used as the app role, as
 * `npm start` does: `db` and `url` are the app's (audit_log: INSERT and SELECT only);
 * `ownerUrl` is for a test that must act as the owner of the tables.
 */
export async function createTestDb(): Promise<{ db: Db; url: string; ownerUrl: string; drop(): Promise<void> }> {
  const name = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new PgClient({ connectionString: adminUrl() });
  await admin.connect();
  // A copy of the run's template database (test/global-setup.ts): migrated, code sets loaded, the app's rights granted.
  const template = process.env.TEST_PG_TEMPLATE;
  const owner = process.env.TEST_PG_OWNER_URL ? userOf(process.env.TEST_PG_OWNER_URL) : undefined;
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}${owner ? ` OWNER ${owner}` : ''}`);
  await admin.end();
  const ownerUrl = inDatabase(process.env.TEST_PG_OWNER_URL ?? adminUrl(), name);
  const url = inDatabase(process.env.TEST_PG_APP_URL ?? adminUrl(), name);
  await migrateAsOwner(ownerUrl, url);
  const db = createDb(url, { min: 0, max: 5 });
  return { db, url, ownerUrl, drop: () => db.destroy() };
}

export const temporalAddress = () => {
  const a = process.env.TEST_TEMPORAL_ADDRESS;
  if (!a) throw new Error('TEST_TEMPORAL_ADDRESS is not set: integration tests run under jest project "int"');
  return a;
};

let runtimeInstalled = false;

export async function temporalClients(
  dataConverter?: DataConverter,
  address: string = temporalAddress(),
): Promise<{ client: Client; nativeConnection: NativeConnection; close(): Promise<void> }> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') }); // retried activity failures (WARN) would drown test output
    runtimeInstalled = true;
  }
  // The SDK retries transient gRPC errors on a timer; a timer that fires after the channel is closed
  // throws "Channel has been shut down" into whichever test file runs next. So close() first stops
  // further retries, waits for the calls still under way to end, and only then closes the channel.
  const pending = new Set<object>();
  let closing = false;
  const defaults = defaultGrpcRetryOptions();
  const connection = await Connection.connect({
    address,
    interceptors: [
      trackCalls(pending),
      makeGrpcRetryInterceptor({
        retryableDecider: (attempt, status) => !closing && defaults.retryableDecider(attempt, status),
        delayFunction: defaults.delayFunction,
      }),
    ],
  });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection, dataConverter }),
    nativeConnection,
    async close() {
      closing = true;
      for (let waited = 0; pending.size > 0 && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** Counts the calls under way, from their start to their final status (retries included: this wraps the retry interceptor). */
function trackCalls(pending: Set<object>): Interceptor {
  return (options, nextCall) => {
    const call = {};
    return new InterceptingCall(nextCall(options), {
      start(metadata, _listener, next) {
        pending.add(call);
        next(metadata, {
          onReceiveStatus(status, nextStatus) {
            pending.delete(call);
            nextStatus(status);
          },
        });
      },
    });
  };
}

export const uniqueId = (prefix = 'v') => `${prefix}-${randomUUID().slice(0, 8)}`;

/**
 * Polls until `check` returns a value. Not a timing assertion: the limit (below the jest timeout)
 * only makes a stuck wait fail saying what it waited for, instead of jest's bare timeout.
 */
export async function eventually<T>(check: () => Promise<T | undefined | false>, opts: { what: string; timeoutMs?: number; intervalMs?: number }): Promise<T> {
  const { what, timeoutMs = 55_000, intervalMs = 100 } = opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() >= deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; it did not happen`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Requests that carry `Authorization: Bearer <key>`: what every test calling the API uses. */
export interface Api {
  key: string;
  get(path: string): request.Test;
  post(path: string): request.Test;
  put(path: string): request.Test;
  delete(path: string): request.Test;
}

export function authedApi(target: string | Parameters<typeof request>[0], key: string): Api {
  const auth = { authorization: `Bearer ${key}` };
  return {
    key,
    get: (path) => request(target).get(path).set(auth),
    post: (path) => request(target).post(path).set(auth),
    put: (path) => request(target).put(path).set(auth),
    delete: (path) => request(target).delete(path).set(auth),
  };
}

/** A fresh API key with `role` in the test database, and requests made with it. */
export async function apiAs(db: Db, target: string | Parameters<typeof request>[0], role: Role): Promise<Api> {
  const { key } = await createApiKey(db, { name: `test ${role}`, role, createdBy: 'test', source: 'test' });
  return authedApi(target, key);
}
