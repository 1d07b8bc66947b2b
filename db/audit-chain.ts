/**
 * Checks the audit trail's hash chain (migration 20261208_prod_001_audit_chain): every row's
 * hash recomputed here, in our code, from the row as stored, so a row altered or removed by
 * someone who could get past the database's own guards is found and named. Postgres renders
 * `at` (UTC, microseconds) and `detail` (jsonb text); everything else is hashed here.
 */
import { createHash } from 'node:crypto';
import type { Db } from './knex';

export const GENESIS_HASH = '0'.repeat(64);

interface ChainRow {
  id: string;
  chain_seq: string | null;
  prev_hash: string | null;
  row_hash: string | null;
  at_text: string;
  actor: string;
  action: string;
  visit_id: string | null;
  detail_text: string;
  actor_role: string | null;
  source: string | null;
}

/** `<utf-8 byte length>:<text>;` per field, `N;` for null: no two different rows read the same. */
export function canonical(fields: (string | null)[]): string {
  return fields.map((f) => (f === null ? 'N;' : `${Buffer.byteLength(f, 'utf8')}:${f};`)).join('');
}

export const chainHash = (prevHash: string, content: string) =>
  createHash('sha256')
    .update(prevHash + content, 'utf8')
    .digest('hex');

export interface ChainBreak {
  /** The first row that does not fit (its audit_log id), or none when the tail was cut off. */
  id?: number;
  seq?: number;
  reason: string;
}

export type ChainVerdict = { ok: true; rows: number } | { ok: false; rows: number; broken: ChainBreak };

const PAGE = 5000;

/** Walks the whole chain in order; stops at the first break. */
export async function verifyAuditChain(db: Db): Promise<ChainVerdict> {
  const outside = await db('audit_log').whereNull('chain_seq').orderBy('id').first('id');
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let rows = 0;
  for (;;) {
    const page: ChainRow[] = await db('audit_log')
      .whereNotNull('chain_seq')
      .where('chain_seq', '>=', expectedSeq)
      .orderBy('chain_seq')
      .limit(PAGE)
      .select(
        'id',
        'chain_seq',
        'prev_hash',
        'row_hash',
        'actor',
        'action',
        'visit_id',
        'actor_role',
        'source',
        db.raw(`to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text`),
        db.raw('detail::text AS detail_text'),
      );
    for (const r of page) {
      const id = Number(r.id);
      const seq = Number(r.chain_seq);
      if (seq !== expectedSeq)
        return broken(rows, { id, seq, reason: `chain_seq ${seq} follows ${expectedSeq - 1}: row(s) ${expectedSeq}..${seq - 1} were removed` });
      if (r.prev_hash !== prev) return broken(rows, { id, seq, reason: "prev_hash is not the previous row's hash: a row before it was replaced" });
      const content = canonical([String(seq), r.at_text, r.actor, r.action, r.visit_id, r.detail_text, r.actor_role, r.source]);
      if (chainHash(prev, content) !== r.row_hash) return broken(rows, { id, seq, reason: 'its content does not match its hash: the row was altered' });
      prev = r.row_hash;
      expectedSeq++;
      rows++;
    }
    if (page.length < PAGE) break;
  }
  const head = await db('audit_chain_head').first('seq', 'hash');
  if (head && (Number(head.seq) !== expectedSeq - 1 || head.hash !== prev)) {
    return broken(rows, { reason: `the chain ends at ${expectedSeq - 1} but its head says ${head.seq}: the last row(s) were removed` });
  }
  if (outside) return broken(rows, { id: Number(outside.id), reason: 'the row is outside the chain (inserted with the chain trigger disabled)' });
  return { ok: true, rows };
}

const broken = (rows: number, b: ChainBreak): ChainVerdict => ({ ok: false, rows, broken: b });
