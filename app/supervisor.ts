/**
 * Runs one of revcycle's entry points (api-main, worker-main, simulators-main) as a
 * child process and keeps it running: it is ready when it prints its ready line; if it
 * dies afterwards it is restarted with a growing pause (1 s, 2 s, … 30 s; back to 1 s
 * after a minute up). A child that dies before its first ready line fails the start-up
 * with its last words. stop() sends SIGTERM (the child stops its parts in order) and
 * SIGKILL after 15 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { log } from './log';
import type { Stoppable } from './main';

export interface Supervised extends Stoppable {
  name: string;
  /** The running child's process id (changes on restart). */
  pid(): number | undefined;
  restarts(): number;
}

const root = resolvePath(__dirname, '..');

export async function supervise(opts: {
  name: string;
  /** An entry point, relative to the repository (e.g. 'app/worker-main.ts') or absolute. */
  script: string;
  env: NodeJS.ProcessEnv;
  ready: RegExp;
  /** Where the child's lines go (default: this process's stdout, prefixed with the name). */
  out?: (line: string) => void;
}): Promise<Supervised> {
  const out = opts.out ?? ((line: string) => console.log(`[${opts.name}] ${line}`));
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let pause = 1000;
  // Ctrl-C reaches the children too (same process group): they stop themselves, and must not be restarted.
  const onSignal = () => void (stopping = true);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);

  const launch = () =>
    new Promise<void>((resolve, reject) => {
      // `node --import tsx` keeps the child one process, so a signal reaches the code itself.
      const c = spawn(process.execPath, ['--import', 'tsx', resolvePath(root, opts.script)], {
        cwd: root,
        env: { ...process.env, ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = c;
      let ready = false;
      let upAt = 0;
      const last: string[] = [];
      const onLine = (line: string) => {
        last.push(line);
        if (last.length > 5) last.shift();
        out(line);
        if (!ready && opts.ready.test(line)) {
          ready = true;
          upAt = Date.now();
          resolve();
        }
      };
      createInterface({ input: c.stdout! }).on('line', onLine);
      createInterface({ input: c.stderr! }).on('line', onLine);
      c.once('exit', (code, signal) => {
        if (stopping) return;
        if (!ready) return reject(new Error(`${opts.name} exited (${signal ?? code}) before it was ready: ${last.join(' | ')}`));
        if (Date.now() - upAt > 60_000) pause = 1000;
        log('error', `${opts.name} exited; restarting`, { code, signal, inMs: pause });
        const wait = pause;
        pause = Math.min(pause * 2, 30_000);
        setTimeout(() => {
          if (stopping) return;
          restarts++;
          launch().catch((err: Error) => log('error', `${opts.name} restart failed`, { error: err.message }));
        }, wait).unref();
      });
    });

  await launch();
  return {
    name: opts.name,
    pid: () => child?.pid,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => c.kill('SIGKILL'), 15_000);
        c.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        c.kill('SIGTERM');
      });
    },
  };
}
