/**
 * Browser sessions end to end over HTTP: signing in with an API key (development), the
 * cookie's flags, what the table keeps, the Origin checks against cross-site requests and
 * login CSRF, where a person may be sent after signing in, and every way a session ends
 * (sign-out, idle timeout, lifetime, the key's revocation).
 */
import request from 'supertest';
import { createHash } from 'node:crypto';
import { startTestStack, type TestStack } from '../test/stack';

let stack: TestStack;
const UI = 'http://127.0.0.1:8233';
beforeAll(async () => {
  stack = await startTestStack({ pmsMode: 'rest', worker: false });
});
afterAll(() => stack.stop());

const sessionCookie = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith('revcycle_session='));

async function signIn(role: 'biller' | 'analyst' = 'biller', returnTo = '/dashboard') {
  const who = await stack.as(role);
  const res = await request(stack.apiUrl).post('/sign-in').set('origin', stack.apiUrl).type('form').send({ key: who.key, return: returnTo });
  const cookie = sessionCookie(res);
  return { res, who, cookie, pair: cookie?.split(';')[0] ?? '' };
}

test('an API key exchanged on the sign-in page gives an HttpOnly SameSite=Lax cookie that opens the routes of its role; only its hash is stored', async () => {
  const { res, cookie, pair, who } = await signIn();
  expect([res.status, res.headers.location]).toEqual([303, '/dashboard']);
  expect(cookie).toMatch(/^revcycle_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
  expect(cookie).not.toContain('Secure'); // plain http on loopback; Secure (and the __Host- name) when API_PUBLIC_URL is https
  const id = pair.split('=')[1];
  expect(await stack.db('sessions').where({ id_sha256: id }).first()).toBeUndefined();
  expect(
    await stack
      .db('sessions')
      .where({ id_sha256: createHash('sha256').update(id).digest('hex') })
      .first(),
  ).toMatchObject({ actor: `key:${who.key.split('_')[1]}`, roles: ['biller'] });
  expect((await request(stack.apiUrl).get('/work-queues').set('cookie', pair)).status).toBe(200);
  const audit = await request(stack.apiUrl).get('/audit').set('cookie', pair);
  expect([audit.status, audit.body.code]).toEqual([403, 'FORBIDDEN']); // a biller's session is a biller
});

test('a wrong key or a sign-in posted from another site sets no cookie, and the page never echoes the key', async () => {
  const wrong = await request(stack.apiUrl)
    .post('/sign-in')
    .set('origin', stack.apiUrl)
    .type('form')
    .send({ key: 'rck_0000000000000000_notakeynotakeynotakeynotakeynotakeynotake12' });
  expect([wrong.status, sessionCookie(wrong)]).toEqual([401, undefined]);
  expect(wrong.text).toContain('That is not a valid API key.');
  expect(wrong.text).not.toContain('notakey');
  const who = await stack.as('biller');
  for (const origin of ['https://evil.example', 'http://127.0.0.1:1']) {
    const forged = await request(stack.apiUrl).post('/sign-in').set('origin', origin).type('form').send({ key: who.key });
    expect([origin, forged.status, sessionCookie(forged)]).toEqual([origin, 403, undefined]);
  }
  // Our own page sends Origin: null under its no-referrer policy; the browser's Sec-Fetch-Site says it was ours.
  const own = await request(stack.apiUrl).post('/sign-in').set({ origin: 'null', 'sec-fetch-site': 'same-origin' }).type('form').send({ key: who.key });
  expect(own.status).toBe(303);
  const crossSite = await request(stack.apiUrl).post('/sign-in').set({ origin: 'null', 'sec-fetch-site': 'cross-site' }).type('form').send({ key: who.key });
  expect(crossSite.status).toBe(403);
});

test.each([
  ['a path of this API', '/work-queues/coding_review', '/work-queues/coding_review'],
  ['the Temporal UI', `${UI}/namespaces/default/workflows/visit-v-1`, `${UI}/namespaces/default/workflows/visit-v-1`],
  ['another site', 'https://evil.example/phish', '/dashboard'],
  ['a scheme-relative URL', '//evil.example/phish', '/dashboard'],
  ['a backslash URL', '/\\evil.example', '/dashboard'],
  ['a script URL', 'javascript:alert(1)', '/dashboard'],
])('after signing in, a return to %s (%s) goes to %s', async (_what, returnTo, expected) => {
  const { res } = await signIn('biller', returnTo);
  expect(res.headers.location).toBe(expected);
});

test('a signed-in request that changes something must come from this site or the Temporal UI', async () => {
  const { pair } = await signIn();
  const writeOff = (headers: Record<string, string>) =>
    request(stack.apiUrl)
      .post('/visits/v-unknown/write-off')
      .set({ cookie: pair, ...headers })
      .send({ reason: 'test' });
  const crossSite: Record<string, string>[] = [
    { origin: 'https://evil.example' },
    { origin: 'http://127.0.0.1:9' },
    {},
    { origin: 'null', 'sec-fetch-site': 'same-site' },
  ];
  for (const headers of crossSite) {
    const res = await writeOff(headers);
    expect([headers, res.status, res.body.code]).toEqual([headers, 403, 'CROSS_SITE_REQUEST']);
  }
  expect((await writeOff({ origin: stack.apiUrl })).body.code).not.toBe('CROSS_SITE_REQUEST');
  expect((await writeOff({ origin: UI })).body.code).not.toBe('CROSS_SITE_REQUEST');
  // A read needs no Origin: no GET changes anything.
  expect((await request(stack.apiUrl).get('/work-queues').set('cookie', pair)).status).toBe(200);
});

test('sign-out revokes the session at once; idle time, the lifetime and revoking the key end it too', async () => {
  const expectEnded = async (pair: string) => {
    const res = await request(stack.apiUrl).get('/work-queues').set('cookie', pair);
    expect([res.status, res.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(res.body.message).toMatch(/session has ended/);
  };
  const hashOf = (pair: string) => createHash('sha256').update(pair.split('=')[1]).digest('hex');

  const a = await signIn();
  const out = await request(stack.apiUrl).post('/sign-out').set({ cookie: a.pair, origin: stack.apiUrl });
  expect([out.status, out.headers.location]).toEqual([303, '/sign-in?signed_out=1']);
  expect((out.headers['set-cookie'] as unknown as string[])[0]).toMatch(/^revcycle_session=; .*Max-Age=0/);
  await expectEnded(a.pair);
  expect(
    await stack
      .db('audit_log')
      .where({ action: 'session.revoked', actor: `key:${a.who.key.split('_')[1]}` })
      .first(),
  ).toBeDefined();

  const b = await signIn();
  await stack
    .db('sessions')
    .where({ id_sha256: hashOf(b.pair) })
    .update({ last_seen_at: stack.db.raw(`now() - interval '31 minutes'`) });
  await expectEnded(b.pair);

  const c = await signIn();
  await stack
    .db('sessions')
    .where({ id_sha256: hashOf(c.pair) })
    .update({ expires_at: stack.db.raw(`now() - interval '1 second'`) });
  await expectEnded(c.pair);

  const d = await signIn();
  await stack
    .db('api_keys')
    .where({ id: d.who.key.split('_')[1] })
    .update({ revoked_at: stack.db.fn.now() });
  await expectEnded(d.pair);
});

test("the codec takes the session from the Temporal UI's origin with credentials: a biller decodes, an analyst is 403, no one is 401 the UI can read", async () => {
  // A payload the codec passes through (not sealed): this checks who may call it, not its crypto.
  const body = {
    payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"stage":"closed"}').toString('base64') }],
  };
  const decode = (headers: Record<string, string>) =>
    request(stack.apiUrl)
      .post('/codec/decode')
      .set({ 'x-namespace': 'default', ...headers })
      .send(body);
  const biller = await signIn('biller');
  const ok = await decode({ cookie: biller.pair, origin: UI });
  expect([ok.status, ok.headers['access-control-allow-origin'], ok.headers['access-control-allow-credentials']]).toEqual([200, UI, 'true']);
  expect(ok.body.payloads[0].data).toBe(body.payloads[0].data);
  const analyst = await signIn('analyst');
  expect((await decode({ cookie: analyst.pair, origin: UI })).status).toBe(403);
  const nobody = await decode({ origin: UI });
  expect([nobody.status, nobody.headers['access-control-allow-origin'], nobody.headers['access-control-allow-credentials']]).toEqual([401, UI, 'true']);
  // The UI's preflight carries no cookie and is answered.
  const preflight = await request(stack.apiUrl)
    .options('/codec/decode')
    .set({ origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' });
  expect([preflight.status, preflight.headers['access-control-allow-credentials']]).toEqual([204, 'true']);
  // Another page on the same host (same site, so the cookie would go) is refused by origin.
  expect((await decode({ cookie: biller.pair, origin: 'http://127.0.0.1:9' })).status).toBe(403);
});

test('no one signed in: the dashboard page loads and the API answers 401 pointing at the sign-in page', async () => {
  expect((await request(stack.apiUrl).get('/dashboard')).status).toBe(200);
  const page = await request(stack.apiUrl).get('/sign-in');
  expect(page.status).toBe(200);
  expect(page.text).toContain('name="key"');
  const res = await request(stack.apiUrl).get('/work-queues').set('cookie', 'revcycle_session=forged');
  expect([res.status, res.body.hint]).toEqual([401, 'sign in again at /sign-in']);
});

/**
 * A small OAuth 2.0 / OIDC issuer on a local port, strict where the login relies on it: the
 * authorization request must carry an S256 code challenge, and the token request the
 * verifier that matches it, the same redirect URI and client id; each code is used once.
 */
async function startIssuer(opts: { clientId: string; audience: string; roles: string[] }) {
  const { generateKeyPairSync, sign, randomBytes } = await import('node:crypto');
  const { createServer } = await import('node:http');
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...keys.publicKey.export({ format: 'jwk' }), kid: 'login-1', use: 'sig', alg: 'RS256' };
  const codes = new Map<string, { challenge: string; nonce: string; redirectUri: string; clientId: string }>();
  const seen: { authorize?: URLSearchParams; token?: URLSearchParams } = {};
  let base = '';
  const jwt = (claims: object, typ = 'JWT') => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = enc({ alg: 'RS256', kid: 'login-1', typ });
    const body = enc(claims);
    return `${head}.${body}.${sign('sha256', Buffer.from(`${head}.${body}`), keys.privateKey).toString('base64url')}`;
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const json = (status: number, o: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(o));
    if (url.pathname === '/.well-known/openid-configuration')
      return json(200, { issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`, jwks_uri: `${base}/certs` });
    if (url.pathname === '/certs') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      seen.authorize = q;
      if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('nonce'))
        return json(400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('hex');
      codes.set(code, { challenge: q.get('code_challenge')!, nonce: q.get('nonce')!, redirectUri: q.get('redirect_uri')!, clientId: q.get('client_id')! });
      return res.writeHead(302, { location: `${q.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(q.get('state')!)}` }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const f = new URLSearchParams(raw);
        seen.token = f;
        const grant = codes.get(f.get('code') ?? '');
        codes.delete(f.get('code') ?? '');
        if (
          !grant ||
          f.get('grant_type') !== 'authorization_code' ||
          f.get('redirect_uri') !== grant.redirectUri ||
          f.get('client_id') !== grant.clientId ||
          createHash('sha256')
            .update(f.get('code_verifier') ?? '')
            .digest('base64url') !== grant.challenge
        )
          return json(400, { error: 'invalid_grant' });
        const now = Math.floor(Date.now() / 1000);
        const common = { iss: base, sub: 'nurse-ratched', iat: now, exp: now + 300 };
        return json(200, {
          token_type: 'Bearer',
          id_token: jwt({ ...common, aud: opts.clientId, nonce: grant.nonce }),
          access_token: jwt({ ...common, aud: opts.audience, azp: opts.clientId, roles: opts.roles }, 'at+jwt'),
        });
      });
      return;
    }
    json(404, {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  return { base, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('the OIDC login (authorization code + PKCE) ends in a session', () => {
  test('a biller signs in at the issuer and comes back signed in; the answer is bound to the browser that asked and used once', async () => {
    const { createApp } = await import('./app');
    const { TEST_WEBHOOKS } = await import('../test/secrets');
    const issuer = await startIssuer({ clientId: 'revcycle-web', audience: 'revcycle', roles: ['biller'] });
    const app = createApp({
      webhooks: TEST_WEBHOOKS,
      temporal: stack.temporal,
      db: stack.db,
      taskQueue: stack.taskQueue,
      timers: { coverageDeadlineMs: 1, ackTimeoutMs: 1, adjudicationTimeoutMs: 1 },
      security: {
        oidc: { issuer: issuer.base, jwksUrl: `${issuer.base}/certs`, audience: 'revcycle', rolesClaim: 'roles' },
        oidcLogin: { clientId: 'revcycle-web', redirectUri: 'http://revcycle.test/auth/oidc/callback' },
        rateLimit: { perMinute: 6000, burst: 1000 },
        corsOrigins: [],
      },
    });
    try {
      expect((await request(app).get('/sign-in')).text).toContain('href="/auth/oidc/login?return=%2Fdashboard"');
      const start = await request(app).get('/auth/oidc/login?return=%2Fwork-queues');
      expect(start.status).toBe(302);
      const stateCookie = (start.headers['set-cookie'] as unknown as string[])[0];
      expect(stateCookie).toMatch(/^revcycle_oidc_state=[A-Za-z0-9_-]{43}; Path=\/auth\/oidc; HttpOnly; SameSite=Lax; Max-Age=600/);
      const authorize = new URL(start.headers.location);
      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${issuer.base}/authorize`);
      expect(authorize.searchParams.get('code_verifier')).toBeNull(); // only the challenge leaves the server

      const idp = await fetch(authorize, { redirect: 'manual' });
      const callback = new URL(idp.headers.get('location')!);
      const path = `${callback.pathname}${callback.search}`;
      // Without the state cookie (another browser, or a link planted by someone else): refused.
      const planted = await request(app).get(path);
      expect([planted.status, planted.body.code]).toEqual([401, 'SIGN_IN_FAILED']);
      const done = await request(app).get(path).set('cookie', stateCookie.split(';')[0]);
      expect([done.status, done.headers.location]).toEqual([303, '/work-queues']);
      expect(issuer.seen.token?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const session = (done.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('revcycle_session='))!.split(';')[0];
      expect((await request(app).get('/work-queues').set('cookie', session)).status).toBe(200);
      expect(await stack.db('audit_log').where({ action: 'session.created', actor: 'oidc:nurse-ratched' }).first()).toMatchObject({ actor_role: 'biller' });
      // The same answer again (a replay): the state was used once.
      const replay = await request(app).get(path).set('cookie', stateCookie.split(';')[0]);
      expect([replay.status, replay.body.message]).toEqual([401, 'sign-in failed: the sign-in was already used or took longer than ten minutes']);
    } finally {
      await issuer.close();
    }
  });
});
