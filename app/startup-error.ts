/**
 * A part of the stack that could not start, said in one line a person can act on:
 * which part, what went wrong, what to do. `runMain` prints it without a stack trace.
 */
import { createServer } from 'node:net';

export class StartupError extends Error {
  constructor(
    readonly part: string,
    readonly reason: string,
    readonly fix: string,
  ) {
    super(`${part}: ${reason} (${fix})`);
  }
}

/** The one line printed for any failure while starting: a StartupError as it is, anything else folded to one line. */
export function startupLine(processName: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `revcycle ${processName}: ${message.replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ')}`;
}

export interface PortClaim {
  part: string;
  port: number;
  host?: string;
  /** The configuration variable that moves it. */
  variable: string;
}

/** Fails with a StartupError when something already listens on the port; 0 (any free port) always passes. */
export async function assertPortFree({ part, port, host = '127.0.0.1', variable }: PortClaim): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new StartupError(part, `port ${port} is already in use`, `stop what listens there, or set ${variable} to a free port`));
      else if (err.code === 'EACCES')
        reject(new StartupError(part, `port ${port} needs privileges this user does not have`, `set ${variable} to a port above 1023`));
      else reject(new StartupError(part, `cannot listen on ${host}:${port}: ${err.message}`, `check ${variable}`));
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Checks every port before anything starts, so a clash stops start-up with nothing left half-running. */
export async function assertPortsFree(claims: PortClaim[]): Promise<void> {
  for (const claim of claims) await assertPortFree(claim);
}
