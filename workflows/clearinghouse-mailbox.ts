/**
 * The clearinghouse's batch mailbox, polled on a Temporal Schedule (clearinghouse-mailbox):
 * with CORE or SFTP the 999, 277CA and 835 wait at the partner until fetched. One activity
 * fetches, records and delivers them; overlapping runs are skipped by the Schedule.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { VisitActivities } from '../activities';

const { pollClearinghouseMailbox } = proxyActivities<VisitActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3 },
});

export async function clearinghouseMailboxWorkflow(): Promise<{ read: number; received: number; delivered: number; refused?: number }> {
  return pollClearinghouseMailbox();
}
