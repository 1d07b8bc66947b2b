/** `npm start` in development makes an admin key once, in DATA_DIR/dev-admin-key with mode 0600; never in production. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config';
import { checkApiKey } from '../db/api-keys';
import { createTestDb } from '../test/support';
import { TEST_SECRET_ENV } from '../test/secrets';
import { ensureDevAdminKey } from './services';

let database: Awaited<ReturnType<typeof createTestDb>>;
const dirs: string[] = [];
beforeAll(async () => {
  database = await createTestDb();
});
afterAll(async () => {
  await database.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const configIn = (env: 'development' | 'production') => {
  const dir = mkdtempSync(join(tmpdir(), 'revcycle-devkey-'));
  dirs.push(dir);
  return parseConfig({
    ...TEST_SECRET_ENV,
    NODE_ENV: env,
    DATA_DIR: dir,
    ...(env === 'production' ? { TEMPORAL_TLS_WAIVER: 'the test server listens on loopback only' } : {}),
  });
};

test('development: an admin key on first start, file mode 0600, the same file on the next start', async () => {
  const config = configIn('development');
  const file = await ensureDevAdminKey(config, database.db);
  expect(file).toBe(join(config.dataDir, 'dev-admin-key'));
  expect(statSync(file!).mode & 0o777).toBe(0o600);
  const key = readFileSync(file!, 'utf8').trim();
  expect(await checkApiKey(database.db, key)).toMatchObject({ ok: true, key: { role: 'admin' } });
  expect(await ensureDevAdminKey(config, database.db)).toBe(file);
  expect(readFileSync(file!, 'utf8').trim()).toBe(key);
});

test('production: no key is made', async () => {
  expect(await ensureDevAdminKey(configIn('production'), database.db)).toBeUndefined();
});
