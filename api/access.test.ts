import { openApiDocument } from './openapi';
import { ROUTES, UPDATE_ROLES, routeFor } from './access';
import {
  acceptSuggestionUpdate, cancelUpdate, correctCodingUpdate, patientPaymentUpdate, retryUpdate, updateCoverageUpdate, voidClaimUpdate, writeOffUpdate,
} from '../workflows/definitions';

test('every workflow update declares its roles, and coding corrections are for coders and admins only', () => {
  expect(Object.keys(UPDATE_ROLES).sort()).toEqual([acceptSuggestionUpdate.name, cancelUpdate.name, correctCodingUpdate.name, updateCoverageUpdate.name, retryUpdate.name, writeOffUpdate.name, voidClaimUpdate.name,
    patientPaymentUpdate.name].sort());
  // Resuming or writing off a parked visit is a biller's decision.
  expect(UPDATE_ROLES[retryUpdate.name]).toEqual(['biller', 'admin']);
  expect(UPDATE_ROLES[writeOffUpdate.name]).toEqual(['biller', 'admin']);
  expect(UPDATE_ROLES[voidClaimUpdate.name]).toEqual(['biller', 'admin']);
  expect(UPDATE_ROLES[correctCodingUpdate.name]).toEqual(['coder', 'admin']);
  expect(UPDATE_ROLES[acceptSuggestionUpdate.name]).toEqual(['coder', 'admin']);
  // The front desk takes a patient's payment at the counter; billers post the ones that come by mail.
  expect(routeFor('POST', '/visits/v-1/patient-payments')).toEqual({ path: '/visits/:visitId/patient-payments', access: { kind: 'roles', roles: ['front_desk', 'biller', 'admin'], update: 'patientPayment' } });
  expect(routeFor('POST', '/visits/v-1/coding')).toEqual({ path: '/visits/:visitId/coding', access: { kind: 'roles', roles: ['coder', 'admin'], update: 'correctCoding' } });
});

test('the OpenAPI document and the access table list the same operations; protected ones declare bearer, 401 and 403', () => {
  const doc = openApiDocument() as { paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown> }>>; components: { securitySchemes: object } };
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
  const browserOnly = ['GET /openapi.json', 'GET /docs', 'GET /dashboard', 'POST /codec/decode', 'POST /codec/encode', 'GET /sign-in', 'POST /sign-in', 'POST /sign-out', 'GET /auth/oidc/login', 'GET /auth/oidc/callback'];
  const served = Object.keys(ROUTES).filter((k) => !browserOnly.includes(k));
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
