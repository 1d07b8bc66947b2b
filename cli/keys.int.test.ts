/**
 * API keys that expire and rotate, made with the real CLI and presented to the real API; and
 * the CLI saying which database it works on, refusing one that is not this checkout's.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { checkApiKey, createApiKey, rotateApiKey } from '../db/api-keys';
import { startApiUnderTest } from '../test/api-under-test';
import { CREDENTIALS_FILE } from '../app/postgres';
import { parseDuration } from './keys';

let api: Awaited<ReturnType<typeof startApiUnderTest>>;
let databaseUrl: string;
beforeAll(async () => {
  api = await startApiUnderTest('tq-keys');
  databaseUrl = api.databaseUrl;
});
afterAll(() => api.stop());

const CLI = resolve(__dirname, 'revcycle.js');
function revcycle(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}
const withDb = (...args: string[]) => revcycle({ DATABASE_URL: databaseUrl }, ...args);
const keyIn = (stdout: string) => /rck_[a-f0-9]{16}_\S+/.exec(stdout)![0];
const read = (key: string) => request(api.app).get('/visits/v-unknown').set('authorization', `Bearer ${key}`);

test('keys create --expires-in: the key works until then, and says when; expired, 401 saying so', async () => {
  const made = await withDb('keys', 'create', '--role', 'biller', '--name', 'expiring biller', '--expires-in', '30d');
  expect(made.code).toBe(0);
  const key = keyIn(made.stdout);
  const row = await api
    .db('api_keys')
    .where({ id: key.slice(4, 20) })
    .first();
  const days = (new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()) / 86_400_000;
  expect(Math.round(days)).toBe(30);
  expect(made.stdout).toContain(`expires ${new Date(row.expires_at).toISOString()}`);
  expect((await read(key)).status).toBe(404); // past authentication

  // Its time comes (the clock moved, as the database sees it): refused, with the reason.
  await api
    .db('api_keys')
    .where({ id: row.id })
    .update({ expires_at: new Date(Date.now() - 1000) });
  const refused = await read(key);
  expect(refused.status).toBe(401);
  expect(refused.body).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/^the API key has expired/) });
  expect((await withDb('keys', 'list')).stdout).toMatch(new RegExp(`${row.id} +biller +\\S+ +expired `));
});

test('keys rotate: a new key with the same name and role; the old one works through the grace period, then is expired', async () => {
  const made = await withDb('keys', 'create', '--role', 'coder', '--name', 'coding robot');
  const oldKey = keyIn(made.stdout);
  const oldId = oldKey.slice(4, 20);
  const rotated = await withDb('keys', 'rotate', oldId, '--grace', '2h', '--expires-in', '90d');
  expect(rotated.code).toBe(0);
  const newKey = keyIn(rotated.stdout);
  expect(newKey).not.toBe(oldKey);
  const [oldRow, newRow] = await Promise.all([
    api.db('api_keys').where({ id: oldId }).first(),
    api
      .db('api_keys')
      .where({ id: newKey.slice(4, 20) })
      .first(),
  ]);
  expect(newRow).toMatchObject({ name: 'coding robot', role: 'coder', revoked_at: null });
  expect(oldRow.rotated_to).toBe(newRow.id);
  expect(Math.round((new Date(oldRow.expires_at).getTime() - Date.now()) / 3_600_000)).toBe(2);
  expect(rotated.stdout).toContain(`rotated key ${oldId}: it works until ${new Date(oldRow.expires_at).toISOString()}`);

  expect((await read(oldKey)).status).toBe(404); // in its grace period
  expect((await read(newKey)).status).toBe(404);
  await api
    .db('api_keys')
    .where({ id: oldId })
    .update({ expires_at: new Date(Date.now() - 1000) }); // the grace period ends
  expect((await read(oldKey)).body.message).toMatch(/^the API key has expired/);
  expect((await read(newKey)).status).toBe(404);

  const again = await withDb('keys', 'rotate', oldId);
  expect([again.code, again.stderr.trim().split('\n').pop()]).toEqual([1, `revcycle: no active key ${oldId} to rotate: it was already rotated`]);
  const audited = await api.db('audit_log').where({ action: 'key.rotated' }).whereRaw("detail->>'keyId' = ?", [oldId]).first();
  expect(audited.detail).toMatchObject({ newKeyId: newRow.id });
});

test('a rotated key whose own expiry comes before the grace ends keeps that expiry; the new key lives as long as the old was made to', async () => {
  const { id } = await createApiKey(api.db, { name: 'short', role: 'analyst', createdBy: 'test', source: 'test', expiresAt: new Date(Date.now() + 3_600_000) });
  const r = await rotateApiKey(api.db, id, { graceMs: 86_400_000, actor: 'test', source: 'test' });
  if (!r.ok) throw new Error(r.why);
  expect(r.old.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
  expect(Math.round((r.expiresAt!.getTime() - Date.now()) / 60_000)).toBe(60);
  expect(await checkApiKey(api.db, r.key)).toMatchObject({ ok: true, key: { role: 'analyst' } });
});

test.each([['30'], ['0d'], ['-1d'], ['2w'], ['99999999d']])('a duration that is not one is named: %s', (value) => {
  expect(() => parseDuration('expires-in', value)).toThrow(`--expires-in "${value}" is not a duration`);
});

describe('which database the CLI uses', () => {
  let dataDir: string;
  let other: Server;
  let port: number;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'revcycle-cli-db-'));
    other = createServer((s) => s.destroy()); // something else answering on the embedded port
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    port = (other.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => other.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('without DATABASE_URL and no embedded Postgres of this checkout: refuses, and says what it would not use', async () => {
    const r = await revcycle({ DATABASE_URL: '', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) }, 'keys', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `revcycle: no embedded Postgres of this checkout in ${join(dataDir, 'pg')} (start it with \`npm start\`), and DATABASE_URL is not set: refusing to use whatever answers on port ${port}\n`,
    );
  });

  test("another stack's Postgres on the port refuses this checkout's credentials: named as not ours", async () => {
    // This checkout's cluster folder with its credentials, and the run's shared Postgres (not this checkout's) on the port.
    const pgDir = join(dataDir, 'pg');
    mkdirSync(pgDir, { recursive: true });
    writeFileSync(join(pgDir, 'PG_VERSION'), '18\n');
    writeFileSync(join(pgDir, CREDENTIALS_FILE), JSON.stringify({ superuser: 'a'.repeat(48), owner: 'b'.repeat(48), app: 'c'.repeat(48) }));
    const sharedPort = new URL(databaseUrl).port;
    const r = await revcycle({ DATABASE_URL: '', DATA_DIR: dataDir, EMBEDDED_PG_PORT: sharedPort }, 'keys', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `revcycle: database: embedded Postgres of this checkout (data ${pgDir}) on 127.0.0.1:${sharedPort}/revcycle\n` +
        `revcycle: the Postgres on port ${sharedPort} is not this checkout's (it refused this checkout's credentials); stop the other stack, set EMBEDDED_PG_PORT, or set DATABASE_URL to use it on purpose\n`,
    );
  });

  test('with DATABASE_URL it says so, without the password', async () => {
    const r = await withDb('keys', 'list');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`revcycle: database: DATABASE_URL ${databaseUrl.replace(/:[^:@/]*@/, '@')}\n`);
    expect(r.stderr).not.toContain(new URL(databaseUrl).password);
  });
});
