/**
 * The Express app, in the order a request meets it, with one door:
 *
 * 1. security headers; CORS (the codec's own for the Temporal Web UI, then the API's):
 *    preflights are answered here and read no body;
 * 2. the door, `authenticate` (api/auth.ts, from the table in api/access.ts): every path
 *    but the public list needs a credential and a role that may; the webhooks pass to
 *    their router, which checks the sender's signature headers before it reads a byte;
 * 3. a body reader bounded in bytes, JSON depth and width (api/body.ts), for the routes
 *    that take a body, and only now;
 * 4. the routes, matched case-sensitively and strictly (no trailing slash, no other
 *    spelling of a path), as the door matched them;
 * 5. one error middleware.
 */
import type { Client } from '@temporalio/client';
import express from 'express';
import { join } from 'node:path';
import swaggerUiDist from 'swagger-ui-dist';
import type { Db } from '../db/knex';
import type { CodecKeys } from '../temporal/codec';
import type { VisitTimers } from '../workflows/definitions';
import { auditRouter } from './audit.routes';
import { authenticate, type AuthDeps } from './auth';
import { jsonBody } from './body';
import { codecCors, codecRouter } from './codec.routes';
import { errorMiddleware, notFound } from './errors';
import { dashboardRouter } from './dashboard.routes';
import { workbenchRouter } from './workbench.routes';
import { createOidcVerifier, type OidcConfig } from './oidc';
import { openApiDocument } from './openapi';
import { remittancesRouter } from './remittances.routes';
import { reportsRouter } from './reports.routes';
import { createOidcLogin, type OidcLoginConfig } from './oidc-login';
import { DEFAULT_SESSIONS, sessionRouter, type SessionOptions } from './session';
import { createRateLimiter, type RateLimitConfig } from './rate-limit';
import { cors, securityHeaders } from './security';
import { visitsRouter } from './visits.routes';
import { webhooksRouter, type WebhookSecrets } from './webhooks.routes';

export interface SecurityOptions {
  oidc?: OidcConfig;
  rateLimit: RateLimitConfig;
  corsOrigins: string[];
  /** Browser sessions (api/session.ts); defaults: 8 h, 30 min idle, API-key sign-in on, the codec's UI origins trusted. */
  sessions?: Partial<SessionOptions>;
  /** The OIDC login (authorization code + PKCE) for browsers; needs `oidc` for the issuer's keys. */
  oidcLogin?: OidcLoginConfig;
}

export interface AppDeps {
  temporal: Client;
  db: Db;
  taskQueue: string;
  timers: VisitTimers;
  /** Defaults: no OIDC, no browser origins, 600 requests a minute per caller. */
  security?: SecurityOptions;
  log?: (msg: string, meta: object) => void;
  /** Where links to the Temporal Web UI point (work queues, dashboard). */
  temporalUi?: { url: string; namespace: string };
  /** Per-sender secrets the webhooks are verified with. */
  webhooks: WebhookSecrets;
  /** Reads of visits waiting on Temporal at once before the next is refused with 503 (API_MAX_PENDING_READS; default 100). */
  maxPendingReads?: number;
  /**
   * The public half of the key revcycle signs its SMART Backend Services assertions with, as a
   * JWKS: the EHR fetches it from /.well-known/jwks.json (default: no keys).
   */
  ehrJwks?: { keys: object[] };
  /** The PHI codec endpoint for the Temporal Web UI; not served without keys. */
  codec?: { keys: CodecKeys; namespace: string; allowedOrigins: string[] };
}

/**
 * The largest body each route accepts (bigger: 413); routes without a body read none. JSON is
 * also bounded in depth and width (api/body.ts). The webhooks' limits are in
 * api/webhooks.routes.ts (their bodies are read only after the signature headers are checked),
 * the codec's in api/codec.routes.ts.
 */
const BODY_LIMITS = {
  visits: jsonBody({ maxBytes: 64 * 1024, types: ['application/json'] }),
};

export function createApp(deps: AppDeps): express.Express {
  const log = deps.log ?? ((msg, meta) => console.error(JSON.stringify({ level: 'error', msg, ...meta })));
  const security = deps.security ?? { rateLimit: { perMinute: 600, burst: 100 }, corsOrigins: [] };
  const sessions: SessionOptions = { ...DEFAULT_SESSIONS, trustedOrigins: deps.codec?.allowedOrigins ?? [], ...security.sessions };
  const auth: AuthDeps = {
    db: deps.db,
    limiter: createRateLimiter(security.rateLimit),
    verifyToken: security.oidc ? createOidcVerifier(security.oidc) : undefined,
    sessions,
  };
  const oidcLogin =
    security.oidc && security.oidcLogin ? createOidcLogin({ db: deps.db, sessions, oidc: security.oidc, login: security.oidcLogin }) : undefined;
  const app = express();
  app.disable('x-powered-by');
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.use(securityHeaders);
  // The codec answers the Temporal Web UI's own CORS (its preflight carries no credentials); its routes are behind the door.
  if (deps.codec) app.use(codecCors(deps.codec.allowedOrigins));
  app.use(cors(security.corsOrigins));
  // The door: nothing below reads a body before it. Every route but the public list needs a credential; the
  // webhooks are authenticated by their signature in their router (api/access.ts, api/webhooks.routes.ts).
  app.use(authenticate(auth));

  app.use('/visits', BODY_LIMITS.visits);

  app.get('/health', async (_req, res) => {
    const [postgres, temporal] = await Promise.all([
      deps.db.raw('select 1').then(
        () => 'up' as const,
        () => 'down' as const,
      ),
      deps.temporal.workflowService.getSystemInfo({}).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
    ]);
    const ok = postgres === 'up' && temporal === 'up';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', postgres, temporal });
  });

  const jwks = JSON.stringify(deps.ehrJwks ?? { keys: [] });
  app.get('/.well-known/jwks.json', (_req, res) => res.type('application/jwk-set+json').set('Cache-Control', 'public, max-age=300').send(jwks));

  const spec = openApiDocument();
  app.get('/openapi.json', (_req, res) => res.json(spec));
  app.get('/docs', (_req, res) => res.type('html').send(DOCS_PAGE));
  app.get('/docs/revcycle-init.js', (_req, res) => res.type('js').send(DOCS_INIT));
  // Only the files the page loads (each on the public list in api/access.ts), not the package's directory.
  for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
    const path = join(swaggerUiDist.getAbsoluteFSPath(), file);
    app.get(`/docs/${file}`, (_req, res) => res.sendFile(path));
  }

  if (deps.codec) app.use(codecRouter({ db: deps.db, ...deps.codec }));
  app.use(visitsRouter(deps));
  app.use(auditRouter(deps));
  app.use(webhooksRouter({ temporal: deps.temporal, db: deps.db, secrets: deps.webhooks }));
  const temporalUi = deps.temporalUi ?? { url: 'http://localhost:8233', namespace: 'default' };
  app.use(remittancesRouter({ db: deps.db }));
  app.use(reportsRouter({ temporal: deps.temporal, db: deps.db, temporalUi }));
  app.use(sessionRouter({ db: deps.db, sessions, oidcLogin }));
  app.use(dashboardRouter());
  app.use(workbenchRouter());
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(errorMiddleware(log));
  return app;
}

/** Swagger UI, served from the installed swagger-ui-dist package (no CDN, no inline script: the CSP allows only our own). */
const DOCS_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>revcycle API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/revcycle-init.js"></script></body></html>`;
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', persistAuthorization: false });`;
