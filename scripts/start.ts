/**
 * `npm start`: the whole stack on one machine, in order, each printing where it is:
 * Postgres (embedded unless DATABASE_URL), migrations, Temporal (dev server with the
 * Web UI unless TEMPORAL_ADDRESS), the simulators (unless real endpoints are set), the
 * API with the PMS's MLLP feed, and the worker. Ctrl-C stops every child cleanly;
 * starting again resumes the visits that were in flight.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config';
import { ensureDevSecrets } from './dev-secrets';
import { runMain } from './main';
import { startEmbeddedPostgres } from './postgres';
import { connectDb, runApi, runWorker, temporalClient } from './services';
import { startTemporalDevServer } from './temporal-dev';
import { startSimulators, where } from './simulators';
import { endpointsFromConfig } from './wiring';

runMain('start', async (stack) => {
  const dataDir = resolve(loadConfig().dataDir);
  mkdirSync(dataDir, { recursive: true });
  console.log('revcycle starting');
  const generated = ensureDevSecrets(dataDir);
  if (generated.length) where('Dev secrets', `${join(dataDir, 'secrets')} (${generated.join(', ')}; development only)`);
  const config = loadConfig();

  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dir: join(dataDir, 'pg'), port: config.database.embeddedPort, persistent: true });
    stack.push(pg);
    await pg.createDatabase('revcycle');
    databaseUrl = pg.url('revcycle');
  }
  const db = await connectDb(databaseUrl);
  stack.push(db);
  where('Postgres', databaseUrl.replace(/\/\/[^@]*@/, '//'));

  let address = config.temporal.address;
  if (!address) {
    const apiBase = config.api.publicUrl ?? `http://127.0.0.1:${config.api.port}`;
    const dev = await startTemporalDevServer({
      dataDir, port: config.temporal.devPort, uiPort: config.temporal.uiPort, namespace: config.temporal.namespace,
      // The Web UI shows sealed payloads decoded through the API's codec endpoint.
      codecEndpoint: config.codec ? `${apiBase}/codec` : undefined,
    });
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
  where('PMS HL7 feed (MLLP)', `127.0.0.1:${config.mllpListenPort}`);

  const endpoints = config.simulators.start ? await startSimulators(config, apiUrl, stack) : endpointsFromConfig(config);
  stack.push(await runWorker(config, db, address, endpoints));
  where('Worker', 'running');
  console.log('revcycle is up; Ctrl-C stops it');
});
