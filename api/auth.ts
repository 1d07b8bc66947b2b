/**
 * Authentication and authorisation: the app's one door (api/app.ts), in front of every route
 * and before any body is read, driven by the table in api/access.ts, whose paths match only
 * as written (letter case, no trailing or doubled slash, nothing percent-encoded that the
 * table spells plainly):
 *
 * - `public` routes (`/health`, the API's description and docs page with its files, the
 *   dashboard's page and files: no data) pass untouched;
 * - `webhook` routes pass to their router, which checks the sender's signature headers
 *   before it reads the body and the HMAC over the raw bytes before it parses them
 *   (api/webhooks.routes.ts), not a bearer credential;
 * - every other route needs `Authorization: Bearer <credential>`: an API key
 *   (`rck_...`, db/api-keys.ts) or, when OIDC is configured, an RS256 access token of
 *   the configured issuer (api/oidc.ts); or, from a browser, the session cookie set by
 *   signing in (api/session.ts). Missing or bad: 401 saying why. A role the route does
 *   not allow: 403 naming the roles that may (and the refusal is audited).
 * - a request authenticated by the cookie that may change something (any method but
 *   GET/HEAD) must come from the API's own origin or a trusted one (the Temporal UI):
 *   the browser sends the cookie from any page of the same site, Origin says which.
 *
 * The caller is left in `res.locals.principal` for the routes and the audit trail.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { checkApiKey, looksLikeApiKey } from '../db/api-keys';
import { audit } from '../db/audit';
import type { Db } from '../db/knex';
import { findSession } from '../db/sessions';
import type { Role } from '../domain/roles';
import { routeFor } from './access';
import { ApiError, notFound } from './errors';
import { looksLikeJwt } from './oidc';
import type { RateLimiter } from './rate-limit';
import { fromTrustedPage, readCookie, sessionCookieName, type SessionOptions } from './session';

export interface Principal {
  /** `key:<id>` or `oidc:<subject>`: what the audit trail records as the actor. */
  actor: string;
  roles: Role[];
}

export interface AuthDeps {
  db: Db;
  verifyToken?: (token: string) => Promise<{ ok: true; subject: string; roles: Role[] } | { ok: false; why: string }>;
  limiter: RateLimiter;
  /** Browser sessions: the cookie is accepted when no Authorization header is sent. */
  sessions?: SessionOptions;
}

const unauthorized = (message: string, hint: string) => new ApiError(401, 'UNAUTHENTICATED', message, hint);

const KEY_REFUSALS = {
  malformed: 'the bearer credential is neither an API key (rck_...) nor a JWT',
  unknown: 'the API key is not known',
  revoked: 'the API key has been revoked',
  expired: 'the API key has expired (past its --expires-in, or the grace period after it was rotated)',
} as const;

export const principalOf = (res: Response): Principal => {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw new Error('route reached without a principal: is it missing from api/access.ts?');
  return p;
};

export const clientAddress = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Writes to the audit trail as this request's caller, with its role and address. */
export function auditAs(db: Db, req: Request, res: Response) {
  const p = principalOf(res);
  return (action: string, visitId: string | null, detail: object = {}) =>
    audit(db, p.actor, action, visitId, detail, { role: p.roles.join(','), source: clientAddress(req) });
}

export function authenticate(deps: AuthDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const route = routeFor(req.method, req.path);
    if (route && 'access' in route && route.access.kind !== 'roles') return next(); // public, or a webhook: signature checked in its router
    const principal = await identify(req);
    if (!deps.limiter.take(principal.actor)) {
      res.setHeader('retry-after', String(deps.limiter.retryAfterSeconds(principal.actor)));
      throw new ApiError(429, 'RATE_LIMITED', `too many requests for ${principal.actor}`, 'wait for the seconds in the Retry-After header, then retry');
    }
    res.locals.principal = principal;
    if (!route) throw notFound(`${req.method} ${req.path}`);
    if ('allowed' in route) {
      res.setHeader('allow', route.allowed.join(', '));
      throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`, `use ${route.allowed.join(' or ')}`);
    }
    const { access } = route;
    if (access.kind === 'roles' && !principal.roles.some((r) => access.roles.includes(r))) {
      await audit(
        deps.db,
        principal.actor,
        'auth.denied',
        null,
        { method: req.method, route: route.path },
        { role: principal.roles.join(','), source: clientAddress(req) },
      );
      const what = access.update ? `the ${access.update} decision` : `${req.method} ${route.path}`;
      throw new ApiError(403, 'FORBIDDEN', `role ${principal.roles.join(', ') || '(none)'} may not make ${what}`, `allowed roles: ${access.roles.join(', ')}`);
    }
    next();
  };

  async function identify(req: Request): Promise<Principal> {
    const header = req.headers.authorization;
    const refuse = (message: string, hint: string) => {
      // Failed attempts count against the caller's address, so guessing keys is slow too.
      const ip = `ip:${clientAddress(req)}`;
      if (!deps.limiter.take(ip))
        return new ApiError(429, 'RATE_LIMITED', 'too many failed attempts from this address', 'wait, then retry with a valid credential');
      return unauthorized(message, hint);
    };
    const sessionId = deps.sessions && readCookie(req, sessionCookieName(deps.sessions));
    if (!header && sessionId !== undefined && deps.sessions) return fromSession(req, sessionId, deps.sessions, refuse);
    if (!header)
      throw refuse(
        'no credentials (not signed in): sign in at /sign-in, or send Authorization: Bearer <API key or token>',
        'sign in at /sign-in; for scripts, create a key with `revcycle keys create --role ROLE --name NAME`',
      );
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m) throw refuse('the Authorization header is not "Bearer <credential>"', 'send Authorization: Bearer <API key or token>');
    const credential = m[1];
    if (looksLikeApiKey(credential)) {
      const check = await checkApiKey(deps.db, credential);
      if (!check.ok) throw refuse(KEY_REFUSALS[check.why], 'ask an admin for a key: `revcycle keys create --role ROLE --name NAME`');
      return { actor: `key:${check.key.id}`, roles: [check.key.role] };
    }
    if (looksLikeJwt(credential)) {
      if (!deps.verifyToken)
        throw refuse('this server does not accept tokens (OIDC is not configured)', 'use an API key, or set OIDC_ISSUER and OIDC_JWKS_URL');
      const check = await deps.verifyToken(credential);
      if (!check.ok) throw refuse(`the token is refused: ${check.why}`, 'sign in again to get a fresh token');
      return { actor: `oidc:${check.subject}`, roles: check.roles };
    }
    throw refuse(KEY_REFUSALS.malformed, 'send Authorization: Bearer <API key or token>');
  }

  async function fromSession(req: Request, id: string, o: SessionOptions, refuse: (message: string, hint: string) => ApiError): Promise<Principal> {
    const session = await findSession(deps.db, id);
    if (!session) throw refuse('your session has ended (signed out, expired or idle too long): sign in again at /sign-in', 'sign in again at /sign-in');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      if (!fromTrustedPage(req, o.trustedOrigins)) {
        const origin = req.headers.origin;
        throw new ApiError(
          403,
          'CROSS_SITE_REQUEST',
          `a signed-in ${req.method} must come from this site or the Temporal UI, not ${origin ?? 'a page that sent no Origin'}`,
          'send it from the revcycle page, or use an API key in the Authorization header',
        );
      }
    }
    return { actor: session.actor, roles: session.roles };
  }
}
