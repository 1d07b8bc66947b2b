/**
 * The EHR simulator as a SMART resource server: FHIR requests need a bearer token the
 * authorization server vouches for. Tokens are checked by OAuth 2.0 Token Introspection
 * (RFC 7662) on every request, so a revoked token is refused at once, as a real EHR's
 * gateway refuses it; the scope must cover the resource type and the interaction
 * (system/<Type>.read for reads and searches, .write for creates and updates).
 */
import type { NextFunction, Request, Response } from 'express';

export interface EhrSimulatorAuth {
  /** Published in .well-known/smart-configuration for clients to discover. */
  tokenEndpoint: string;
  introspectionEndpoint: string;
  /** The simulator's own credentials at the introspection endpoint (client_secret_basic). */
  clientId: string;
  clientSecret: string;
}

interface Introspection {
  active?: boolean;
  scope?: string;
  client_id?: string;
}

const challenge = (res: Response, status: 401 | 403, error: string, description: string) =>
  res
    .status(status)
    .set('WWW-Authenticate', `Bearer error="${error}", error_description="${description}"`)
    .type('application/fhir+json')
    .send(
      JSON.stringify({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: status === 401 ? 'login' : 'forbidden', diagnostics: description }],
      }),
    );

/** Does a space-separated scope list allow this interaction on this type? (SMART v1 and v2 spellings) */
export function scopeAllows(scopes: string, type: string, write: boolean): boolean {
  return scopes.split(/\s+/).some((s) => {
    const m = /^system\/([A-Za-z]+|\*)\.(read|write|\*|[cruds]+)$/.exec(s);
    if (!m || (m[1] !== '*' && m[1] !== type)) return false;
    const what = m[2];
    if (what === '*') return true;
    if (what === 'read' || what === 'write') return what === (write ? 'write' : 'read');
    return write ? /[cu]/.test(what) : /[rs]/.test(what);
  });
}

export function smartConfiguration(auth: EhrSimulatorAuth) {
  return {
    token_endpoint: auth.tokenEndpoint,
    introspection_endpoint: auth.introspectionEndpoint,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    scopes_supported: ['system/*.read', 'system/*.write'],
    capabilities: ['client-confidential-asymmetric'],
  };
}

/** Express middleware in front of the FHIR routes; the CapabilityStatement stays public, as SMART expects. */
export function requireToken(auth: EhrSimulatorAuth) {
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}`;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.path === '/metadata') return next();
    const token = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!token) return void challenge(res, 401, 'invalid_request', 'a bearer access token is required');
    let info: Introspection;
    try {
      const answer = await fetch(auth.introspectionEndpoint, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token }).toString(),
        signal: AbortSignal.timeout(5000),
      });
      if (!answer.ok) throw new Error(`introspection answered HTTP ${answer.status}`);
      info = (await answer.json()) as Introspection;
    } catch (err) {
      res
        .status(503)
        .type('application/fhir+json')
        .send(
          JSON.stringify({
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: 'transient', diagnostics: `cannot check the token: ${(err as Error).message}` }],
          }),
        );
      return;
    }
    if (info.active !== true) return void challenge(res, 401, 'invalid_token', 'the access token is expired, revoked or unknown');
    const type = req.path.split('/').filter(Boolean)[0] ?? '';
    const write = req.method !== 'GET' && req.method !== 'HEAD';
    if (!scopeAllows(info.scope ?? '', type, write))
      return void challenge(res, 403, 'insufficient_scope', `the token's scope does not allow ${write ? 'writing' : 'reading'} ${type}`);
    next();
  };
}
