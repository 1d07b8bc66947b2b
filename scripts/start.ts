/**
 * `npm start`: the whole stack on one machine, in order, each printing where it is:
 * Postgres (embedded unless DATABASE_URL), migrations, Temporal (dev server with the
 * Web UI unless TEMPORAL_ADDRESS), the simulators (unless real endpoints are set), the
 * API with the PMS's MLLP feed, and the worker. Ctrl-C stops every child cleanly;
 * starting again resumes the visits that were in flight.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../config';
import { runMain } from './main';
import { EMBEDDED_DATABASE, startEmbeddedPostgres } from './postgres';
import { connectDb, ensureDevAdminKey, runApi, runWorker, temporalClient } from './services';
import { startTemporalDevServer } from './temporal-dev';
import { startSimulators, where } from './simulators';
import { assertPortsFree, type PortClaim } from './startup-error';
import { endpointsFromConfig } from './wiring';

runMain('start', async (stack) => {
  const config = loadConfig();
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  console.log('revcycle starting');
  await assertPortsFree(portsToClaim(config));

  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dir: join(dataDir, 'pg'), port: config.database.embeddedPort, persistent: true });
    stack.push(pg);
    await pg.createDatabase(EMBEDDED_DATABASE);
    databaseUrl = pg.url(EMBEDDED_DATABASE);
    where('Postgres data', pg.dataDir === join(dataDir, 'pg') ? pg.dataDir : `${pg.dataDir} (the postgres user cannot reach ${dataDir})`);
  }
  const db = await connectDb(databaseUrl);
  stack.push(db);
  where('Postgres', databaseUrl.replace(/\/\/[^@]*@/, '//'));

  let address = config.temporal.address;
  if (!address) {
    const dev = await startTemporalDevServer({ dataDir, port: config.temporal.devPort, uiPort: config.temporal.uiPort, namespace: config.temporal.namespace });
    stack.push(dev);
    address = dev.address;
    where('Temporal Web UI', dev.uiUrl);
  }
  where('Temporal', `${address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`);
  const temporal = await temporalClient(config, address);
  stack.push(temporal);

  const api = await runApi(config, db, temporal.client);
  stack.push(api);
  const apiUrl = config.api.publicUrl ?? `http://127.0.0.1:${config.api.port}`;
  where('API', `${apiUrl} (docs: ${apiUrl}/docs)`);
  const devKey = await ensureDevAdminKey(config, db);
  if (devKey) where('Admin key (dev)', `${devKey}: curl -H "authorization: Bearer $(cat ${devKey})" ${apiUrl}/audit`);
  where('PMS HL7 feed (MLLP)', `127.0.0.1:${config.mllpListenPort}`);

  const endpoints = config.simulators.start ? await startSimulators(config, apiUrl, stack) : endpointsFromConfig(config);
  stack.push(await runWorker(config, db, address, endpoints));
  where('Worker', 'running');
  console.log('revcycle is up; Ctrl-C stops it');
});

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
  }
  return claims;
}
