/**
 * X12 throughput, not a test: `npm run bench:x12`. Generates in memory a large 835
 * (thousands of claims) and thousands of 837P claims, then times our parser and
 * builder against node-x12's X12Parser reading the same 835 in the same run (one
 * parser per document: a reused X12Parser keeps state between documents), and against
 * a bare two-level `split` (segments, then elements) of the same file: the floor any
 * parser that reads every element stands on. Times are the process's CPU time (user +
 * system, GC threads included), not wall time: on a shared machine another process's
 * load stretches wall time but not the CPU this one spends. The ratios are what to read.
 * Targets (issue 10): 835 parse >= 5x node-x12 and >= 50% of the split's speed;
 * 837P build >= 50,000 claims/s.
 */
import { X12Parser } from 'node-x12';

import { build837P } from '../domain/x12/build-837p';
import { parse837P } from '../domain/x12/parse-837p';
import { build835, parse835, Remittance, RemittanceClaim } from '../domain/x12/remittance';
import { sampleBatch, sampleClaim, sampleEnvelope, sampleRemittance } from '../domain/x12/samples';

const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

/** Median CPU milliseconds of `rounds` runs after one warm-up. */
function time(fn: () => unknown, rounds = ROUNDS): number {
  fn();
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    ms.push((used.user + used.system) / 1000);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
}

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

function main(): void {
  const era = build835([bigRemittance(CLAIMS)], sampleEnvelope(1));
  const eraBytes = Buffer.byteLength(era);
  const claims = Array.from({ length: CLAIMS }, (_, i) => sampleClaim(`C-${i}`));
  const batch = sampleBatch(claims);
  const claimFile = build837P(batch, sampleEnvelope(2));
  const claimBytes = Buffer.byteLength(claimFile);

  checkBothReadEverything(era);

  const oursMs = time(() => parse835(era));
  const splitMs = time(() => bareSplit(era));
  const theirsMs = time(() => new X12Parser(true).parse(era));
  const buildMs = time(() => build837P(batch, sampleEnvelope(3)));
  const parse837Ms = time(() => parse837P(claimFile));
  const node837Ms = time(() => new X12Parser(true).parse(claimFile));

  console.log(`835: ${CLAIMS.toLocaleString('en-US')} claims, ${(eraBytes / 1e6).toFixed(2)} MB; 837P: ${CLAIMS.toLocaleString('en-US')} claims, ${(claimBytes / 1e6).toFixed(2)} MB; median CPU time of ${ROUNDS} runs, node ${process.version}\n`);
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

main();
