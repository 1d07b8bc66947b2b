/**
 * Acknowledgments through the real stack: a 999 rejection and each kind
 * of 277CA rejection wait in the queue a person fixes them from (coverage, coding review,
 * claim data), with the reason on the visit, and go out again as a new original once fixed;
 * a two-stage 277CA (clearinghouse, then payer) and a pended one are followed to payment.
 * Member-id rules of the simulated clearinghouse: simulators/clearinghouse/payer.ts.
 */
import { findClaim } from '../db/claims';
import { parse837P } from '../domain/x12/parse-837p';
import type { VisitStatus } from '../workflows/definitions';
import { sampleVisit } from './fixtures';
import { bookAndSign, reach, startTestStack, type TestStack } from './stack';
import type { StartVisit } from '../domain/visit';

jest.setTimeout(120_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ pmsMode: 'rest' });
});
afterAll(() => stack.stop());

const signedVisit = (memberId: string, extra: Partial<StartVisit> = {}, note?: string) => bookAndSign(stack, memberId, extra, note);

const attempts = (s: VisitStatus) => s.claims.map((c) => [c.frequency, c.status]);

test('a 999 rejection reaches a person with its IK3/IK4 reason; corrected coverage sends a new original, which is paid', async () => {
  const visitId = await signedVisit('R999001');
  const rejected = await reach(stack, visitId, 'claim_rejected');
  expect(rejected.awaitingAction).toBe('claim_data');
  expect(rejected.claim?.rejection).toMatchObject({
    kind: '999',
    queue: 'claim_data',
    reason: expect.stringMatching(/^NM1 at position \d+, element 9 \(error 6\)/),
  });
  // No 277CA and no 835 came for a file the clearinghouse refused.
  const claimRow = await stack.db('claims').where({ visit_id: visitId, attempt: 1 }).first();
  expect(await stack.db('claim_events').where({ claim_id: claimRow.id }).pluck('kind')).toEqual(expect.not.arrayContaining(['277CA', '835']));

  const visit = sampleVisit(visitId);
  expect((await stack.api.post(`/visits/${visitId}/coverage`).send({ ...visit.coverage, memberId: 'W999001' })).status).toBe(200);
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(attempts(closed)).toEqual([
    ['1', 'rejected'],
    ['1', 'paid'],
  ]);
  expect(parse837P((await findClaim(stack.db, visitId, 2))!.x12).batch.claims[0].subscriber.memberId).toBe('W999001');
});

test('a 277CA rejecting a diagnosis code waits in coding review; the coder replaces it in place and the claim is paid', async () => {
  const visitId = await signedVisit('REJDX01');
  const rejected = await reach(stack, visitId, 'claim_rejected');
  expect(rejected.awaitingAction).toBe('coding_review');
  expect(rejected.claim?.rejection).toMatchObject({ kind: '277CA', queue: 'coding_review', codes: ['A7:255'], note: 'diagnosis code' });
  const coded = {
    encounterId: rejected.encounterId,
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
  // The charges are posted: a procedure cannot change here.
  const moved = await stack.api.post(`/visits/${visitId}/coding`).send({ ...coded, procedures: [coded.procedures[0]] });
  expect(moved.status).toBe(409);
  expect(moved.body.message).toMatch(/correct its diagnoses in place/);
  const fixed = await stack.api.post(`/visits/${visitId}/coding`).send({
    ...coded,
    diagnoses: [
      { code: 'M5450', rank: 1 },
      { code: 'E1165', rank: 2 },
    ],
  });
  expect(fixed.status).toBe(200);
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(attempts(closed)).toEqual([
    ['1', 'rejected'],
    ['1', 'paid'],
  ]);
  expect(parse837P((await findClaim(stack.db, visitId, 2))!.x12).batch.claims[0].diagnoses).toEqual(['M5450', 'E1165']);
  expect(stack.pms.charges(visitId)).toHaveLength(2); // charges posted once
});

test('a 277CA rejecting the rendering NPI waits as claim data; retry (the provider enrolled meanwhile) sends it again', async () => {
  const visitId = await signedVisit('REJNPI01');
  const rejected = await reach(stack, visitId, 'claim_rejected');
  expect(rejected.awaitingAction).toBe('claim_data');
  expect(rejected.claim?.rejection).toMatchObject({ codes: ['A7:562:82'], reason: expect.stringMatching(/National Provider Identifier/) });
  expect((await stack.api.post(`/visits/${visitId}/retry`).send({ note: 'NPI enrolled with the payer' })).status).toBe(200);
  const closed = await reach(stack, visitId, 'closed');
  expect(attempts(closed)).toEqual([
    ['1', 'rejected'],
    ['1', 'paid'],
  ]);
});

test('two-stage acknowledgment: the clearinghouse forwards, the payer accepts; a pended claim is still paid', async () => {
  const twoStage = await signedVisit('ACK2001');
  const pended = await signedVisit('ACK2P001');
  for (const visitId of [twoStage, pended]) {
    const closed = await reach(stack, visitId, 'closed');
    expect(closed.outcome).toBe('paid');
    const claim = await stack.db('claims').where({ visit_id: visitId, attempt: 1 }).first();
    const events = await stack.db('claim_events').where({ claim_id: claim.id, kind: '277CA' }).orderBy('id');
    expect(events).toHaveLength(2); // the clearinghouse's and the payer's
  }
  expect((await reach(stack, pended, 'closed')).claims[0].acknowledged).toBe('pended');
  expect((await reach(stack, twoStage, 'closed')).claims[0].acknowledged).toBe('accepted');
});

test('a rejection by the payer after the clearinghouse forwarded the claim goes to the coverage queue; write-off closes it', async () => {
  const visitId = await signedVisit('ACK2REJ01');
  const rejected = await reach(stack, visitId, 'claim_rejected');
  expect(rejected.awaitingAction).toBe('coverage');
  expect((await stack.api.post(`/visits/${visitId}/write-off`).send({ reason: 'patient unreachable, no valid coverage' })).status).toBe(200);
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('written_off');
});
