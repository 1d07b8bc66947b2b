/**
 * The audit trail: who (actor and role) did what (action) to which visit, when and from
 * where. Append-only: the database refuses UPDATE, DELETE and TRUNCATE on `audit_log`
 * (migration 20261128_trust_001). Details hold ids and codes only, never names, birth
 * dates, member ids or addresses.
 */
import type { Db } from './knex';

export interface AuditContext {
  /** The caller's role (`admin`, `biller`, ...) or, for a process, nothing. */
  role?: string;
  /** The caller's address for API requests; `cli`, `workflow`, `pms` for processes. */
  source?: string;
}

interface AuditRow {
  actor: string;
  action: string;
  visit_id: string | null;
  detail: string;
  actor_role: string | null;
  source: string | null;
}
interface Waiting {
  row: AuditRow;
  written: () => void;
  failed: (err: unknown) => void;
}

/** Per pool, the entries waiting for the insert in flight to end; each pool writes one insert at a time. */
const queues = new WeakMap<Db, { waiting: Waiting[]; writing: boolean }>();

/**
 * Appends one entry, and resolves once it is committed. Call it before the response that
 * releases the data it records.
 *
 * Group commit: an entry written while no insert is in flight is inserted at once; entries
 * written while one is in flight wait for it and then go in together, as one multi-row
 * insert. Under load (hundreds of reads a second) that is one round trip and one commit
 * for many reads instead of one each; alone, an entry waits for nothing. Inside a
 * transaction the entry is part of that transaction, inserted at once.
 */
export function audit(db: Db, actor: string, action: string, visitId: string | null, detail: object = {}, context: AuditContext = {}): Promise<void> {
  const row = { actor, action, visit_id: visitId, detail: JSON.stringify(detail), actor_role: context.role ?? null, source: context.source ?? null };
  if (db.isTransaction)
    return db('audit_log')
      .insert(row)
      .then(() => undefined);
  let queue = queues.get(db);
  if (!queue) queues.set(db, (queue = { waiting: [], writing: false }));
  const written = new Promise<void>((resolve, reject) => queue.waiting.push({ row, written: resolve, failed: reject }));
  if (!queue.writing) void writeWaiting(db, queue);
  return written;
}

const MAX_ROWS_PER_INSERT = 500;

async function writeWaiting(db: Db, queue: { waiting: Waiting[]; writing: boolean }): Promise<void> {
  queue.writing = true;
  while (queue.waiting.length) {
    const batch = queue.waiting.splice(0, MAX_ROWS_PER_INSERT);
    try {
      await db('audit_log').insert(batch.map((w) => w.row));
      for (const w of batch) w.written();
    } catch (err) {
      // One entry's failure is not the others': alone, each entry fails or succeeds on its own.
      if (batch.length === 1) batch[0].failed(err);
      else await Promise.all(batch.map((w) => db('audit_log').insert(w.row).then(w.written, w.failed)));
    }
  }
  queue.writing = false;
}

export interface AuditQuery {
  visitId?: string;
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Entries with a smaller id than this (the previous page's `next`). */
  before?: number;
  limit: number;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  role: string | null;
  action: string;
  visitId: string | null;
  source: string | null;
  detail: Record<string, unknown>;
}

/** Newest first, one page at a time: `next` is the cursor for the following page, absent on the last. */
export async function listAudit(db: Db, q: AuditQuery): Promise<{ entries: AuditEntry[]; next?: number }> {
  const query = db('audit_log')
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.visitId) query.where('visit_id', q.visitId);
  if (q.actor) query.where('actor', q.actor);
  if (q.action) query.where('action', q.action);
  if (q.from) query.where('at', '>=', q.from);
  if (q.to) query.where('at', '<', q.to);
  if (q.before) query.where('id', '<', q.before);
  const rows = await query;
  const page = rows.slice(0, q.limit);
  return {
    entries: page.map((r) => ({
      id: Number(r.id),
      at: new Date(r.at).toISOString(),
      actor: r.actor,
      role: r.actor_role,
      action: r.action,
      visitId: r.visit_id,
      source: r.source,
      detail: r.detail,
    })),
    next: rows.length > q.limit ? Number(page[page.length - 1].id) : undefined,
  };
}
