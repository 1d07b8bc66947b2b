/**
 * The whole stack on one machine, each part in its own process: Postgres (embedded
 * unless DATABASE_URL), migrations, Temporal (the dev server, or the real server on
 * Postgres, unless TEMPORAL_ADDRESS), then — supervised, restarted on a crash — the
 * API with the PMS's MLLP feed, the simulators (unless real endpoints are set) and
 * WORKERS worker processes. `npm start` and `npm run bench` both start it this way.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config';
import type { Stoppable } from './main';
import { startEmbeddedPostgres } from './postgres';
import { connectDb } from './services';
import { where } from './simulators';
import { supervise, type Supervised } from './supervisor';
import { startTemporalDevServer } from './temporal-dev';
import { startTemporalServer } from './temporal-server';
import { endpointsFromConfig, type Endpoints } from './wiring';

export interface RunningStack {
  databaseUrl: string;
  temporalAddress: string;
  apiUrl: string;
  endpoints: Endpoints;
  api: Supervised;
  workers: Supervised[];
  simulators?: Supervised;
  /** Env every child gets: the shared Postgres, Temporal and the outside parties. */
  childEnv: NodeJS.ProcessEnv;
}

export async function startStack(config: Config, stack: Stoppable[], opts: { out?: (line: string) => void; say?: typeof where } = {}): Promise<RunningStack> {
  const say = opts.say ?? where;
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });

  let databaseUrl = config.database.url;
  let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!databaseUrl) {
    pg = await startEmbeddedPostgres({ dir: join(dataDir, 'pg'), port: config.database.embeddedPort, persistent: true });
    stack.push(pg);
    await pg.createDatabase('revcycle');
    databaseUrl = pg.url('revcycle');
  }
  const db = await connectDb(databaseUrl); // runs the migrations once, before any child starts
  await db.destroy();
  say('Postgres', databaseUrl.replace(/\/\/[^@]*@/, '//'));

  let address = config.temporal.address;
  if (!address) {
    const server = config.temporal.server === 'postgres'
      ? await startTemporalServer({ config, dataDir, databaseUrl })
      : await startTemporalDevServer({ dataDir, port: config.temporal.devPort, uiPort: config.temporal.uiPort, namespace: config.temporal.namespace });
    stack.push(server);
    address = server.address;
    say('Temporal Web UI', server.uiUrl);
  }
  say('Temporal', `${address} (${config.temporal.address ? 'external' : config.temporal.server === 'postgres' ? 'server on Postgres' : 'dev server'}, namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}; logs in ${join(dataDir, 'temporal.log')})`);

  const apiUrl = config.api.publicUrl ?? `http://127.0.0.1:${config.api.port}`;
  const sims = config.simulators;
  const endpoints: Endpoints = sims.start
    ? {
      ehrUrl: `http://${sims.host}:${sims.ehrPort}`,
      clearinghouseUrl: `http://${sims.host}:${sims.clearinghousePort}`,
      pms: config.pms.mode === 'rest' ? { mode: 'rest', url: `http://${sims.host}:${sims.pmsHttpPort}` } : { mode: 'hl7', host: sims.host, port: sims.pmsMllpPort },
    }
    : endpointsFromConfig(config);
  const childEnv: NodeJS.ProcessEnv = {
    DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: address, DATA_DIR: dataDir, START_SIMULATORS: 'false',
    EHR_FHIR_URL: endpoints.ehrUrl, CLEARINGHOUSE_URL: endpoints.clearinghouseUrl,
    ...(endpoints.pms.mode === 'rest' ? { PMS_REST_URL: endpoints.pms.url } : { PMS_MLLP_HOST: endpoints.pms.host, PMS_MLLP_PORT: String(endpoints.pms.port) }),
  };
  const out = opts.out;

  // Each child compiles its TypeScript on start (seconds each): start them side by side.
  const simulators = sims.start
    ? supervise({ name: 'simulators', script: 'scripts/simulators-main.ts', env: { ...childEnv, START_SIMULATORS: 'true' }, ready: /revcycle simulators ready/, out })
    : undefined;
  const api = supervise({ name: 'api', script: 'scripts/api-main.ts', env: childEnv, ready: /revcycle api listening/, out });
  const starting = Array.from({ length: config.workers }, (_, i) =>
    supervise({ name: config.workers > 1 ? `worker ${i + 1}` : 'worker', script: 'scripts/worker-main.ts', env: childEnv, ready: /revcycle worker polling/, out }));
  const all = await Promise.allSettled([api, ...(simulators ? [simulators] : []), ...starting]);
  for (const r of all) if (r.status === 'fulfilled') stack.push(r.value);
  const failed = all.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const workers = await Promise.all(starting);
  say('API', `${apiUrl} (docs: ${apiUrl}/docs)`);
  say('PMS HL7 feed (MLLP)', `127.0.0.1:${config.mllpListenPort}`);
  if (simulators) say('Simulators', `EHR ${endpoints.ehrUrl}, clearinghouse ${endpoints.clearinghouseUrl}, PMS ${endpoints.pms.mode === 'rest' ? endpoints.pms.url : `MLLP ${endpoints.pms.host}:${endpoints.pms.port}`}`);
  say(config.workers > 1 ? `Workers (${config.workers})` : 'Worker', `pid ${workers.map((w) => w.pid()).join(', ')}`);
  return { databaseUrl, temporalAddress: address, apiUrl, endpoints, api: await api, workers, simulators: await simulators, childEnv };
}
