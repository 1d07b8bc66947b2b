/**
 * GET /workbench: the billing staff's workbench, a static page that reads the work queues and
 * visits and sends the same decisions REST clients send (POST /visits/:id/...), with the
 * signed-in session's cookie. The page and its files hold no data; every answer it shows is
 * shaped by the user's role in the API (api/views.ts), and every action is the API's own.
 */
import { Router } from 'express';
import { join } from 'node:path';
import { ROUTER_OPTIONS } from './access';

/** The page and exactly the files it loads (each on the public list in api/access.ts), not a directory. */
export function workbenchRouter(): Router {
  const router = Router(ROUTER_OPTIONS);
  const page = join(__dirname, 'workbench');
  router.get('/workbench', (_req, res) => res.sendFile(join(page, 'index.html')));
  for (const file of ['workbench.css', 'workbench.js']) router.get(`/workbench/${file}`, (_req, res) => res.sendFile(join(page, file)));
  return router;
}
