/** The simulators as their own process, for the docker-compose demo profile. */
import { loadConfig } from '../config';
import { runMain } from './main';
import { startSimulators } from './simulators';

runMain('simulators', async (stack) => {
  const config = loadConfig({ ...process.env, START_SIMULATORS: 'true' });
  const apiUrl = config.api.publicUrl ?? `http://${config.simulators.revcycleHost}:${config.api.port}`;
  await startSimulators(config, apiUrl, stack);
  console.log('revcycle simulators ready');
});
