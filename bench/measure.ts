/** Small measuring tools for the benchmarks: percentiles, a progress bar, and a process's CPU and memory from /proc. */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

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

/** Ticks every core of the machine spent busy (not idle, not waiting for I/O), from /proc/stat. */
function machineBusyTicks(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return user + nice + system + irq + softirq + steal;
}

/** The row that says whether the machine itself was the limit: every process on it, as % of one core (the most is 100 × cores). */
export const MACHINE = `whole machine (${cpus().length} cores)`;
/** What the named processes did not use of it: the Temporal server, Postgres, and anything else running. */
export const THE_REST = 'the rest (Temporal server, Postgres, other processes)';

/**
 * Samples processes each second: CPU used over the window (% of one core) and peak resident
 * memory; with a MACHINE row (all CPU used on the machine) and THE_REST (that, less the named
 * processes), so a run says whether it was bound by the machine's CPU and by whose.
 */
export function sampleProcesses(pids: Record<string, number | undefined>): { stop(): Record<string, { cpuPercent: number; peakRssMb: number }> } {
  const start = Date.now();
  const machineFirst = machineBusyTicks();
  const known = Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined);
  const first = new Map(known.map(([name, pid]) => [name, safe(() => cpuTicks(pid))]));
  const peak = new Map(known.map(([name]) => [name, 0]));
  const sample = () => {
    for (const [name, pid] of known)
      peak.set(
        name,
        Math.max(
          peak.get(name)!,
          safe(() => rssMb(pid)),
        ),
      );
  };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const seconds = (Date.now() - start) / 1000;
      const percent = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100);
      const named = Object.fromEntries(
        known.map(([name, pid]) => [
          name,
          {
            cpuPercent: percent(safe(() => cpuTicks(pid)) - first.get(name)!),
            peakRssMb: Math.round(peak.get(name)!),
          },
        ]),
      );
      const machine = percent(machineBusyTicks() - machineFirst);
      const rest = machine - Object.values(named).reduce((sum, p) => sum + p.cpuPercent, 0);
      return { ...named, [MACHINE]: { cpuPercent: machine, peakRssMb: NaN }, [THE_REST]: { cpuPercent: rest, peakRssMb: NaN } };
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
