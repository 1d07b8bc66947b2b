/**
 * SMART Backend Services (HL7 SMART App Launch 2.x, "Backend Services"): revcycle is a
 * registered backend app that gets its own access tokens by the OAuth 2.0 client
 * credentials grant, authenticating with a short-lived JWT it signs with its private key
 * (`private_key_jwt`, RFC 7523). The EHR knows only the public half, as a JWKS (served by
 * the API at /.well-known/jwks.json, see publicJwks).
 *
 * The token is kept until shortly before it expires; concurrent callers share one token
 * request; a 401 from the FHIR server drops the token (invalidate) so the next call gets
 * a fresh one.
 */
import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK, SignJWT } from 'jose';
import { EhrRequestRejectedError, EhrUnavailableError } from './errors';

export interface SmartBackendOptions {
  /** The FHIR base; its /.well-known/smart-configuration names the token endpoint. */
  fhirBaseUrl: string;
  clientId: string;
  /** PEM (PKCS#8 or PKCS#1/SEC1) private key: RSA for RS384, P-384 for ES384. */
  privateKeyPem: string | Buffer;
  alg: 'RS384' | 'ES384';
  /** `kid` the EHR knows the key by; default its RFC 7638 thumbprint (what publicJwks publishes). */
  keyId?: string;
  /** Space-separated, e.g. "system/Patient.read system/Encounter.read". */
  scopes: string;
  /** Skips discovery when the EHR publishes no smart-configuration. */
  tokenUrl?: string;
  timeoutMs: number;
  /** A token is renewed this long before it expires (default 60 s), so none is sent stale. */
  renewBeforeMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface AccessTokens {
  /** A valid access token: the cached one, or one fetched now (one fetch at a time). */
  token(): Promise<string>;
  /** The FHIR server refused this token (401): forget it, unless a newer one already replaced it. */
  invalidate(token: string): void;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function privateKeyOf(pem: string | Buffer, alg: 'RS384' | 'ES384'): KeyObject {
  const key = createPrivateKey(pem);
  const want = alg === 'RS384' ? 'rsa' : 'ec';
  if (key.asymmetricKeyType !== want) throw new TypeError(`EHR_KEY_ALG=${alg} needs an ${want.toUpperCase()} key, the key file holds ${key.asymmetricKeyType}`);
  if (alg === 'ES384' && key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') throw new TypeError('EHR_KEY_ALG=ES384 needs a P-384 key');
  return key;
}

/** The JWKS the EHR fetches to check revcycle's assertions: the public half only. */
export async function publicJwks(privateKeyPem: string | Buffer, alg: 'RS384' | 'ES384', keyId?: string): Promise<{ keys: JWK[] }> {
  const jwk = await exportJWK(createPublicKey(privateKeyOf(privateKeyPem, alg)));
  const kid = keyId ?? (await calculateJwkThumbprint(jwk));
  return { keys: [{ ...jwk, kid, alg, use: 'sig', key_ops: ['verify'] }] };
}

export function createSmartBackendTokens(opts: SmartBackendOptions): AccessTokens {
  const key = privateKeyOf(opts.privateKeyPem, opts.alg);
  const now = opts.now ?? Date.now;
  const doFetch = opts.fetch ?? fetch;
  const renewBeforeMs = opts.renewBeforeMs ?? 60_000;
  let kid: Promise<string> | undefined;
  let tokenUrl: Promise<string> | undefined;
  let cached: { token: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const keyId = () => (kid ??= opts.keyId ? Promise.resolve(opts.keyId) : exportJWK(createPublicKey(key)).then((jwk) => calculateJwkThumbprint(jwk)));

  const discover = () => {
    tokenUrl ??= opts.tokenUrl ? Promise.resolve(opts.tokenUrl) : discoverTokenUrl(opts.fhirBaseUrl, opts.timeoutMs, doFetch);
    tokenUrl.catch(() => (tokenUrl = undefined)); // a failed discovery is tried again next time
    return tokenUrl;
  };

  async function fetchToken(): Promise<string> {
    const endpoint = await discover();
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: opts.alg, kid: await keyId(), typ: 'JWT' })
      .setIssuer(opts.clientId)
      .setSubject(opts.clientId)
      .setAudience(endpoint)
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(now() / 1000))
      .setExpirationTime(Math.floor(now() / 1000) + 300) // at most five minutes, as Backend Services requires
      .sign(key);
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: opts.scopes,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    });
    let res: Response;
    try {
      res = await doFetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      throw new EhrUnavailableError(
        `SMART token request: ${(err as Error).name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : (err as Error).message}`,
      );
    }
    const answer = (await res.json().catch(() => undefined)) as
      { access_token?: unknown; expires_in?: unknown; error?: string; error_description?: string } | undefined;
    if (!res.ok) {
      const why = answer?.error ? `: ${answer.error}${answer.error_description ? ` (${answer.error_description})` : ''}` : '';
      if (res.status >= 500 || res.status === 429) throw new EhrUnavailableError(`SMART token request: HTTP ${res.status}${why}`);
      throw new EhrRequestRejectedError(res.status, `SMART token request refused: HTTP ${res.status}${why}`);
    }
    if (typeof answer?.access_token !== 'string' || !answer.access_token)
      throw new EhrUnavailableError('SMART token request: the answer carries no access_token');
    const lifetimeMs = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in * 1000 : 300_000;
    cached = { token: answer.access_token, expiresAt: now() + lifetimeMs - Math.min(renewBeforeMs, lifetimeMs / 2) };
    return answer.access_token;
  }

  return {
    token() {
      if (cached && now() < cached.expiresAt) return Promise.resolve(cached.token);
      inFlight ??= fetchToken().finally(() => (inFlight = undefined));
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}

async function discoverTokenUrl(fhirBaseUrl: string, timeoutMs: number, doFetch: typeof fetch): Promise<string> {
  const url = `${fhirBaseUrl.replace(/\/+$/, '')}/.well-known/smart-configuration`;
  let res: Response;
  try {
    res = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new EhrUnavailableError(`SMART discovery: ${(err as Error).message}`);
  }
  if (res.status >= 500) throw new EhrUnavailableError(`SMART discovery: HTTP ${res.status}`);
  const config = (await res.json().catch(() => undefined)) as { token_endpoint?: unknown } | undefined;
  if (!res.ok || typeof config?.token_endpoint !== 'string') {
    throw new EhrRequestRejectedError(res.status, `SMART discovery: ${url} names no token_endpoint (HTTP ${res.status}); set EHR_TOKEN_URL`);
  }
  return config.token_endpoint;
}
