/**
 * `npm run chaos [-- --visits N --kill-every-s S --concurrency C --seed K]`: a chaos run on
 * its own stack (see ./stack.ts), with a progress bar, ending with the results table.
 * Exits 1 when a visit is stuck or a ledger check fails.
 */
import { parseArgs } from 'node:util';
import { defaultChaosOptions, DEFAULT_FAULTS, runChaos, type ChaosProgress, type ChaosResult } from './run';

const USAGE = `usage: npm run chaos -- [--visits N] [--kill-every-s S] [--concurrency C] [--seed K]
  N visits (default 1000) through failing simulators (20% errors, 10% dropped ACKs,
  duplicated and reordered deliveries) while the worker is SIGKILLed every S seconds
  (default 30) and Postgres and the Temporal dev server are each restarted once.`;

function bar(p: ChaosProgress): string {
  const width = 30;
  const filled = Math.round((p.settled / p.visits) * width);
  const s = Math.round(p.elapsedMs / 1000);
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.settled}/${p.visits} settled, ${p.started} started | worker kills ${p.kills}` +
    ` | postgres ${p.postgresRestarted ? 'restarted' : 'pending'} | temporal ${p.temporalRestarted ? 'restarted' : 'pending'} | ${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  );
}

export function formatResult(r: ChaosResult): string {
  const pct = (n: number) => `${((n / r.visits) * 100).toFixed(1)}%`;
  const lines = [
    '',
    `chaos: ${r.visits} visits in ${(r.wallMs / 60_000).toFixed(1)} min wall time`,
    `worker SIGKILLs ${r.events.workerKills} (worker starts ${r.events.workerStarts}), Postgres restarts ${r.events.postgresRestarts}, Temporal restarts ${r.events.temporalRestarts}`,
    ...(['ehr', 'pms', 'clearinghouse'] as const).map((p) => {
      const f = r.faults[p];
      return `  ${p.padEnd(13)} calls ${f.calls}, failed ${f.error}, ACK dropped ${f.dropAck}, duplicated ${f.duplicate}, reordered ${f.reorder}`;
    }),
    '',
    '| stage | outcome | awaiting action | visits |',
    '|---|---|---|---:|',
    ...r.table.map((t) => `| ${t.stage} | ${t.outcome} | ${t.awaitingAction} | ${t.visits} |`),
    '',
    `closed ${r.closed} (${pct(r.closed)}), parked with a reason ${r.parked} (${pct(r.parked)}), stuck ${r.stuck.length}${r.stuck.length ? `: ${r.stuck.slice(0, 10).join(', ')}` : ''}`,
    '',
    `| duplicates | count |`,
    '|---|---:|',
    `| charges | ${r.ledger.duplicates.charges} |`,
    `| claims | ${r.ledger.duplicates.claims} |`,
    `| payments | ${r.ledger.duplicates.payments} |`,
    '',
    '| total | simulators | Postgres | equal |',
    '|---|---:|---:|---|',
    ...r.ledger.checks.map((c) => `| ${c.what} | ${c.simulators} | ${c.postgres} | ${c.ok ? 'yes' : 'NO'} |`),
    '',
    r.stuck.length === 0 && r.ledger.ok ? 'PASS: every visit closed or parked with a reason, nothing twice, totals equal' : 'FAIL',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      visits: { type: 'string' },
      'kill-every-s': { type: 'string' },
      concurrency: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(USAGE);
  const int = (v: string | undefined, name: string, fallback: number) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) {
      console.error(`--${name} must be a positive whole number, not "${v}"\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const defaults = defaultChaosOptions();
  const opts = {
    ...defaults,
    visits: int(values.visits, 'visits', defaults.visits),
    killEveryMs: int(values['kill-every-s'], 'kill-every-s', defaults.killEveryMs / 1000) * 1000,
    concurrency: int(values.concurrency, 'concurrency', defaults.concurrency),
    faults: { ...DEFAULT_FAULTS, seed: int(values.seed, 'seed', DEFAULT_FAULTS.seed!) },
  };
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  const result = await runChaos({
    ...opts,
    onProgress: (p) => {
      if (tty) return void process.stderr.write(`\r${bar(p)}`);
      const tenth = Math.floor((p.settled / p.visits) * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${bar(p)}\n`);
      }
    },
  });
  console.log(formatResult(result));
  process.exit(result.stuck.length === 0 && result.ledger.ok ? 0 : 1);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`chaos run failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  });
}
