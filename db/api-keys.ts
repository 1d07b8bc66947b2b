/**
 * API keys: `rck_<id>_<secret>`. The id is public (it names the key in the audit trail
 * and on `revcycle keys revoke`); only SHA-256 of the secret is stored, compared in
 * constant time. A revoked key keeps its row and stops working at once. A key may expire
 * (`expires_at`); rotating a key makes a new one with the same name and role and lets the
 * old one work for a grace period, so clients can switch without an outage.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../domain/roles';
import { audit } from './audit';
import type { Db } from './knex';

const KEY_FORMAT = /^rck_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
  expires_at: Date | null;
  rotated_to?: string | null;
}

/** Creates a key; the returned `key` is shown once and never stored. The creation is audited. */
export async function createApiKey(
  db: Db,
  k: { name: string; role: Role; createdBy: string; source: string; expiresAt?: Date },
): Promise<{ id: string; key: string; expiresAt?: Date }> {
  return db.transaction((trx) => insertKey(trx, k));
}

async function insertKey(
  trx: Db,
  k: { name: string; role: Role; createdBy: string; source: string; expiresAt?: Date },
): Promise<{ id: string; key: string; expiresAt?: Date }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await trx('api_keys').insert({ id, name: k.name, role: k.role, secret_sha256: sha256(secret), created_by: k.createdBy, expires_at: k.expiresAt ?? null });
  await audit(
    trx,
    k.createdBy,
    'key.created',
    null,
    { keyId: id, name: k.name, role: k.role, ...(k.expiresAt ? { expiresAt: k.expiresAt.toISOString() } : {}) },
    { source: k.source },
  );
  return { id, key: `rck_${id}_${secret}`, expiresAt: k.expiresAt };
}

export type Rotation =
  | { ok: true; id: string; key: string; expiresAt?: Date; old: { id: string; expiresAt: Date } }
  | { ok: false; why: 'unknown' | 'revoked' | 'expired' | 'rotated' };

/**
 * A new key with the old one's name and role; the old one keeps working until `graceMs` from
 * now (or its own expiry, if sooner), then answers 401 "expired". The new key lives for
 * `expiresInMs` if given, else as long as the old one was made to (none: no expiry).
 */
export async function rotateApiKey(db: Db, id: string, opts: { graceMs: number; expiresInMs?: number; actor: string; source: string }): Promise<Rotation> {
  return db.transaction(async (trx) => {
    const row = await trx('api_keys').where({ id }).forUpdate().first();
    if (!row) return { ok: false, why: 'unknown' } as const;
    if (row.revoked_at) return { ok: false, why: 'revoked' } as const;
    if (row.rotated_to) return { ok: false, why: 'rotated' } as const;
    const now = Date.now();
    if (row.expires_at && new Date(row.expires_at).getTime() <= now) return { ok: false, why: 'expired' } as const;
    const lifetime = opts.expiresInMs ?? (row.expires_at ? new Date(row.expires_at).getTime() - new Date(row.created_at).getTime() : undefined);
    const made = await insertKey(trx, {
      name: row.name,
      role: row.role,
      createdBy: opts.actor,
      source: opts.source,
      expiresAt: lifetime ? new Date(now + lifetime) : undefined,
    });
    const graceEnd = new Date(Math.min(now + opts.graceMs, row.expires_at ? new Date(row.expires_at).getTime() : Infinity));
    await trx('api_keys').where({ id }).update({ expires_at: graceEnd, rotated_to: made.id });
    await audit(trx, opts.actor, 'key.rotated', null, { keyId: id, newKeyId: made.id, oldExpiresAt: graceEnd.toISOString() }, { source: opts.source });
    return { ok: true, ...made, old: { id, expiresAt: graceEnd } } as const;
  });
}

/** Revokes a key; `false` when there is no such key or it was already revoked. The revocation is audited. */
export async function revokeApiKey(db: Db, id: string, by: { actor: string; source: string }): Promise<boolean> {
  return db.transaction(async (trx) => {
    const n = await trx('api_keys').where({ id }).whereNull('revoked_at').update({ revoked_at: trx.fn.now(), revoked_by: by.actor });
    if (n) await audit(trx, by.actor, 'key.revoked', null, { keyId: id }, { source: by.source });
    return n > 0;
  });
}

export type KeyCheck = { ok: true; key: ApiKeyRow } | { ok: false; why: 'malformed' | 'unknown' | 'revoked' | 'expired' };

/** Looks a presented key up; says why it is refused (the 401 body tells the caller). */
export async function checkApiKey(db: Db, presented: string): Promise<KeyCheck> {
  const m = KEY_FORMAT.exec(presented);
  if (!m) return { ok: false, why: 'malformed' };
  const row = await db('api_keys').where({ id: m[1] }).first();
  if (!row) return { ok: false, why: 'unknown' };
  const expected = Buffer.from(row.secret_sha256, 'hex');
  const actual = Buffer.from(sha256(m[2]), 'hex');
  if (!timingSafeEqual(expected, actual)) return { ok: false, why: 'unknown' };
  if (row.revoked_at) return { ok: false, why: 'revoked' };
  if (row.expires_at && new Date(row.expires_at).getTime() <= Date.now()) return { ok: false, why: 'expired' };
  return { ok: true, key: row as ApiKeyRow };
}

export const looksLikeApiKey = (s: string) => s.startsWith('rck_');

export async function listApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db('api_keys').orderBy('created_at').select('id', 'name', 'role', 'created_by', 'created_at', 'revoked_at', 'expires_at', 'rotated_to');
}
