/**
 * The Temporal dev server for local runs: the pinned `temporal` CLI, SQLite under the
 * data directory (a restart keeps every visit), the Web UI, and our search attributes.
 */
import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { devServerSearchAttributeArgs } from '../workflows/search-attributes';
import { StartupError } from './startup-error';
import { startTemporalUiGateway } from './temporal-ui-gateway';
import { toolPath } from './tools';

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * `codec`: the Web UI decodes payloads through revcycle's API (/codec) with the signed-in
 * person's session. The CLI cannot tell its UI to send credentials, so the UI server listens
 * on a free loopback port and a gateway on `uiPort` serves it with settings that do
 * (app/temporal-ui-gateway.ts).
 */
export async function startTemporalDevServer(opts: {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  codec?: { endpoint: string; signInUrl: string };
}): Promise<DevServer> {
  const uiServerPort = opts.codec ? await freeLoopbackPort() : opts.uiPort;
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    join(opts.dataDir, 'temporal.sqlite'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(uiServerPort),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    ...devServerSearchAttributeArgs(),
    ...(opts.codec ? ['--ui-codec-endpoint', opts.codec.endpoint] : []),
  ];
  const logFile = join(opts.dataDir, 'temporal.log');
  const log = openSync(logFile, 'a');
  const child = spawn(toolPath('temporal'), args, { stdio: ['ignore', log, log] });
  child.once('error', () => undefined); // reported by waitUntilServing, which sees the exit
  const address = `127.0.0.1:${opts.port}`;
  await waitUntilServing(address, child, 60_000, `see ${logFile}; check TEMPORAL_DEV_PORT and TEMPORAL_UI_PORT are free, or set TEMPORAL_ADDRESS`);
  if (!opts.codec) return { address, uiUrl: `http://127.0.0.1:${opts.uiPort}`, stop: () => stopChild(child) };
  const gateway = await startTemporalUiGateway({ host: '127.0.0.1', port: opts.uiPort, upstream: `http://127.0.0.1:${uiServerPort}`, codec: opts.codec }).catch(
    async (err) => {
      await stopChild(child);
      throw new StartupError('Temporal Web UI', `cannot listen on 127.0.0.1:${opts.uiPort} (${(err as Error).message})`, 'set TEMPORAL_UI_PORT to a free port');
    },
  );
  return {
    address,
    uiUrl: gateway.url,
    async stop() {
      await gateway.close();
      await stopChild(child);
    },
  };
}

/** A port free on loopback now (the UI server behind the gateway takes it a moment later). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number, hint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.pid === undefined) {
      throw new StartupError('Temporal', `the server exited with code ${child.exitCode ?? 'none'} while starting on ${address}`, hint);
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new StartupError('Temporal', `not serving at ${address} after ${timeoutMs / 1000} s (${(err as Error).message})`, hint);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
