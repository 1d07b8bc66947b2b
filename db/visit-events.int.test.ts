import { createTestDb } from '../test/support';
import type { Db } from './knex';
import { recordVisitEvent, visitFacts } from './visit-events';

let database: { db: Db; drop(): Promise<void> };
beforeAll(async () => {
  database = await createTestDb();
});
afterAll(() => database.drop());

test('an event recorded twice under one key is one row, folded into the visit facts once', async () => {
  const { db } = database;
  const booked = {
    type: 'visit_booked' as const,
    visitId: 'v-ev1',
    key: 'v-ev1:intake:a',
    payerId: '87726',
    providerNpi: '1234567893',
    serviceDate: '2026-11-01',
  };
  expect(await recordVisitEvent(db, booked)).toBe(true);
  const submitted = {
    type: 'claim_submitted' as const,
    visitId: 'v-ev1',
    key: 'v-ev1:claim:1',
    claimAttempt: 1,
    frequency: '1',
    lines: [
      { lineNumber: 1, code: '99213', chargeCents: 12000 },
      { lineNumber: 2, code: '36415', chargeCents: 2000 },
    ],
  };
  expect(await recordVisitEvent(db, submitted)).toBe(true);
  expect(await recordVisitEvent(db, submitted)).toBe(false); // a retried activity
  const rows = await db('visit_events').where({ visit_id: 'v-ev1' }).orderBy('id');
  expect(rows.map((r) => [r.event_type, r.stage, r.payer_id, r.cpt_codes, r.amount_cents])).toEqual([
    ['visit_booked', 'intake', '87726', [], null],
    ['claim_submitted', 'claim_submitted', '87726', ['99213', '36415'], '14000'],
  ]);
  const facts = await visitFacts(db, 'v-ev1');
  expect(facts).toMatchObject({ billedCents: 14000, serviceDate: '2026-11-01', awaitingAction: 'acknowledgment', cptCodes: ['99213', '36415'] });
  expect(Number((await db('visit_facts').where({ visit_id: 'v-ev1' }).first()).ar_cents)).toBe(14000);
});
