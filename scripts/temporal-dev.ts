/**
 * The Temporal dev server for local runs: the pinned `temporal` CLI, SQLite under the
 * data directory (a restart keeps every visit), the Web UI, and our search attributes.
 */
import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { devServerSearchAttributeArgs } from '../workflows/search-attributes';
import { StartupError } from './startup-error';
import { toolPath } from './tools';

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(opts: { dataDir: string; port: number; uiPort: number; namespace: string }): Promise<DevServer> {
  const args = [
    'server', 'start-dev',
    '--db-filename', join(opts.dataDir, 'temporal.sqlite'),
    '--ip', '127.0.0.1', '--port', String(opts.port), '--ui-port', String(opts.uiPort),
    '--namespace', opts.namespace, '--log-level', 'warn',
    ...devServerSearchAttributeArgs(),
  ];
  const child = spawn(toolPath('temporal'), args, { stdio: ['ignore', 'ignore', 'inherit'] });
  child.once('error', () => undefined); // reported by waitUntilServing, which sees the exit
  const address = `127.0.0.1:${opts.port}`;
  await waitUntilServing(address, child);
  return { address, uiUrl: `http://127.0.0.1:${opts.uiPort}`, stop: () => stopChild(child) };
}

async function waitUntilServing(address: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.pid === undefined) {
      throw new StartupError('Temporal dev server', `exited with code ${child.exitCode ?? 'none'} while starting on ${address}`, 'see its log above; check TEMPORAL_DEV_PORT and TEMPORAL_UI_PORT are free, or set TEMPORAL_ADDRESS');
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new StartupError('Temporal dev server', `not serving at ${address} after 60 s (${(err as Error).message})`, 'see its log above, or set TEMPORAL_ADDRESS to a running server');
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
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
