/**
 * The Temporal dev server for local runs: the pinned `temporal` CLI, SQLite under the
 * data directory (a restart keeps every visit), the Web UI, and our search attributes.
 */
import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { devServerSearchAttributeArgs } from '../workflows/search-attributes';
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
  const logFile = join(opts.dataDir, 'temporal.log');
  const log = openSync(logFile, 'a');
  const child = spawn(toolPath('temporal'), args, { stdio: ['ignore', log, log] });
  const address = `127.0.0.1:${opts.port}`;
  await waitUntilServing(address, child, 60_000, `is port ${opts.port} in use? see ${logFile}`);
  return { address, uiUrl: `http://127.0.0.1:${opts.uiPort}`, stop: () => stopChild(child) };
}

export async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number, hint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode} (${hint})`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`temporal server at ${address} did not come up: ${(err as Error).message}`);
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
