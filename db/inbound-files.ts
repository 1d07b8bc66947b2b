/**
 * The clearinghouse mailbox's files as received (migrations/20261208_connect_001_inbound_files):
 * recorded once by source, name and checksum; kept until delivered to the visits.
 */
import { createHash } from 'node:crypto';
import type { Db } from './knex';

export type InboundFileSource = 'sftp' | 'core';

export interface PendingFile {
  id: number;
  name: string;
  body: string;
}

export const sha256Of = (body: string) => createHash('sha256').update(body, 'utf8').digest('hex');

/** Records a file read whole; false when this name with these bytes was read before (nothing changes). */
export async function recordInboundFile(db: Db, source: InboundFileSource, name: string, body: string): Promise<boolean> {
  const rows = await db('inbound_files')
    .insert({ source, name, sha256: sha256Of(body), body, bytes: Buffer.byteLength(body, 'utf8') })
    .onConflict(['source', 'name', 'sha256'])
    .ignore()
    .returning('id');
  return rows.length > 0;
}

/** Whether this name with these bytes is already recorded (the file was read before and only its archiving failed). */
export async function hasInboundFile(db: Db, source: InboundFileSource, name: string, body: string): Promise<boolean> {
  return !!(await db('inbound_files')
    .where({ source, name, sha256: sha256Of(body) })
    .first('id'));
}

export async function markArchived(db: Db, source: InboundFileSource, name: string, body: string): Promise<void> {
  await db('inbound_files')
    .where({ source, name, sha256: sha256Of(body) })
    .whereNull('archived_at')
    .update({ archived_at: db.fn.now() });
}

/** Files recorded but not yet delivered, oldest first. */
export async function pendingInboundFiles(db: Db, limit = 100): Promise<PendingFile[]> {
  return db('inbound_files').whereNull('delivered_at').orderBy('id').limit(limit).select('id', 'name', 'body');
}

/** Delivered: the body is dropped here (the webhook's store, inbound_messages, keeps the file). */
export async function markDelivered(db: Db, id: number): Promise<void> {
  await db('inbound_files').where({ id }).update({ delivered_at: db.fn.now(), body: null });
}

/** Not valid X12: set aside with its body and the reason, for a person; not delivered again. */
export async function markRefused(db: Db, id: number, reason: string): Promise<void> {
  await db('inbound_files')
    .where({ id })
    .update({ delivered_at: db.fn.now(), refused: reason.slice(0, 2000) });
}
