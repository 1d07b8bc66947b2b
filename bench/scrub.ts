/**
 * How long a scrub of one claim takes, not a test: `npm run bench:scrub`.
 *
 * 1. The pure scrubber (every rule family) on a typical claim (2 diagnoses, 2 lines) and
 *    on a large one (12 diagnoses, 20 lines), against the structural checks alone (the
 *    pattern/pointer checks the visit ran before) in the same run.
 * 2. With DATABASE_URL set (e.g. the embedded Postgres of `npm start`), the scrubClaim
 *    activity's whole path: the ruleset, the code-set, edit, payer and fee lookups in
 *    Postgres, then the scrubber.
 */
import { performance } from 'perf_hooks';
import { ruleset } from '../db/codesets';
import { scrubWith } from '../activities/scrub';
import { createDb } from '../db/knex';
import type { ScrubClaim } from '../domain/billing/findings';
import { scrubClaim, structuralOnly } from '../domain/billing/scrub';
import { cleanClaim, scrubData } from '../domain/billing/scrub-fixture';

const N = Number(process.env.BENCH_SCRUBS ?? 20_000);

/** Microseconds per call: the median of 7 rounds of `n` calls, after a warm-up round. */
function perCall(fn: () => unknown, n = N): number {
  const rounds: number[] = [];
  for (let r = 0; r < 8; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) fn();
    if (r > 0) rounds.push(((performance.now() - start) * 1000) / n);
  }
  return rounds.sort((a, b) => a - b)[3];
}

const large: ScrubClaim = cleanClaim({
  diagnoses: Array.from({ length: 12 }, (_, i) => ({ code: i % 2 ? 'E119' : 'M5450', rank: i + 1 })),
  procedures: Array.from({ length: 20 }, (_, i) => ({
    code: ['99214', '20610', '97110', '97530', '36415'][i % 5],
    modifiers: i % 5 === 0 ? ['25'] : ['59'],
    units: 1,
    diagnosisPointers: [1 + (i % 12)],
  })),
});

async function main(): Promise<void> {
  const data = scrubData();
  const rows: [string, number, number][] = [];
  for (const [name, claim] of [
    ['typical claim (2 dx, 2 lines)', cleanClaim()],
    ['large claim (12 dx, 20 lines)', large],
  ] as const) {
    const baseline = perCall(() => structuralOnly(claim, data));
    const full = perCall(() => scrubClaim(claim, data));
    rows.push([name, baseline, full]);
  }
  console.log(`pure scrubber, ${N} calls per round, median of 7 rounds (same run)`);
  console.log('claim                            structural only   full scrubber   ratio');
  for (const [name, b, f] of rows)
    console.log(`${name.padEnd(32)} ${b.toFixed(2).padStart(10)} µs ${f.toFixed(2).padStart(12)} µs ${(f / b).toFixed(1).padStart(7)}x`);

  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log('\nset DATABASE_URL (e.g. postgres://postgres:revcycle@127.0.0.1:5433/revcycle while `npm start` runs) to time the lookups too');
    return;
  }
  const db = createDb(url, { min: 1, max: 4 });
  try {
    const claim = {
      ...cleanClaim(),
      diagnoses: [
        { code: 'M545', rank: 1 },
        { code: 'E119', rank: 2 },
      ],
    };
    const asOf = '2026-11-21';
    const times = async (fn: () => Promise<unknown>, n: number) => {
      await fn();
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const start = performance.now();
        await fn();
        ms.push(performance.now() - start);
      }
      ms.sort((a, b) => a - b);
      return { p50: ms[Math.floor(n / 2)], p95: ms[Math.floor(n * 0.95)] };
    };
    const rs = await ruleset(db, undefined, false);
    const lookups = await times(() => scrubWith(db, rs, claim, '1234567893', asOf), 200);
    const whole = await times(async () => scrubWith(db, await ruleset(db, undefined, false), claim, '1234567893', asOf), 200);
    const ping = await times(() => db.raw('SELECT 1'), 200);
    console.log(`\nwith Postgres (${url.replace(/\/\/[^@]*@/, '//')}), 200 scrubs of a claim with M54.5 (a header code)`);
    console.log(`  a round trip (SELECT 1)             p50 ${ping.p50.toFixed(2)} ms  p95 ${ping.p95.toFixed(2)} ms`);
    console.log(`  lookups + scrub (ruleset known)     p50 ${lookups.p50.toFixed(2)} ms  p95 ${lookups.p95.toFixed(2)} ms`);
    console.log(`  ruleset + lookups + scrub (activity) p50 ${whole.p50.toFixed(2)} ms  p95 ${whole.p95.toFixed(2)} ms`);
  } finally {
    await db.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
