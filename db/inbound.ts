/**
 * What came in and what went out once: inbound messages by channel and key (HL7 control ids,
 * webhook deliveries) and the recorded results of effects already done (idempotency keys).
 */
import type { Db } from './knex';

/** A file whose hand-over failed is forgotten, so the sender's retry is handled in full. */
export async function forgetInbound(db: Db, channel: string, messageKey: string): Promise<void> {
  await db('inbound_messages').where({ channel, message_key: messageKey }).delete();
}

/** The recorded result of an outside effect done under `key`, if it was done. */
export async function recordedEffect<T>(db: Db, key: string): Promise<T | undefined> {
  const row = await db('idempotency_keys').where({ key }).first('result');
  return row?.result as T | undefined;
}

export async function recordEffect(db: Db, key: string, result: object): Promise<void> {
  await db('idempotency_keys')
    .insert({ key, result: JSON.stringify(result) })
    .onConflict('key')
    .ignore();
}

/** Inbound files are stored before they are acted on; a redelivery is recognised by its key. */
export async function saveInbound(db: Db, channel: string, messageKey: string, kind: string, body: string): Promise<boolean> {
  const rows = await db('inbound_messages')
    .insert({ channel, message_key: messageKey, kind, body })
    .onConflict(['channel', 'message_key'])
    .ignore()
    .returning('id');
  return rows.length > 0;
}

export async function hasInbound(db: Db, channel: string, messageKey: string): Promise<boolean> {
  return !!(await db('inbound_messages').where({ channel, message_key: messageKey }).first('id'));
}
