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
import { rebuildRollups } from '../db/visit-events';
import { phiDataConverter } from '../temporal/codec';
import { deadlineConnectionOptions } from '../temporal/deadline';
import { log } from './log';
import type { Stoppable } from './main';
import { createVisitWorker } from './worker';
import { buildActivities, ehrJwksOf, startPmsFeed, visitTimers, type Endpoints } from './wiring';


const KPI_ROLLUPS_MIGRATION = '20261129_reports2_001_kpi_rollups';

export async function connectDb(url: string, poolMax = 10): Promise<Db & Stoppable> {
  const db = createDb(url, { min: 0, max: poolMax });
  const applied = await migrateLatest(db);
  if (applied.length) log('info', 'migrations applied', { applied });
  // The KPI rollups start from the facts already recorded (a migration may not import our code).
  if (applied.includes(KPI_ROLLUPS_MIGRATION)) await rebuildRollups(db);
  return Object.assign(db, { stop: () => db.destroy() });
}

/** Every Temporal client and worker of revcycle seals payloads with the configured keys (none configured: development only). */
export function dataConverterOf(config: Config) {
  return config.codec ? phiDataConverter(config.codec) : undefined;
}

export async function temporalClient(config: Config, address: string): Promise<{ client: Client; stop(): Promise<void> }> {
  const connection = await Connection.connect(deadlineConnectionOptions(address, config.temporal.callTimeoutMs));
  return { client: new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterOf(config) }), stop: () => connection.close() };
}

/** The encounter sweep runs on a Temporal Schedule: created once, kept in step with configuration. */
export async function ensureEncounterSweep(config: Config, temporal: Client): Promise<void> {
  const { everyMs, lookbackMs } = config.encounterSweep;
  const schedule = {
    spec: { intervals: [{ every: everyMs }] },
    action: { type: 'startWorkflow' as const, workflowType: 'encounterSweepWorkflow', taskQueue: config.temporal.taskQueue, args: [{ lookbackMs }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
  try {
    await temporal.schedule.create({ scheduleId: 'encounter-sweep', ...schedule });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule.getHandle('encounter-sweep').update((prev) => ({ ...prev, ...schedule }));
  }
}

/** Authentication, rate limits and CORS of the API, from configuration. */
export function securityOf(config: Config): SecurityOptions {
  const { oidc, rateLimit, corsOrigins } = config.auth;
  return { oidc: oidc && { ...oidc, fetchTimeoutMs: config.integrationTimeoutMs }, rateLimit, corsOrigins };
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
    ...deps, security: securityOf(config), temporalUi, webhooks: config.webhooks, codec, maxPendingReads: config.api.maxPendingReads, log: (msg, meta) => log('error', msg, meta),
    ehrJwks: await ehrJwksOf(config),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.api.port, () => resolve(s));
  });
  const feed = await startPmsFeed({ ...deps, port: config.mllpListenPort, mllp: config.mllp });
  await ensureEncounterSweep(config, temporal);
  return {
    async stop() {
      await feed.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export async function runWorker(config: Config, db: Db, address: string, endpoints: Endpoints): Promise<Stoppable> {
  const connection = await NativeConnection.connect({ address });
  const worker = await createVisitWorker({
    connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue,
    activities: buildActivities(config, db, endpoints),
    dataConverter: dataConverterOf(config),
    tuning: config.worker,
    workflowBundle: config.workerBundlePath ? { codePath: config.workerBundlePath } : undefined,
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
