/**
 * Who may do what: the one declarative table of roles per route and per workflow update.
 *
 * - `UPDATE_ROLES` names, for each visit-workflow update (by its definition's name), the
 *   roles whose human decision it may be. A route that executes an update takes its
 *   roles from here, so adding an update means adding one line below.
 * - `ROUTES` lists every route of the API: its roles (or `public`, or `webhook` for
 *   routes authenticated by an HMAC signature instead of a bearer credential), and for
 *   the OpenAPI document which update it runs. The auth middleware, the 405 answer for
 *   undeclared methods and the document's `security` all read this table.
 */
import { isRole, ROLES, type Role } from '../domain/roles';
import {
  acceptSuggestionUpdate,
  cancelUpdate,
  correctCodingUpdate,
  patientPaymentUpdate,
  retryUpdate,
  updateCoverageUpdate,
  voidClaimUpdate,
  writeOffUpdate,
} from '../workflows/definitions';

export { isRole, ROLES, type Role };

/** Each workflow update and the roles allowed to send it. */
export const UPDATE_ROLES: Record<string, readonly Role[]> = {
  [cancelUpdate.name]: ['front_desk', 'biller', 'admin'],
  [updateCoverageUpdate.name]: ['front_desk', 'biller', 'admin'],
  [correctCodingUpdate.name]: ['coder', 'admin'],
  [acceptSuggestionUpdate.name]: ['coder', 'admin'],
  [retryUpdate.name]: ['biller', 'admin'],
  [writeOffUpdate.name]: ['biller', 'admin'],
  [voidClaimUpdate.name]: ['biller', 'admin'],
  /** Sent to the visit's patient balance workflow, not the visit's. */
  [patientPaymentUpdate.name]: ['front_desk', 'biller', 'admin'],
};

export type Access =
  | { kind: 'roles'; roles: readonly Role[]; update?: string }
  /** No credentials: liveness and the API's own description. */
  | { kind: 'public' }
  /** Inbound notifications from the EHR and the clearinghouse: authenticated by their HMAC signature (api/webhooks.routes.ts), not by a bearer credential. */
  | { kind: 'webhook' };

const roles = (...r: Role[]): Access => ({ kind: 'roles', roles: r });
const update = (name: string): Access => ({ kind: 'roles', roles: UPDATE_ROLES[name], update: name });

/** `METHOD /path/:param` → who may call it. Every route the app serves is listed here. */
export const ROUTES: Record<string, Access> = {
  'GET /health': { kind: 'public' },
  'GET /openapi.json': { kind: 'public' },
  /** The public key revcycle signs its SMART Backend Services assertions with: the EHR fetches it, without credentials. */
  'GET /.well-known/jwks.json': { kind: 'public' },
  /** Swagger UI: the page and exactly the files it loads, no directory behind them. */
  'GET /docs': { kind: 'public' },
  'GET /docs/revcycle-init.js': { kind: 'public' },
  'GET /docs/swagger-ui.css': { kind: 'public' },
  'GET /docs/swagger-ui-bundle.js': { kind: 'public' },
  'POST /visits': roles('front_desk', 'admin'),
  'GET /visits/:visitId': roles('front_desk', 'coder', 'biller', 'analyst', 'admin'),
  'POST /visits/:visitId/cancel': update(cancelUpdate.name),
  'POST /visits/:visitId/coverage': update(updateCoverageUpdate.name),
  'POST /visits/:visitId/coding': update(correctCodingUpdate.name),
  'POST /visits/:visitId/coding/suggestions': update(acceptSuggestionUpdate.name),
  'POST /visits/:visitId/retry': update(retryUpdate.name),
  'POST /visits/:visitId/write-off': update(writeOffUpdate.name),
  'POST /visits/:visitId/void': update(voidClaimUpdate.name),
  'POST /visits/:visitId/patient-payments': update(patientPaymentUpdate.name),
  'GET /audit': roles('admin'),
  /** Temporal's remote codec protocol for the Web UI (api/codec.routes.ts); not in the OpenAPI document. */
  'POST /codec/decode': roles('biller', 'admin'),
  'POST /codec/encode': roles('biller', 'admin'),
  'GET /reports/kpis': roles('biller', 'analyst', 'admin'),
  /** Coders work the coding review queue (the workbench): the list, and its visits with their ids. */
  'GET /work-queues': roles('coder', 'biller', 'analyst', 'admin'),
  'GET /work-queues/:queue': roles('coder', 'biller', 'analyst', 'admin'),
  /** 835 claims posted or waiting in the posting queue, with payer claim numbers and amounts: billing's work, not an analyst's. */
  'GET /remittances': roles('biller', 'admin'),
  /** The dashboard's page and scripts hold no data: its data comes from the routes above, with the user's session. */
  'GET /dashboard': { kind: 'public' },
  'GET /dashboard/dashboard.css': { kind: 'public' },
  'GET /dashboard/dashboard.js': { kind: 'public' },
  'GET /dashboard/vendor/chart.umd.min.js': { kind: 'public' },
  /** The workbench's page and scripts likewise: its data and actions are the routes above, with the user's session. */
  'GET /workbench': { kind: 'public' },
  'GET /workbench/workbench.css': { kind: 'public' },
  'GET /workbench/workbench.js': { kind: 'public' },
  /** Signing in and out of a browser session (api/session.ts): these routes check the key, the login's state or the Origin themselves. */
  'GET /sign-in': { kind: 'public' },
  'POST /sign-in': { kind: 'public' },
  'POST /sign-out': { kind: 'public' },
  'GET /auth/oidc/login': { kind: 'public' },
  'GET /auth/oidc/callback': { kind: 'public' },
  'POST /webhooks/ehr/encounter-signed': { kind: 'webhook' },
  /** The EHR's FHIR Subscription (Backport) rest-hook endpoint: notification Bundles, signed like the webhook above. */
  'POST /webhooks/ehr/subscription': { kind: 'webhook' },
  'POST /webhooks/clearinghouse': { kind: 'webhook' },
};

/**
 * Every Router of the app is made with these (and the app with the same settings): a path
 * matches only as written, so `/CODEC/decode`, `/visits/` and `/visits` are not one path, as
 * they are not in `routeFor` below.
 */
export const ROUTER_OPTIONS = { caseSensitive: true, strict: true } as const;

interface CompiledRoute {
  method: string;
  path: string;
  pattern: RegExp;
  access: Access;
}

/**
 * Matched as express matches with `caseSensitive` and `strict` (api/app.ts): against the path as
 * sent, not decoded, letter case as written, no optional trailing slash, a parameter one non-empty
 * segment. So `/CODEC/decode`, `/visits/`, `//visits`, `/vis%69ts` and `/x/../visits` are no route
 * here, and none in express either: without a credential they are 401, with one 404.
 */
const compiled: CompiledRoute[] = Object.entries(ROUTES).map(([key, access]) => {
  const [method, path] = key.split(' ');
  const pattern = new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/:[A-Za-z]+/g, '[^/]+')}$`);
  return { method, path, pattern, access };
});

/** The route a request is for, or, when only the method is wrong, the methods that path allows. */
export function routeFor(method: string, path: string): { access: Access; path: string } | { allowed: string[] } | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  const samePath = compiled.filter((r) => r.pattern.test(path));
  const hit = samePath.find((r) => r.method === m);
  if (hit) return { access: hit.access, path: hit.path };
  return samePath.length ? { allowed: [...new Set(samePath.map((r) => r.method))] } : undefined;
}

/** OpenAPI path (`/visits/{visitId}`) → the table's key (`/visits/:visitId`). */
export const accessOf = (method: string, openApiPath: string): Access | undefined =>
  ROUTES[`${method.toUpperCase()} ${openApiPath.replace(/\{([^}]+)\}/g, ':$1')}`];
