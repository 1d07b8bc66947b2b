/**
 * The chaos run's own stack, never the developer's: an embedded Postgres and a Temporal
 * dev server (SQLite file, like `npm start`) in a fresh temporary directory on free
 * ports, the API with the PMS's MLLP feed and the three simulators in this process, and
 * the worker as a child process of the real entry point (`app/worker-main.ts`) that
 * can be SIGKILLed and is restarted whenever it dies; the workflow code is bundled once per
 * run (WORKER_BUNDLE_PATH), so a restart does not bundle it again. Postgres and Temporal can each be
 * restarted in place: same directory, same port, state kept.
 */
import { Client, Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../api/app';
import { createApiKey } from '../../db/api-keys';
import { parseConfig } from '../../config';
import { createDb, migrateLatest, type Db } from '../../db/knex';
import { loadBundled } from '../../app/codesets';
import { startEmbeddedPostgres, type RunningPostgres } from '../../app/postgres';
import { dataConverterOf, ensureEncounterSweep } from '../../app/services';
import { ensureDevSecrets } from '../../app/dev-secrets';
import { startTemporalDevServer, type DevServer } from '../../app/temporal-dev';
import { writeWorkflowBundle } from '../../app/worker';
import { deadlineConnectionOptions } from '../../temporal/deadline';
import { startPmsFeed } from '../../app/wiring';
import { startClearinghouseSimulator } from '../../simulators/clearinghouse';
import { startEhrSimulator } from '../../simulators/ehr';
import { Faults, type FaultConfig } from '../../simulators/faults';
import { startPmsSimulator } from '../../simulators/pms';
import type { VisitTimers } from '../../workflows/definitions';
import { freePort } from '../../test/ports';

export interface ChaosStackOptions {
  faults: Partial<FaultConfig>;
  timers: VisitTimers;
  /** Where the worker processes' output goes (a file in the run's directory by default). */
  workerLog?: string;
}

const TASK_QUEUE = 'chaos';
const NAMESPACE = 'default';

export type ChaosStack = Awaited<ReturnType<typeof startChaosStack>>;

export async function startChaosStack(opts: ChaosStackOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'revcycle-chaos-'));
  chmodSync(dir, 0o755); // as root, Postgres runs as its own user and must reach its folder inside
  const stops: (() => Promise<void>)[] = [];
  const [pgPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];

  const startPg = () => startEmbeddedPostgres({ dir: join(dir, 'pg'), port: pgPort, persistent: true });
  let pg: RunningPostgres = await startPg();
  await pg.createDatabase('revcycle');
  const databaseUrl = pg.url('revcycle');
  const db: Db = createDb(databaseUrl, { min: 0, max: 10 });
  await migrateLatest(db);
  // The scrubber's rule data (code sets, NCCI edits, fee schedule), as npm start loads it: without it every claim waits on RULE_DATA_MISSING.
  await loadBundled(db);

  mkdirSync(join(dir, 'temporal'), { recursive: true });
  const startTemporal = () => startTemporalDevServer({ dataDir: join(dir, 'temporal'), port: temporalPort, uiPort, namespace: NAMESPACE });
  let temporal: DevServer = await startTemporal();
  // Its own codec key and webhook secrets (files under the run's folder), in the env the worker child inherits too.
  const secretsEnv: NodeJS.ProcessEnv = {};
  ensureDevSecrets(dir, secretsEnv);
  // The workflow code is bundled once for the run: a restarted worker loads the file instead
  // of bundling again (10-35 s on a busy 2-core machine), so a kill costs about a second.
  const bundlePath = await writeWorkflowBundle(join(dir, 'workflow-bundle.js'));
  const env: NodeJS.ProcessEnv = {
    ...secretsEnv,
    WORKER_BUNDLE_PATH: bundlePath,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    INTEGRATION_TIMEOUT_MS: '2000',
    PMS_MODE: 'hl7',
    START_SIMULATORS: 'false',
    // The sweep is the safety net for "encounter signed" webhooks lost while Postgres was down.
    ENCOUNTER_SWEEP_EVERY_MS: '15000',
    ENCOUNTER_SWEEP_LOOKBACK_MS: String(3600_000),
    // Visits close at their 835 as the ledger check expects; the statement cycle is months long (test/patient-balance.int.test.ts runs it).
    PATIENT_STATEMENT_DAYS: 'none',
  };
  const config = parseConfig({ ...env, START_SIMULATORS: 'true' }); // the worker's copy gets the simulators' addresses below
  const { timers } = opts;
  const connection = await Connection.connect(deadlineConnectionOptions(temporal.address, config.temporal.callTimeoutMs));
  const client = new Client({ connection, namespace: NAMESPACE, dataConverter: dataConverterOf(config) });

  const app = createApp({ temporal: client, db, taskQueue: TASK_QUEUE, timers, webhooks: config.webhooks });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The driver calls the API as a front-end app would: with a bearer key (every route but /health requires one).
  const { key: apiKey } = await createApiKey(db, { name: 'chaos driver', role: 'admin', createdBy: 'chaos', source: 'chaos' });
  const feed = await startPmsFeed({ port: 0, host: '127.0.0.1', db, temporal: client, taskQueue: TASK_QUEUE, timers });
  await ensureEncounterSweep(config, client);

  const seed = opts.faults.seed ?? 1;
  const faults = {
    ehr: new Faults({ ...opts.faults, seed: seed * 10 }),
    pms: new Faults({ ...opts.faults, seed: seed * 10 + 1 }),
    clearinghouse: new Faults({ ...opts.faults, seed: seed * 10 + 2 }),
  };
  const ehr = await startEhrSimulator({
    port: 0,
    host: '127.0.0.1',
    webhookUrl: `${apiUrl}/webhooks/ehr/encounter-signed`,
    webhookSecret: config.webhooks.ehrSecret,
    faults: faults.ehr,
  });
  const pms = await startPmsSimulator({
    mllpPort: 0,
    httpPort: 0,
    host: '127.0.0.1',
    faults: faults.pms,
    revcycleMllp: { host: '127.0.0.1', port: feed.port },
  });
  // A clearinghouse mailbox keeps trying for a long while (here about 4 minutes), so a
  // file is not lost because revcycle's database was restarting when it came.
  const clearinghouse = await startClearinghouseSimulator({
    port: 0,
    host: '127.0.0.1',
    callbackUrl: `${apiUrl}/webhooks/clearinghouse`,
    callbackSecret: config.webhooks.clearinghouseSecret,
    faults: faults.clearinghouse,
    ackDelayMs: 50,
    adjudicationDelayMs: 200,
    retry: { attempts: 10, backoffMs: 500 },
  });

  const workers = new WorkerSupervisor(
    {
      ...process.env,
      ...env,
      PMS_MLLP_HOST: '127.0.0.1',
      PMS_MLLP_PORT: String(pms.mllpPort),
      EHR_FHIR_URL: ehr.url,
      CLEARINGHOUSE_URL: clearinghouse.url,
    },
    createWriteStream(opts.workerLog ?? join(dir, 'worker.log'), { flags: 'a' }),
  );
  await workers.start();

  stops.push(
    () => workers.stop(),
    async () => clearinghouse.close(),
    () => pms.close(),
    () => ehr.close(),
    () => feed.close(),
    async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
    () => connection.close(),
    () => db.destroy(),
    () => temporal.stop(),
    () => pg.stop(),
  );

  return {
    dir,
    apiUrl,
    apiHeaders: { authorization: `Bearer ${apiKey}` },
    db,
    client,
    taskQueue: TASK_QUEUE,
    faults,
    ehr,
    pms,
    clearinghouse,
    workers,
    /** Stops Postgres (fast shutdown: every connection is cut) and starts it again on the same files. */
    async restartPostgres() {
      await pg.stop();
      pg = await startPg();
    },
    /** Stops the Temporal dev server and starts it again on the same SQLite file and port. */
    async restartTemporal() {
      await temporal.stop();
      temporal = await startTemporal();
    },
    async stop() {
      for (const stop of stops) await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One worker process at a time, started again whenever it exits (killed or crashed),
 * as `npm start` and an orchestrator would. `kill()` is the chaos: SIGKILL, no goodbye.
 */
export class WorkerSupervisor {
  private child?: ChildProcess;
  private stopping = false;
  private ready?: Promise<void>;
  kills = 0;
  starts = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly out: WriteStream,
  ) {}

  async start(): Promise<void> {
    const root = join(__dirname, '..', '..');
    // `node --import tsx` keeps the worker one process, so the kill reaches the worker itself.
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'app', 'worker-main.ts')], {
      cwd: root,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    // Ready once it says it is polling (bundling the workflows takes seconds on a busy machine).
    this.ready = new Promise((resolve) => {
      const onData = (d: Buffer) => {
        if (!d.toString().includes('worker polling')) return;
        child.stdout!.off('data', onData);
        resolve();
      };
      child.stdout!.on('data', onData);
      child.once('exit', () => resolve());
    });
    child.stdout!.pipe(this.out, { end: false });
    child.stderr!.pipe(this.out, { end: false });
    child.once('exit', () => {
      if (this.stopping || this.child !== child) return;
      setTimeout(() => void (this.stopping || this.start()), 500); // crashed on its own: start another
    });
  }

  /** Resolves when the current worker polls (or has died, and another is on its way). */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  /** SIGKILL the running worker and start a new one. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return this.start();
    this.child = undefined;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.kills++;
    await this.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(force);
    }
    this.out.end();
  }
}
