/**
 * OIDC access tokens: RS256 JWTs from one configured issuer, verified with node:crypto
 * against the issuer's JWKS (fetched on first use and again when a token names a key
 * id we do not have, at most once a minute). Roles come from a configured claim (a
 * dotted path, e.g. `realm_access.roles`); names that are not revcycle roles are ignored.
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isRole, type Role } from '../domain/roles';

export interface OidcConfig {
  issuer: string;
  jwksUrl: string;
  audience?: string;
  rolesClaim: string;
  /** Tolerated clock difference for exp/nbf. */
  clockSkewSeconds?: number;
  fetchTimeoutMs?: number;
}

export type TokenCheck = { ok: true; subject: string; roles: Role[] } | { ok: false; why: string };

const b64json = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

export const looksLikeJwt = (s: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(s);

export function createOidcVerifier(c: OidcConfig, now: () => number = Date.now) {
  let keys = new Map<string, KeyObject>();
  let fetchedAt = -Infinity;

  async function refresh(): Promise<void> {
    if (now() - fetchedAt < 60_000) return;
    fetchedAt = now();
    const res = await fetch(c.jwksUrl, { signal: AbortSignal.timeout(c.fetchTimeoutMs ?? 5_000) });
    if (!res.ok) throw new Error(`JWKS ${c.jwksUrl} answered ${res.status}`);
    const { keys: jwks } = (await res.json()) as { keys?: (JsonWebKey & { kid?: string; use?: string })[] };
    const next = new Map<string, KeyObject>();
    for (const jwk of jwks ?? []) {
      if (jwk.kty !== 'RSA' || !jwk.kid || (jwk.use && jwk.use !== 'sig')) continue;
      next.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    }
    keys = next;
  }

  async function keyFor(kid: string): Promise<KeyObject | undefined> {
    if (!keys.has(kid)) await refresh();
    return keys.get(kid);
  }

  return async function verifyToken(token: string): Promise<TokenCheck> {
    const [h, p, s] = token.split('.');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = b64json(h);
      claims = b64json(p);
    } catch {
      return { ok: false, why: 'the token is not a JWT' };
    }
    if (header.alg !== 'RS256') return { ok: false, why: `token algorithm ${String(header.alg)} is not accepted (RS256 only)` };
    if (typeof header.kid !== 'string') return { ok: false, why: 'the token names no signing key (kid)' };
    let key: KeyObject | undefined;
    try {
      key = await keyFor(header.kid);
    } catch {
      return { ok: false, why: 'the identity provider\'s signing keys could not be fetched' };
    }
    if (!key) return { ok: false, why: `signing key ${header.kid} is not one of the issuer's` };
    if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) return { ok: false, why: 'the token signature is not valid' };
    if (claims.iss !== c.issuer) return { ok: false, why: `the token was issued by ${String(claims.iss)}, not ${c.issuer}` };
    if (c.audience) {
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!aud.includes(c.audience)) return { ok: false, why: `the token is not meant for audience ${c.audience}` };
    }
    const skew = c.clockSkewSeconds ?? 60;
    const t = now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp + skew < t) return { ok: false, why: 'the token has expired' };
    if (typeof claims.nbf === 'number' && claims.nbf - skew > t) return { ok: false, why: 'the token is not valid yet' };
    if (typeof claims.sub !== 'string' || !claims.sub) return { ok: false, why: 'the token has no subject' };
    const raw = c.rolesClaim.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), claims);
    const roles = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : []).filter(isRole);
    return { ok: true, subject: claims.sub, roles: [...new Set(roles)] };
  };
}
