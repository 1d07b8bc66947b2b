/**
 * The denial playbook through the real stack: an appeal of a
 * medical-necessity denial goes out with the EHR's clinical notes and the visit shows it under
 * way until the payer's decision; a denial naming another payer as primary (CO-22) bills the
 * visit's secondary coverage (COB 837P that pyx12 accepts); a missing-information denial is
 * corrected (frequency 7). Simulated payer rules: DENY-<group>-<carc>-n.
 */
import { x12valid } from '../cli/x12valid';
import { findClaim } from '../db/claims';
import { parse837P } from '../domain/x12/parse-837p';
import type { VisitStatus } from '../workflows/definitions';
import { bookAndSign, reach, startTestStack, type TestStack } from './stack';
import type { StartVisit } from '../domain/visit';
import { eventually, uniqueId } from './support';
import { sampleVisit } from './fixtures';

jest.setTimeout(120_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ pmsMode: 'rest' });
});
afterAll(() => stack.stop());

const signedVisit = (memberId: string, extra: Partial<StartVisit> = {}, note?: string) => bookAndSign(stack, memberId, extra, note);

test('DENY-CO-50-1: the medical-necessity denial is appealed with the clinical notes, shown under way, and paid on reconsideration', async () => {
  const visitId = await signedVisit('DENY-CO-50-1', {}, 'Low back pain for 8 weeks despite PT; injection indicated.');
  const underWay = await eventually(
    async () => {
      const s = (await stack.api.get(`/visits/${visitId}`)).body as VisitStatus;
      return !!s.denial?.appeal && s;
    },
    { what: 'the appeal to be under way' },
  );
  expect(underWay.denial).toMatchObject({ code: 'CO-50', category: 'medical_necessity', action: 'appeal' });
  expect(underWay.denial!.appeal).toMatchObject({
    status: expect.stringMatching(/submitted|overturned/),
    documents: 1,
    deadline: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  });
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.denial!.appeal!.status).toBe('overturned');
  expect(closed.summary).toMatchObject({ billedCents: 37500, balanced: true, insuranceOpenCents: 0 }); // the denial's CO-50 no longer counts
  expect(closed.claims).toHaveLength(1); // reconsidered, not sent again
  const [appeal] = await stack.db('appeals').where({ visit_id: visitId });
  expect(appeal).toMatchObject({ status: 'submitted', denial_code: 'CO-50', category: 'medical_necessity' });
  expect(appeal.documents[0].documentRef).toMatch(/^DocumentReference\//);
  const payments = await stack.db('payments').where({ visit_id: visitId });
  expect(payments.map((p) => Number(p.paid_cents) > 0)).toEqual([false, true]); // the denial, then the payment on appeal
  // The denial was worked in a child workflow of its own, whose answer the visit followed.
  const child = stack.temporal.workflow.getHandle(`visit-${visitId}-denial-1-1`);
  expect(await child.result()).toMatchObject({ next: 'appeal_submitted', plan: { code: 'CO-50', category: 'medical_necessity', action: 'appeal' } });
  expect((await child.describe()).parentExecution?.workflowId).toBe(`visit-${visitId}`);
});

test('DENY-CO-22-1 with a secondary coverage: the secondary claim (COB) goes out, pyx12 accepts it, and it is paid', async () => {
  const secondaryCoverage = { payerId: '60054', payerName: 'AETNA', memberId: 'A7700101', relationship: 'self' as const };
  const visitId = await signedVisit('DENY-CO-22-1', { secondaryCoverage });
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.claims.map((c) => [c.attempt, c.coverage ?? 'primary', c.status])).toEqual([
    [1, 'primary', 'denied'],
    [2, 'secondary', 'paid'],
  ]);
  expect(closed.claims[0].denialCodes).toContain('CO-22');
  expect(closed.summary).toMatchObject({ billedCents: 37500, balanced: true, insuranceOpenCents: 0, insurancePaidCents: closed.claims[1].paidCents });
  const sent = (await findClaim(stack.db, visitId, 2))!.x12;
  const claim = parse837P(sent).batch.claims[0];
  expect(claim).toMatchObject({ payerResponsibility: 'S', payer: { id: '60054' }, subscriber: { memberId: 'A7700101' } });
  expect(claim.otherPayers?.[0].adjustments.concat(claim.otherPayers![0].lines.flatMap((l) => l.adjustments)).map((a) => `${a.group}-${a.carc}`)).toContain(
    'CO-22',
  );
  const verdict = await x12valid(sent);
  expect(verdict.errors).toEqual([]);
  expect(verdict.ok).toBe(true);
});

test('DENY-CO-16-1: a missing-information denial gets a corrected claim (frequency 7), which is paid', async () => {
  const visitId = await signedVisit('DENY-CO-16-1');
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.claims.map((c) => [c.frequency, c.status])).toEqual([
    ['1', 'denied'],
    ['7', 'paid'],
  ]);
  expect(closed.summary).toMatchObject({ billedCents: 37500, balanced: true, insuranceOpenCents: 0 });
});

const searchAttribute = async (visitId: string, name: string) =>
  (await stack.temporal.workflow.getHandle(`visit-${visitId}`).describe()).typedSearchAttributes.getAll().find((p) => p.key.name === name)?.value;

test("DENY-CO-29-1 filed in time: the timely-filing denial is appealed with the payer's own acceptance as proof, and paid", async () => {
  const visitId = await signedVisit('DENY-CO-29-1');
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.denial).toMatchObject({
    code: 'CO-29',
    category: 'timely_filing',
    action: 'write_off',
    outcome: 'overturned',
    appeal: { status: 'overturned', documents: 1 },
  });
  const [appeal] = await stack.db('appeals').where({ visit_id: visitId });
  expect(appeal.documents).toEqual([expect.objectContaining({ documentRef: expect.stringMatching(/^ClaimEvent\/\d+$/), type: 'timely-filing-proof' })]);
  expect(closed.summary).toMatchObject({ billedCents: 37500, balanced: true, insuranceOpenCents: 0, writtenOffCents: 0 });
});

test("a visit with no claim accepted near the payer's timely-filing deadline escalates: on the status, the Escalations search attribute and a visit event", async () => {
  // UnitedHealthcare's payer rule allows 90 days from the date of service: 2026-06-01 → 2026-08-30, already past.
  const visit = {
    ...sampleVisit(uniqueId('v'), 'W7100301'),
    appointment: { appointmentId: uniqueId('A'), serviceDate: '2026-06-01', providerNpi: '1234567893', placeOfService: '11' },
  };
  expect((await stack.api.post('/visits').send(visit)).status).toBe(201);
  const escalated = await eventually(
    async () => {
      const s = (await stack.api.get(`/visits/${visit.visitId}`)).body as VisitStatus;
      return !!s.escalations?.length && s;
    },
    { what: 'the timely-filing escalation' },
  );
  expect(escalated).toMatchObject({
    stage: 'awaiting_encounter',
    filingDeadline: '2026-08-30',
    escalations: [{ deadline: 'timely_filing', due: '2026-08-30' }],
  });
  expect(await searchAttribute(visit.visitId, 'Escalations')).toEqual(['timely_filing']);
  const event = await eventually(async () => stack.db('visit_events').where({ visit_id: visit.visitId, event_type: 'deadline_escalated' }).first(), {
    what: 'the deadline_escalated visit event',
  });
  expect(event.detail).toMatchObject({ deadline: 'timely_filing', due: '2026-08-30' });
  expect((await stack.api.post(`/visits/${visit.visitId}/cancel`).send({ reason: 'test done' })).status).toBe(200);
});

test('DENY-CO-18-1: a duplicate denial with no original payment on record waits for a biller, who writes it off', async () => {
  const visitId = await signedVisit('DENY-CO-18-1');
  const parked = await reach(stack, visitId, 'needs_attention');
  expect(parked.awaitingAction).toBe('denial_review');
  expect(parked.failure!.message).toMatch(/CO-18 \(duplicate\): .*no payment of an original/);
  expect(parked.denial).toMatchObject({ code: 'CO-18', action: 'check_original_payment' });
  const biller = await stack.as('biller');
  expect((await biller.post(`/visits/${visitId}/write-off`).send({ reason: 'payer confirmed no original on file; not worth pursuing' })).status).toBe(200);
  expect((await reach(stack, visitId, 'closed')).outcome).toBe('written_off');
});

test("SHORT-1: lines paid below the fee schedule's contracted amount park as underpaid work; a biller voids the claim and the payer takes the payment back", async () => {
  const visitId = await signedVisit('SHORT-1');
  const parked = await reach(stack, visitId, 'needs_attention');
  expect(parked.awaitingAction).toBe('underpaid');
  // 99214 billed $195.00, contracted $146.25 (87726 schedule), allowed 65% = $126.75.
  expect(parked.underpaidLines).toEqual(expect.arrayContaining([{ lineNumber: 1, code: '99214', contractedCents: 14625, underpaidCents: 1950 }]));
  expect(parked.claims[0].paidCents).toBeGreaterThan(0);
  const frontDesk = await stack.as('front_desk');
  expect((await frontDesk.post(`/visits/${visitId}/void`).send({ reason: 'wrong payer' })).status).toBe(403);
  const biller = await stack.as('biller');
  const bad = await biller.post(`/visits/${visitId}/void`).send({});
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toMatch(/reason/);
  expect((await biller.post(`/visits/${visitId}/void`).send({ reason: 'billed under the wrong contract' })).status).toBe(200);
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('voided');
  expect(closed.claims.map((c) => [c.frequency, c.status])).toEqual([
    ['1', 'paid'],
    ['8', 'reversed'],
  ]);
  const voidClaim = parse837P((await findClaim(stack.db, visitId, 2))!.x12).batch.claims[0];
  expect(voidClaim).toMatchObject({ frequency: '8', payerClaimNumber: closed.claims[0].payerClaimNumber });
  const payments = await stack.db('payments').where({ visit_id: visitId }).orderBy('id');
  expect(payments.map((p) => p.claim_status)).toEqual(['1', '22']);
  expect(payments.reduce((s, p) => s + Number(p.paid_cents), 0)).toBe(0);
  // The reversal nets the payment out; the withdrawn charge closes as written off.
  expect(closed.summary).toMatchObject({ billedCents: 37500, insurancePaidCents: 0, patientResponsibilityCents: 0, writtenOffCents: 37500, balanced: true });
});

test('a paid primary leaves the patient a share: the secondary coverage is billed for it (COB) and pays it', async () => {
  const secondaryCoverage = { payerId: '60054', payerName: 'AETNA', memberId: 'A7700102', relationship: 'self' as const };
  const visitId = await signedVisit('W7100201', { secondaryCoverage });
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.claims.map((c) => [c.attempt, c.coverage ?? 'primary', c.status])).toEqual([
    [1, 'primary', 'paid'],
    [2, 'secondary', 'paid'],
  ]);
  expect(closed.claims[1].paidCents).toBe(closed.claims[0].patientResponsibilityCents);
  expect(closed.summary).toMatchObject({ billedCents: 37500, balanced: true, insuranceOpenCents: 0, patientOpenCents: 0 });
  const verdict = await x12valid((await findClaim(stack.db, visitId, 2))!.x12);
  expect(verdict.ok).toBe(true);
});

test("REVERSE-1: the payer takes its payment back and pays again corrected on one later 835; both are posted to the visit's claim, nothing lost", async () => {
  const visitId = await signedVisit('REVERSE-1');
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  const payments = await eventually(
    async () => {
      const rows = await stack.db('payments').where({ visit_id: visitId }).orderBy('id');
      return rows.length === 3 && rows;
    },
    { what: 'three payments (original, reversal, correction)' },
  );
  expect(payments.map((p) => p.claim_status)).toEqual(['1', '22', '1']);
  // Each payment names the payer claim it answered: the reversal the original's, the correction its new one.
  expect(payments[1].payer_claim_number).toBe(payments[0].payer_claim_number);
  expect(payments[2].payer_claim_number).not.toBe(payments[0].payer_claim_number);
  const [first, reversal, corrected] = payments.map((p) => Number(p.paid_cents));
  expect(reversal).toBe(-first);
  expect(corrected).toBeGreaterThan(0);
  expect(corrected).not.toBe(first); // repriced
  // One claim carries the net: the payment taken back and the corrected one, under the payer's new claim number.
  const claim = await stack.db('claims').where({ visit_id: visitId }).first();
  expect(Number(claim.paid_cents)).toBe(corrected);
  expect(claim.payer_claim_number).not.toBe(closed.claims[0].payerClaimNumber);
  expect(await stack.db('posting_queue').where({ patient_control_number: visitId })).toEqual([]);
});

test('DENY-CO-11-1: a diagnosis the payer finds inconsistent goes to a coder first; the corrected diagnoses go out as a corrected claim (frequency 7), which is paid', async () => {
  const visitId = await signedVisit('DENY-CO-11-1');
  const review = await reach(stack, visitId, 'coding_review');
  expect(review.denial).toMatchObject({ code: 'CO-11', action: 'coding_review' });
  expect(review.codingProblems).toEqual([{ path: 'diagnoses', reason: expect.stringMatching(/^CO-11: diagnosis inconsistent/) }]);
  const coded = {
    encounterId: review.encounterId,
    serviceDate: '2026-11-20',
    renderingNpi: '1234567893',
    diagnoses: [
      { code: 'M5450', rank: 1 },
      { code: 'E119', rank: 2 },
    ],
    procedures: [
      { code: '99214', modifiers: ['25'], units: 1, diagnosisPointers: [1, 2] },
      { code: '20610', modifiers: ['RT'], units: 1, diagnosisPointers: [1] },
    ],
  };
  const coder = await stack.as('coder');
  // The charges are posted: the billed lines stay as they are.
  expect((await coder.post(`/visits/${visitId}/coding`).send({ ...coded, procedures: [coded.procedures[0]] })).status).toBe(409);
  expect(
    (
      await coder.post(`/visits/${visitId}/coding`).send({
        ...coded,
        diagnoses: [
          { code: 'M5450', rank: 1 },
          { code: 'E1165', rank: 2 },
        ],
      })
    ).status,
  ).toBe(200);
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.claims.map((c) => [c.frequency, c.status])).toEqual([
    ['1', 'denied'],
    ['7', 'paid'],
  ]);
  const corrected = parse837P((await findClaim(stack.db, visitId, 2))!.x12).batch.claims[0];
  expect(corrected).toMatchObject({ frequency: '7', payerClaimNumber: closed.claims[0].payerClaimNumber, diagnoses: ['M5450', 'E1165'] });
  expect(closed.summary).toMatchObject({ billedCents: 37500, balanced: true, insuranceOpenCents: 0 });
});
