/**
 * The safety net for lost "encounter signed" webhooks: run on a Temporal Schedule, it asks
 * the EHR for recently finished encounters and signals each visit. A visit that already
 * has its encounter ignores the signal, so overlapping sweeps and webhooks are harmless.
 */
import { getExternalWorkflowHandle, proxyActivities } from '@temporalio/workflow';
import type { VisitActivities } from '../activities';
import { encounterSignedSignal, visitWorkflowId } from './definitions';

const { findSignedEncounters } = proxyActivities<VisitActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

export async function encounterSweepWorkflow(input: { lookbackMs: number }): Promise<{ found: number; delivered: number }> {
  const since = new Date(Date.now() - input.lookbackMs).toISOString(); // workflow time: deterministic on replay
  const signed = await findSignedEncounters({ since });
  let delivered = 0;
  for (const { visitId, encounterId } of signed) {
    try {
      await getExternalWorkflowHandle(visitWorkflowId(visitId)).signal(encounterSignedSignal, { encounterId });
      delivered++;
    } catch {
      // The visit is closed or was never started here: nothing is waiting for this encounter.
    }
  }
  return { found: signed.length, delivered };
}
