/**
 * The whole stack for end-to-end tests, on loopback and ephemeral ports: a fresh
 * database, the API with the PMS's MLLP feed, the three simulators, and a worker that
 * runs either in this process or as a child process running the real entry point
 * (`app/worker-main.ts`), so a test can kill it mid-step.
 */
import type { Client } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from '../api/app';
import { parseConfig, type Config } from '../config';
import type { Db } from '../db/knex';
import { runWorker, securityOf } from '../app/services';
import { startPmsFeed, visitTimers, type Endpoints } from '../app/wiring';
import { startClearinghouseSimulator } from '../simulators/clearinghouse';
import { startEhrSimulator } from '../simulators/ehr';
import { Faults, type FaultConfig } from '../simulators/faults';
import { startPmsSimulator } from '../simulators/pms';
import type { VisitStatus, VisitTimers } from '../workflows/definitions';
import type { Role } from '../domain/roles';
import { dataConverterOf, ensureClearinghouseMailboxPoll } from '../app/services';
import { TEST_SECRET_ENV } from './secrets';
import { sampleVisit, signedEncounter } from './fixtures';
import type { StartVisit } from '../domain/visit';
import { apiAs, createTestDb, eventually, temporalAddress, temporalClients, uniqueId, type Api } from './support';

export interface StackOptions {
  pmsMode?: 'rest' | 'hl7';
  /** Faults for every simulator, and per simulator on top (e.g. a slow PMS only). */
  faults?: Partial<FaultConfig>;
  faultsFor?: Partial<Record<'ehr' | 'pms' | 'clearinghouse', Partial<FaultConfig>>>;
  /** false: no worker is started; the test starts (and kills) its own. */
  worker?: boolean;
  /** Seconds-scale activity timeout, so a killed worker's attempt is retried quickly. */
  activityTimeoutMs?: number;
  /** Visit timers on top of the configured ones (e.g. a short adjudication timeout for claim status inquiries, or a patient statement cycle in ms). */
  timers?: Partial<VisitTimers>;
  /** Another Temporal server than the run's shared one (e.g. a dev server with its Web UI). */
  temporalAddress?: string;
  /** The API's port (default: any free one), for a Temporal UI that must know the codec's address before the API starts. */
  apiPort?: number;
  /** Settings on top of the test defaults, e.g. CLEARINGHOUSE_TRANSPORT. */
  env?: NodeJS.ProcessEnv;
}

export type TestStack = Awaited<ReturnType<typeof startTestStack>>;

export async function startTestStack(opts: StackOptions = {}) {
  const database = await createTestDb();
  const taskQueue = uniqueId('tq-e2e');
  const address = opts.temporalAddress ?? temporalAddress();
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: database.url,
    INTEGRATION_TIMEOUT_MS: '2000',
    PMS_MODE: opts.pmsMode ?? 'hl7',
    START_SIMULATORS: 'true',
    // Tests poll visits every 100 ms from one key: rate limits are tested on their own (api/rate-limit.test.ts).
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_BURST: '100000',
    // The patient's statement cycle is months long: by default a paid visit closes at once with its patient share
    // open, as it did before the cycle; a test of the patient balance passes a short one (timers.patientStatementsMs).
    PATIENT_STATEMENT_DAYS: 'none',
    ...TEST_SECRET_ENV,
    ...opts.env,
  };
  const config = parseConfig(env);
  // The client seals PHI like the API's does; the worker (in or out of process) uses the same keys.
  const temporal = await temporalClients(dataConverterOf(config), address);
  // Seconds, not minutes, between retries: the fault tests exercise retries, not patience.
  const timers = { ...visitTimers(config), activityTimeoutMs: opts.activityTimeoutMs ?? 10_000, activityRetryMaxIntervalMs: 2_000, ...opts.timers };
  const stops: (() => Promise<void>)[] = [];

  const app = createApp({
    temporal: temporal.client,
    db: database.db,
    taskQueue,
    timers,
    security: securityOf(config),
    webhooks: config.webhooks,
    codec: { keys: config.codec!, namespace: config.temporal.namespace, allowedOrigins: config.temporalUiOrigins },
  });
  const server = app.listen(opts.apiPort ?? 0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stops.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const feed = await startPmsFeed({ port: 0, host: '127.0.0.1', db: database.db, temporal: temporal.client, taskQueue, timers, mllp: config.mllp });
  stops.push(() => feed.close());

  // One seeded Faults per simulator, so each fails on its own and a failing run can be replayed.
  const faults = (['ehr', 'pms', 'clearinghouse'] as const).map(
    (party, n) => new Faults({ ...opts.faults, ...opts.faultsFor?.[party], seed: (opts.faults?.seed ?? 1) * 10 + n }),
  );
  const ehr = await startEhrSimulator({
    port: 0,
    host: '127.0.0.1',
    webhookUrl: `${apiUrl}/webhooks/ehr/encounter-signed`,
    webhookSecret: config.webhooks.ehrSecret,
    faults: faults[0],
  });
  const pms = await startPmsSimulator({ mllpPort: 0, httpPort: 0, host: '127.0.0.1', faults: faults[1], revcycleMllp: { host: '127.0.0.1', port: feed.port } });
  const clearinghouse = await startClearinghouseSimulator({
    port: 0,
    host: '127.0.0.1',
    callbackUrl: `${apiUrl}/webhooks/clearinghouse`,
    callbackSecret: config.webhooks.clearinghouseSecret,
    faults: faults[2],
    ackDelayMs: 50,
    adjudicationDelayMs: 200,
    // A CORE transport's answers wait in the simulator's mailbox for the clearinghouse-mailbox Schedule.
    ...(config.clearinghouse.transport.startsWith('core-') ? { delivery: 'mailbox' as const, core: config.clearinghouse.core } : {}),
  });
  stops.push(
    () => ehr.close(),
    () => pms.close(),
    () => clearinghouse.close(),
  );

  const endpoints: Endpoints = {
    ehrUrl: ehr.url,
    clearinghouseUrl: clearinghouse.url,
    pms: config.pms.mode === 'rest' ? { mode: 'rest', url: pms.url } : { mode: 'hl7', host: '127.0.0.1', port: pms.mllpPort },
  };
  if (opts.worker !== false) {
    const worker = await runWorker(config, database.db, address, endpoints);
    stops.push(() => worker.stop());
  }
  if (config.clearinghouse.transport !== 'http') {
    await ensureClearinghouseMailboxPoll(config, temporal.client);
    stops.push(() => temporal.client.schedule.getHandle(`clearinghouse-mailbox-${taskQueue}`).delete());
  }

  // Every route but /health needs a key: tests call the API through `api` (an admin key) or `as(role)`.
  const api = await apiAs(database.db, apiUrl, 'admin');

  return {
    apiUrl,
    api,
    as: (role: Role): Promise<Api> => apiAs(database.db, apiUrl, role),
    config,
    db: database.db as Db,
    faults: { ehr: faults[0], pms: faults[1], clearinghouse: faults[2] },
    temporal: temporal.client as Client,
    taskQueue,
    ehr,
    pms,
    clearinghouse,
    endpoints,
    /** Starts `app/worker-main.ts` as a child process against this stack. */
    spawnWorker: (): ChildProcess => spawnWorker(env, endpoints),
    async stop() {
      for (const stop of stops.reverse()) await stop();
      await database.drop();
      await temporal.close();
    },
  };
}

function spawnWorker(env: NodeJS.ProcessEnv, e: Endpoints): ChildProcess {
  const pmsEnv = e.pms.mode === 'rest' ? { PMS_REST_URL: e.pms.url } : { PMS_MLLP_HOST: e.pms.host, PMS_MLLP_PORT: String(e.pms.port) };
  const root = join(__dirname, '..');
  // `node --import tsx` keeps the worker one process (the tsx CLI would fork a grandchild a kill would miss).
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'app', 'worker-main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, ...pmsEnv, START_SIMULATORS: 'false', EHR_FHIR_URL: e.ehrUrl, CLEARINGHOUSE_URL: e.clearinghouseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  child.stderr!.on('data', (d) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  return child;
}

export type { Config };

/**
 * Books a visit through the API with the simulated payer rule its member id names, waits for it
 * to await its encounter, and signs the encounter in the EHR (with a progress note when given).
 */
export async function bookAndSign(stack: TestStack, memberId: string, extra: Partial<StartVisit> = {}, note?: string): Promise<string> {
  const visit = { ...sampleVisit(uniqueId('v'), memberId), ...extra };
  const booked = await stack.api.post('/visits').send(visit);
  if (booked.status !== 201) throw new Error(`POST /visits answered ${booked.status}: ${JSON.stringify(booked.body)}`);
  await reach(stack, visit.visitId, 'awaiting_encounter');
  await stack.ehr.signEncounter({ ...signedEncounter(visit.visitId), ...(note ? { note } : {}) });
  return visit.visitId;
}

/** Polls GET /visits/:id, as a front end would, until the visit reaches `stage`. */
export async function reach(stack: { api: Api }, visitId: string, stage: string): Promise<VisitStatus> {
  return eventually(
    async () => {
      const res = await stack.api.get(`/visits/${visitId}`);
      const body = res.status === 200 ? (res.body as VisitStatus) : undefined;
      return body?.stage === stage && body;
    },
    { what: `visit ${visitId} to reach stage ${stage}`, timeoutMs: 170_000 },
  );
}
