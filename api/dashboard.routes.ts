/**
 * GET /dashboard: the billing dashboard, a static page that reads /reports/kpis and
 * /work-queues. Chart.js is served from node_modules, never from a CDN.
 */
import { Router } from 'express';
import { dirname, join } from 'node:path';
import { ROUTER_OPTIONS } from './access';

/** The page and exactly the files it loads (each on the public list in api/access.ts), not a directory. */
export function dashboardRouter(): Router {
  const router = Router(ROUTER_OPTIONS);
  const page = join(__dirname, 'dashboard');
  const chartJs = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  router.get('/dashboard', (_req, res) => res.sendFile(join(page, 'index.html')));
  router.get('/dashboard/vendor/chart.umd.min.js', (_req, res) => res.type('application/javascript').sendFile(chartJs));
  for (const file of ['dashboard.css', 'dashboard.js']) router.get(`/dashboard/${file}`, (_req, res) => res.sendFile(join(page, file)));
  return router;
}
