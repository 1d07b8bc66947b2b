/**
 * Fault injection shared by the simulators, so they fail the way real systems do:
 * slow answers, 5xx/NAKs, hung requests, work done but its acknowledgment lost,
 * duplicate deliveries. Deterministic under a seed: the same seed and the same
 * sequence of calls give the same faults, so a failing run can be replayed.
 */
import { z } from 'zod';

export const FaultConfig = z.object({
  seed: z.number().int().default(1),
  /** Added latency per call, uniformly between min and max milliseconds. */
  latencyMinMs: z.number().int().min(0).default(0),
  latencyMaxMs: z.number().int().min(0).default(0),
  /** Share of calls answered with a 5xx (HTTP) or an AE/NAK (HL7) before doing any work. */
  errorRate: z.number().min(0).max(1).default(0),
  /** Share of calls that hang until the caller gives up; no work is done. */
  timeoutRate: z.number().min(0).max(1).default(0),
  /** Share of calls whose work IS done but whose answer is never sent (connection dropped). */
  dropAckRate: z.number().min(0).max(1).default(0),
  /** Share of outbound deliveries (callbacks, HL7 messages) sent twice. */
  duplicateRate: z.number().min(0).max(1).default(0),
  /** Share of outbound batches delivered out of order (e.g. the 835 before its 277CA and 999). */
  reorderRate: z.number().min(0).max(1).default(0),
});
export type FaultConfig = z.infer<typeof FaultConfig>;

/** mulberry32: tiny, fast, and good enough to spread faults evenly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What to do with one inbound call. */
export type InboundFault = 'none' | 'error' | 'timeout' | 'drop-ack';

export class Faults {
  private next: () => number;
  readonly config: FaultConfig;
  /** Counts of injected faults, for tests and the simulator's /sim/stats. */
  readonly injected = { error: 0, timeout: 0, dropAck: 0, duplicate: 0, reorder: 0 };
  /** Inbound calls seen, faulty or not: lets a test act while a call is in flight. */
  calls = 0;

  constructor(config: Partial<FaultConfig> = {}) {
    this.config = FaultConfig.parse(config);
    this.next = prng(this.config.seed);
  }

  static none(): Faults {
    return new Faults();
  }

  latencyMs(): number {
    const { latencyMinMs: min, latencyMaxMs: max } = this.config;
    return max <= min ? min : Math.floor(min + this.next() * (max - min));
  }

  /** Decides the fate of one inbound call. One draw per call keeps the sequence stable. */
  inbound(): InboundFault {
    this.calls++;
    const { errorRate, timeoutRate, dropAckRate } = this.config;
    const r = this.next();
    if (r < errorRate) return this.count('error');
    if (r < errorRate + timeoutRate) return this.count('timeout');
    if (r < errorRate + timeoutRate + dropAckRate) return this.count('drop-ack');
    return 'none';
  }

  /** Whether an outbound delivery should be sent twice. */
  duplicate(): boolean {
    const dup = this.next() < this.config.duplicateRate;
    if (dup) this.injected.duplicate++;
    return dup;
  }

  /** Whether a batch of outbound deliveries should go out in reverse order. */
  reorder(): boolean {
    const reorder = this.next() < this.config.reorderRate;
    if (reorder) this.injected.reorder++;
    return reorder;
  }

  private count(f: Exclude<InboundFault, 'none'>): InboundFault {
    if (f === 'error') this.injected.error++;
    else if (f === 'timeout') this.injected.timeout++;
    else this.injected.dropAck++;
    return f;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Reads a FaultConfig from environment variables with a prefix, e.g. SIM_PMS_FAULT_ERROR_RATE=0.2. */
export function faultsFromEnv(prefix: string, env: NodeJS.ProcessEnv = process.env): Partial<FaultConfig> {
  const num = (name: string) => {
    const v = env[`${prefix}_${name}`];
    return v === undefined || v === '' ? undefined : Number(v);
  };
  const raw = {
    seed: num('SEED'),
    latencyMinMs: num('LATENCY_MIN_MS'),
    latencyMaxMs: num('LATENCY_MAX_MS'),
    errorRate: num('ERROR_RATE'),
    timeoutRate: num('TIMEOUT_RATE'),
    dropAckRate: num('DROP_ACK_RATE'),
    duplicateRate: num('DUPLICATE_RATE'),
    reorderRate: num('REORDER_RATE'),
  };
  const parsed = FaultConfig.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${prefix}_${String(issue.path[0])
        .replace(/[A-Z]/g, (c) => `_${c}`)
        .toUpperCase()}: ${issue.message}`,
    );
  }
  return parsed.data;
}

type Middleware = (req: import('http').IncomingMessage, res: import('http').ServerResponse, next: () => void) => void;

/**
 * Express middleware applying inbound faults to HTTP calls. `drop-ack` lets the
 * handler do its work, then destroys the connection instead of answering: the
 * caller cannot tell whether the work happened, exactly as with a real timeout.
 */
export function httpFaults(faults: Faults): Middleware {
  return (req, res, next) => {
    const fault = faults.inbound();
    setTimeout(() => {
      if (fault === 'error') {
        res.statusCode = 503;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ code: 'SIMULATED_FAULT', message: 'simulated 503' }));
        return;
      }
      if (fault === 'timeout') {
        // Hold the request open; the caller's timeout ends it. Closed sockets release it.
        req.socket.setTimeout(0);
        return;
      }
      if (fault === 'drop-ack') {
        res.end = ((..._args: unknown[]) => {
          req.socket.destroy();
          return res;
        }) as typeof res.end;
      }
      next();
    }, faults.latencyMs());
  };
}
