/**
 * Runs the PMS simulator on its own:
 *   SIM_PMS_HTTP_PORT=4020 SIM_PMS_MLLP_PORT=2575 REVCYCLE_MLLP_PORT=2576 \
 *   SIM_PMS_FAULT_ERROR_RATE=0.2 SIM_PMS_FAULT_DROP_ACK_RATE=0.1 npx tsx simulators/pms/main.ts
 * SIM_PMS_DATA_FILE keeps the ledger across restarts.
 */
import { Faults, faultsFromEnv } from '../faults';
import { startPmsSimulator } from '.';

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main(): Promise<void> {
  const revcyclePort = process.env.REVCYCLE_MLLP_PORT;
  const sim = await startPmsSimulator({
    httpPort: port('SIM_PMS_HTTP_PORT', 4020),
    mllpPort: port('SIM_PMS_MLLP_PORT', 2575),
    host: process.env.SIM_PMS_HOST ?? '127.0.0.1',
    faults: new Faults(faultsFromEnv('SIM_PMS_FAULT')),
    dataFile: process.env.SIM_PMS_DATA_FILE || undefined,
    revcycleMllp: revcyclePort ? { host: process.env.REVCYCLE_MLLP_HOST ?? '127.0.0.1', port: Number(revcyclePort) } : undefined,
  });
  console.log(`PMS simulator: REST ${sim.url}, MLLP port ${sim.mllpPort}`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
