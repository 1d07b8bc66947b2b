/**
 * The audit trail the app cannot rewrite: the app's database user (what every test and the
 * running api use) may only INSERT and SELECT audit_log; the owner of the tables, who could,
 * is caught by the hash chain, and `revcycle audit verify` names the first broken row.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { createTestDb, uniqueId } from '../test/support';
import { audit } from './audit';
import { verifyAuditChain } from './audit-chain';
import { createDb, type Db } from './knex';

let database: Awaited<ReturnType<typeof createTestDb>>;
let owner: Db;
beforeAll(async () => {
  database = await createTestDb();
  owner = createDb(database.ownerUrl, { min: 0, max: 1 });
});
afterAll(async () => {
  await owner.destroy();
  await database.drop();
});

const CLI = resolve(__dirname, '../cli/revcycle.js');
function revcycle(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: database.url } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

test("the app's user cannot update, delete, truncate, disable the trigger, or touch the chain head", async () => {
  const { db } = database;
  await audit(db, uniqueId('key'), 'visit.read', 'v-1', { why: 'a row to protect' });
  const who = (await db.raw('SELECT current_user AS u')).rows[0].u;
  expect(who).toBe('revcycle_app');
  const refusals: [string, Promise<unknown>][] = [
    ['UPDATE', db('audit_log').update({ actor: 'someone-else' })],
    ['DELETE', db('audit_log').delete()],
    ['TRUNCATE', db.raw('TRUNCATE audit_log')],
    ['DISABLE TRIGGER', db.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete')],
    ['DISABLE TRIGGER ALL', db.raw('ALTER TABLE audit_log DISABLE TRIGGER ALL')],
    ['DROP TRIGGER', db.raw('DROP TRIGGER audit_log_chain ON audit_log')],
    ['chain head', db('audit_chain_head').update({ seq: 0 })],
  ];
  for (const [what, attempt] of refusals) {
    const outcome = await attempt.then(
      () => 'allowed',
      (err: Error & { code?: string }) => `${err.code}: ${err.message.replace(/^.* - /, '')}`,
    );
    expect([what, outcome]).toEqual([what, expect.stringMatching(/^42501: (permission denied|must be owner)/)]);
  }
  // Granting itself the right is a no-op (Postgres warns "no privileges were granted"): UPDATE is still refused.
  await db.raw('GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO revcycle_app');
  await expect(db('audit_log').update({ actor: 'someone-else' })).rejects.toMatchObject({ code: '42501' });
  expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
});

test('each row is chained to the one before, whatever the inserter sent; concurrent batches keep one unbroken chain', async () => {
  const { db } = database;
  const actor = uniqueId('key');
  await db('audit_log').insert({ actor, action: 'forged', detail: '{}', chain_seq: 999, prev_hash: 'x', row_hash: 'y' });
  await Promise.all(Array.from({ length: 300 }, (_, i) => audit(db, actor, 'visit.read', `v-${i}`, { i })));
  const other = createDb(database.url, { min: 0, max: 3 }); // a second pool: its own group-committed writer, racing the first
  try {
    await Promise.all([
      ...Array.from({ length: 100 }, (_, i) => audit(other, actor, 'visit.read', `w-${i}`)),
      ...Array.from({ length: 100 }, (_, i) => audit(db, actor, 'visit.read', `x-${i}`)),
    ]);
  } finally {
    await other.destroy();
  }
  const forged = await db('audit_log').where({ actor, action: 'forged' }).first();
  expect(forged.chain_seq).not.toBe('999');
  expect(forged.row_hash).toMatch(/^[0-9a-f]{64}$/);
  const verdict = await verifyAuditChain(db);
  expect(verdict).toEqual({ ok: true, rows: Number((await db('audit_log').count({ n: '*' }))[0].n) });
});

test('revcycle audit verify: OK on an intact chain; a row the owner altered is named, exit 1', async () => {
  const intact = await revcycle('audit', 'verify');
  expect([intact.code, intact.stdout]).toEqual([0, expect.stringMatching(/^audit chain OK: \d+ rows\n$/)]);
  expect(intact.stderr).toContain('revcycle: database: DATABASE_URL postgres://revcycle_app@');

  const victim = await owner('audit_log').orderBy('chain_seq').offset(2).first('id', 'chain_seq');
  // The owner can lift the append-only trigger (it owns the table): the chain is what catches it.
  await owner.transaction(async (trx) => {
    await trx.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete');
    await trx('audit_log')
      .where({ id: victim.id })
      .update({ detail: JSON.stringify({ why: 'rewritten' }) });
    await trx.raw('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete');
  });
  expect(await verifyAuditChain(database.db)).toMatchObject({
    ok: false,
    broken: { id: Number(victim.id), seq: Number(victim.chain_seq), reason: expect.stringContaining('altered') },
  });
  const caught = await revcycle('audit', 'verify');
  expect(caught.code).toBe(1);
  expect(caught.stdout).toBe(
    `audit chain BROKEN at row ${victim.id} (chain_seq ${victim.chain_seq}): its content does not match its hash: the row was altered; ${Number(victim.chain_seq) - 1} rows before it are intact\n`,
  );
});

test('a row the owner removed is found as a gap', async () => {
  const db = await createTestDb();
  const ownerDb = createDb(db.ownerUrl, { min: 0, max: 1 });
  try {
    for (let i = 0; i < 5; i++) await audit(db.db, 'cli:test', 'key.created', null, { i });
    const third = await ownerDb('audit_log').where({ chain_seq: 3 }).first('id');
    await ownerDb.transaction(async (trx) => {
      await trx.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete');
      await trx('audit_log').where({ id: third.id }).delete();
      await trx.raw('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete');
    });
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: false, broken: { seq: 4, reason: 'chain_seq 4 follows 2: row(s) 3..3 were removed' } });
  } finally {
    await ownerDb.destroy();
    await db.drop();
  }
});
