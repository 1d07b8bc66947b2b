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

/** Appends one entry. Call it before the response that releases the data it records. */
export async function audit(db: Db, actor: string, action: string, visitId: string | null, detail: object = {}, context: AuditContext = {}): Promise<void> {
  await db('audit_log').insert({
    actor, action, visit_id: visitId, detail: JSON.stringify(detail), actor_role: context.role ?? null, source: context.source ?? null,
  });
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
  const query = db('audit_log').orderBy('id', 'desc').limit(q.limit + 1);
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
      id: Number(r.id), at: new Date(r.at).toISOString(), actor: r.actor, role: r.actor_role, action: r.action,
      visitId: r.visit_id, source: r.source, detail: r.detail,
    })),
    next: rows.length > q.limit ? Number(page[page.length - 1].id) : undefined,
  };
}
