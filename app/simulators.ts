/**
 * The simulated EHR (FHIR R4), PMS (HL7 v2 over MLLP, and REST) and clearinghouse (X12),
 * each with fault injection from SIM_<PARTY>_FAULT_* variables (see README).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { startClearinghouseSimulator } from '../simulators/clearinghouse';
import { simSftpKeys, startSftpServer } from '../simulators/clearinghouse/sftp-server';
import { startAuthorizationServer, startEhrSimulator } from '../simulators/ehr';
import { Faults, faultsFromEnv } from '../simulators/faults';
import { startPmsSimulator } from '../simulators/pms';
import type { Stoppable } from './main';
import { ehrJwksOf, type Endpoints } from './wiring';

export const where = (what: string, at: string) => console.log(`  ${what.padEnd(22)} ${at}`);

/** EHR_AUTH=smart: an authorization server (oidc-provider) that knows revcycle's key, in front of the EHR simulator. */
async function ehrAuthorizationServer(config: Config, stack: Stoppable[]) {
  const a = config.ehr.auth;
  if (a.mode !== 'smart') return undefined;
  const as = await startAuthorizationServer({ clientId: a.clientId, clientJwks: await ehrJwksOf(config), scopes: a.scopes });
  stack.push({ stop: () => as.close() });
  where('EHR authorization', as.tokenEndpoint);
  return { tokenEndpoint: as.tokenEndpoint, introspectionEndpoint: as.introspectionEndpoint, ...as.gateway };
}

/** Starts the three simulators, pushing each on the stack; callbacks go to the API at `apiUrl`. */
export async function startSimulators(config: Config, apiUrl: string, stack: Stoppable[]): Promise<Endpoints> {
  const s = config.simulators;
  // Each simulator keeps its memory here (the folder is made on first save), so it outlives a restart as the visits do.
  const dataFile = (simulator: 'ehr' | 'pms' | 'clearinghouse') => join(config.dataDir, 'simulators', `${simulator}.json`);
  const ehr = await startEhrSimulator({
    port: s.ehrPort,
    host: s.host,
    webhookUrl: `${apiUrl}/webhooks/ehr/encounter-signed`,
    webhookSecret: config.webhooks.ehrSecret,
    faults: new Faults(faultsFromEnv('SIM_EHR_FAULT')),
    dataFile: dataFile('ehr'),
    auth: await ehrAuthorizationServer(config, stack),
  });
  stack.push({ stop: () => ehr.close() });
  const pms = await startPmsSimulator({
    httpPort: s.pmsHttpPort,
    mllpPort: s.pmsMllpPort,
    host: s.host,
    faults: new Faults(faultsFromEnv('SIM_PMS_FAULT')),
    revcycleMllp: { host: s.revcycleHost, port: config.mllpListenPort },
    mllpTls: s.pmsMllpTls && { key: readFileSync(s.pmsMllpTls.keyFile), cert: readFileSync(s.pmsMllpTls.certFile), ca: readFileSync(s.pmsMllpTls.caFile) },
    dataFile: dataFile('pms'),
  });
  stack.push({ stop: () => pms.close() });
  const sftpDir = join(config.dataDir, 'simulators', 'clearinghouse-sftp');
  const ch = await startClearinghouseSimulator({
    port: s.clearinghousePort,
    host: s.host,
    callbackUrl: `${apiUrl}/webhooks/clearinghouse`,
    callbackSecret: config.webhooks.clearinghouseSecret ?? '',
    faults: new Faults(faultsFromEnv('SIM_CLEARINGHOUSE_FAULT')),
    dataFile: dataFile('clearinghouse'),
    // With a CORE transport the answers wait in the simulator's mailbox for retrieval, with SFTP in its outbound folder, as at a real partner.
    ...(config.clearinghouse.transport.startsWith('core-') ? { delivery: 'mailbox' as const, core: config.clearinghouse.core } : {}),
    ...(config.clearinghouse.transport === 'sftp' ? { delivery: 'folder' as const, sftpRoot: join(sftpDir, 'root') } : {}),
  });
  stack.push({ stop: () => ch.close() });
  if (config.clearinghouse.transport === 'sftp') {
    const keys = simSftpKeys(join(sftpDir, 'keys'));
    const sftp = await startSftpServer({
      host: s.host,
      port: s.clearinghouseSftpPort,
      root: join(sftpDir, 'root'),
      username: 'revcycle',
      hostKey: readFileSync(keys.hostKeyFile, 'utf8'),
      authorizedKey: readFileSync(keys.userPublicKeyFile, 'utf8'),
    });
    stack.push({ stop: () => sftp.close() });
    where('Clearinghouse SFTP', `sftp://revcycle@${s.host}:${sftp.port} (host key ${keys.hostKeySha256})`);
  }
  where('EHR simulator (FHIR)', ehr.url);
  where('PMS simulator', `${pms.url} (MLLP ${s.host}:${pms.mllpPort})`);
  where('Clearinghouse sim', ch.url);
  return {
    ehrUrl: ehr.url,
    clearinghouseUrl: ch.url,
    pms: config.pms.mode === 'rest' ? { mode: 'rest', url: pms.url } : { mode: 'hl7', host: s.host, port: pms.mllpPort },
  };
}
