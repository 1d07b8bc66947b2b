/**
 * The patient's share through the real stack: the estimate on the visit once
 * charges are priced; after the simulated payer's 835 (allowed 80%, then copay, deductible and
 * coinsurance as PR), statements on a short cycle; patient payments through the API (400 naming
 * the field, 409 for more than the balance, idempotent by reference) until the visit closes
 * paid with every dollar explained; and a balance never paid goes to collections after the
 * last statement. The cycle here is seconds: PATIENT_STATEMENT_DAYS is days in production.
 */
import type { PatientPaymentReceipt, VisitStatus } from '../workflows/definitions';
import { bookAndSign, reach, startTestStack, type TestStack } from './stack';
import { sampleVisit } from './fixtures';
import { eventually, uniqueId } from './support';

jest.setTimeout(120_000);

let stack: TestStack;
beforeAll(async () => {
  // Statements at 0, 2 s and 8 s after the balance opens; collections 4 s after the last.
  stack = await startTestStack({ pmsMode: 'rest', timers: { patientStatementsMs: [0, 2_000, 8_000], patientCollectionsAfterMs: 4_000 } });
});
afterAll(() => stack.stop());

const statusOf = async (visitId: string) => (await stack.api.get(`/visits/${visitId}`)).body as VisitStatus;

test('a paid visit with a patient share gets statements on the cycle; payments through the API close it with a balanced summary', async () => {
  const visitId = await bookAndSign(stack, 'W7300101');
  const waiting = await reach(stack, visitId, 'patient_balance');
  expect(waiting.awaitingAction).toBe('patient_payment');
  // Estimated once charges were priced: the 87726 contract (99214 $146.25, 20610 $126.00) and the plan's 271 benefits.
  expect(waiting.patientEstimate).toEqual({
    allowedCents: 27225,
    copayCents: 2500,
    deductibleCents: 20000,
    coinsuranceCents: 945,
    patientShareCents: 23445,
    insuranceCents: 3780,
    linesWithoutContract: [],
    unreported: [],
  });
  // The payer allowed 80% of $375.00 and left the patient copay $25.00, deductible $200.00 and coinsurance $15.00.
  const owed = waiting.claim!.patientResponsibilityCents;
  expect(owed).toBe(24000);
  const second = await eventually(
    async () => {
      const s = await statusOf(visitId);
      return (s.patientBalance?.statements.length ?? 0) >= 2 && s;
    },
    { what: 'the second patient statement' },
  );
  expect(second.patientBalance).toMatchObject({
    openingCents: owed,
    openCents: owed,
    statements: [
      { sequence: 1, amountDueCents: owed },
      { sequence: 2, amountDueCents: owed },
    ],
  });
  expect(second.patientBalance!.details).toMatch(/^Waiting for the patient's payment: \$240\.00 open of \$240\.00/);

  const pay = (body: object, role: 'admin' | 'front_desk' = 'admin') =>
    (role === 'admin' ? Promise.resolve(stack.api) : stack.as(role)).then((api) => api.post(`/visits/${visitId}/patient-payments`).send(body));
  const bad = await pay({ amountCents: '40.00', method: 'card', reference: 'TX-1' });
  expect(bad.status).toBe(400);
  expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'amountCents' }] });
  const noMethod = await pay({ amountCents: 4000, reference: 'TX-1' });
  expect(noMethod.status).toBe(400);
  expect(noMethod.body.issues.map((i: { path: string }) => i.path)).toEqual(['method']);
  const tooMuch = await pay({ amountCents: owed + 1, method: 'card', reference: 'TX-1' });
  expect(tooMuch.status).toBe(409);
  expect(tooMuch.body).toMatchObject({
    code: 'PATIENT_PAYMENT_REFUSED',
    message: '$240.01 is more than the patient balance of $240.00: take at most $240.00',
    issues: [{ path: 'amountCents' }],
  });
  expect(
    (await (await stack.as('analyst')).post(`/visits/${visitId}/patient-payments`).send({ amountCents: 4000, method: 'card', reference: 'TX-1' })).status,
  ).toBe(403);

  const first = await pay({ amountCents: 4000, method: 'card', reference: 'TX-1' }, 'front_desk');
  expect(first.status).toBe(201);
  expect(first.body as PatientPaymentReceipt).toMatchObject({
    duplicate: false,
    payment: { amountCents: 4000, method: 'card', reference: 'TX-1' },
    balance: { openCents: owed - 4000, paidCents: 4000 },
  });
  const again = await pay({ amountCents: 4000, method: 'card', reference: 'TX-1' }, 'front_desk');
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ duplicate: true, balance: { openCents: owed - 4000, paidCents: 4000 } });
  const reused = await pay({ amountCents: 5000, method: 'card', reference: 'TX-1' });
  expect(reused.status).toBe(409);
  expect(reused.body).toMatchObject({ code: 'PATIENT_PAYMENT_REFUSED', issues: [{ path: 'reference' }] });
  expect(await stack.db('patient_payments').where({ visit_id: visitId })).toHaveLength(1);

  expect((await pay({ amountCents: owed - 4000, method: 'check', reference: 'CHK-2040' })).status).toBe(201);
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.summary).toMatchObject({
    billedCents: 37500,
    insurancePaidCents: 6000,
    adjustmentsCents: { CO: 7500 },
    patientResponsibilityCents: owed,
    patientPaidCents: owed,
    writtenOffCents: 0,
    patientOpenCents: 0,
    insuranceOpenCents: 0,
    balanced: true,
  });
  expect(closed.patientBalance).toMatchObject({ resolution: 'paid', openCents: 0, paidCents: owed });
  // The same payment after the visit closed still changes nothing.
  const late = await pay({ amountCents: 4000, method: 'card', reference: 'TX-1' });
  expect([late.status, late.body.duplicate]).toEqual([200, true]);

  expect(await stack.db('patient_balances').where({ visit_id: visitId }).first()).toMatchObject({ status: 'paid', opening_cents: String(owed) });
  const payments = await stack.db('patient_payments').where({ visit_id: visitId }).orderBy('id');
  expect(payments.map((p) => [Number(p.amount_cents), p.method, p.reference])).toEqual([
    [4000, 'card', 'TX-1'],
    [owed - 4000, 'check', 'CHK-2040'],
  ]);
  const statements = await stack.db('patient_statements').where({ visit_id: visitId }).orderBy('sequence');
  expect(statements.map((s) => [s.sequence, Number(s.amount_due_cents)])).toEqual([
    [1, owed],
    [2, owed],
  ]);
  const events = await stack.db('visit_events').where({ visit_id: visitId, event_type: 'patient_payment_posted' });
  expect(events.map((e) => Number(e.amount_cents)).sort((a, b) => a - b)).toEqual([4000, owed - 4000]);
  // Every decision that reached the visit is audited, taken or refused: too much, TX-1, its duplicate, the reused reference, CHK-2040, the late duplicate.
  const audited = await stack.db('audit_log').where({ visit_id: visitId, action: 'visit.patient_payment' }).orderBy('id');
  expect(audited.map((a) => a.detail.outcome)).toEqual(['refused', 'accepted', 'accepted', 'refused', 'accepted', 'accepted']);
});

test('a patient share never paid gets every statement, then goes to collections; the visit closes as collections, every dollar explained', async () => {
  const visitId = await bookAndSign(stack, 'W7300102');
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('collections');
  expect(closed.summary).toMatchObject({
    billedCents: 37500,
    patientPaidCents: 0,
    patientOpenCents: 24000,
    collectionsCents: 24000,
    insuranceOpenCents: 0,
    balanced: true,
  });
  expect(closed.patientBalance!.statements.map((s) => s.sequence)).toEqual([1, 2, 3]);
  expect(await stack.db('patient_balances').where({ visit_id: visitId }).first()).toMatchObject({ status: 'collections', collections_cents: '24000' });
  expect((await stack.api.post(`/visits/${visitId}/patient-payments`).send({ amountCents: 100, method: 'cash', reference: 'LATE-1' })).body).toMatchObject({
    code: 'NO_PATIENT_BALANCE',
    message: expect.stringMatching(/outcome collections/),
  });
});

test('a biller writes off the patient balance with a reason: the visit closes written off with nothing open', async () => {
  const visitId = await bookAndSign(stack, 'W7300103');
  await reach(stack, visitId, 'patient_balance');
  const biller = await stack.as('biller');
  const bad = await biller.post(`/visits/${visitId}/write-off`).send({});
  expect([bad.status, bad.body.issues?.[0]?.path]).toEqual([400, 'reason']);
  expect((await biller.post(`/visits/${visitId}/write-off`).send({ reason: 'financial hardship policy' })).status).toBe(200);
  const closed = await reach(stack, visitId, 'closed');
  expect(closed).toMatchObject({
    outcome: 'written_off',
    closeReason: 'financial hardship policy',
    patientBalance: { resolution: 'written_off', writtenOffCents: 24000 },
  });
  expect(closed.summary).toMatchObject({ writtenOffCents: 24000, patientOpenCents: 0, insuranceOpenCents: 0, balanced: true });
});

test("a secondary coverage that pays the share the primary left: no patient balance, the visit closes paid at the secondary's 835", async () => {
  const secondaryCoverage = { payerId: '60054', payerName: 'AETNA', memberId: 'A7300105', relationship: 'self' as const };
  const visitId = await bookAndSign(stack, 'W7300105', { secondaryCoverage });
  const closed = await reach(stack, visitId, 'closed');
  expect(closed).toMatchObject({ outcome: 'paid', summary: { patientOpenCents: 0, insuranceOpenCents: 0, balanced: true } });
  expect(closed.history.map((h) => h.stage)).not.toContain('patient_balance');
  expect(await stack.db('patient_balances').where({ visit_id: visitId })).toEqual([]);
});

test('a payment for a visit with no patient balance is 409, for no such visit 404', async () => {
  const visit = sampleVisit(uniqueId('v'), 'W7300104');
  expect((await stack.api.post('/visits').send(visit)).status).toBe(201);
  await reach(stack, visit.visitId, 'awaiting_encounter');
  const early = await stack.api.post(`/visits/${visit.visitId}/patient-payments`).send({ amountCents: 100, method: 'cash', reference: 'R-1' });
  expect(early.status).toBe(409);
  expect(early.body).toMatchObject({ code: 'NO_PATIENT_BALANCE', message: `visit ${visit.visitId} has no open patient balance (stage awaiting_encounter)` });
  expect((await stack.api.post('/visits/v-nobody-here/patient-payments').send({ amountCents: 100, method: 'cash', reference: 'R-1' })).status).toBe(404);
  expect((await stack.api.post(`/visits/${visit.visitId}/cancel`).send({ reason: 'test done' })).status).toBe(200);
});
