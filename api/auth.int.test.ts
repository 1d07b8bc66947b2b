/**
 * Who may call what, end to end: API keys made by the real CLI, roles on routes and on
 * workflow updates, OIDC tokens verified against a JWKS served on a local port, the
 * audit trail (and the database refusing to rewrite it), rate limits, CORS and headers.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import request from 'supertest';
import { TEST_WEBHOOKS } from '../test/secrets';
import { sampleVisit } from '../test/fixtures';
import { reach, startTestStack, type TestStack } from '../test/stack';
import { eventually, uniqueId, type Api } from '../test/support';
import { ROUTES } from './access';
import { createApp } from './app';
import { createOidcVerifier } from './oidc';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ pmsMode: 'rest' });
});
afterAll(() => stack.stop());

const CLI = resolve(__dirname, '../cli/revcycle.js');
function revcycle(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: stack.config.database.url } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const samplePath = (route: string) => route.replace(':visitId', 'v-unknown');

test('without credentials every route but /health, the API description and the webhooks answers 401 saying why', async () => {
  const protectedRoutes = Object.entries(ROUTES)
    .filter(([, a]) => a.kind === 'roles')
    .map(([k]) => k.split(' '));
  expect(protectedRoutes.length).toBeGreaterThanOrEqual(6);
  for (const [method, path] of protectedRoutes) {
    const res = await request(stack.apiUrl)[method.toLowerCase() as 'get' | 'post'](samplePath(path)).send({});
    expect([`${method} ${path}`, res.status, res.body.code]).toEqual([`${method} ${path}`, 401, 'UNAUTHENTICATED']);
    expect(res.body.message).toMatch(/no credentials/);
    expect(res.body.hint).toMatch(/revcycle keys create/);
  }
  expect((await request(stack.apiUrl).get('/health')).status).toBe(200);
  expect((await request(stack.apiUrl).get('/nope')).status).toBe(401); // unknown routes reveal nothing either

  for (const [header, why] of [
    ['Basic dXNlcjpwYXNz', /not "Bearer <credential>"/],
    ['Bearer not-a-key', /neither an API key/],
    [`Bearer rck_0123456789abcdef_${'A'.repeat(43)}`, /not known/],
  ] as const) {
    const res = await request(stack.apiUrl).get('/visits/v-unknown').set('authorization', header);
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(why);
  }
});

test('keys made and revoked with the CLI: the key works until it is revoked, and both changes are audited', async () => {
  const made = await revcycle('keys', 'create', '--role', 'front_desk', '--name', 'front desk 1');
  expect(made.code).toBe(0);
  const key = /rck_[a-f0-9]{16}_\S+/.exec(made.stdout)![0];
  const id = key.slice(4, 20);
  const stored = await stack.db('api_keys').where({ id }).first();
  expect(stored).toMatchObject({ role: 'front_desk', name: 'front desk 1', revoked_at: null });
  expect(JSON.stringify(stored)).not.toContain(key.slice(21)); // only a hash of the secret is stored

  const before = await request(stack.apiUrl).get('/visits/v-unknown').set('authorization', `Bearer ${key}`);
  expect(before.status).toBe(404); // past authentication: the visit does not exist

  expect((await revcycle('keys', 'revoke', id)).code).toBe(0);
  const after = await request(stack.apiUrl).get('/visits/v-unknown').set('authorization', `Bearer ${key}`);
  expect(after.status).toBe(401);
  expect(after.body).toMatchObject({ code: 'UNAUTHENTICATED', message: 'the API key has been revoked' });

  const again = await revcycle('keys', 'revoke', id);
  // First the database the CLI works on (never its password), then the refusal.
  expect([again.code, again.stderr]).toEqual([
    1,
    expect.stringMatching(
      new RegExp(`^revcycle: database: DATABASE_URL postgres://revcycle_app@[^\\n]*\nrevcycle: no active key ${id}: unknown or already revoked\n$`),
    ),
  ]);
  const actions = (await stack.db('audit_log').whereRaw("detail->>'keyId' = ?", [id]).orderBy('id')).map((r) => [r.action, r.source]);
  expect(actions).toEqual([
    ['key.created', 'cli'],
    ['key.revoked', 'cli'],
  ]);
});

test.each([
  [['keys', 'create', '--role', 'nurse', '--name', 'x'], 1, /unknown role "nurse": use one of front_desk, coder, biller, analyst, admin/],
  [['keys', 'create', '--role', 'coder'], 2, /needs --role and --name/],
  [['keys', 'create', '--role', 'coder', '--name', 'bad\nname'], 1, /bad name/],
  [['keys', 'revoke', 'nonsense'], 1, /is not a key id/],
  [['keys', 'revoke'], 2, /exactly one key id/],
  [['keys', 'rotate'], 2, /usage: revcycle keys/],
])('revcycle %j exits %i with a clear message', async (args, code, message) => {
  const r = await revcycle(...args);
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
});

describe('roles on workflow updates: a coding correction', () => {
  let frontDesk: Api;
  let coder: Api;
  beforeAll(async () => {
    frontDesk = await stack.as('front_desk');
    coder = await stack.as('coder');
  });

  test('is 403 for front_desk (naming the roles that may), 200 for a coder; both attempts are in the audit trail', async () => {
    const visit = sampleVisit(uniqueId('v'));
    expect((await frontDesk.post('/visits').send(visit)).status).toBe(201);
    await reach(stack, visit.visitId, 'awaiting_encounter');
    // A procedure without a fee sends the visit to coding review.
    await stack.ehr.signEncounter({
      visitId: visit.visitId,
      renderingNpi: '1234567893',
      diagnoses: [{ code: 'M54.50', rank: 1 }],
      procedures: [{ code: '99499', modifiers: [], units: 1, diagnosisPointers: [1] }],
    });
    const review = await reach(stack, visit.visitId, 'coding_review');
    const correction = {
      encounterId: review.encounterId,
      serviceDate: visit.appointment.serviceDate,
      renderingNpi: '1234567893',
      diagnoses: [{ code: 'M5450', rank: 1 }],
      procedures: [{ code: '99214', modifiers: [], units: 1, diagnosisPointers: [1] }],
    };

    const refused = await frontDesk.post(`/visits/${visit.visitId}/coding`).send(correction);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      code: 'FORBIDDEN',
      message: 'role front_desk may not make the correctCoding decision',
      hint: 'allowed roles: coder, admin',
    });

    const accepted = await coder.post(`/visits/${visit.visitId}/coding`).send(correction);
    expect(accepted.status).toBe(200);
    expect((await reach(stack, visit.visitId, 'closed')).outcome).toBe('paid'); // the coder's coding was billed

    expect((await frontDesk.get(`/visits/${visit.visitId}`)).status).toBe(200);

    const trail = async (action: string) => {
      const res = await stack.api.get(`/audit?visitId=${visit.visitId}&action=${action}`);
      expect(res.status).toBe(200);
      return res.body.entries.map((e: { role: string; source: string; detail: { outcome?: string } }) => [e.role, e.detail.outcome, typeof e.source]);
    };
    expect(await trail('visit.start')).toEqual([['front_desk', undefined, 'string']]);
    expect(await trail('visit.read')).toContainEqual(['front_desk', undefined, 'string']);
    expect(await trail('visit.coding')).toEqual([['coder', 'accepted', 'string']]);
    const denied = await stack.api.get(`/audit?action=auth.denied&actor=key:${frontDesk.key.slice(4, 20)}`);
    expect(denied.body.entries).toEqual([expect.objectContaining({ role: 'front_desk', detail: { method: 'POST', route: '/visits/:visitId/coding' } })]);
  });

  test('GET /audit is for admins only, filters and pages', async () => {
    const analyst = await stack.as('analyst');
    expect((await analyst.get('/audit')).status).toBe(403);
    const first = await stack.api.get('/audit?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.entries).toHaveLength(2);
    const second = await stack.api.get(`/audit?limit=2&before=${first.body.next}`);
    expect(second.body.entries[0].id).toBeLessThan(first.body.entries[1].id);
    const future = await stack.api.get(`/audit?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
    expect(future.body).toEqual({ entries: [] });
    const bad = await stack.api.get('/audit?limit=0&unknown=1');
    expect(bad.status).toBe(400);
  });
});

test("the database refuses the app's user to change or delete audit rows (db/audit-chain.int.test.ts: the owner too)", async () => {
  await expect(stack.db('audit_log').update({ actor: 'someone-else' })).rejects.toThrow(/permission denied for table audit_log/);
  await expect(stack.db('audit_log').delete()).rejects.toThrow(/permission denied for table audit_log/);
  await expect(stack.db.raw('TRUNCATE audit_log')).rejects.toThrow(/permission denied for table audit_log/);
  expect(Number((await stack.db('audit_log').count({ n: '*' }))[0].n)).toBeGreaterThan(0);
});

test("an undeclared method on a known path is 405 with Allow; bodies over the route's limit are 413", async () => {
  const res = await stack.api.put('/visits/v-1');
  expect(res.status).toBe(405);
  expect(res.headers.allow).toBe('GET');
  expect(res.body.code).toBe('METHOD_NOT_ALLOWED');
  const huge = await stack.api
    .post('/visits')
    .set('content-type', 'application/json')
    .send(`{"visitId":"${'x'.repeat(70_000)}"}`);
  expect([huge.status, huge.body.code]).toEqual([413, 'BODY_TOO_LARGE']);
});

describe('OIDC tokens from a configured issuer', () => {
  let jwks: Server;
  let app: ReturnType<typeof createApp>;
  const issuer = 'https://idp.example.test/realms/clinic';
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwksFetches = 0;
  const jwksUrlOf = () => `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`;

  beforeAll(async () => {
    const jwk = { ...signing.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' };
    jwks = createServer((_req, res) => {
      jwksFetches++;
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`;
    app = createApp({
      webhooks: TEST_WEBHOOKS,
      temporal: stack.temporal,
      db: stack.db,
      taskQueue: stack.taskQueue,
      timers: { coverageDeadlineMs: 1, ackTimeoutMs: 1, adjudicationTimeoutMs: 1 },
      security: {
        oidc: { issuer, jwksUrl, audience: 'revcycle', rolesClaim: 'realm_access.roles' },
        rateLimit: { perMinute: 6000, burst: 1000 },
        corsOrigins: [],
      },
    });
  });
  afterAll(() => new Promise((r) => jwks.close(r)));

  function token(claims: Record<string, unknown>, opts: { key?: KeyObject; alg?: string; kid?: string } = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = enc({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? 'k1', typ: 'JWT' });
    const body = enc({
      iss: issuer,
      aud: 'revcycle',
      sub: 'user-42',
      exp: now + 300,
      iat: now,
      realm_access: { roles: ['biller', 'offline_access'] },
      ...claims,
    });
    return `${head}.${body}.${sign('sha256', Buffer.from(`${head}.${body}`), opts.key ?? signing.privateKey).toString('base64url')}`;
  }
  const withToken = (t: string) => request(app).get('/visits/v-unknown').set('authorization', `Bearer ${t}`);

  test('a valid token is accepted with the roles of its claim, and the audit trail names its subject', async () => {
    const visit = sampleVisit(uniqueId('v'));
    await stack.api.post('/visits').send(visit);
    const res = await request(app)
      .get(`/visits/${visit.visitId}`)
      .set('authorization', `Bearer ${token({})}`);
    expect(res.status).toBe(200);
    const row = await eventually(() => stack.db('audit_log').where({ visit_id: visit.visitId, actor: 'oidc:user-42' }).first(), {
      what: "the token user's audit row",
    });
    expect(row).toMatchObject({ action: 'visit.read', actor_role: 'biller' });
  });

  test.each([
    ['another issuer', () => token({ iss: 'https://evil.example' }), /issued by https:\/\/evil.example/],
    ['another audience', () => token({ aud: 'someone-else' }), /not meant for audience revcycle/],
    ['expired', () => token({ exp: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
    ['signed by another key', () => token({}, { key: stranger.privateKey }), /signature is not valid/],
    ['an unknown key id', () => token({}, { kid: 'k9' }), /signing key k9 is not one of the issuer's/],
    ['alg HS256', () => token({}, { alg: 'HS256' }), /HS256 is not accepted/],
    ['an ID token (Keycloak typ ID)', () => token({ typ: 'ID' }), /type ID is not an access token/],
    ['a refresh token (Keycloak typ Refresh)', () => token({ typ: 'Refresh' }), /type Refresh is not an access token/],
    ['several audiences and no azp', () => token({ aud: ['revcycle', 'billing-reports'] }), /must name its client \(azp\)/],
  ])('a token from %s is 401 saying why', async (_what, make, why) => {
    const res = await withToken(make());
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(why);
  });

  test('a header typed as something other than an access token is refused; at+jwt is accepted', async () => {
    const retyped = (typ: string) => {
      const [, body] = token({}).split('.');
      const head = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1', typ })).toString('base64url');
      return `${head}.${body}.${sign('sha256', Buffer.from(`${head}.${body}`), signing.privateKey).toString('base64url')}`;
    };
    expect((await withToken(retyped('at+jwt'))).status).toBe(404); // authenticated; the visit is unknown
    const res = await withToken(retyped('logout+jwt'));
    expect([res.status, res.body.message]).toEqual([401, 'the token is refused: a token of type logout+jwt is not an access token']);
  });

  test("only the authorised parties' tokens are accepted when they are configured", async () => {
    const verify = createOidcVerifier({
      issuer,
      jwksUrl: jwksUrlOf(),
      audience: 'revcycle',
      rolesClaim: 'realm_access.roles',
      authorizedParties: ['revcycle-web'],
    });
    expect(await verify(token({ azp: 'revcycle-web' }))).toMatchObject({ ok: true, subject: 'user-42', roles: ['biller'] });
    expect(await verify(token({ azp: 'someone-elses-app' }))).toEqual({ ok: false, why: 'client someone-elses-app is not an authorised party' });
  });

  test('the key set is fetched once for many concurrent tokens, again after its TTL, and at most once a minute for unknown key ids', async () => {
    let t = 1_000_000;
    const before = jwksFetches;
    const verify = createOidcVerifier({ issuer, jwksUrl: jwksUrlOf(), audience: 'revcycle', rolesClaim: 'realm_access.roles', jwksTtlMs: 600_000 }, () => t);
    const fresh = () => token({ exp: Math.floor(t / 1000) + 300 });
    const results = await Promise.all(Array.from({ length: 20 }, () => verify(fresh())));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(jwksFetches - before).toBe(1); // one fetch in flight served all twenty
    await verify(token({ exp: Math.floor(t / 1000) + 300 }, { kid: 'k9' }));
    expect(jwksFetches - before).toBe(1); // an unknown kid within the minute: no new fetch
    t += 61_000;
    await verify(token({ exp: Math.floor(t / 1000) + 300 }, { kid: 'k9' }));
    expect(jwksFetches - before).toBe(2); // a minute later it may have rotated: fetched again
    t += 600_001;
    expect((await verify(fresh())).ok).toBe(true);
    expect(jwksFetches - before).toBe(3); // past the TTL: fetched again even for a known kid
  });

  test('a token without a revcycle role is 403', async () => {
    const res = await withToken(token({ realm_access: { roles: ['offline_access'] } }));
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/role \(none\)/);
  });
});

test('rate limits per key answer 429 with Retry-After; CORS only for configured origins; security headers on every answer', async () => {
  const app = createApp({
    webhooks: TEST_WEBHOOKS,
    temporal: stack.temporal,
    db: stack.db,
    taskQueue: stack.taskQueue,
    timers: { coverageDeadlineMs: 1, ackTimeoutMs: 1, adjudicationTimeoutMs: 1 },
    security: { rateLimit: { perMinute: 1, burst: 2 }, corsOrigins: ['https://ui.clinic.test'] },
  });
  const auth = { authorization: `Bearer ${stack.api.key}` };
  expect((await request(app).get('/visits/v-unknown').set(auth)).status).toBe(404);
  expect((await request(app).get('/visits/v-unknown').set(auth)).status).toBe(404);
  const limited = await request(app).get('/visits/v-unknown').set(auth);
  expect(limited.status).toBe(429);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  const other = await stack.as('biller'); // another key has its own bucket
  expect((await request(app).get('/visits/v-unknown').set('authorization', `Bearer ${other.key}`)).status).toBe(404);

  const preflight = (origin: string) => request(app).options('/visits').set({ origin, 'access-control-request-method': 'POST' });
  const ok = await preflight('https://ui.clinic.test');
  expect(ok.status).toBe(204);
  expect(ok.headers['access-control-allow-origin']).toBe('https://ui.clinic.test');
  const refused = await preflight('https://evil.example');
  expect(refused.status).toBe(403);
  expect(refused.headers['access-control-allow-origin']).toBeUndefined();

  const health = await request(app).get('/health');
  expect(health.headers).toMatchObject({
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  expect(health.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(health.headers['x-powered-by']).toBeUndefined();
});
