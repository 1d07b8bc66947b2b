/**
 * Runs a process's parts: each part is pushed on the stack as it starts, and the stack
 * is stopped in reverse order on SIGINT/SIGTERM, or on a failed start, so nothing that
 * did start (Postgres, the Temporal dev server) outlives us.
 */
import { ConfigError } from '../config';
import { log } from './log';

export interface Stoppable {
  stop(): Promise<void>;
}

export function runMain(name: string, start: (stack: Stoppable[]) => Promise<void>): void {
  const stack: Stoppable[] = [];
  const stopAll = async () => {
    for (const p of stack.reverse()) await p.stop().catch((err: Error) => log('error', 'stop failed', { error: err.message }));
  };
  let stopping = false;
  const onSignal = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `${name} stopping`, { signal });
    await stopAll();
    process.exit(0);
  };
  process.on('SIGINT', () => void onSignal('SIGINT'));
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
  start(stack).catch(async (err) => {
    console.error(err instanceof ConfigError ? `revcycle ${name}: ${err.message}` : `revcycle ${name}: start-up failed: ${(err as Error).message}`);
    await stopAll();
    process.exit(1);
  });
}
