/** The long-running pieces, each startable on its own (docker-compose) or together (npm start). */
import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Server } from 'node:http';
import { existsSync, chmodSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createApp, type SecurityOptions } from '../api/app';
import { createApiKey } from '../db/api-keys';
import type { Config } from '../config';
import { createDb, migrateLatest, type Db } from '../db/knex';
import { migrateAsOwner, pendingMigrations } from '../db/roles';
import { StartupError } from './startup-error';
import { rebuildRollups } from '../db/visit-events';
import { phiDataConverter } from '../temporal/codec';
import { temporalConnectionOptions } from '../temporal/connection';
import { deadlineConnectionOptions } from '../temporal/deadline';
import { log } from './log';
import type { Stoppable } from './main';
import { createVisitWorker } from './worker';
import { buildActivities, ehrJwksOf, startPmsFeed, visitTimers, type Endpoints } from './wiring';
import { ENCOUNTER_SWEEP_SCHEDULE_ID, ENCOUNTER_SWEEP_WORKFLOW_ID, encounterSweepWorkflowType } from '../workflows/definitions';

const KPI_ROLLUPS_MIGRATION = '20261129_reports2_001_kpi_rollups';

/** After migrations: the KPI rollups start from the facts already recorded (a migration may not import our code). */
async function afterMigrations(db: Db, applied: string[]): Promise<void> {
  log('info', 'migrations applied', { applied });
  if (applied.includes(KPI_ROLLUPS_MIGRATION)) await rebuildRollups(db);
}

/**
 * Runs the migrations as the owner of the tables (DATABASE_MIGRATION_URL), then grants
 * `appUrl`'s user the app's rights. What the `migrate` service and `npm start` run once.
 */
export function migrateDatabase(ownerUrl: string, appUrl: string): Promise<string[]> {
  return migrateAsOwner(ownerUrl, appUrl, afterMigrations);
}

/**
 * The app's pool on `url`. Migrations: as the owner first when DATABASE_MIGRATION_URL is set;
 * otherwise a process never migrates in production (the `migrate` service does) and stops if
 * any is missing; in development, with one database user, it migrates with `url` as before.
 */
export async function connectDb(config: Config, url: string): Promise<Db & Stoppable> {
  const { migrationUrl, poolMax } = config.database;
  if (migrationUrl) await migrateDatabase(migrationUrl, url);
  const db = createDb(url, { min: 0, max: poolMax });
  try {
    const pending = await pendingMigrations(db);
    if (pending.length) {
      if (config.env === 'production' || migrationUrl) {
        throw new StartupError(
          'Postgres',
          `${pending.length} migration(s) not applied, first ${pending[0]}`,
          'run the migrate service (app/migrate-main.ts, with DATABASE_MIGRATION_URL) before the api and workers',
        );
      }
      const applied = await migrateLatest(db);
      if (applied.length) await afterMigrations(db, applied);
    }
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return Object.assign(db, { stop: () => db.destroy() });
}

/**
 * Every Temporal client and worker of revcycle encodes failure text as payloads and seals
 * payloads with the configured keys (none configured: development only), each bound to its workflow.
 */
export function dataConverterOf(config: Config) {
  return phiDataConverter(config.codec, { scheduledWorkflowIds: [ENCOUNTER_SWEEP_WORKFLOW_ID] });
}

export async function temporalClient(config: Config, address: string): Promise<{ client: Client; stop(): Promise<void> }> {
  const connection = await Connection.connect({
    ...deadlineConnectionOptions(address, config.temporal.callTimeoutMs),
    ...temporalConnectionOptions(config.temporal, address),
  });
  return { client: new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterOf(config) }), stop: () => connection.close() };
}

/** The encounter sweep runs on a Temporal Schedule: created once, kept in step with configuration. */
export async function ensureEncounterSweep(config: Config, temporal: Client): Promise<void> {
  const { everyMs, lookbackMs } = config.encounterSweep;
  const schedule = {
    spec: { intervals: [{ every: everyMs }] },
    action: {
      type: 'startWorkflow' as const,
      workflowId: ENCOUNTER_SWEEP_WORKFLOW_ID,
      workflowType: encounterSweepWorkflowType,
      taskQueue: config.temporal.taskQueue,
      args: [{ lookbackMs }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
  try {
    await temporal.schedule.create({ scheduleId: ENCOUNTER_SWEEP_SCHEDULE_ID, ...schedule });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule.getHandle(ENCOUNTER_SWEEP_SCHEDULE_ID).update((prev) => ({ ...prev, ...schedule }));
  }
}

/**
 * A batch clearinghouse transport (CORE, SFTP) leaves its answers in a mailbox, polled on a
 * Temporal Schedule like the encounter sweep; with HTTP they come by webhook and the Schedule
 * is removed.
 */
export async function ensureClearinghouseMailboxPoll(config: Config, temporal: Client): Promise<void> {
  // One per task queue: each deployment (and each test stack) polls its own partner.
  const id = `clearinghouse-mailbox-${config.temporal.taskQueue}`;
  if (config.clearinghouse.transport === 'http') {
    await temporal.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
    return;
  }
  const schedule = {
    spec: { intervals: [{ every: config.clearinghouse.pollEveryMs }] },
    action: { type: 'startWorkflow' as const, workflowType: 'clearinghouseMailboxWorkflow', taskQueue: config.temporal.taskQueue, args: [] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
  try {
    await temporal.schedule.create({ scheduleId: id, ...schedule });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule.getHandle(id).update((prev) => ({ ...prev, ...schedule }));
  }
}

/** Authentication, rate limits and CORS of the API, from configuration. */
export function securityOf(config: Config): SecurityOptions {
  const { oidc, oidcLogin, sessions, rateLimit, corsOrigins } = config.auth;
  return { oidc: oidc && { ...oidc, fetchTimeoutMs: config.integrationTimeoutMs }, oidcLogin, sessions, rateLimit, corsOrigins };
}

/**
 * In development only: an admin API key on first start, written to DATA_DIR/dev-admin-key
 * (mode 0600) so the README's curl examples work. Kept while that file exists.
 */
export async function ensureDevAdminKey(config: Config, db: Db): Promise<string | undefined> {
  if (config.env !== 'development') return undefined;
  const file = join(resolve(config.dataDir), 'dev-admin-key');
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return file;
  }
  const { key } = await createApiKey(db, { name: 'dev admin (npm start)', role: 'admin', createdBy: 'system:npm-start', source: 'npm start' });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return file;
}

/** The REST API and the PMS's inbound HL7 feed (both start visits). */
export async function runApi(config: Config, db: Db, temporal: Client): Promise<Stoppable> {
  const deps = { temporal, db, taskQueue: config.temporal.taskQueue, timers: visitTimers(config) };
  const temporalUi = { url: config.temporal.uiUrl, namespace: config.temporal.namespace };
  const codec = config.codec && { keys: config.codec, namespace: config.temporal.namespace, allowedOrigins: config.temporalUiOrigins };
  const app = createApp({
    ...deps,
    security: securityOf(config),
    temporalUi,
    webhooks: config.webhooks,
    codec,
    maxPendingReads: config.api.maxPendingReads,
    log: (msg, meta) => log('error', msg, meta),
    ehrJwks: await ehrJwksOf(config),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.api.port, () => resolve(s));
  });
  const feed = await startPmsFeed({ ...deps, port: config.mllpListenPort, mllp: config.mllp });
  await ensureEncounterSweep(config, temporal);
  await ensureClearinghouseMailboxPoll(config, temporal);
  return {
    async stop() {
      await feed.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export async function runWorker(config: Config, db: Db, address: string, endpoints: Endpoints): Promise<Stoppable> {
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal, address));
  // The clearinghouse mailbox poll delivers files to visits as the webhook does: it signals them.
  const client = config.clearinghouse.transport === 'http' ? undefined : await temporalClient(config, address);
  const worker = await createVisitWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: buildActivities(config, db, endpoints, client?.client),
    dataConverter: dataConverterOf(config),
    tuning: config.worker,
    workflowBundle: config.workerBundlePath ? { codePath: config.workerBundlePath } : undefined,
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await client?.stop();
      await connection.close();
    },
  };
}
