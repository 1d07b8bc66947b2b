/** The Express app over a real Temporal client and a fresh test database, for API-level integration tests (no worker). */
import type { Client } from '@temporalio/client';
import { createApp } from '../api/app';
import type { Db } from '../db/knex';
import { TEST_WEBHOOKS } from './secrets';
import { apiAs, createTestDb, temporalClients, uniqueId } from './support';

export const testTimers = { coverageDeadlineMs: 60_000, ackTimeoutMs: 60_000, adjudicationTimeoutMs: 60_000 };

export async function startApiUnderTest(queuePrefix: string) {
  const temporal = await temporalClients();
  const database = await createTestDb();
  const logged: string[] = [];
  const app = createApp({
    temporal: temporal.client,
    db: database.db,
    taskQueue: uniqueId(queuePrefix),
    timers: testTimers,
    webhooks: TEST_WEBHOOKS,
    log: (msg) => void logged.push(msg),
  });
  return {
    app,
    logged,
    temporal: temporal.client as Client,
    db: database.db as Db,
    databaseUrl: database.url,
    /** Requests with an admin key (routes need a bearer credential; webhooks sign instead). */
    admin: await apiAs(database.db, app, 'admin'),
    async stop() {
      await database.drop();
      await temporal.close();
    },
  };
}
