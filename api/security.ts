/**
 * Browser-facing protections, written out rather than pulled from a package so each one
 * is visible: security headers on every answer (Helmet's defaults, plus no-store
 * because answers carry PHI), and CORS for the configured origins only.
 */
import type { RequestHandler } from 'express';
import { ApiError } from './errors';

const HEADERS: Record<string, string> = {
  // The docs page loads only our own script and Swagger UI's styles (which set inline styles).
  'content-security-policy':
    "default-src 'self'; base-uri 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
  'cache-control': 'no-store',
};

export const securityHeaders: RequestHandler = (_req, res, next) => {
  for (const [k, v] of Object.entries(HEADERS)) res.setHeader(k, v);
  next();
};

/** Only the listed origins may call the API from a browser; a preflight from any other is refused with 403. */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (!origin) return next();
    res.vary('Origin');
    const ok = allowed.has(origin);
    if (ok) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', 'retry-after, location');
    }
    if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return next();
    if (!ok) throw new ApiError(403, 'CORS_ORIGIN_REFUSED', `origin ${origin} may not call this API`, 'add it to CORS_ALLOWED_ORIGINS');
    res.setHeader('access-control-allow-methods', 'GET, POST');
    res.setHeader('access-control-allow-headers', 'authorization, content-type');
    res.setHeader('access-control-max-age', '600');
    res.status(204).end();
  };
}
