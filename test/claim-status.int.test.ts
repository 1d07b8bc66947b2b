/**
 * Claim status inquiries through the real stack: a claim with no 835 in the
 * adjudication timeout gets a 276; the 277 answer decides: wait and ask again (pended, late),
 * or send the claim again (the payer has no such claim). Member-id rules of the simulated
 * clearinghouse: PEND…, LATE…, LOST… (simulators/clearinghouse/payer.ts).
 */
import { bookAndSign, reach, startTestStack, type TestStack } from './stack';
import type { StartVisit } from '../domain/visit';

jest.setTimeout(120_000);

let stack: TestStack;
beforeAll(async () => {
  // 835s come 200 ms after the 277CA (2 s for LATE…); the visit asks after 1.5 s without one.
  stack = await startTestStack({ pmsMode: 'rest', timers: { adjudicationTimeoutMs: 1500, claimStatusInquiries: 3 } });
});
afterAll(() => stack.stop());

const signedVisit = (memberId: string, extra: Partial<StartVisit> = {}, note?: string) => bookAndSign(stack, memberId, extra, note);

async function inquiries(visitId: string, attempt = 1): Promise<string[]> {
  const claim = await stack.db('claims').where({ visit_id: visitId, attempt }).first();
  const rows = await stack.db('claim_events').where({ claim_id: claim.id, kind: '277' }).orderBy('id');
  return rows.map((r) => `${r.status} ${r.detail.codes.join(',')}`);
}

test('a pended claim is asked about until the payer releases it, then paid', async () => {
  const visitId = await signedVisit('PEND0001');
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(await inquiries(visitId)).toEqual(['pended P1:20', 'finalized F0:3']);
  expect(closed.claimStatus).toMatchObject({ finding: 'finalized', inquiries: 2 });
  expect(closed.claims).toHaveLength(1);
});

test('a late 835 is waited for after the payer says the claim is in process', async () => {
  const visitId = await signedVisit('LATE0001');
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(await inquiries(visitId)).toEqual(['pended P1:20']);
});

test('a claim the payer lost ("not found") is sent again as a new original and paid', async () => {
  const visitId = await signedVisit('LOST0001');
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.claims.map((c) => [c.attempt, c.frequency, c.status])).toEqual([
    [1, '1', 'accepted'],
    [2, '1', 'paid'],
  ]);
  expect(await inquiries(visitId)).toEqual(['not_found A4:35']);
});
