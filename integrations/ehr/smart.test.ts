/**
 * SMART Backend Services end to end: the FHIR client gets its tokens from a real
 * authorization server (oidc-provider, simulators/ehr/authorization-server.ts) by
 * client_credentials with a private_key_jwt assertion, and the EHR simulator in front
 * of it lets nothing through without a token that server vouches for.
 */
import { generateKeyPairSync } from 'node:crypto';
import { DEFAULT_EHR_SCOPES } from '../../config';
import type { StartVisit } from '../../domain/visit';
import { type AuthorizationServer, type EhrSimulator, startAuthorizationServer, startEhrSimulator } from '../../simulators/ehr';
import { EhrRequestRejectedError } from './errors';
import { createFhirEhrClient } from './fhir';
import { type AccessTokens, createSmartBackendTokens, publicJwks } from './smart';

const visit = (visitId: string): StartVisit => ({
  visitId,
  patient: {
    patientId: `MRN-${visitId}`,
    firstName: 'Ada',
    lastName: 'Testpatient',
    birthDate: '1980-04-02',
    sex: 'F',
    address: { line1: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701' },
  },
  coverage: { payerId: '87726', payerName: 'Example Health', memberId: 'W123', relationship: 'self' },
  appointment: { serviceDate: '2026-03-02', providerNpi: '1234567893', placeOfService: '11' },
});

const CLIENT_ID = 'revcycle-backend';
const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
let as: AuthorizationServer;
let ehr: EhrSimulator;
const issued = () => as.issued();

beforeAll(async () => {
  // Registered with both keys, as during a rotation from RSA to P-384.
  const clientJwks = { keys: [...(await publicJwks(rsaKey, 'RS384')).keys, ...(await publicJwks(ecKey, 'ES384')).keys] };
  as = await startAuthorizationServer({ clientId: CLIENT_ID, clientJwks, scopes: DEFAULT_EHR_SCOPES });
  ehr = await startEhrSimulator({ seed: false, auth: { tokenEndpoint: as.tokenEndpoint, introspectionEndpoint: as.introspectionEndpoint, ...as.gateway } });
});

afterAll(async () => {
  await ehr?.close();
  await as?.close();
});

const tokensFor = (over: Partial<Parameters<typeof createSmartBackendTokens>[0]> = {}) =>
  createSmartBackendTokens({
    fhirBaseUrl: ehr.url,
    clientId: CLIENT_ID,
    privateKeyPem: rsaKey,
    alg: 'RS384',
    scopes: DEFAULT_EHR_SCOPES,
    timeoutMs: 5000,
    ...over,
  });

describe('the EHR simulator with EHR_AUTH=smart', () => {
  it('answers 401 with a Bearer challenge to a request without a token, and to a token it does not know', async () => {
    const bare = await fetch(`${ehr.url}/Patient?identifier=x`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(((await bare.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    const forged = await fetch(`${ehr.url}/Patient?identifier=x`, { headers: { authorization: 'Bearer not-a-token-it-issued' } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('publishes its token endpoint in .well-known/smart-configuration; the CapabilityStatement stays public', async () => {
    const config = (await (await fetch(`${ehr.url}/.well-known/smart-configuration`)).json()) as { token_endpoint: string };
    expect(config.token_endpoint).toBe(as.tokenEndpoint);
    expect((await fetch(`${ehr.url}/metadata`)).status).toBe(200);
  });

  it('refuses a write the token has no scope for (403 insufficient_scope)', async () => {
    const readOnly = tokensFor({ scopes: 'system/Patient.read' });
    const res = await fetch(`${ehr.url}/Patient`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await readOnly.token()}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
    expect(ehr.count('Patient')).toBe(0);
  });
});

describe('the FHIR client with SMART Backend Services', () => {
  it('discovers the token endpoint, gets a token with a signed assertion and pre-populates a visit', async () => {
    const client = createFhirEhrClient({ baseUrl: ehr.url, timeoutMs: 5000, auth: tokensFor() });
    const refs = await client.prepopulate(visit('S-1'));
    expect(refs.patientRef).toMatch(/^Patient\//);
    expect(ehr.count('Appointment')).toBeGreaterThanOrEqual(1);
  });

  it('signs with a P-384 key (ES384) as well', async () => {
    const client = createFhirEhrClient({ baseUrl: ehr.url, timeoutMs: 5000, auth: tokensFor({ privateKeyPem: ecKey, alg: 'ES384' }) });
    expect((await client.prepopulate(visit('S-EC'))).patientRef).toMatch(/^Patient\//);
  });

  it('keeps its token: many calls, one token request', async () => {
    const tokens = tokensFor();
    const client = createFhirEhrClient({ baseUrl: ehr.url, timeoutMs: 5000, auth: tokens });
    const before = await issued();
    await client.prepopulate(visit('S-2'));
    await client.prepopulate(visit('S-3'));
    expect(await issued()).toBe(before + 1);
  });

  it('concurrent first calls share one token request', async () => {
    const client = createFhirEhrClient({ baseUrl: ehr.url, timeoutMs: 5000, auth: tokensFor() });
    const before = await issued();
    await Promise.all(['S-4', 'S-5', 'S-6', 'S-7', 'S-8'].map((v) => client.prepopulate(visit(v))));
    expect(await issued()).toBe(before + 1);
  });

  it('a token revoked at the authorization server: the EHR answers 401, the client gets one fresh token and the call succeeds', async () => {
    const tokens = tokensFor();
    const seen: string[] = [];
    const watched: AccessTokens = { token: async () => (seen.push(await tokens.token()), seen[seen.length - 1]), invalidate: (t) => tokens.invalidate(t) };
    const client = createFhirEhrClient({ baseUrl: ehr.url, timeoutMs: 5000, auth: watched });
    await client.prepopulate(visit('S-9'));
    const first = seen[0];
    expect(await as.revoke(first)).toBe(true);
    const before = await issued();
    const refs = await client.prepopulate(visit('S-9'));
    expect(refs.patientRef).toMatch(/^Patient\//);
    expect(await issued()).toBe(before + 1);
    expect(new Set(seen).size).toBe(2);
  });

  it('concurrent calls that all meet the 401 of a revoked token share one fresh token', async () => {
    const tokens = tokensFor();
    const client = createFhirEhrClient({ baseUrl: ehr.url, timeoutMs: 5000, auth: tokens });
    await client.prepopulate(visit('S-11'));
    expect(await as.revoke(await tokens.token())).toBe(true);
    const before = await issued();
    await Promise.all(['S-11', 'S-12', 'S-13', 'S-14'].map((v) => client.prepopulate(visit(v))));
    expect(await issued()).toBe(before + 1);
  });

  it('a token that is shortly to expire is renewed before it is sent', async () => {
    let now = Date.now();
    const tokens = tokensFor({ now: () => now });
    const first = await tokens.token();
    now += 540_001; // the server's tokens live 600 s; renewed 60 s before
    const second = await tokens.token();
    expect(second).not.toBe(first);
    expect(await tokens.token()).toBe(second);
  });

  it('a client whose key the authorization server does not know is refused, not retried (invalid_client)', async () => {
    const client = createFhirEhrClient({ baseUrl: ehr.url, timeoutMs: 5000, auth: tokensFor({ privateKeyPem: strangerKey }) });
    const err = await client.prepopulate(visit('S-10')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EhrRequestRejectedError);
    expect((err as Error).message).toMatch(/invalid_client/);
  });
});

test('the JWKS carries only the public half of the key, with its kid and alg', async () => {
  const { keys } = await publicJwks(rsaKey, 'RS384', 'k-2026');
  expect(keys).toHaveLength(1);
  expect(keys[0]).toMatchObject({ kty: 'RSA', kid: 'k-2026', alg: 'RS384', use: 'sig' });
  expect(keys[0]).not.toHaveProperty('d');
  expect(() => createSmartBackendTokens({ fhirBaseUrl: 'http://x', clientId: 'c', privateKeyPem: rsaKey, alg: 'ES384', scopes: 's', timeoutMs: 1 })).toThrow(
    /ES384 needs an EC key/,
  );
});
