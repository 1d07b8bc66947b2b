/** The long-running pieces, each startable on its own (docker-compose) or together (npm start). */
import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Server } from 'node:http';
import { createApp } from '../api/app';
import type { Config } from '../config';
import { createDb, migrateLatest, type Db } from '../db/knex';
import { log } from './log';
import type { Stoppable } from './main';
import { createVisitWorker } from './worker';
import { buildActivities, startPmsFeed, visitTimers, type Endpoints } from './wiring';


export async function connectDb(url: string, poolMax = 10): Promise<Db & Stoppable> {
  const db = createDb(url, { min: 0, max: poolMax });
  const applied = await migrateLatest(db);
  if (applied.length) log('info', 'migrations applied', { applied });
  return Object.assign(db, { stop: () => db.destroy() });
}

export async function temporalClient(config: Config, address: string): Promise<{ client: Client; stop(): Promise<void> }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace: config.temporal.namespace }), stop: () => connection.close() };
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

/** The REST API and the PMS's inbound HL7 feed (both start visits). */
export async function runApi(config: Config, db: Db, temporal: Client): Promise<Stoppable> {
  const deps = { temporal, db, taskQueue: config.temporal.taskQueue, timers: visitTimers(config) };
  const app = createApp({ ...deps, log: (msg, meta) => log('error', msg, meta) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.api.port, () => resolve(s));
  });
  const feed = await startPmsFeed({ ...deps, port: config.mllpListenPort });
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
    tuning: config.worker,
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
