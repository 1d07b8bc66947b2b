/** The API process of the production shape (docker-compose): needs DATABASE_URL and TEMPORAL_ADDRESS. */
import { loadConfig, requireDeployed } from '../config';
import { runMain } from './main';
import { connectDb, runApi, temporalClient } from './services';

runMain('api', async (stack) => {
  const config = loadConfig();
  const { databaseUrl, temporalAddress: address } = requireDeployed(config);
  const db = await connectDb(config, databaseUrl);
  stack.push(db);
  const temporal = await temporalClient(config, address);
  stack.push(temporal);
  stack.push(await runApi(config, db, temporal.client));
  console.log(`revcycle api listening on ${config.api.port}, HL7 feed on ${config.mllpListenPort}`);
});
