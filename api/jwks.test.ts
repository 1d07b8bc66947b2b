/** The JWKS the EHR fetches to check revcycle's SMART client assertions: public, exact path, public half only. */
import type { Client } from '@temporalio/client';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import type { Db } from '../db/knex';
import { publicJwks } from '../integrations/ehr/smart';
import { createApp } from './app';

const pem = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
const appWith = (ehrJwks?: { keys: object[] }) =>
  createApp({ temporal: {} as Client, db: {} as Db, taskQueue: 'unused', timers: {} as never, webhooks: { toleranceSeconds: 300 }, ehrJwks });

test('GET /.well-known/jwks.json answers without credentials with the public key only', async () => {
  const res = await request(appWith(await publicJwks(pem, 'ES384', 'revcycle-2026'))).get('/.well-known/jwks.json');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
  const { keys } = JSON.parse(res.text) as { keys: Record<string, unknown>[] };
  expect(keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-384', kid: 'revcycle-2026', alg: 'ES384', use: 'sig' })]);
  expect(keys[0]).not.toHaveProperty('d');
});

test('without SMART the set is empty; other spellings of the path are not it', async () => {
  const app = appWith();
  expect(JSON.parse((await request(app).get('/.well-known/jwks.json')).text)).toEqual({ keys: [] });
  for (const path of ['/.well-known/jwks.json/', '/.WELL-KNOWN/jwks.json', '/.well-known//jwks.json']) {
    expect([path, (await request(app).get(path)).status]).toEqual([path, 401]);
  }
});
