/**
 * Runs a process's parts: each part is pushed on the stack as it starts, and the stack
 * is stopped in reverse order on SIGINT/SIGTERM, or on a failed start, so nothing that
 * did start (Postgres, the Temporal dev server) outlives us. Any failure is one line
 * (`revcycle <process>: <part>: <what went wrong> (<what to do>)`), never a stack trace.
 */
import { log } from './log';
import { startupLine } from './startup-error';

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
  const fail = async (err: unknown) => {
    if (stopping) return;
    stopping = true;
    console.error(startupLine(name, err));
    await stopAll();
    process.exit(1);
  };
  // A part that fails by an 'error' event (a socket, a child process) rather than a rejection
  // ends the process the same way: one line, everything started is stopped, exit 1.
  process.on('uncaughtException', (err) => void fail(err));
  start(stack).catch(fail);
}
