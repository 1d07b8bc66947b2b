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
  expect(await stack.db('sessions').where({ id_sha256: createHash('sha256').update(id).digest('hex') }).first()).toMatchObject({ actor: `key:${who.key.split('_')[1]}`, roles: ['biller'] });
  expect((await request(stack.apiUrl).get('/work-queues').set('cookie', pair)).status).toBe(200);
  const audit = await request(stack.apiUrl).get('/audit').set('cookie', pair);
  expect([audit.status, audit.body.code]).toEqual([403, 'FORBIDDEN']); // a biller's session is a biller
});

test('a wrong key or a sign-in posted from another site sets no cookie, and the page never echoes the key', async () => {
  const wrong = await request(stack.apiUrl).post('/sign-in').set('origin', stack.apiUrl).type('form').send({ key: 'rck_0000000000000000_notakeynotakeynotakeynotakeynotakeynotake12' });
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
  const writeOff = (headers: Record<string, string>) => request(stack.apiUrl).post('/visits/v-unknown/write-off').set({ cookie: pair, ...headers }).send({ reason: 'test' });
  const crossSite: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: 'http://127.0.0.1:9' }, {}, { origin: 'null', 'sec-fetch-site': 'same-site' }];
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
  expect(await stack.db('audit_log').where({ action: 'session.revoked', actor: `key:${a.who.key.split('_')[1]}` }).first()).toBeDefined();

  const b = await signIn();
  await stack.db('sessions').where({ id_sha256: hashOf(b.pair) }).update({ last_seen_at: stack.db.raw(`now() - interval '31 minutes'`) });
  await expectEnded(b.pair);

  const c = await signIn();
  await stack.db('sessions').where({ id_sha256: hashOf(c.pair) }).update({ expires_at: stack.db.raw(`now() - interval '1 second'`) });
  await expectEnded(c.pair);

  const d = await signIn();
  await stack.db('api_keys').where({ id: d.who.key.split('_')[1] }).update({ revoked_at: stack.db.fn.now() });
  await expectEnded(d.pair);
});

test('no one signed in: the dashboard page loads and the API answers 401 pointing at the sign-in page', async () => {
  expect((await request(stack.apiUrl).get('/dashboard')).status).toBe(200);
  const page = await request(stack.apiUrl).get('/sign-in');
  expect(page.status).toBe(200);
  expect(page.text).toContain('name="key"');
  const res = await request(stack.apiUrl).get('/work-queues').set('cookie', 'revcycle_session=forged');
  expect([res.status, res.body.hint]).toEqual([401, 'sign in again at /sign-in']);
});
