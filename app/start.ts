/**
 * `npm start`: the whole stack on one machine (app/stack.ts), each part printing
 * where it is. The API, the simulators and each worker (WORKERS=N) run in their own
 * process, restarted if they crash; Temporal's own logs go to DATA_DIR/temporal.log.
 * `npm start -- --temporal=postgres` runs the real Temporal server on Postgres (built
 * once into .tools/ by scripts/temporal-server-build.sh) instead of the dev server.
 * Ctrl-C stops every child cleanly; starting again resumes the visits that were in flight.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config';
import { ensureDevSecrets } from './dev-secrets';
import { runMain } from './main';
import { where } from './simulators';
import { startStack } from './stack';

runMain('start', async (stack) => {
  const flag = process.argv.slice(2).find((a) => a.startsWith('--temporal='));
  const env = () => (flag ? { ...process.env, TEMPORAL_SERVER: flag.slice('--temporal='.length) } : process.env);
  const dataDir = resolve(loadConfig(env()).dataDir);
  mkdirSync(dataDir, { recursive: true });
  console.log('revcycle starting');
  // Development keys and webhook secrets (made once, mode 0600), in the environment every child inherits.
  const generated = ensureDevSecrets(dataDir);
  if (generated.length) where('Dev secrets', `${join(dataDir, 'secrets')} (${generated.join(', ')}; development only)`);
  const config = loadConfig(env());
  // Children's own start-up lines are noise here; their errors (JSON lines with a level) are not.
  await startStack(config, stack, { out: (line) => !/^revcycle (api|worker|simulators)|^\s{2}\S/.test(line) && console.log(line) });
  console.log('revcycle is up; Ctrl-C stops it');
});
