/**
 * Runs the clearinghouse simulator on its own:
 *   SIM_CLEARINGHOUSE_PORT=4030 CLEARINGHOUSE_CALLBACK_URL=http://127.0.0.1:3000/webhooks/clearinghouse \
 *   SIM_CLEARINGHOUSE_FAULT_ERROR_RATE=0.1 SIM_CLEARINGHOUSE_FAULT_DUPLICATE_RATE=0.2 npx tsx simulators/clearinghouse/main.ts
 * SIM_CLEARINGHOUSE_DATA_FILE keeps its memory across restarts.
 */
import { loadConfig } from '../../config';
import { Faults, faultsFromEnv } from '../faults';
import { startClearinghouseSimulator } from '.';

async function main(): Promise<void> {
  const sim = await startClearinghouseSimulator({
    port: Number(process.env.SIM_CLEARINGHOUSE_PORT ?? 4030),
    host: process.env.SIM_CLEARINGHOUSE_HOST ?? '127.0.0.1',
    callbackUrl: process.env.CLEARINGHOUSE_CALLBACK_URL ?? 'http://127.0.0.1:3000/webhooks/clearinghouse',
    callbackSecret: loadConfig().webhooks.clearinghouseSecret ?? '',
    faults: new Faults(faultsFromEnv('SIM_CLEARINGHOUSE_FAULT')),
    dataFile: process.env.SIM_CLEARINGHOUSE_DATA_FILE || undefined,
    ackDelayMs: Number(process.env.SIM_CLEARINGHOUSE_ACK_DELAY_MS ?? 1000),
    adjudicationDelayMs: Number(process.env.SIM_CLEARINGHOUSE_ADJUDICATION_DELAY_MS ?? 5000),
  });
  console.log(`Clearinghouse simulator: POST ${sim.url}/x12`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
