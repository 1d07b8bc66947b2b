/**
 * Signing a person in once for the browser tools (the dashboard, the Temporal Web UI's codec
 * calls): the browser holds only a random session id in an HttpOnly cookie; the session is
 * kept server-side (db/sessions.ts) with an absolute lifetime, an idle timeout and sign-out.
 *
 * - `GET /sign-in` is a page with an OIDC button (when an OIDC login is configured) and, in
 *   development, a form that exchanges an API key for a session. The key travels once, in a
 *   POST body, and is never written back into a page, a URL or browser storage.
 * - `GET /auth/oidc/login` and `GET /auth/oidc/callback`: authorization code with PKCE
 *   against the configured issuer (api/oidc-login.ts).
 * - `POST /sign-out` revokes the session and clears the cookie.
 *
 * The cookie is SameSite=Lax: the identity provider's answer and links from e-mail or the
 * Temporal UI arrive as cross-site top-level GETs and must find the person signed in, and no
 * GET changes anything. Cross-site POSTs (a form on another site) carry no Lax cookie; a
 * page on another port of the same host is same-site, so every state-changing request made
 * with the cookie must also come from an allowed Origin (checked in api/auth.ts).
 */
import express, { Router, type Request, type Response } from 'express';
import { checkApiKey, looksLikeApiKey } from '../db/api-keys';
import type { Db } from '../db/knex';
import { createSession, revokeSession, type SessionLimits } from '../db/sessions';
import { ROUTER_OPTIONS } from './access';

export interface SessionOptions extends SessionLimits {
  /** Secure cookie (and the `__Host-` name): whenever the API is reached over https. */
  secure: boolean;
  /** Development: the sign-in page exchanges an API key for a session. */
  keySignIn: boolean;
  /** Origins other than the API's own that may send cookie-authenticated requests and be returned to after sign-in (the Temporal Web UI). */
  trustedOrigins: string[];
}

export const DEFAULT_SESSIONS: SessionOptions = { ttlMs: 8 * 3_600_000, idleMs: 30 * 60_000, secure: false, keySignIn: true, trustedOrigins: [] };

export const sessionCookieName = (o: Pick<SessionOptions, 'secure'>) => (o.secure ? '__Host-revcycle_session' : 'revcycle_session');

/** One cookie's value from the Cookie header (no parser package: one name, read strictly). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function setSessionCookie(res: Response, o: SessionOptions, id: string, expiresAt: Date): void {
  res.append('set-cookie', `${sessionCookieName(o)}=${id}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${o.secure ? '; Secure' : ''}`);
}

function clearSessionCookie(res: Response, o: SessionOptions): void {
  res.append('set-cookie', `${sessionCookieName(o)}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${o.secure ? '; Secure' : ''}`);
}

/** The API's own origin as the browser sees it. */
/** As api/auth.ts records it (not imported: auth.ts reads the cookie helpers above). */
const clientAddress = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

export const ownOrigin = (req: Request) => `${req.protocol}://${req.headers.host ?? ''}`;

/**
 * Whether a request that changes something came from a page of this API or of a trusted
 * origin. Origin says so when the browser sends it; our pages' no-referrer policy makes the
 * browser send `Origin: null` on their own form posts, and then Sec-Fetch-Site (which no
 * script can set) says whether the page was ours.
 */
export function fromTrustedPage(req: Request, trustedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin && origin !== 'null') return origin === ownOrigin(req) || trustedOrigins.includes(origin);
  return req.headers['sec-fetch-site'] === 'same-origin';
}

/** Where a person may be sent after signing in: a path of this API, or a page of a trusted origin (the Temporal UI). Anything else: the dashboard. */
export function safeReturn(raw: unknown, o: SessionOptions): string {
  if (typeof raw !== 'string' || raw.length > 2000) return '/dashboard';
  if (/^\/(?![/\\])[^\s]*$/.test(raw)) return raw;
  try {
    const u = new URL(raw);
    if (o.trustedOrigins.includes(u.origin)) return u.href;
  } catch {
    /* not a URL */
  }
  return '/dashboard';
}

const FORM = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 4 });

/** The OIDC login the sign-in page offers (api/oidc-login.ts): start sends the browser to the issuer, finish takes its answer. */
export interface OidcLogin {
  start(req: Request, res: Response, returnTo: string): Promise<void>;
  finish(req: Request, res: Response): Promise<void>;
}

export function sessionRouter(deps: { db: Db; sessions: SessionOptions; oidcLogin?: OidcLogin }): Router {
  const o = deps.sessions;
  const router = Router(ROUTER_OPTIONS);

  router.get('/sign-in', (req, res) => {
    const returnTo = safeReturn(req.query.return, o);
    page(res, o, 200, returnTo, req.query.signed_out === '1' ? 'You are signed out.' : undefined, !!deps.oidcLogin);
  });

  router.post('/sign-in', FORM, async (req, res) => {
    const returnTo = safeReturn(req.body?.return, o);
    // A form posted from another site could sign the victim in as the attacker (login CSRF).
    if (!fromTrustedPage(req, [])) return page(res, o, 403, returnTo, 'Sign in from this page.', !!deps.oidcLogin);
    if (!o.keySignIn) return page(res, o, 403, returnTo, 'Signing in with an API key is turned off here; sign in with your organisation.', !!deps.oidcLogin);
    const key = typeof req.body?.key === 'string' ? req.body.key.trim() : '';
    const check = looksLikeApiKey(key) ? await checkApiKey(deps.db, key) : undefined;
    if (!check?.ok)
      return page(res, o, 401, returnTo, check?.why === 'revoked' ? 'That key has been revoked.' : 'That is not a valid API key.', !!deps.oidcLogin);
    const session = await createSession(
      deps.db,
      { actor: `key:${check.key.id}`, roles: [check.key.role], apiKeyId: check.key.id, source: clientAddress(req) },
      o,
    );
    setSessionCookie(res, o, session.id, session.expiresAt);
    res.redirect(303, returnTo);
  });

  router.post('/sign-out', FORM, async (req, res) => {
    if (!fromTrustedPage(req, o.trustedOrigins)) return page(res, o, 403, '/dashboard', 'Sign out from this site.', !!deps.oidcLogin);
    const id = readCookie(req, sessionCookieName(o));
    if (id) await revokeSession(deps.db, id, clientAddress(req));
    clearSessionCookie(res, o);
    res.redirect(303, '/sign-in?signed_out=1');
  });

  if (deps.oidcLogin) {
    const login = deps.oidcLogin;
    router.get('/auth/oidc/login', (req, res) => login.start(req, res, safeReturn(req.query.return, o)));
    router.get('/auth/oidc/callback', (req, res) => login.finish(req, res));
  }
  return router;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The sign-in page: no script, the form posts here; a redirect after it may go to the Temporal UI, so form-action names it. */
function page(res: Response, o: SessionOptions, status: number, returnTo: string, message: string | undefined, oidc: boolean): void {
  res.setHeader(
    'content-security-policy',
    `default-src 'none'; style-src 'self'; form-action 'self' ${o.trustedOrigins.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
  );
  const ret = escape(returnTo);
  res.status(status).type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · revcycle</title>
<link rel="stylesheet" href="/dashboard/dashboard.css"></head><body><main class="sign-in">
<h1>Sign in to revcycle</h1>
<p>Sign in once to read patient details in the dashboard and in the Temporal Web UI.</p>
${message ? `<p role="alert" class="message">${escape(message)}</p>` : ''}
${oidc ? `<p><a class="button" href="/auth/oidc/login?return=${encodeURIComponent(returnTo)}">Sign in with your organisation</a></p>` : ''}
${
  o.keySignIn
    ? `<form method="post" action="/sign-in" autocomplete="off">
<input type="hidden" name="return" value="${ret}">
<label>API key (development) <input type="password" name="key" required autocomplete="off" spellcheck="false"></label>
<button type="submit">Sign in</button></form>`
    : ''
}
</main></body></html>`);
}
