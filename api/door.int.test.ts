/**
 * The one door, walked as an attacker would: every path of the OpenAPI document, the codec,
 * the dashboard, the docs, the audit trail and the webhooks, spelled every other way (letter
 * case, trailing and doubled slashes, percent-encoded letters, `..` and `%2e%2e` segments),
 * with every method the path accepts and one it does not. None answers 2xx without a
 * credential, and none reads a body before the door: each request announces a body of
 * 2 MB and sends only its first bytes, so an answer that arrives was given without reading it
 * (a server waiting for the body would never answer). Then the bodies that stalled the API
 * before: 4 MB of `[` sent unauthenticated, refused unparsed while /health answers; and, past
 * the door, parsing bounded in bytes, depth and width.
 *
 * Raw `node:http` requests, not supertest: a URL client normalises `/a/../b` and `%2e%2e`
 * away before it sends, and would not leave a body unfinished.
 */
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import { parseKeyRing } from '../temporal/codec';
import { startApiUnderTest, testTimers } from '../test/api-under-test';
import { signedBody, TEST_KEYS_SPEC, TEST_WEBHOOKS } from '../test/secrets';
import { apiAs, uniqueId } from '../test/support';
import { routeFor, ROUTES } from './access';
import { createApp } from './app';
import { JSON_MAX_DEPTH } from './body';
import { openApiDocument } from './openapi';

const UI_ORIGIN = 'http://localhost:8233';
let under: Awaited<ReturnType<typeof startApiUnderTest>>;
let server: Server;
let port: number;
let adminKey: string;
let billerKey: string;
const logged: string[] = [];

beforeAll(async () => {
  under = await startApiUnderTest('tq-door');
  const app = createApp({
    temporal: under.temporal,
    db: under.db,
    taskQueue: uniqueId('tq-door'),
    timers: testTimers,
    webhooks: TEST_WEBHOOKS,
    log: (msg, meta) => void logged.push(`${msg} ${JSON.stringify(meta)}`),
    // The walk makes a thousand failed attempts from one address: the per-address limit would answer 429, which proves less than 401.
    security: { rateLimit: { perMinute: 1_000_000, burst: 1_000_000 }, corsOrigins: [] },
    codec: { keys: { keys: parseKeyRing(TEST_KEYS_SPEC), currentKeyId: 'test-2' }, namespace: 'default', allowedOrigins: [UI_ORIGIN] },
  });
  adminKey = (await apiAs(under.db, app, 'admin')).key;
  billerKey = (await apiAs(under.db, app, 'biller')).key;
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await under.stop();
  expect(logged).toEqual([]); // no request here was an internal error
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: { code?: string; message?: string; issues?: { path: string; message: string }[] } & Record<string, unknown>;
}

/**
 * One request exactly as given (path unnormalised). With `announce`, the request says its body is
 * that many bytes and sends only `body`: the answer, when it comes, was given without the body.
 */
function send(method: string, path: string, opts: { headers?: Record<string, string>; body?: string | Buffer; announce?: number } = {}): Promise<Answer> {
  const body = typeof opts.body === 'string' ? Buffer.from(opts.body) : (opts.body ?? Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method,
      path,
      agent: false,
      headers: {
        'content-type': 'application/json',
        ...opts.headers,
        ...(opts.headers?.['transfer-encoding'] ? {} : { 'content-length': String(opts.announce ?? body.length) }),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        answered = true;
        req.destroy(); // the rest of an announced body is never sent
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body: text && /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : {} });
      });
    });
    // Once answered, the server may drop a body still being written: that is the point, not a failure.
    req.on('error', (err) => void (answered || reject(err)));
    if (opts.announce !== undefined) req.write(body);
    else req.end(body);
  });
}

/** The opening of a body that would be refused if it were parsed (400 too deep) or read (413 over every limit). */
const UNSENT = { body: '{"payloads":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[', announce: 2 * 1024 * 1024 };

/** Every path the API answers, with each method it accepts: the OpenAPI document's, and the ones outside it. */
function pathsToWalk(): { path: string; methods: string[] }[] {
  const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
  const walk = new Map<string, Set<string>>();
  const add = (method: string, path: string) => walk.set(path, (walk.get(path) ?? new Set()).add(method.toUpperCase()));
  for (const [path, ops] of Object.entries(doc.paths)) for (const method of Object.keys(ops)) add(method, path);
  for (const [method, path] of [
    ['POST', '/codec/encode'],
    ['POST', '/codec/decode'],
    ['GET', '/dashboard'],
    ['GET', '/docs'],
    ['GET', '/audit'],
    ['POST', '/webhooks/ehr/encounter-signed'],
    ['POST', '/webhooks/clearinghouse'],
    ['GET', '/docs/swagger-ui-bundle.js'],
    ['GET', '/dashboard/dashboard.js'],
    ['GET', '/workbench'],
    ['GET', '/workbench/workbench.js'],
  ])
    add(method, path);
  return [...walk].map(([path, methods]) => ({ path, methods: [...methods] }));
}

/** A path template's parameters filled in: a visit id, a queue name (any value: the door is what is tested). */
const filled = (template: string) => template.replace(/\{[^}]+\}/g, '1001');

/**
 * The same path spelled every other way an attacker would try. Only the path's own words are
 * respelled: a parameter's value spelled another way (`/visits/100%31`) is that parameter's value,
 * decoded, on the same route and behind the same roles.
 */
function variants(template: string): string[] {
  const path = filled(template);
  const hex = (c: string) => c.charCodeAt(0).toString(16);
  const lastSlash = path.lastIndexOf('/');
  const segments = path.split('/').length - 1;
  // The last letter of the path's own words (not of a parameter), lower-case and upper-case and percent-encoded.
  const lastWord = template.replace(/\{[^}]+\}/g, (p) => '\0'.repeat(filled(p).length)).search(/[a-z](?=[^a-z]*$)/);
  const at = (i: number, by: string) => `${path.slice(0, i)}${by}${path.slice(i + 1)}`;
  const all = [
    path.toUpperCase(),
    at(1, path[1].toUpperCase()), // /Visits
    at(lastWord, path[lastWord].toUpperCase()), // /visits/1001/canceL
    at(lastWord, `%${hex(path[lastWord])}`), // /visits/1001/cance%6c
    at(lastWord, `%${hex(path[lastWord]).toUpperCase()}`), // /visits/1001/cance%6C
    at(1, `%${hex(path[1])}`), // /%76isits
    `${path}/`,
    `/${path}`,
    `${path.slice(0, lastSlash)}/${path.slice(lastSlash)}`, // a doubled slash before the last segment
    `/visits/..${path}`,
    `/visits/%2e%2e${path}`,
    `/visits/%2E%2E${path}`,
    `/./${path.slice(1)}`,
    ...(segments > 1 ? [`${path.slice(0, lastSlash)}%2f${path.slice(lastSlash + 1)}`] : []), // an encoded slash
  ];
  return [...new Set(all)].filter((v) => v !== path);
}

const isPublic = (method: string, path: string) => ROUTES[`${method} ${path}`]?.kind === 'public';
const isWebhook = (path: string) => path.startsWith('/webhooks/');

test('without credentials, no path of the API in any spelling, with any method, answers 2xx or reads a body', async () => {
  const answers: string[] = [];
  let requests = 0;
  for (const { path, methods } of pathsToWalk()) {
    for (const method of [...methods, 'PUT']) {
      const exact = await send(method, filled(path), UNSENT);
      requests++;
      if (isPublic(method, path)) {
        // Liveness, the description, the docs and dashboard pages: answered (no data), and without waiting for the body.
        expect([`${method} ${path}`, exact.status < 300 || exact.status === 503]).toEqual([`${method} ${path}`, true]);
      } else {
        const code = isWebhook(path) && method === 'POST' ? 'SIGNATURE_INVALID' : 'UNAUTHENTICATED';
        answers.push(`${method} ${path} → ${exact.status} ${exact.body.code}`);
        expect(answers.at(-1)).toBe(`${method} ${path} → 401 ${code}`);
      }
      for (const variant of variants(path)) {
        const res = await send(method, variant, UNSENT);
        requests++;
        answers.push(`${method} ${variant} → ${res.status} ${res.body.code}`);
        expect(answers.at(-1)).toBe(`${method} ${variant} → 401 UNAUTHENTICATED`);
      }
    }
  }
  // The walk covered what it says: every documented operation, and each with a dozen spellings.
  expect(pathsToWalk().length).toBeGreaterThanOrEqual(Object.keys((openApiDocument() as { paths: object }).paths).length + 5);
  expect(requests).toBeGreaterThan(400);
});

test('with a credential, every other spelling of a path is 404 (no route), answered without reading the body', async () => {
  for (const { path, methods } of pathsToWalk()) {
    for (const method of methods) {
      for (const variant of variants(path)) {
        const res = await send(method, variant, { ...UNSENT, headers: { authorization: `Bearer ${adminKey}` } });
        // `/visits/1001%2fcancel` is GET /visits/{visitId} with the id "1001/cancel" (refused by its schema): a POST there is 405.
        const expected = routeFor(method, variant) === undefined ? '404 NOT_FOUND' : '405 METHOD_NOT_ALLOWED';
        expect(`${method} ${variant} → ${res.status} ${res.body.code}`).toBe(`${method} ${variant} → ${expected}`);
      }
    }
  }
});

test("POST /CODEC/decode decrypts nothing: 401 without a key, 404 with a biller's; /codec/decode opens the payload for the biller", async () => {
  const sealed = await send('POST', '/codec/encode', {
    headers: { authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ payloads: [toJson(defaultPayloadConverter.toPayload({ patient: 'JANE DOE' }))] }),
  });
  expect(sealed.status).toBe(200);
  const body = JSON.stringify(sealed.body);
  for (const path of [
    '/CODEC/decode',
    '/Codec/Decode',
    '/codec/DECODE',
    '/codec/decode/',
    '//codec/decode',
    '/c%6fdec/decode',
    '/codec%2fdecode',
    '/visits/../codec/decode',
  ]) {
    const anonymous = await send('POST', path, { body });
    expect([path, anonymous.status, anonymous.body.code]).toEqual([path, 401, 'UNAUTHENTICATED']);
    expect(JSON.stringify(anonymous.body)).not.toContain('JANE');
    const biller = await send('POST', path, { body, headers: { authorization: `Bearer ${billerKey}` } });
    expect([path, biller.status]).toEqual([path, 404]);
  }
  expect((await send('POST', '/codec/decode', { body })).status).toBe(401);
  const opened = await send('POST', '/codec/decode', { body, headers: { authorization: `Bearer ${billerKey}` } });
  expect(opened.status).toBe(200);
  expect(Buffer.from(String((opened.body.payloads as { data: string }[])[0].data), 'base64').toString()).toContain('JANE DOE');
});

test("the Temporal UI's preflight to the codec is answered before the door, and reads no body", async () => {
  const preflight = await send('OPTIONS', '/codec/decode', { ...UNSENT, headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST' } });
  expect(preflight.status).toBe(204);
  expect(preflight.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
  // Another spelling is not the codec's: the API's own CORS refuses the origin.
  expect((await send('OPTIONS', '/CODEC/decode', { ...UNSENT, headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST' } })).status).toBe(403);
});

test('a burst of twenty 4 MB deeply nested bodies without a key is refused with 401, unparsed, and /health still answers', async () => {
  const bomb = Buffer.from('['.repeat(4 * 1024 * 1024));
  const targets = [
    ...Array(8).fill('/codec/decode'),
    ...Array(4).fill('/CODEC/decode'),
    ...Array(2).fill('/visits'),
    ...Array(3).fill('/webhooks/ehr/encounter-signed'),
    ...Array(3).fill('/webhooks/clearinghouse'),
  ] as string[];
  const [health, ...refused] = await Promise.all([send('GET', '/health'), ...targets.map((path) => send('POST', path, { body: bomb }))]);
  expect(health.status).toBe(200);
  expect(refused).toHaveLength(20);
  expect(refused.map((r, i) => `${targets[i]} ${r.status} ${r.body.code}`)).toEqual(
    targets.map((path) => `${path} 401 ${path.startsWith('/webhooks/') ? 'SIGNATURE_INVALID' : 'UNAUTHENTICATED'}`),
  );
  expect((await send('GET', '/health')).status).toBe(200);
});

describe('past the door, bodies are bounded in bytes, depth and width', () => {
  const nested = (depth: number) => `{"visitId":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
  const admin = () => ({ authorization: `Bearer ${adminKey}` });

  test(`JSON nested deeper than ${JSON_MAX_DEPTH} levels is a 400 naming the limit; at the limit it is parsed and validated`, async () => {
    const deep = await send('POST', '/visits', { headers: admin(), body: nested(JSON_MAX_DEPTH + 1) });
    expect(deep.status).toBe(400);
    expect(deep.body).toEqual({
      code: 'BODY_TOO_DEEP',
      message: `the JSON body is nested deeper than ${JSON_MAX_DEPTH} levels`,
      hint: expect.any(String),
      issues: [{ path: '(body)', message: expect.stringContaining(`deeper than ${JSON_MAX_DEPTH} levels`) }],
    });
    const atLimit = await send('POST', '/visits', { headers: admin(), body: nested(JSON_MAX_DEPTH) });
    expect([atLimit.status, atLimit.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const bomb = await send('POST', '/codec/decode', { headers: admin(), body: '['.repeat(3 * 1024 * 1024) });
    expect([bomb.status, bomb.body.code]).toEqual([400, 'BODY_TOO_DEEP']);
  });

  test('an object or array of more than 10,000 members is a 400', async () => {
    const wide = await send('POST', '/codec/decode', { headers: admin(), body: `{"payloads":[${Array(10_001).fill('{}').join(',')}]}` });
    expect([wide.status, wide.body.code]).toEqual([400, 'BODY_TOO_WIDE']);
  });

  test("a declared length over the route's limit is 413 before the body is sent; one that grows past it while streaming is 413 too", async () => {
    const declared = await send('POST', '/visits', { headers: admin(), body: '{"visitId":', announce: 100 * 1024 * 1024 });
    expect(declared.status).toBe(413);
    expect(declared.body).toEqual({
      code: 'BODY_TOO_LARGE',
      message: 'the request body is too large',
      issues: [{ path: '(body)', message: 'larger than this route accepts (65536 bytes)' }],
    });
    // Chunked, so no length is declared: refused at the byte that passes the limit.
    const streamed = await send('POST', '/visits', { headers: { ...admin(), 'transfer-encoding': 'chunked' }, body: `{"visitId":"${'x'.repeat(70_000)}"}` });
    expect([streamed.status, streamed.body.code]).toEqual([413, 'BODY_TOO_LARGE']);
  });

  test('a webhook: malformed signature headers are 401 before the body is read, a wrong HMAC 401 after, a deep body 400 only once signed', async () => {
    const unsigned = await send('POST', '/webhooks/ehr/encounter-signed', {
      ...UNSENT,
      headers: { 'x-revcycle-timestamp': String(Math.floor(Date.now() / 1000)), 'x-revcycle-signature': 'v1=nothex' },
    });
    expect([unsigned.status, unsigned.body.code, unsigned.body.message]).toEqual([401, 'SIGNATURE_INVALID', 'x-revcycle-signature must be v1=<64 hex digits>']);
    const tooBig = signedBody('ehr', '{}');
    expect((await send('POST', '/webhooks/ehr/encounter-signed', { headers: tooBig.headers, body: '{', announce: 2 * 1024 * 1024 })).status).toBe(413);
    const deep = nested(40);
    const wrongHmac = await send('POST', '/webhooks/ehr/encounter-signed', { headers: signedBody('ehr', '{}').headers, body: deep });
    expect([wrongHmac.status, wrongHmac.body.message]).toEqual([401, 'the signature does not match the body']);
    const signedDeep = signedBody('ehr', deep);
    const refused = await send('POST', '/webhooks/ehr/encounter-signed', { headers: signedDeep.headers, body: signedDeep.body });
    expect([refused.status, refused.body.code]).toEqual([400, 'BODY_TOO_DEEP']);
    const x12 = signedBody('clearinghouse', 'ISA*');
    expect((await send('POST', '/webhooks/clearinghouse', { headers: { ...x12.headers, 'content-type': 'application/json' }, ...UNSENT })).status).toBe(415);
    expect(Number((await under.db('inbound_messages').count('* as n').first())!.n)).toBe(0);
  });
});

function toJson(p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? []).toString('base64'),
  };
}
