/**
 * Runs the EHR simulator on its own: `npx tsx simulators/ehr/main.ts`.
 * SIM_EHR_PORT (default 8085), SIM_EHR_HOST (127.0.0.1), SIM_EHR_WEBHOOK_URL, SIM_EHR_DATA_FILE (state kept across restarts), and faults
 * as SIM_EHR_FAULT_SEED, _ERROR_RATE, _TIMEOUT_RATE, _DROP_ACK_RATE, _DUPLICATE_RATE, _LATENCY_MIN_MS, _LATENCY_MAX_MS.
 */
import { loadConfig } from '../../config';
import { Faults, faultsFromEnv } from '../faults';
import { startEhrSimulator } from './server';

async function main(): Promise<void> {
  const sim = await startEhrSimulator({
    port: Number(process.env.SIM_EHR_PORT ?? 8085),
    host: process.env.SIM_EHR_HOST ?? '127.0.0.1',
    webhookUrl: process.env.SIM_EHR_WEBHOOK_URL || undefined,
    webhookSecret: loadConfig().webhooks.ehrSecret,
    faults: new Faults(faultsFromEnv('SIM_EHR_FAULT')),
    dataFile: process.env.SIM_EHR_DATA_FILE || undefined,
  });
  console.log(`EHR simulator (FHIR R4) at ${sim.url}; sign encounters with POST ${sim.url}/sim/encounters`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
