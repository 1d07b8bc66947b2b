/**
 * `npm run demo:seed`: drives a few hundred visits through the running stack (`npm start`:
 * the API and the simulators), across every path the simulators offer (scripts/visit-driver.ts),
 * so the dashboard has something to show. Dates of service are spread over the last five
 * months; a few visits are left waiting in each work queue, and some are corrected by "a person".
 *
 *   DEMO_VISITS=300 npm run demo:seed
 */
import { loadConfig } from '../config';
import { connect, driveVisits, PATHS } from './visit-driver';

async function main(): Promise<void> {
  const count = Number(process.env.DEMO_VISITS ?? 300);
  const driver = await connect(loadConfig());
  const { driven, failed } = await driveVisits(driver, count, (_i, rnd) => rnd.weighted(PATHS));
  const paths = new Map<string, number>();
  for (const v of driven) paths.set(v.path.name, (paths.get(v.path.name) ?? 0) + 1);
  for (const [name, n] of [...paths].sort((a, b) => b[1] - a[1])) console.log(`${String(n).padStart(5)}  ${name}`);
  console.log(`dashboard: ${driver.api.url}/dashboard   work queues: ${driver.api.url}/work-queues${failed.length ? `   (${failed.length} failed)` : ''}`);
  if (failed.length) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`demo:seed: ${(err as Error).message}`);
  process.exit(1);
});
