/**
 * The same-run baseline: a workflow that does nothing but what a paid visit asks of
 * Temporal — the same number of activities (no-ops), signals (each awaited with a
 * timeout, as the visit awaits its acknowledgment and remittance), timers and
 * search-attribute upserts, counted from a real paid visit's history by the benchmark.
 */
import { condition, defineSignal, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { Shape } from './history';
import { VisitStageKey } from '../workflows/search-attributes';

export const baselineSignal = defineSignal<[number]>('baseline');

const { noop } = proxyActivities<{ noop(n: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });

export async function baselineWorkflow(shape: Shape): Promise<number> {
  let received = 0;
  setHandler(baselineSignal, () => void received++);
  let timers = shape.timers;
  const steps = Math.max(shape.activities, shape.signals, shape.upserts);
  for (let i = 0; i < steps; i++) {
    if (i < shape.upserts) upsertSearchAttributes([{ key: VisitStageKey, value: `baseline-${i}` }]);
    if (i < shape.activities) await noop(i);
    if (i < shape.signals) {
      const n = i + 1;
      if (timers > 0) {
        timers--;
        await condition(() => received >= n, '1 day');
      } else await condition(() => received >= n);
    }
  }
  for (; timers > 0; timers--) await sleep(1);
  return received;
}
