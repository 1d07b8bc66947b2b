/**
 * The API's calls to Temporal have deadlines: a Temporal that never answers (a port that
 * accepts connections and says nothing) or that is not there (a stopped server's port)
 * gives a 504/503 with the failure vocabulary's code, never a request that hangs.
 */
import { Client, Connection } from '@temporalio/client';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createApp } from '../api/app';
import { FailureType } from '../domain/failures';
import { deadlineConnectionOptions } from '../temporal/deadline';
import { sampleVisit } from '../test/fixtures';
import { testTimers } from '../test/api-under-test';
import { TEST_WEBHOOKS } from '../test/secrets';
import { apiAs, createTestDb, uniqueId, type Api } from '../test/support';

jest.setTimeout(120_000);

const CALL_TIMEOUT_MS = 1500;
let database: Awaited<ReturnType<typeof createTestDb>>;
const servers: Server[] = [];
const sockets = new Set<Socket>();
const connections: Connection[] = [];

/** A TCP port that accepts every connection and never sends a byte: a hung server. */
async function silentPort(): Promise<number> {
  const silent = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push(silent);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  return (silent.address() as AddressInfo).port;
}

/** A port nobody listens on any more: a Temporal server that was stopped. */
async function stoppedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function apiOver(port: number, maxPendingReads?: number): Promise<{ admin: Api; logged: string[] }> {
  const connection = Connection.lazy(deadlineConnectionOptions(`127.0.0.1:${port}`, CALL_TIMEOUT_MS));
  connections.push(connection);
  const logged: string[] = [];
  const app = createApp({
    temporal: new Client({ connection }),
    db: database.db,
    taskQueue: uniqueId('tq-deadline'),
    timers: testTimers,
    webhooks: TEST_WEBHOOKS,
    maxPendingReads,
    log: (msg) => void logged.push(msg),
  });
  return { admin: await apiAs(database.db, app, 'admin'), logged };
}

beforeAll(async () => {
  database = await createTestDb();
});
afterAll(async () => {
  // A route that failed fast (Promise.all) leaves sibling calls running until their own deadline; no retry outlives it.
  await new Promise((r) => setTimeout(r, CALL_TIMEOUT_MS + 500));
  for (const c of connections) await c.close();
  for (const s of sockets) s.destroy();
  for (const s of servers) await new Promise((r) => s.close(r));
  await database.drop();
});

const UNREACHABLE = [FailureType.TemporalTimeout, FailureType.TemporalUnavailable];

function expectUnreachable(res: { status: number; headers: Record<string, string>; body: { code: string; message: string; hint?: string } }) {
  expect([503, 504]).toContain(res.status);
  if (res.status === 503) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(UNREACHABLE).toContain(res.body.code);
  expect(res.body.message).toMatch(/Temporal/);
  expect(res.body.hint).toBeTruthy();
}

describe.each([
  ['a Temporal that accepts connections and never answers', silentPort],
  ['a Temporal server that was stopped', stoppedPort],
])('%s', (_what, portOf) => {
  let api: { admin: Api; logged: string[] };
  beforeAll(async () => {
    api = await apiOver(await portOf());
  });
  afterAll(() => expect(api.logged).toEqual([])); // none of these was a 500

  test('starting a visit answers 503/504 with a clear body', async () => {
    expectUnreachable(await api.admin.post('/visits').send(sampleVisit(uniqueId('v'))));
  });

  test('reading a visit (query) answers 503/504', async () => {
    expectUnreachable(await api.admin.get(`/visits/${uniqueId('v')}`));
  });

  test('a decision (update) answers 503/504', async () => {
    expectUnreachable(await api.admin.post(`/visits/${uniqueId('v')}/cancel`).send({ reason: 'patient moved away' }));
  });

  test('a work queue (list, count) answers 503/504', async () => {
    expectUnreachable(await api.admin.get('/work-queues'));
    expectUnreachable(await api.admin.get('/work-queues/coding_review'));
  });
});

test('a silent Temporal is answered as a timeout (504 TEMPORAL_TIMEOUT), not left hanging', async () => {
  const api = await apiOver(await silentPort());
  const res = await api.admin.post('/visits').send(sampleVisit(uniqueId('v')));
  expect(res.status).toBe(504);
  expect(res.body.code).toBe(FailureType.TemporalTimeout);
});

test('reads past API_MAX_PENDING_READS are refused at once with 503 TEMPORAL_BUSY and Retry-After, while the reads out wait for their deadline', async () => {
  const api = await apiOver(await silentPort(), 2);
  const answered: string[] = [];
  const out = ['a', 'b', 'a'].map((id) =>
    api.admin.get(`/visits/${id}`).then((res) => {
      answered.push(id);
      return res;
    }),
  );
  await new Promise((r) => setTimeout(r, 100)); // the three reads are in (two queries out: a's is shared)
  const refused = await api.admin.get('/visits/c');
  expect(answered).toEqual([]); // c's answer came first, not after a deadline
  expect(refused.status).toBe(503);
  expect(refused.headers['retry-after']).toBe('1');
  expect(refused.body).toMatchObject({ code: FailureType.TemporalBusy, message: expect.stringMatching(/API_MAX_PENDING_READS/), hint: expect.any(String) });
  for (const res of await Promise.all(out)) expectUnreachable(res);
  expect(api.logged).toEqual([]);
});
