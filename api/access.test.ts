import { openApiDocument } from './openapi';
import { ROUTES, UPDATE_ROLES, routeFor } from './access';
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

test('every workflow update declares its roles, and coding corrections are for coders and admins only', () => {
  expect(Object.keys(UPDATE_ROLES).sort()).toEqual(
    [
      acceptSuggestionUpdate.name,
      cancelUpdate.name,
      correctCodingUpdate.name,
      updateCoverageUpdate.name,
      retryUpdate.name,
      writeOffUpdate.name,
      voidClaimUpdate.name,
      patientPaymentUpdate.name,
    ].sort(),
  );
  // Resuming or writing off a parked visit is a biller's decision.
  expect(UPDATE_ROLES[retryUpdate.name]).toEqual(['biller', 'admin']);
  expect(UPDATE_ROLES[writeOffUpdate.name]).toEqual(['biller', 'admin']);
  expect(UPDATE_ROLES[voidClaimUpdate.name]).toEqual(['biller', 'admin']);
  expect(UPDATE_ROLES[correctCodingUpdate.name]).toEqual(['coder', 'admin']);
  expect(UPDATE_ROLES[acceptSuggestionUpdate.name]).toEqual(['coder', 'admin']);
  // The front desk takes a patient's payment at the counter; billers post the ones that come by mail.
  expect(routeFor('POST', '/visits/v-1/patient-payments')).toEqual({
    path: '/visits/:visitId/patient-payments',
    access: { kind: 'roles', roles: ['front_desk', 'biller', 'admin'], update: 'patientPayment' },
  });
  expect(routeFor('POST', '/visits/v-1/coding')).toEqual({
    path: '/visits/:visitId/coding',
    access: { kind: 'roles', roles: ['coder', 'admin'], update: 'correctCoding' },
  });
});

test('the OpenAPI document and the access table list the same operations; protected ones declare bearer, 401 and 403', () => {
  const doc = openApiDocument() as {
    paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown> }>>;
    components: { securitySchemes: object };
  };
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
  // Not API operations: the document itself, the docs, dashboard and workbench pages with their files, Temporal's codec protocol, signing in and out.
  const served = Object.keys(ROUTES).filter(
    (k) =>
      k !== 'GET /openapi.json' &&
      !/^(GET \/docs|GET \/dashboard|GET \/workbench|POST \/codec\/|(GET|POST) \/sign-in$|POST \/sign-out$|GET \/auth\/oidc\/)/.test(k),
  );
  expect(documented.sort()).toEqual(served.sort());
  expect(doc.components.securitySchemes).toEqual({
    bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    webhookSignature: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-revcycle-signature' }),
  });
  for (const [key, access] of Object.entries(ROUTES)) {
    const [method, path] = key.split(' ');
    const op = doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
    if (!op) continue;
    if (access.kind === 'roles') {
      expect([key, op.security]).toEqual([key, [{ bearer: [] }]]);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
    } else if (access.kind === 'webhook') {
      expect([key, op.security]).toEqual([key, [{ webhookSignature: [] }]]);
      expect(Object.keys(op.responses)).toContain('401');
    } else {
      expect([key, op.security]).toEqual([key, []]);
    }
  }
});

test('a wrong method on a known path names the allowed ones; unknown paths are unknown', () => {
  expect(routeFor('DELETE', '/visits/v-1')).toEqual({ allowed: ['GET'] });
  expect(routeFor('GET', '/visits')).toEqual({ allowed: ['POST'] });
  expect(routeFor('GET', '/elsewhere')).toBeUndefined();
  expect(routeFor('HEAD', '/health')).toMatchObject({ access: { kind: 'public' } });
});

test.each([
  ['POST', '/CODEC/decode'],
  ['POST', '/Codec/decode'],
  ['POST', '/codec/decode/'],
  ['POST', '//codec/decode'],
  ['POST', '/codec//decode'],
  ['POST', '/c%6fdec/decode'],
  ['POST', '/visits/../codec/decode'],
  ['POST', '/visits/%2e%2e/codec/decode'],
  ['GET', '/visits/v-1/'],
  ['GET', '/VISITS/v-1'],
  ['GET', '/health/'],
  ['GET', '/HEALTH'],
  ['GET', '/.well-known/jwks.json/'],
  ['GET', '/.WELL-KNOWN/jwks.json'],
  ['GET', '/.well-known/'],
  ['GET', '/docs/'],
  ['GET', '/docs/index.html'],
  ['GET', '/docs/swagger-ui.css.map'],
  ['GET', '/dashboard/'],
  ['POST', '/webhooks/clearinghouse/'],
  ['POST', '/Webhooks/clearinghouse'],
  ['POST', '/webhooks/ehr/encounter-signed/'],
  ['POST', '/webhooks/ehr/Subscription'],
  ['POST', '/webhooks/ehr/subscription/'],
])('%s %s is no route (another spelling of a path is not that path)', (method, path) => {
  expect(routeFor(method, path)).toBeUndefined();
});

test("the public list is exactly liveness, the API description, the EHR client's JWKS, the docs, dashboard and workbench pages with the files they load, and signing in and out", () => {
  expect(
    Object.entries(ROUTES)
      .filter(([, a]) => a.kind === 'public')
      .map(([k]) => k)
      .sort(),
  ).toEqual(
    [
      'GET /.well-known/jwks.json',
      'GET /dashboard',
      'GET /dashboard/dashboard.css',
      'GET /dashboard/dashboard.js',
      'GET /dashboard/vendor/chart.umd.min.js',
      'GET /docs',
      'GET /docs/revcycle-init.js',
      'GET /docs/swagger-ui-bundle.js',
      'GET /docs/swagger-ui.css',
      'GET /health',
      'GET /openapi.json',
      'GET /workbench',
      'GET /workbench/workbench.css',
      'GET /workbench/workbench.js',
      'GET /auth/oidc/callback',
      'GET /auth/oidc/login',
      'GET /sign-in',
      'POST /sign-in',
      'POST /sign-out',
    ].sort(),
  );
});
