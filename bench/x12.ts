/**
 * X12 throughput, not a test: `npm run bench:x12`. Generates in memory a large 835
 * (thousands of claims) and thousands of 837P claims, then times our parser and
 * builder against node-x12's X12Parser reading the same 835 in the same run (one
 * parser per document: a reused X12Parser keeps state between documents), and against
 * a bare two-level `split` (segments, then elements) of the same file: the floor any
 * parser that reads every element stands on. Times are the process's CPU time (user +
 * system, GC threads included), not wall time: on a shared machine another process's
 * load stretches wall time but not the CPU this one spends. The ratios are what to read.
 *
 * Each row is timed in a process of its own, so it pays for its own garbage and for no
 * other row's: timed one after the other in one process, the parser timed after
 * node-x12 paid for collecting node-x12's garbage, and the row order alone moved the
 * 835 ratios by 2x between runs. The rows' processes alternate, PASSES times over, so a
 * change of load on a shared machine during the run falls on every row alike.
 * Targets: 835 parse >= 5x node-x12 and >= 50% of the split's speed;
 * 837P build >= 50,000 claims/s.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';

import { X12Parser } from 'node-x12';

import { build837P } from '../domain/x12/build-837p';
import { parse837P } from '../domain/x12/parse-837p';
import { parse835, Remittance, RemittanceClaim } from '../domain/x12/remittance';
import { build835 } from '../domain/x12/remittance-build';
import { sampleBatch, sampleClaim, sampleEnvelope, sampleRemittance } from '../domain/x12/samples';
import { progressBar } from './measure';

const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PASSES = Number(process.env.BENCH_PASSES ?? 3);

/**
 * Runs before the timed ones: a fresh process's heap starts small and grows over the first
 * runs (the parser's CPU time fell from 160 to 60 ms over fourteen runs), and a
 * long-running worker parses with a grown heap.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);

/** CPU milliseconds of each of `rounds` runs after WARMUP untimed ones. */
function time(fn: () => unknown, rounds = ROUNDS): number[] {
  for (let i = 0; i < WARMUP; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    ms.push((used.user + used.system) / 1000);
  }
  return ms;
}

const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)];

/** The floor: every segment cut out, then every element of it; nothing typed, nothing checked. */
function bareSplit(text: string): number {
  let elements = 0;
  for (const segment of text.split('~')) elements += segment.split('*').length;
  return elements;
}

function bigRemittance(claims: number): Remittance {
  const template = sampleRemittance();
  const base = template.claims[0];
  const list: RemittanceClaim[] = Array.from({ length: claims }, (_, i) => ({
    ...base,
    patientControlNumber: `C-${i}`,
    payerClaimNumber: `SIM${String(i).padStart(9, '0')}`,
    lines: [base.lines[0], { ...base.lines[0], code: '20610', modifiers: ['RT'], lineControlNumber: '2' }],
    chargeCents: base.chargeCents * 2,
    paidCents: base.paidCents * 2,
    patientResponsibilityCents: base.patientResponsibilityCents * 2,
  }));
  const paid = list.reduce((s, c) => s + c.paidCents, 0);
  return { ...template, claims: list, providerAdjustments: [], payment: { ...template.payment, amountCents: paid } };
}

function row(label: string, ms: number, bytes: number, claims: number): string[] {
  return [label, ms.toFixed(1), (bytes / 1e6 / (ms / 1000)).toFixed(1), Math.round(claims / (ms / 1000)).toLocaleString('en-US')];
}

function print(rows: string[][]): void {
  const header = ['', 'CPU ms', 'MB/s', 'claims/s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

/** Both parsers must read the whole file: checked once, outside the timing, keeping nothing alive. */
function checkBothReadEverything(era: string): void {
  const ours = parse835(era).remittances[0].claims.length;
  const theirs = new X12Parser(true).parse(era) as { functionalGroups: { transactions: { segments: unknown[] }[] }[] };
  const theirSegments = theirs.functionalGroups[0].transactions[0].segments.length;
  if (ours !== CLAIMS || theirSegments < CLAIMS) throw new Error(`parsers disagree: ${ours} claims, ${theirSegments} segments`);
}

/** The files, made on first use: a row's process makes only what its row reads. */
class Inputs {
  private made: { era?: string; batch?: ReturnType<typeof sampleBatch>; claimFile?: string } = {};
  get era(): string {
    return (this.made.era ??= build835([bigRemittance(CLAIMS)], sampleEnvelope(1)));
  }
  get batch(): ReturnType<typeof sampleBatch> {
    return (this.made.batch ??= sampleBatch(Array.from({ length: CLAIMS }, (_, i) => sampleClaim(`C-${i}`))));
  }
  get claimFile(): string {
    return (this.made.claimFile ??= build837P(this.batch, sampleEnvelope(2)));
  }
}

/** The rows, each a function of the inputs; the parent process times none of them itself. */
const ROWS: Record<string, (x: Inputs) => unknown> = {
  ours: (x) => parse835(x.era),
  theirs: (x) => new X12Parser(true).parse(x.era),
  split: (x) => bareSplit(x.era),
  parse837: (x) => parse837P(x.claimFile),
  node837: (x) => new X12Parser(true).parse(x.claimFile),
  build: (x) => build837P(x.batch, sampleEnvelope(3)),
};

/** In a child process: time one row, print its CPU milliseconds as JSON. */
function child(name: string): void {
  const x = new Inputs();
  const fn = ROWS[name];
  process.stdout.write(JSON.stringify(time(() => fn(x))));
}

/** Runs this file again for one row (same node, same loader flags) and reads its timings. */
function timeInChild(name: string): number[] {
  const out = execFileSync(process.execPath, [...process.execArgv, process.argv[1]], {
    env: { ...process.env, BENCH_X12_ROW: name },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out) as number[];
}

function main(): void {
  const x = new Inputs();
  const eraBytes = Buffer.byteLength(x.era);
  const claimBytes = Buffer.byteLength(x.claimFile);
  checkBothReadEverything(x.era);

  const runs: Record<string, number[]> = Object.fromEntries(Object.keys(ROWS).map((n) => [n, []]));
  const rows = Object.keys(ROWS);
  const bar = progressBar('bench:x12 rows (a process each)');
  for (let pass = 0; pass < PASSES; pass++) {
    rows.forEach((name, i) => {
      runs[name].push(...timeInChild(name));
      bar.update(pass * rows.length + i + 1, PASSES * rows.length);
    });
  }
  bar.done();
  const t = Object.fromEntries(Object.entries(runs).map(([n, ms]) => [n, median(ms)]));
  const { ours: oursMs, split: splitMs, theirs: theirsMs, build: buildMs, parse837: parse837Ms, node837: node837Ms } = t;

  console.log(
    `835: ${CLAIMS.toLocaleString('en-US')} claims, ${(eraBytes / 1e6).toFixed(2)} MB; 837P: ${CLAIMS.toLocaleString('en-US')} claims, ${(claimBytes / 1e6).toFixed(2)} MB; ` +
      `median CPU time of ${PASSES} x ${ROUNDS} runs after ${WARMUP} untimed, each row in its own process; node ${process.version}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
  print([
    row('parse 835, revcycle (typed objects, cents)', oursMs, eraBytes, CLAIMS),
    row('parse 835, node-x12 X12Parser (segments only)', theirsMs, eraBytes, CLAIMS),
    row("835, bare two-level split('~'), split('*')", splitMs, eraBytes, CLAIMS),
    row('parse 837P, revcycle (typed objects)', parse837Ms, claimBytes, CLAIMS),
    row('parse 837P, node-x12 X12Parser', node837Ms, claimBytes, CLAIMS),
    row('build 837P, revcycle', buildMs, claimBytes, CLAIMS),
  ]);
  const buildRate = CLAIMS / (buildMs / 1000);
  console.log(`\n835 parse speed-up over node-x12: ${(theirsMs / oursMs).toFixed(1)}x (target >= 5x); 837P: ${(node837Ms / parse837Ms).toFixed(1)}x`);
  console.log(`835 typed parse at ${Math.round((splitMs / oursMs) * 100)}% of a bare split's speed (target >= 50%)`);
  console.log(`837P build ${Math.round(buildRate).toLocaleString('en-US')} claims/s (target >= 50,000)`);
}

const row_ = process.env.BENCH_X12_ROW;
if (row_) child(row_);
else main();
