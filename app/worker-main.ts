/** A worker process of the production shape (docker-compose runs any number of them). */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig, requireDeployed } from '../config';
import { runMain } from './main';
import { connectDb, runWorker } from './services';
import { endpointsFromConfig } from './wiring';

runMain('worker', async (stack) => {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // the SDK's INFO lines (state changes) are not for a person
  const config = loadConfig();
  const { databaseUrl, temporalAddress: address } = requireDeployed(config);
  const db = await connectDb(config, databaseUrl);
  stack.push(db);
  stack.push(await runWorker(config, db, address, endpointsFromConfig(config)));
  console.log(`revcycle worker polling ${config.temporal.taskQueue}`);
});
