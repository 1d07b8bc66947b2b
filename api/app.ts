/**
 * The Express app, in the order a request meets it: security headers and CORS,
 * authentication and roles (api/auth.ts, from the table in api/access.ts), a body
 * parser sized for the route, the routes, one error middleware.
 */
import type { Client } from '@temporalio/client';
import express from 'express';
import swaggerUiDist from 'swagger-ui-dist';
import type { Db } from '../db/knex';
import type { CodecKeys } from '../temporal/codec';
import type { VisitTimers } from '../workflows/definitions';
import { auditRouter } from './audit.routes';
import { authenticate, type AuthDeps } from './auth';
import { codecRouter } from './codec.routes';
import { errorMiddleware, notFound } from './errors';
import { dashboardRouter } from './dashboard.routes';
import { createOidcVerifier, type OidcConfig } from './oidc';
import { openApiDocument } from './openapi';
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
  /** The PHI codec endpoint for the Temporal Web UI; not served without keys. */
  codec?: { keys: CodecKeys; namespace: string; allowedOrigins: string[] };
}

export type RawBodyRequest = express.Request & { rawBody?: Buffer };

/** The raw bytes are kept: webhook signatures are over the body exactly as sent. */
const keepRaw = (req: express.Request, _res: unknown, buf: Buffer) => void ((req as RawBodyRequest).rawBody = buf);

/** The largest body each route accepts (bigger: 413); routes without a body parse none. */
const BODY_LIMITS = {
  visits: express.json({ limit: '64kb', type: ['application/json'] }),
  ehrWebhook: express.json({ limit: '1mb', type: ['application/json', 'application/fhir+json'], verify: keepRaw }),
  clearinghouseWebhook: express.text({ limit: '5mb', type: ['application/edi-x12', 'text/plain'], verify: keepRaw }),
  codec: express.json({ limit: '4mb', type: ['application/json'] }),
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
  const oidcLogin = security.oidc && security.oidcLogin ? createOidcLogin({ db: deps.db, sessions, oidc: security.oidc, login: security.oidcLogin }) : undefined;
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  // The codec answers the Temporal Web UI's own CORS (its preflight carries no credentials), then authenticates (biller, admin).
  if (deps.codec) {
    app.use('/codec', BODY_LIMITS.codec);
    app.use(codecRouter({ db: deps.db, ...deps.codec, authenticate: authenticate(auth) }));
  }
  app.use(cors(security.corsOrigins));
  app.use(authenticate(auth)); // every route but the public ones and the (HMAC-signed) webhooks; see api/access.ts

  app.use('/visits', BODY_LIMITS.visits);
  app.use('/webhooks/ehr', BODY_LIMITS.ehrWebhook);
  app.use('/webhooks/clearinghouse', BODY_LIMITS.clearinghouseWebhook);

  app.get('/health', async (_req, res) => {
    const [postgres, temporal] = await Promise.all([
      deps.db.raw('select 1').then(() => 'up' as const, () => 'down' as const),
      deps.temporal.workflowService.getSystemInfo({}).then(() => 'up' as const, () => 'down' as const),
    ]);
    const ok = postgres === 'up' && temporal === 'up';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', postgres, temporal });
  });

  const spec = openApiDocument();
  app.get('/openapi.json', (_req, res) => res.json(spec));
  app.get(['/docs', '/docs/'], (_req, res) => res.type('html').send(DOCS_PAGE));
  app.get('/docs/revcycle-init.js', (_req, res) => res.type('js').send(DOCS_INIT));
  app.use('/docs', express.static(swaggerUiDist.getAbsoluteFSPath(), { index: false, redirect: false }));

  app.use(visitsRouter(deps));
  app.use(auditRouter(deps));
  app.use(webhooksRouter({ temporal: deps.temporal, db: deps.db, secrets: deps.webhooks }));
  const temporalUi = deps.temporalUi ?? { url: 'http://localhost:8233', namespace: 'default' };
  app.use(reportsRouter({ temporal: deps.temporal, db: deps.db, temporalUi }));
  app.use(sessionRouter({ db: deps.db, sessions, oidcLogin }));
  app.use(dashboardRouter());
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(errorMiddleware(log));
  return app;
}

/** Swagger UI, served from the installed swagger-ui-dist package (no CDN, no inline script: the CSP allows only our own). */
const DOCS_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>revcycle API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/revcycle-init.js"></script></body></html>`;
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', persistAuthorization: false });`;
