/**
 * Per-caller token buckets, in process: each caller (an API key, a token's subject, or
 * the address of failed attempts) holds up to `burst` tokens, refilled at `perMinute`.
 * A request takes one; none left is a 429 with Retry-After. Idle full buckets are
 * forgotten, so memory stays bounded by the callers active in the last minutes.
 */
export interface RateLimitConfig {
  perMinute: number;
  burst: number;
}

export interface RateLimiter {
  take(caller: string): boolean;
  /** Whole seconds until `caller` has a token again (at least 1). */
  retryAfterSeconds(caller: string): number;
}

export function createRateLimiter(c: RateLimitConfig, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = c.perMinute / 60_000;

  function bucket(caller: string) {
    const t = now();
    const b = buckets.get(caller) ?? { tokens: c.burst, at: t };
    b.tokens = Math.min(c.burst, b.tokens + (t - b.at) * perMs);
    b.at = t;
    buckets.set(caller, b);
    if (buckets.size > 10_000) forgetIdle(t);
    return b;
  }

  function forgetIdle(t: number) {
    for (const [k, b] of buckets) if (b.tokens + (t - b.at) * perMs >= c.burst) buckets.delete(k);
  }

  return {
    take(caller) {
      const b = bucket(caller);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    retryAfterSeconds(caller) {
      const b = bucket(caller);
      return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
    },
  };
}
