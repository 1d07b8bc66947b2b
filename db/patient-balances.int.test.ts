import { sampleVisit } from '../test/fixtures';
import { createTestDb, uniqueId } from '../test/support';
import { saveIntake } from './visits';
import type { Db } from './knex';
import { closePatientBalance, findPatientPayment, openPatientBalance, patientLedger, savePatientPayment, savePatientStatement } from './patient-balances';

let database: { db: Db; drop(): Promise<void> };
beforeAll(async () => {
  database = await createTestDb();
});
afterAll(() => database.drop());

test('a patient balance opens once, keeps one statement per sequence and one payment per reference, and closes once', async () => {
  const { db } = database;
  const visit = sampleVisit(uniqueId('v'));
  await saveIntake(db, visit);
  const opened = await openPatientBalance(db, visit.visitId, 15600, '2026-12-01T10:00:00.000Z');
  expect(opened).toEqual({ openingCents: 15600, openedAt: '2026-12-01T10:00:00.000Z', statements: [], payments: [], writtenOffCents: 0 });
  expect((await openPatientBalance(db, visit.visitId, 99, '2027-01-01T00:00:00.000Z')).openingCents).toBe(15600); // a restarted cycle keeps the first opening

  await savePatientStatement(db, visit.visitId, { sequence: 1, amountDueCents: 15600, sentOn: '2026-12-01' });
  await savePatientStatement(db, visit.visitId, { sequence: 1, amountDueCents: 15600, sentOn: '2026-12-01' });
  const payment = { amountCents: 5600, method: 'card' as const, reference: 'TX-1', receivedAt: '2026-12-03T09:00:00.000Z' };
  expect((await savePatientPayment(db, visit.visitId, payment)).inserted).toBe(true);
  expect(await savePatientPayment(db, visit.visitId, { ...payment, amountCents: 1 })).toEqual({ inserted: false, payment });
  expect(await findPatientPayment(db, visit.visitId, 'TX-1')).toEqual(payment);

  expect(
    await closePatientBalance(db, visit.visitId, {
      resolution: 'collections',
      writtenOffCents: 0,
      collectionsCents: 10000,
      closedAt: '2027-03-31T00:00:00.000Z',
    }),
  ).toBe(true);
  expect(await closePatientBalance(db, visit.visitId, { resolution: 'paid', writtenOffCents: 0, closedAt: '2027-04-01T00:00:00.000Z' })).toBe(false);
  expect(await patientLedger(db, visit.visitId)).toEqual({
    openingCents: 15600,
    openedAt: '2026-12-01T10:00:00.000Z',
    writtenOffCents: 0,
    resolution: 'collections',
    collectionsCents: 10000,
    statements: [{ sequence: 1, amountDueCents: 15600, sentOn: '2026-12-01' }],
    payments: [payment],
  });
  await expect(
    db('patient_payments').insert({ visit_id: visit.visitId, amount_cents: 0, method: 'cash', reference: 'TX-0', received_at: new Date() }),
  ).rejects.toMatchObject({ code: '23514' }); // check violation: a payment is positive
});
