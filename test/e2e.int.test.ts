/**
 * End to end over real sockets: the API, a worker, Postgres, Temporal and the three
 * simulators speaking HL7 v2 (MLLP), FHIR R4 and X12. Asserts what a biller would check:
 * the visit closed, the billing record matches the workflow, the PMS and clearinghouse
 * saw each thing exactly once, and the codes billed are exactly the EHR's.
 */
import { findClaim } from '../db/claims';
import type { StartVisit } from '../domain/visit';
import { parse837P } from '../domain/x12/parse-837p';
import { sampleVisit, signedEncounter } from './fixtures';
import { reach, startTestStack, type TestStack } from './stack';
import { uniqueId } from './support';

const signed = signedEncounter;

describe('HL7 PMS: a visit booked by SIU^S12 over MLLP', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ pmsMode: 'hl7' });
  });
  afterAll(() => stack.stop());

  test('runs to closed and paid; nothing was keyed twice and nothing posted twice', async () => {
    const visit: StartVisit = sampleVisit(uniqueId('v'), 'W100200300');
    const ack = await stack.pms.bookAppointment(visit);
    expect(ack.code).toBe('AA');
    await reach(stack, visit.visitId, 'awaiting_encounter');

    const again = await stack.api.post('/visits').send(visit); // the same visit by REST: nothing new
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);

    await stack.ehr.signEncounter(signed(visit.visitId));
    const closed = await reach(stack, visit.visitId, 'closed');
    expect(closed.outcome).toBe('paid');
    expect(closed.claim).toMatchObject({ status: 'paid', frequency: '1', billedCents: 19500 + 18000 });
    expect(closed.balance.insuranceBalanceCents).toBe(0);

    // The claim's codes are exactly the EHR's: nobody re-keyed them.
    const claim = await findClaim(stack.db, visit.visitId, 1);
    const sent = parse837P(claim!.x12).batch.claims[0];
    expect(sent.diagnoses).toEqual(['M5450', 'E119']);
    expect(sent.lines.map((l) => [l.code, l.modifiers, l.diagnosisPointers])).toEqual([
      ['99214', ['25'], [1, 2]],
      ['20610', ['RT'], [1]],
    ]);
    expect(sent.subscriber.memberId).toBe('W100200300');

    // The PMS holds each charge once, sent back as DFT^P03.
    const charges = stack.pms.charges(visit.visitId);
    expect(charges.map((c) => [c.lineNumber, c.code, c.channel])).toEqual([
      [1, '99214', 'hl7'],
      [2, '20610', 'hl7'],
    ]);

    // The billing record matches the workflow's status.
    const [row] = await stack.db('claims').where({ visit_id: visit.visitId });
    expect(row).toMatchObject({ status: 'paid', frequency: '1', billed_cents: '37500', paid_cents: String(closed.claim!.paidCents) });
    const payments = await stack.db('payments').where({ visit_id: visit.visitId });
    expect(payments).toHaveLength(1);
    expect(Number(payments[0].paid_cents)).toBe(closed.claim!.paidCents);
    const adjustments = await stack.db('payment_adjustments').where({ payment_id: payments[0].id });
    expect(adjustments.map((a) => `${a.group_code}-${a.carc}`)).toContain('CO-45');
    expect((await stack.db('appointments').where({ visit_id: visit.visitId }).first()).status).toBe('paid');
    expect(await stack.db('charges').where({ visit_id: visit.visitId }).count()).toEqual([{ count: '2' }]);
    const effects = await stack.db('idempotency_keys').where('key', 'like', `visit-${visit.visitId}-charges-%`);
    expect(effects.map((e) => e.result.pmsChargeIds)).toEqual([charges.map((c) => c.chargeId)]);

    // The analyst's query finds it.
    const listed = [];
    for await (const w of stack.temporal.workflow.list({ query: `VisitStage = 'closed' AND VisitId = '${visit.visitId}'` })) listed.push(w.workflowId);
    expect(listed).toEqual([`visit-${visit.visitId}`]);
  });
});

describe('HL7 PMS: cancellations and registrations', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ pmsMode: 'hl7' });
  });
  afterAll(() => stack.stop());

  test('SIU^S15 cancels a booked visit; ADT^A04 registers a patient; each is ACKed AA once handled', async () => {
    const visit = sampleVisit(uniqueId('v'));
    expect((await stack.pms.bookAppointment(visit)).code).toBe('AA');
    await reach(stack, visit.visitId, 'awaiting_encounter');
    expect((await stack.pms.cancelAppointment({ visitId: visit.visitId, reason: 'patient called' })).code).toBe('AA');
    expect((await reach(stack, visit.visitId, 'closed')).outcome).toBe('cancelled');
    // A cancel for a visit already closed cannot be honoured: AE (do not resend), not AR.
    expect((await stack.pms.cancelAppointment({ visitId: visit.visitId, reason: 'again' })).code).toBe('AE');

    const other = sampleVisit(uniqueId('v'));
    expect((await stack.pms.register({ patient: other.patient, coverage: other.coverage }, 'A04')).code).toBe('AA');
    const row = await stack.db('patients').where({ patient_id: other.patient.patientId }).first();
    expect(row).toMatchObject({ last_name: 'DOE', sex: 'F' });
    expect(await stack.db('coverages').where({ patient_id: other.patient.patientId }).pluck('member_id')).toEqual([other.coverage.memberId]);
  });
});

describe('REST PMS: denials, inactive coverage and cancellation through the API', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ pmsMode: 'rest' });
  });
  afterAll(() => stack.stop());

  test('a denied claim (CO-16) is corrected as a replacement claim and paid', async () => {
    const visit = sampleVisit(uniqueId('v'), 'DENY4455');
    expect((await stack.api.post('/visits').send(visit)).status).toBe(201);
    await reach(stack, visit.visitId, 'awaiting_encounter');
    await stack.ehr.signEncounter(signed(visit.visitId));
    const closed = await reach(stack, visit.visitId, 'closed');

    expect(closed.outcome).toBe('paid');
    expect(closed.claims.map((c) => [c.frequency, c.status])).toEqual([
      ['1', 'denied'],
      ['7', 'paid'],
    ]);
    expect(closed.claims[0].denialCodes).toContain('CO-16');
    const rows = await stack.db('claims').where({ visit_id: visit.visitId }).orderBy('attempt');
    expect(rows.map((r) => [r.frequency, r.status])).toEqual([
      ['1', 'denied'],
      ['7', 'paid'],
    ]);
    expect(parse837P(rows[1].x12).batch.claims[0]).toMatchObject({ frequency: '7', payerClaimNumber: closed.claims[0].payerClaimNumber });
    expect(stack.pms.charges(visit.visitId)).toHaveLength(2); // charges posted once, not per claim
  });

  test("a claim rejected at the payer's front end (277CA) goes out again with corrected coverage and is paid", async () => {
    const visit = sampleVisit(uniqueId('v'), 'REJ31');
    await stack.api.post('/visits').send(visit);
    await reach(stack, visit.visitId, 'awaiting_encounter');
    await stack.ehr.signEncounter(signed(visit.visitId));
    const rejected = await reach(stack, visit.visitId, 'claim_rejected');
    expect(rejected.claim).toMatchObject({ status: 'rejected', frequency: '1' });
    expect(rejected.awaitingAction).toBe('coverage'); // A7:164 on the subscriber: the coverage queue
    expect(rejected.claim?.rejection).toMatchObject({ kind: '277CA', queue: 'coverage', codes: ['A7:164:IL'] });

    expect((await stack.api.post(`/visits/${visit.visitId}/coverage`).send({ ...visit.coverage, memberId: 'W31' })).status).toBe(200);
    const closed = await reach(stack, visit.visitId, 'closed');
    expect(closed.outcome).toBe('paid');
    expect(closed.claims.map((c) => [c.frequency, c.status])).toEqual([
      ['1', 'rejected'],
      ['1', 'paid'],
    ]);
    const sent = await stack.db('claims').where({ visit_id: visit.visitId }).orderBy('attempt');
    expect(parse837P(sent[1].x12).batch.claims[0].subscriber.memberId).toBe('W31');
    const events = await stack.db('claim_events').where({ claim_id: sent[0].id, kind: '277CA' });
    expect(events.map((e) => e.status)).toEqual(['rejected']);
  });

  test('inactive coverage waits; corrected coverage re-verifies; a cancel before submission closes the visit', async () => {
    const visit = sampleVisit(uniqueId('v'), 'INACT777');
    await stack.api.post('/visits').send(visit);
    const waiting = await reach(stack, visit.visitId, 'awaiting_coverage');
    expect(waiting.eligibility?.active).toBe(false);
    expect(waiting.awaitingAction).toBe('coverage');

    const fixed = await stack.api.post(`/visits/${visit.visitId}/coverage`).send({ ...visit.coverage, memberId: 'W555' });
    expect(fixed.status).toBe(200);
    await reach(stack, visit.visitId, 'awaiting_encounter');
    const coverageTooLate = await stack.api.post(`/visits/${visit.visitId}/coverage`).send(visit.coverage);
    expect(coverageTooLate.status).toBe(409);
    expect(coverageTooLate.body.code).toBe('INVALID_STAGE');

    const cancelled = await stack.api.post(`/visits/${visit.visitId}/cancel`).send({ reason: 'patient rescheduled' });
    expect(cancelled.status).toBe(200);
    const closed = await reach(stack, visit.visitId, 'closed');
    expect(closed.outcome).toBe('cancelled');
    expect((await stack.db('appointments').where({ visit_id: visit.visitId }).first()).status).toBe('cancelled');
    const again = await stack.api.post(`/visits/${visit.visitId}/cancel`).send({ reason: 'twice' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('VISIT_CLOSED');
    expect(await stack.db('eligibility_checks').where({ visit_id: visit.visitId }).orderBy('id').pluck('active')).toEqual([false, true]);
  });
});
