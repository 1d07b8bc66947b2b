/** The Express app: routes, validation, the OpenAPI document and its docs page, one error middleware. */
import type { Client } from '@temporalio/client';
import express from 'express';
import swaggerUiDist from 'swagger-ui-dist';
import type { Db } from '../db/knex';
import type { CodecKeys } from '../temporal/codec';
import type { VisitTimers } from '../workflows/definitions';
import { codecRouter } from './codec.routes';
import { errorMiddleware, notFound } from './errors';
import { openApiDocument } from './openapi';
import { visitsRouter } from './visits.routes';
import { webhooksRouter, type WebhookSecrets } from './webhooks.routes';

export interface AppDeps {
  temporal: Client;
  db: Db;
  taskQueue: string;
  timers: VisitTimers;
  log?: (msg: string, meta: object) => void;
  /** Per-sender secrets the webhooks are verified with. */
  webhooks: WebhookSecrets;
  /** The PHI codec endpoint for the Temporal Web UI; not served without keys. */
  codec?: { keys: CodecKeys; namespace: string; allowedOrigins: string[] };
}

export type RawBodyRequest = express.Request & { rawBody?: Buffer };

export function createApp(deps: AppDeps): express.Express {
  const log = deps.log ?? ((msg, meta) => console.error(JSON.stringify({ level: 'error', msg, ...meta })));
  const app = express();
  app.disable('x-powered-by');
  // The raw bytes are kept: webhook signatures are over the body exactly as sent.
  const keepRaw = (req: express.Request, _res: unknown, buf: Buffer) => void ((req as RawBodyRequest).rawBody = buf);
  app.use(express.json({ limit: '1mb', type: ['application/json', 'application/fhir+json'], verify: keepRaw }));
  app.use(express.text({ limit: '5mb', type: ['application/edi-x12', 'text/plain'], verify: keepRaw }));

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
  app.get(['/docs', '/docs/'], (_req, res) => res.type('html').send(docsPage()));
  app.use('/docs', express.static(swaggerUiDist.getAbsoluteFSPath(), { index: false, redirect: false }));

  app.use(visitsRouter(deps));
  app.use(webhooksRouter({ temporal: deps.temporal, db: deps.db, secrets: deps.webhooks }));
  if (deps.codec) app.use(codecRouter({ db: deps.db, ...deps.codec }));
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(errorMiddleware(log));
  return app;
}

/** Swagger UI, served from the installed swagger-ui-dist package (no CDN), pointed at our document. */
function docsPage(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>revcycle API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script></body></html>`;
}
