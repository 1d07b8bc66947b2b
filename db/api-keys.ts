/**
 * API keys: `rck_<id>_<secret>`. The id is public (it names the key in the audit trail
 * and on `revcycle keys revoke`); only SHA-256 of the secret is stored, compared in
 * constant time. A revoked key keeps its row and stops working at once.
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
}

/** Creates a key; the returned `key` is shown once and never stored. The creation is audited. */
export async function createApiKey(db: Db, k: { name: string; role: Role; createdBy: string; source: string }): Promise<{ id: string; key: string }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await db.transaction(async (trx) => {
    await trx('api_keys').insert({ id, name: k.name, role: k.role, secret_sha256: sha256(secret), created_by: k.createdBy });
    await audit(trx, k.createdBy, 'key.created', null, { keyId: id, name: k.name, role: k.role }, { source: k.source });
  });
  return { id, key: `rck_${id}_${secret}` };
}

/** Revokes a key; `false` when there is no such key or it was already revoked. The revocation is audited. */
export async function revokeApiKey(db: Db, id: string, by: { actor: string; source: string }): Promise<boolean> {
  return db.transaction(async (trx) => {
    const n = await trx('api_keys').where({ id }).whereNull('revoked_at').update({ revoked_at: trx.fn.now(), revoked_by: by.actor });
    if (n) await audit(trx, by.actor, 'key.revoked', null, { keyId: id }, { source: by.source });
    return n > 0;
  });
}

export type KeyCheck = { ok: true; key: ApiKeyRow } | { ok: false; why: 'malformed' | 'unknown' | 'revoked' };

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
  return { ok: true, key: row as ApiKeyRow };
}

export const looksLikeApiKey = (s: string) => s.startsWith('rck_');

export async function listApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db('api_keys').orderBy('created_at').select('id', 'name', 'role', 'created_by', 'created_at', 'revoked_at');
}
