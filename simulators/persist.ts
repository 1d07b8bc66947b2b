/**
 * A simulator's state in a JSON file, so it outlives a restart of `npm start` as a real
 * EHR, PMS or clearinghouse would. Loaded once at start; saved whole after each change,
 * synchronously, through a temp file and a rename: a crash mid-write leaves the previous
 * state intact, and two saves can never interleave. The file holds names, birth dates and
 * member ids: only its owner may read it (0600, its folder 0700 when made here), whatever
 * the umask, and a file left readable by an older version is closed on the next save.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/** The state file exists but cannot be used; a restart will not fix it, a person must. */
export class SimulatorStateError extends Error {
  readonly code = 'SIM_STATE_UNREADABLE';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`simulator state file ${file} is unusable (${reason}); repair it or delete it to start the simulator empty`);
    this.name = 'SimulatorStateError';
  }
}

export class StateFile<T> {
  constructor(
    readonly path: string,
    private readonly schema: z.ZodType<T>,
  ) {}

  /** The saved state, or undefined when there is no file yet. */
  load(): T | undefined {
    const text = this.read();
    if (text === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new SimulatorStateError(this.path, `not JSON: ${(e as Error).message}`);
    }
    const parsed = this.schema.safeParse(json);
    if (!parsed.success) throw new SimulatorStateError(this.path, `not a state this simulator wrote: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  }

  save(state: T): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(state), { mode: 0o600 });
    chmodSync(temp, 0o600); // mode applies only when the file is created: a temp file left by a crash keeps its old one
    renameSync(temp, this.path);
  }

  private read(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SimulatorStateError(this.path, (e as Error).message);
    }
  }
}

/** A simulator's memory that can be written out whole and taken back into an empty instance. */
export interface Persistable<S> {
  snapshot(): S;
  restore(snapshot: S): void;
}

/** How long changes gather before one save: the state is written whole, so a save per change grows with the store (O(n²) over a run). */
export const SAVE_COALESCE_MS = 100;

/**
 * Makes the state with `make`, restored from `dataFile` when that file exists, and saved
 * to it at most SAVE_COALESCE_MS after the state calls the `changed` it was given (all the
 * changes of that window in one write); `flush()` saves what is pending at once (the
 * simulator's close calls it). Without `dataFile`, in memory only.
 */
export function openPersisted<S, T extends Persistable<S>>(
  dataFile: string | undefined,
  schema: z.ZodType<S>,
  make: (changed: () => void) => T,
): { state: T; restored: boolean; flush(): void } {
  const file = dataFile === undefined ? undefined : new StateFile(dataFile, schema);
  const saved = file?.load();
  let pending: NodeJS.Timeout | undefined;
  const flush = () => {
    if (!pending) return;
    clearTimeout(pending);
    pending = undefined;
    file!.save(state.snapshot());
  };
  const state: T = make(() => {
    if (file && !pending) pending = setTimeout(flush, SAVE_COALESCE_MS).unref();
  });
  if (saved) state.restore(saved);
  return { state, restored: saved !== undefined, flush };
}

/** A domain object kept as the simulator built it: checked only for the string fields restoring it relies on. */
export function storedObject<T>(...keys: string[]): z.ZodType<T> {
  const has = (v: unknown) => typeof v === 'object' && v !== null && keys.every((k) => typeof (v as Record<string, unknown>)[k] === 'string');
  return z.custom<T>(has, keys.length ? `expected an object with ${keys.join(', ')}` : 'expected an object');
}
