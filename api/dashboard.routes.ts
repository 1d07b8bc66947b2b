/**
 * GET /dashboard: the billing dashboard, a static page that reads /reports/kpis and
 * /work-queues. Chart.js is served from node_modules, never from a CDN.
 */
import express, { Router } from 'express';
import { dirname, join } from 'node:path';

export function dashboardRouter(): Router {
  const router = Router();
  const page = join(__dirname, 'dashboard');
  const chartJs = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  router.get(['/dashboard', '/dashboard/'], (_req, res) => res.sendFile(join(page, 'index.html')));
  router.get('/dashboard/vendor/chart.umd.min.js', (_req, res) => res.type('application/javascript').sendFile(chartJs));
  router.use('/dashboard', express.static(page, { index: false, redirect: false }));
  return router;
}
