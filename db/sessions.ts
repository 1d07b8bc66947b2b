/**
 * Browser sessions (see migrations/20261208_session_001_sessions.ts): the cookie holds a
 * random 32-byte id, the table only its SHA-256. A session is found only while it is
 * unexpired, used within its idle timeout, not revoked, and (when it came from an API key)
 * while that key is not revoked. Creating and revoking one is audited.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../domain/roles';
import { audit } from './audit';
import type { Db } from './knex';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** What a cookie can carry: 43 base64url characters, nothing else is looked up. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface SessionLimits {
  /** Absolute lifetime from sign-in. */
  ttlMs: number;
  /** Ends after this long without a request. */
  idleMs: number;
}

export interface Session {
  actor: string;
  roles: Role[];
}

export async function createSession(
  db: Db,
  s: { actor: string; roles: Role[]; apiKeyId?: string; source: string },
  limits: SessionLimits,
): Promise<{ id: string; expiresAt: Date }> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + limits.ttlMs);
  await db.transaction(async (trx) => {
    await trx('sessions').insert({
      id_sha256: sha256(id),
      actor: s.actor,
      roles: s.roles,
      api_key_id: s.apiKeyId ?? null,
      expires_at: expiresAt,
      idle_ms: limits.idleMs,
      source: s.source,
    });
    await audit(trx, s.actor, 'session.created', null, { via: s.apiKeyId ? 'api_key' : 'oidc' }, { role: s.roles.join(','), source: s.source });
  });
  return { id, expiresAt };
}

/** The live session with this id, touched (its idle clock restarts); undefined when there is none. */
export async function findSession(db: Db, id: string): Promise<Session | undefined> {
  if (!SESSION_ID.test(id)) return undefined;
  const row = await db('sessions as s')
    .leftJoin('api_keys as k', 'k.id', 's.api_key_id')
    .where('s.id_sha256', sha256(id))
    .whereNull('s.revoked_at')
    .whereNull('k.revoked_at')
    .where('s.expires_at', '>', db.fn.now())
    .whereRaw(`s.last_seen_at + (s.idle_ms * interval '1 millisecond') > now()`)
    .first('s.actor', 's.roles', 's.id_sha256', 's.last_seen_at');
  if (!row) return undefined;
  // One write a minute at most per session, not one per request.
  await db('sessions')
    .where({ id_sha256: row.id_sha256 })
    .where('last_seen_at', '<', db.raw(`now() - interval '1 minute'`))
    .update({ last_seen_at: db.fn.now() });
  return { actor: row.actor, roles: row.roles };
}

/** Sign-out: the session stops working at once; `false` when it was not live. Audited. */
export async function revokeSession(db: Db, id: string, source: string): Promise<boolean> {
  if (!SESSION_ID.test(id)) return false;
  return db.transaction(async (trx) => {
    const rows = await trx('sessions')
      .where({ id_sha256: sha256(id) })
      .whereNull('revoked_at')
      .update({ revoked_at: trx.fn.now() })
      .returning(['actor', 'roles']);
    if (rows[0]) await audit(trx, rows[0].actor, 'session.revoked', null, {}, { role: rows[0].roles.join(','), source });
    return rows.length > 0;
  });
}

/** An OIDC authorization request waiting for the identity provider's answer (ten minutes at most). */
export async function saveOidcLogin(db: Db, l: { state: string; codeVerifier: string; nonce: string; returnTo: string }): Promise<void> {
  await db('oidc_logins').where('expires_at', '<', db.fn.now()).delete();
  await db('oidc_logins').insert({
    state_sha256: sha256(l.state),
    code_verifier: l.codeVerifier,
    nonce: l.nonce,
    return_to: l.returnTo,
    expires_at: new Date(Date.now() + 10 * 60_000),
  });
}

/** Takes (and deletes) the request a state names: each state is answered once. */
export async function takeOidcLogin(db: Db, state: string): Promise<{ codeVerifier: string; nonce: string; returnTo: string } | undefined> {
  const rows = await db('oidc_logins')
    .where({ state_sha256: sha256(state) })
    .where('expires_at', '>', db.fn.now())
    .delete()
    .returning(['code_verifier', 'nonce', 'return_to']);
  return rows[0] ? { codeVerifier: rows[0].code_verifier, nonce: rows[0].nonce, returnTo: rows[0].return_to } : undefined;
}
