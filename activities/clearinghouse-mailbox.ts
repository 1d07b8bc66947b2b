/**
 * The clearinghouse mailbox poll (a batch transport's 999, 277CA and 835 files), run by the
 * clearinghouse-mailbox Schedule. Each file read whole is first recorded in Postgres by
 * source, name and checksum (a file seen before is not taken again), then archived at the
 * partner, then delivered to the visits exactly as a webhook delivery is; a crash between
 * the steps leaves a recorded, undelivered file the next poll delivers.
 */
import type { Db } from '../db/knex';
import { markArchived, markDelivered, markRefused, pendingInboundFiles, recordInboundFile, type InboundFileSource } from '../db/inbound-files';
import type { ClearinghouseMailbox } from '../integrations/clearinghouse/types';

export interface MailboxDeps {
  db: Db;
  mailbox: ClearinghouseMailbox;
  source: InboundFileSource;
  /**
   * Hands one X12 file to the visits (the webhook's handling: matched, signalled, posted); answers
   * `refused` for a file that is not valid X12, which is set aside rather than retried.
   */
  deliver: (x12: string) => Promise<void | { refused: string }>;
}

export interface MailboxPoll {
  /** Files read this poll, new ones, and files delivered (new or left from an earlier poll). */
  read: number;
  received: number;
  delivered: number;
  /** Files set aside as not valid X12 (kept in inbound_files with the reason). */
  refused?: number;
}

export async function pollClearinghouseMailbox(deps: MailboxDeps): Promise<MailboxPoll> {
  const files = await deps.mailbox.retrieve();
  let received = 0;
  for (const file of files) {
    if (await recordInboundFile(deps.db, deps.source, file.name, file.body)) received++;
    await deps.mailbox.archive(file);
    await markArchived(deps.db, deps.source, file.name, file.body);
  }
  let delivered = 0;
  let refused = 0;
  for (const pending of await pendingInboundFiles(deps.db)) {
    const result = await deps.deliver(pending.body);
    if (result && 'refused' in result) {
      await markRefused(deps.db, pending.id, result.refused);
      refused++;
      continue;
    }
    await markDelivered(deps.db, pending.id);
    delivered++;
  }
  return { read: files.length, received, delivered, ...(refused ? { refused } : {}) };
}
