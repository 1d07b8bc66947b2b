import { createTestDb, uniqueId } from '../test/support';
import { audit } from './audit';
import type { Db } from './knex';

let database: { db: Db; drop(): Promise<void> };
beforeAll(async () => {
  database = await createTestDb();
});
afterAll(() => database.drop());

/** The inserts into audit_log the pool sends while `fn` runs. */
async function auditInserts(db: Db, fn: () => Promise<unknown>): Promise<number> {
  let inserts = 0;
  const count = (q: { sql: string }) => void (/^insert into "audit_log"/.test(q.sql) && inserts++);
  db.on('query', count);
  try {
    await fn();
  } finally {
    db.removeListener('query', count);
  }
  return inserts;
}

test('200 reads audited at once are each committed before their promise resolves, in a few multi-row inserts (group commit)', async () => {
  const { db } = database;
  const actor = uniqueId('key');
  const inserts = await auditInserts(db, () =>
    Promise.all(Array.from({ length: 200 }, (_, i) => audit(db, actor, 'visit.read', `v-${i}`, {}, { role: 'biller', source: '127.0.0.1' }))),
  );
  const rows = await db('audit_log').where({ actor }).select('visit_id', 'actor_role', 'source');
  expect(rows).toHaveLength(200);
  expect(new Set(rows.map((r) => r.visit_id)).size).toBe(200);
  expect(rows.every((r) => r.actor_role === 'biller' && r.source === '127.0.0.1')).toBe(true);
  expect(inserts).toBeGreaterThanOrEqual(2); // the first alone, at once
  expect(inserts).toBeLessThan(20);
});

test('one entry the database refuses fails alone: the others in its batch are committed', async () => {
  const { db } = database;
  const actor = uniqueId('key');
  const results = await Promise.allSettled([
    audit(db, actor, 'visit.read', 'first'), // goes alone: the rest wait for it and go together
    audit(db, actor, 'visit.read', 'v-a'),
    audit(db, null as unknown as string, 'visit.read', 'no-actor'), // actor is NOT NULL
    audit(db, actor, 'visit.read', 'v-b'),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  expect((await db('audit_log').where({ actor }).orderBy('visit_id').select('visit_id')).map((r) => r.visit_id)).toEqual(['first', 'v-a', 'v-b']);
});

test('inside a transaction an entry is part of it: rolled back with it', async () => {
  const { db } = database;
  const actor = uniqueId('key');
  await db
    .transaction(async (trx) => {
      await audit(trx, actor, 'key.created', null);
      throw new Error('rolled back');
    })
    .catch(() => undefined);
  expect(await db('audit_log').where({ actor })).toHaveLength(0);
});
