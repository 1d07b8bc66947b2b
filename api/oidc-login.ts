/**
 * The browser's OIDC login: authorization code with PKCE (RFC 7636, S256) against the
 * configured issuer, ending in a server-side session (api/session.ts).
 *
 * 1. `GET /auth/oidc/login`: a random state, nonce and PKCE verifier; the verifier and nonce
 *    stay in Postgres (db/sessions.ts, keyed by the state's hash); the browser gets the
 *    state in a short-lived HttpOnly cookie scoped to /auth/oidc, which binds the answer to
 *    the browser that asked (no one can sign a victim in with their own login).
 * 2. `GET /auth/oidc/callback?code&state`: the state must match the cookie and a stored
 *    request (each is used once); the code is exchanged at the token endpoint with the
 *    verifier; the ID token must be the issuer's, for our client, with our nonce. Roles come
 *    from the access token when it is a JWT for our audience, else from the ID token.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/knex';
import { createSession, saveOidcLogin, takeOidcLogin } from '../db/sessions';
import { ApiError } from './errors';
import { createJwks, createOidcVerifier, looksLikeJwt, rolesOf, verifyJwt, type OidcConfig } from './oidc';
import { readCookie, setSessionCookie, type OidcLogin, type SessionOptions } from './session';

export interface OidcLoginConfig {
  clientId: string;
  clientSecret?: string;
  /** Where the identity provider sends the browser back: <API public URL>/auth/oidc/callback. */
  redirectUri: string;
  scope?: string;
}

const STATE_COOKIE = 'revcycle_oidc_state';
const b64url = (b: Buffer) => b.toString('base64url');

interface Metadata {
  authorization_endpoint: string;
  token_endpoint: string;
}

export function createOidcLogin(deps: { db: Db; sessions: SessionOptions; oidc: OidcConfig; login: OidcLoginConfig }): OidcLogin {
  const { oidc, login, sessions } = deps;
  const jwks = createJwks(oidc);
  const verifyAccessToken = createOidcVerifier(oidc);
  let metadata: Promise<Metadata> | undefined;
  const timeout = () => AbortSignal.timeout(oidc.fetchTimeoutMs ?? 5_000);

  /** The issuer's endpoints from its discovery document (fetched once; again after a failure). */
  function discover(): Promise<Metadata> {
    metadata ??= (async () => {
      const url = `${oidc.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(url, { signal: timeout() });
      if (!res.ok) throw new Error(`${url} answered ${res.status}`);
      const doc = (await res.json()) as Partial<Metadata> & { issuer?: string };
      if (doc.issuer !== oidc.issuer || !doc.authorization_endpoint || !doc.token_endpoint) throw new Error(`${url} does not describe issuer ${oidc.issuer}`);
      return { authorization_endpoint: doc.authorization_endpoint, token_endpoint: doc.token_endpoint };
    })().catch((err) => {
      metadata = undefined;
      throw err;
    });
    return metadata;
  }

  const unavailable = (err: unknown) =>
    new ApiError(
      502,
      'IDENTITY_PROVIDER_UNAVAILABLE',
      `the identity provider could not be reached: ${(err as Error).message}`,
      'try again shortly, or ask an admin to check OIDC_ISSUER',
    );
  const refused = (why: string) => new ApiError(401, 'SIGN_IN_FAILED', `sign-in failed: ${why}`, 'start again at /sign-in');
  const cookie = (value: string, maxAge: number) =>
    `${STATE_COOKIE}=${value}; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${sessions.secure ? '; Secure' : ''}`;

  return {
    async start(_req, res, returnTo) {
      const meta = await discover().catch((err) => Promise.reject(unavailable(err)));
      const state = b64url(randomBytes(32));
      const nonce = b64url(randomBytes(32));
      const codeVerifier = b64url(randomBytes(32));
      await saveOidcLogin(deps.db, { state, codeVerifier, nonce, returnTo });
      const url = new URL(meta.authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: login.clientId,
        redirect_uri: login.redirectUri,
        scope: login.scope ?? 'openid profile',
        state,
        nonce,
        code_challenge: b64url(createHash('sha256').update(codeVerifier).digest()),
        code_challenge_method: 'S256',
      }).toString();
      res.append('set-cookie', cookie(state, 600));
      res.redirect(302, url.href);
    },

    async finish(req, res) {
      const { code, state, error } = req.query;
      if (typeof error === 'string') throw refused(`the identity provider answered ${error.slice(0, 100)}`);
      if (typeof code !== 'string' || typeof state !== 'string' || code.length > 4096 || state.length > 256) throw refused('the answer has no code and state');
      if (readCookie(req, STATE_COOKIE) !== state) throw refused('this answer is for a sign-in this browser did not start');
      const pending = await takeOidcLogin(deps.db, state);
      if (!pending) throw refused('the sign-in was already used or took longer than ten minutes');
      res.append('set-cookie', cookie('', 0));
      const meta = await discover().catch((err) => Promise.reject(unavailable(err)));
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: login.redirectUri,
        code_verifier: pending.codeVerifier,
        client_id: login.clientId,
      });
      if (login.clientSecret)
        headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(login.clientId)}:${encodeURIComponent(login.clientSecret)}`).toString('base64')}`;
      const answer = await fetch(meta.token_endpoint, { method: 'POST', headers, body: form, signal: timeout() }).catch((err) =>
        Promise.reject(unavailable(err)),
      );
      const tokens = (await answer.json().catch(() => ({}))) as { id_token?: unknown; access_token?: unknown; error?: unknown };
      if (!answer.ok || typeof tokens.id_token !== 'string')
        throw refused(`the token endpoint answered ${answer.status}${typeof tokens.error === 'string' ? ` (${tokens.error.slice(0, 100)})` : ''}`);
      const id = await verifyJwt(tokens.id_token, jwks, { issuer: oidc.issuer, audience: login.clientId, clockSkewSeconds: oidc.clockSkewSeconds });
      if (!id.ok) throw refused(`the ID token is refused: ${id.why}`);
      if (id.claims.nonce !== pending.nonce) throw refused('the ID token is not for this sign-in (nonce)');
      const subject = id.claims.sub as string;
      const access = typeof tokens.access_token === 'string' && looksLikeJwt(tokens.access_token) ? await verifyAccessToken(tokens.access_token) : undefined;
      if (access?.ok && access.subject !== subject) throw refused('the access token is for another person');
      const roles = access?.ok && access.roles.length ? access.roles : rolesOf(id.claims, oidc.rolesClaim);
      if (!roles.length)
        throw new ApiError(
          403,
          'NO_ROLE',
          `${subject} is signed in with the identity provider but holds no revcycle role`,
          `ask an admin to grant one in the ${oidc.rolesClaim} claim`,
        );
      const session = await createSession(deps.db, { actor: `oidc:${subject}`, roles, source: req.ip ?? 'unknown' }, sessions);
      setSessionCookie(res, sessions, session.id, session.expiresAt);
      res.redirect(303, pending.returnTo);
    },
  };
}
