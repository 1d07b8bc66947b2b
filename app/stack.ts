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
import { simSftpKeys } from '../simulators/clearinghouse/sftp-server';
import { loadBundled } from './codesets';
import type { Stoppable } from './main';
import { CREDENTIALS_FILE, EMBEDDED_DATABASE, startEmbeddedPostgres } from './postgres';
import { progressBar } from './progress';
import { connectDb, ensureDevAdminKey, migrateDatabase } from './services';
import { where } from './simulators';
import { assertPortsFree, type PortClaim } from './startup-error';
import { supervise, type Supervised } from './supervisor';
import { startTemporalDevServer } from './temporal-dev';
import { startTemporalServer } from './temporal-server';
import { SIGN_IN_MESSAGE } from './temporal-ui-gateway';
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
  await assertPortsFree(portsToClaim(config));

  let databaseUrl = config.database.url;
  let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!databaseUrl) {
    pg = await startEmbeddedPostgres({ dir: join(dataDir, 'pg'), port: config.database.embeddedPort, persistent: true });
    stack.push(pg);
    await pg.createDatabase(EMBEDDED_DATABASE);
    // Migrations as the owner of the tables; the api, workers and CLI as the app, which may only append to the audit trail.
    await migrateDatabase(pg.ownerUrl(EMBEDDED_DATABASE), pg.appUrl(EMBEDDED_DATABASE));
    databaseUrl = pg.appUrl(EMBEDDED_DATABASE);
    say(
      'Postgres data',
      `${pg.dataDir === join(dataDir, 'pg') ? pg.dataDir : `${pg.dataDir} (the postgres user cannot reach ${dataDir})`}; random passwords in ${join(pg.dataDir, CREDENTIALS_FILE)}`,
    );
  }
  const db = await connectDb(config, databaseUrl); // runs the migrations once, before any child starts
  say('Postgres', databaseUrl.replace(/\/\/[^@]*@/, '//'));
  try {
    // Code sets, edits, payer rules and fees: loaded once into an empty database, skipped after.
    const loaded = await loadBundled(db, (label) => progressBar(`loading ${label}`));
    say(
      'Code sets',
      loaded
        .filter((r) => r.kind !== 'fees')
        .map((r) => r.name)
        .join(', '),
    );
    const devKey = await ensureDevAdminKey(config, db);
    if (devKey) say('Admin key (dev)', `${devKey} (curl -H "authorization: Bearer $(cat ${devKey})" …)`);
  } finally {
    await db.destroy();
  }

  let address = config.temporal.address;
  if (!address) {
    // Either server's Web UI shows sealed payloads decoded through the API's codec endpoint, with the person's session.
    const codec = config.codec ? uiCodec(config.api.publicUrl ?? `http://127.0.0.1:${config.api.port}`, config.temporal.uiPort) : undefined;
    const server =
      config.temporal.server === 'postgres'
        ? // Temporal makes its own databases: on the embedded cluster it logs in as the superuser, not as the app.
          await startTemporalServer({
            config,
            dataDir,
            databaseUrl: pg ? pg.url(EMBEDDED_DATABASE) : databaseUrl,
            codec: codec && { ...codec, message: SIGN_IN_MESSAGE },
          })
        : await startTemporalDevServer({
            dataDir,
            port: config.temporal.devPort,
            uiPort: config.temporal.uiPort,
            namespace: config.temporal.namespace,
            codec,
          });
    stack.push(server);
    address = server.address;
    say('Temporal Web UI', server.uiUrl);
  }
  say(
    'Temporal',
    `${address} (${config.temporal.address ? 'external' : config.temporal.server === 'postgres' ? 'server on Postgres' : 'dev server'}, namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}; logs in ${join(dataDir, 'temporal.log')})`,
  );

  const apiUrl = config.api.publicUrl ?? `http://127.0.0.1:${config.api.port}`;
  const sims = config.simulators;
  const endpoints: Endpoints = sims.start
    ? {
        ehrUrl: `http://${sims.host}:${sims.ehrPort}`,
        clearinghouseUrl: `http://${sims.host}:${sims.clearinghousePort}`,
        pms:
          config.pms.mode === 'rest'
            ? { mode: 'rest', url: `http://${sims.host}:${sims.pmsHttpPort}` }
            : { mode: 'hl7', host: sims.host, port: sims.pmsMllpPort },
      }
    : endpointsFromConfig(config);
  const childEnv: NodeJS.ProcessEnv = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: address,
    DATA_DIR: dataDir,
    START_SIMULATORS: 'false',
    EHR_FHIR_URL: endpoints.ehrUrl,
    CLEARINGHOUSE_URL: endpoints.clearinghouseUrl,
    ...(endpoints.pms.mode === 'rest' ? { PMS_REST_URL: endpoints.pms.url } : { PMS_MLLP_HOST: endpoints.pms.host, PMS_MLLP_PORT: String(endpoints.pms.port) }),
    ...(sims.start && config.clearinghouse.transport === 'sftp' ? simulatedSftpEnv(config, dataDir) : {}),
  };
  const out = opts.out;

  // Each child compiles its TypeScript on start (seconds each): start them side by side.
  const simulators = sims.start
    ? supervise({
        name: 'simulators',
        script: 'app/simulators-main.ts',
        env: { ...childEnv, START_SIMULATORS: 'true' },
        ready: /revcycle simulators ready/,
        out,
      })
    : undefined;
  const api = supervise({ name: 'api', script: 'app/api-main.ts', env: childEnv, ready: /revcycle api listening/, out });
  const starting = Array.from({ length: config.workers }, (_, i) =>
    supervise({ name: config.workers > 1 ? `worker ${i + 1}` : 'worker', script: 'app/worker-main.ts', env: childEnv, ready: /revcycle worker polling/, out }),
  );
  const all = await Promise.allSettled([api, ...(simulators ? [simulators] : []), ...starting]);
  for (const r of all) if (r.status === 'fulfilled') stack.push(r.value);
  const failed = all.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const workers = await Promise.all(starting);
  say('API', `${apiUrl} (docs: ${apiUrl}/docs)`);
  say('Sign in', `${apiUrl}/sign-in (once, for the dashboard and the Temporal Web UI's decoded payloads)`);
  say('PMS HL7 feed (MLLP)', `127.0.0.1:${config.mllpListenPort}`);
  if (simulators)
    say(
      'Simulators',
      `EHR ${endpoints.ehrUrl}, clearinghouse ${endpoints.clearinghouseUrl}, PMS ${endpoints.pms.mode === 'rest' ? endpoints.pms.url : `MLLP ${endpoints.pms.host}:${endpoints.pms.port}`}`,
    );
  say(config.workers > 1 ? `Workers (${config.workers})` : 'Worker', `pid ${workers.map((w) => w.pid()).join(', ')}`);
  return { databaseUrl, temporalAddress: address, apiUrl, endpoints, api: await api, workers, simulators: await simulators, childEnv };
}

/** Every fixed port this start will listen on, checked before anything starts. */
function portsToClaim(c: Config): PortClaim[] {
  const claims: PortClaim[] = [];
  if (!c.database.url) claims.push({ part: 'Postgres', port: c.database.embeddedPort, variable: 'EMBEDDED_PG_PORT' });
  if (!c.temporal.address) {
    claims.push({ part: 'Temporal dev server', port: c.temporal.devPort, variable: 'TEMPORAL_DEV_PORT' });
    claims.push({ part: 'Temporal Web UI', port: c.temporal.uiPort, variable: 'TEMPORAL_UI_PORT' });
  }
  claims.push({ part: 'API', port: c.api.port, host: '0.0.0.0', variable: 'API_PORT' });
  claims.push({ part: 'PMS HL7 feed (MLLP)', port: c.mllpListenPort, host: '0.0.0.0', variable: 'MLLP_LISTEN_PORT' });
  if (c.simulators.start) {
    const s = c.simulators;
    claims.push(
      { part: 'EHR simulator', port: s.ehrPort, host: s.host, variable: 'SIM_EHR_PORT' },
      { part: 'PMS simulator (HTTP)', port: s.pmsHttpPort, host: s.host, variable: 'SIM_PMS_HTTP_PORT' },
      { part: 'PMS simulator (MLLP)', port: s.pmsMllpPort, host: s.host, variable: 'SIM_PMS_MLLP_PORT' },
      { part: 'Clearinghouse simulator', port: s.clearinghousePort, host: s.host, variable: 'SIM_CLEARINGHOUSE_PORT' },
    );
    if (c.clearinghouse.transport === 'sftp')
      claims.push({ part: 'Clearinghouse simulator (SFTP)', port: s.clearinghouseSftpPort, host: s.host, variable: 'SIM_CLEARINGHOUSE_SFTP_PORT' });
  }
  return claims;
}

/** The API's codec for the Temporal Web UI, and its sign-in page, which returns to the UI. */
export function uiCodec(apiUrl: string, uiPort: number): { endpoint: string; signInUrl: string } {
  const api = apiUrl.replace(/\/$/, '');
  return { endpoint: `${api}/codec`, signInUrl: `${api}/sign-in?return=${encodeURIComponent(`http://127.0.0.1:${uiPort}/`)}` };
}

/** With the SFTP transport and the simulators: revcycle logs in to the simulator's SFTP server with its development key, pinning its host key. */
function simulatedSftpEnv(config: Config, dataDir: string): NodeJS.ProcessEnv {
  const keys = simSftpKeys(join(dataDir, 'simulators', 'clearinghouse-sftp', 'keys'));
  return {
    CLEARINGHOUSE_SFTP_HOST: config.simulators.host,
    CLEARINGHOUSE_SFTP_PORT: String(config.simulators.clearinghouseSftpPort),
    CLEARINGHOUSE_SFTP_USERNAME: 'revcycle',
    CLEARINGHOUSE_SFTP_PRIVATE_KEY_FILE: keys.userKeyFile,
    CLEARINGHOUSE_SFTP_HOST_KEY_SHA256: keys.hostKeySha256,
  };
}
