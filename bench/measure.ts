/** Small measuring tools for the benchmarks: percentiles, a progress bar, and a process's CPU and memory from /proc. */
import { readFileSync } from 'node:fs';

export function percentiles(values: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN);
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1] ?? NaN };
}

/** One line on stderr, redrawn in place: `label [#####.....] 45/100`. */
export function progressBar(label: string): { update(done: number, total: number): void; done(): void } {
  let last = '';
  return {
    update(done, total) {
      const width = 30;
      const filled = total ? Math.round((done / total) * width) : 0;
      const line = `${label.padEnd(34)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
      if (line === last) return;
      // Redrawn in place on a terminal; in a log, one line per tenth.
      if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
      else if (Math.floor((done * 10) / total) !== Math.floor(((done - 1) * 10) / total)) process.stderr.write(`${line}\n`);
      last = line;
    },
    done() {
      if (last && process.stderr.isTTY) process.stderr.write('\n');
      last = '';
    },
  };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Samples processes each second: CPU used over the window (% of one core) and peak resident memory. */
export function sampleProcesses(pids: Record<string, number | undefined>): { stop(): Record<string, { cpuPercent: number; peakRssMb: number }> } {
  const start = Date.now();
  const known = Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined);
  const first = new Map(known.map(([name, pid]) => [name, safe(() => cpuTicks(pid))]));
  const peak = new Map(known.map(([name]) => [name, 0]));
  const sample = () => { for (const [name, pid] of known) peak.set(name, Math.max(peak.get(name)!, safe(() => rssMb(pid)))); };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const seconds = (Date.now() - start) / 1000;
      return Object.fromEntries(known.map(([name, pid]) => [name, {
        cpuPercent: Math.round(((safe(() => cpuTicks(pid)) - first.get(name)!) / TICKS_PER_SECOND / seconds) * 100),
        peakRssMb: Math.round(peak.get(name)!),
      }]));
    },
  };
}

function safe(fn: () => number): number {
  try {
    return fn();
  } catch {
    return NaN; // the process is gone (restarted): the figure is unknown, not zero
  }
}
