import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config';
import { ensureDevSecrets } from './dev-secrets';

test('development generates each secret once, mode 0600, and the config reads them through _FILE', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'secrets-'));
  const env: NodeJS.ProcessEnv = {};
  expect(ensureDevSecrets(dataDir, env)).toEqual(['TEMPORAL_CODEC_KEYS', 'WEBHOOK_EHR_SECRET', 'WEBHOOK_CLEARINGHOUSE_SECRET']);
  const keyFile = env.TEMPORAL_CODEC_KEYS_FILE!;
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  const first = readFileSync(keyFile, 'utf8');

  const again: NodeJS.ProcessEnv = {};
  ensureDevSecrets(dataDir, again);
  expect(readFileSync(again.TEMPORAL_CODEC_KEYS_FILE!, 'utf8')).toBe(first); // a restart keeps the key: old histories stay readable

  const config = parseConfig(again);
  expect(config.codec?.currentKeyId).toBe('dev-1');
  expect(config.codec?.keys.get('dev-1')).toHaveLength(32);
  expect(config.webhooks.ehrSecret).toMatch(/^[0-9a-f]{64}$/);
});

test('a configured secret is left alone, and production never generates one', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'secrets-'));
  expect(ensureDevSecrets(dataDir, { WEBHOOK_EHR_SECRET: 'x'.repeat(32) })).toEqual(['TEMPORAL_CODEC_KEYS', 'WEBHOOK_CLEARINGHOUSE_SECRET']);
  expect(ensureDevSecrets(dataDir, { NODE_ENV: 'production' })).toEqual([]);
});
