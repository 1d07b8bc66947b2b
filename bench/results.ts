/** What a bench run measures, shared by the runner (bench/run.ts) and the chart (bench/chart.ts). */
import type { Shape } from './history';
import type { percentiles } from './measure';

export interface RunFigures {
  visits: number;
  failed: number;
  failures: string[];
  seconds: number;
  visitsPerSec: number;
  outcomes: Record<string, number>;
  bookMs: ReturnType<typeof percentiles>;
  readMs: ReturnType<typeof percentiles>;
  signedToAcceptedMs: ReturnType<typeof percentiles>;
  signedToClosedMs: ReturnType<typeof percentiles>;
  stagesMs: Record<string, ReturnType<typeof percentiles>>;
  processes: Record<string, { cpuPercent: number; peakRssMb: number }>;
  perVisit: { events: number; historyBytes: number; payloadBytes: number };
}

export interface ServerResult {
  server: string;
  workers: number;
  shape: Shape;
  fast: RunFigures;
  atRate: RunFigures & { targetPerSec: number };
  baseline: { workflows: number; seconds: number; perSec: number; processes: Record<string, { cpuPercent: number; peakRssMb: number }> };
  ratio: number;
  /** 1-minute load average when this server's run started and ended: on a shared machine, what the figures stood on. */
  load?: { start: number; end: number };
}
