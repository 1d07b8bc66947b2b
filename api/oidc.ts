/**
 * OIDC access tokens: RS256 JWTs from one configured issuer, verified with node:crypto
 * against the issuer's JWKS. The key set is fetched on first use, again when it is older
 * than its TTL (keys rotate), and when a token names a key id we do not have (at most once
 * a minute); concurrent requests share one fetch in flight. A token must name the
 * configured audience; `azp`, when the token carries one or names several audiences, must
 * be an authorised client; a token typed as something else (an ID or refresh token) is
 * refused. Roles come from a configured claim (a dotted path, e.g. `realm_access.roles`);
 * names that are not revcycle roles are ignored.
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isRole, type Role } from '../domain/roles';

export interface OidcConfig {
  issuer: string;
  jwksUrl: string;
  /** Required: a token minted for another API of the same issuer must not open this one. */
  audience: string;
  rolesClaim: string;
  /** Clients (`azp`) whose tokens are accepted; empty: any client, as long as the audience is ours. */
  authorizedParties?: string[];
  /** Tolerated clock difference for exp/nbf. */
  clockSkewSeconds?: number;
  fetchTimeoutMs?: number;
  /** How long a fetched key set is trusted before it is fetched again (default ten minutes). */
  jwksTtlMs?: number;
}

export type TokenCheck = { ok: true; subject: string; roles: Role[]; claims: Record<string, unknown> } | { ok: false; why: string };

const b64json = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

export const looksLikeJwt = (s: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(s);

/** JWT header `typ` values an access token may carry (RFC 9068 says at+jwt; many issuers say JWT). */
const ACCESS_TOKEN_TYPES = new Set(['jwt', 'at+jwt', 'application/at+jwt']);

/** The issuer's signing keys, refreshed on a TTL, one fetch in flight at a time. */
export function createJwks(c: Pick<OidcConfig, 'jwksUrl' | 'fetchTimeoutMs' | 'jwksTtlMs'>, now: () => number = Date.now) {
  let keys = new Map<string, KeyObject>();
  let fetchedAt = -Infinity;
  let inFlight: Promise<void> | undefined;
  const ttl = c.jwksTtlMs ?? 600_000;

  async function fetchKeys(): Promise<void> {
    const res = await fetch(c.jwksUrl, { signal: AbortSignal.timeout(c.fetchTimeoutMs ?? 5_000) });
    if (!res.ok) throw new Error(`JWKS ${c.jwksUrl} answered ${res.status}`);
    const { keys: jwks } = (await res.json()) as { keys?: (JsonWebKey & { kid?: string; use?: string })[] };
    const next = new Map<string, KeyObject>();
    for (const jwk of jwks ?? []) {
      if (jwk.kty !== 'RSA' || !jwk.kid || (jwk.use && jwk.use !== 'sig')) continue;
      next.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    }
    keys = next;
    fetchedAt = now();
  }

  function refresh(): Promise<void> {
    inFlight ??= fetchKeys().finally(() => (inFlight = undefined));
    return inFlight;
  }

  return {
    async keyFor(kid: string): Promise<KeyObject | undefined> {
      const age = now() - fetchedAt;
      if (age >= ttl) await refresh();
      else if (!keys.has(kid) && age >= 60_000)
        await refresh(); // an unknown kid: the issuer may have rotated, but not more than once a minute
      else if (inFlight) await inFlight;
      return keys.get(kid);
    },
  };
}

/** Signature, issuer, audience and times of a JWT of this issuer; the caller checks what is specific to its kind of token. */
export async function verifyJwt(
  token: string,
  jwks: ReturnType<typeof createJwks>,
  expect: { issuer: string; audience: string; clockSkewSeconds?: number },
  now: () => number = Date.now,
): Promise<{ ok: true; header: Record<string, unknown>; claims: Record<string, unknown> } | { ok: false; why: string }> {
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
    key = await jwks.keyFor(header.kid);
  } catch {
    return { ok: false, why: "the identity provider's signing keys could not be fetched" };
  }
  if (!key) return { ok: false, why: `signing key ${header.kid} is not one of the issuer's` };
  if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s ?? '', 'base64url'))) return { ok: false, why: 'the token signature is not valid' };
  if (claims.iss !== expect.issuer) return { ok: false, why: `the token was issued by ${String(claims.iss)}, not ${expect.issuer}` };
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(expect.audience)) return { ok: false, why: `the token is not meant for audience ${expect.audience}` };
  const skew = expect.clockSkewSeconds ?? 60;
  const t = now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp + skew < t) return { ok: false, why: 'the token has expired' };
  if (typeof claims.nbf === 'number' && claims.nbf - skew > t) return { ok: false, why: 'the token is not valid yet' };
  if (typeof claims.sub !== 'string' || !claims.sub) return { ok: false, why: 'the token has no subject' };
  return { ok: true, header, claims };
}

/** The revcycle roles a token's claims grant, read from the configured claim. */
export function rolesOf(claims: Record<string, unknown>, rolesClaim: string): Role[] {
  const raw = rolesClaim.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), claims);
  return [...new Set((Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : []).filter(isRole))];
}

export function createOidcVerifier(c: OidcConfig, now: () => number = Date.now) {
  const jwks = createJwks(c, now);
  return async function verifyToken(token: string): Promise<TokenCheck> {
    const checked = await verifyJwt(token, jwks, c, now);
    if (!checked.ok) return checked;
    const { header, claims } = checked;
    if (header.typ !== undefined && !ACCESS_TOKEN_TYPES.has(String(header.typ).toLowerCase()))
      return { ok: false, why: `a token of type ${String(header.typ)} is not an access token` };
    // Keycloak marks its tokens in a claim: an ID or refresh token is not an access token.
    if (claims.typ !== undefined && claims.typ !== 'Bearer') return { ok: false, why: `a token of type ${String(claims.typ)} is not an access token` };
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (aud.length > 1 && typeof claims.azp !== 'string') return { ok: false, why: 'a token for several audiences must name its client (azp)' };
    const parties = c.authorizedParties ?? [];
    if (parties.length && claims.azp !== undefined && !parties.includes(String(claims.azp)))
      return { ok: false, why: `client ${String(claims.azp)} is not an authorised party` };
    if (parties.length && claims.azp === undefined && typeof claims.client_id === 'string' && !parties.includes(claims.client_id))
      return { ok: false, why: `client ${claims.client_id} is not an authorised party` };
    return { ok: true, subject: claims.sub as string, roles: rolesOf(claims, c.rolesClaim), claims };
  };
}
