/**
 * The denial playbook through the real stack (issue 8, items 6 and 7): an appeal of a
 * medical-necessity denial goes out with the EHR's clinical notes and the visit shows it under
 * way until the payer's decision; a denial naming another payer as primary (CO-22) bills the
 * visit's secondary coverage (COB 837P that pyx12 accepts); a missing-information denial is
 * corrected (frequency 7). Simulated payer rules: DENY-<group>-<carc>-n.
 */
import { x12valid } from '../cli/x12valid';
import { findClaim } from '../db/billing';
import { parse837P } from '../domain/x12/parse-837p';
import type { VisitStatus } from '../workflows/definitions';
import { bookAndSign, reach, startTestStack, type TestStack } from './stack';
import type { StartVisit } from '../domain/visit';
import { eventually } from './support';

jest.setTimeout(120_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ pmsMode: 'rest' });
});
afterAll(() => stack.stop());

const signedVisit = (memberId: string, extra: Partial<StartVisit> = {}, note?: string) => bookAndSign(stack, memberId, extra, note);

test('DENY-CO-50-1: the medical-necessity denial is appealed with the clinical notes, shown under way, and paid on reconsideration', async () => {
  const visitId = await signedVisit('DENY-CO-50-1', {}, 'Low back pain for 8 weeks despite PT; injection indicated.');
  const underWay = await eventually(async () => {
    const s = (await stack.api.get(`/visits/${visitId}`)).body as VisitStatus;
    return !!s.denial?.appeal && s;
  });
  expect(underWay.denial).toMatchObject({ code: 'CO-50', category: 'medical_necessity', action: 'appeal' });
  expect(underWay.denial!.appeal).toMatchObject({ status: expect.stringMatching(/submitted|overturned/), documents: 1, deadline: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
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
});

test('DENY-CO-22-1 with a secondary coverage: the secondary claim (COB) goes out, pyx12 accepts it, and it is paid', async () => {
  const secondaryCoverage = { payerId: '60054', payerName: 'AETNA', memberId: 'A7700101', relationship: 'self' as const };
  const visitId = await signedVisit('DENY-CO-22-1', { secondaryCoverage });
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.claims.map((c) => [c.attempt, c.coverage ?? 'primary', c.status])).toEqual([[1, 'primary', 'denied'], [2, 'secondary', 'paid']]);
  expect(closed.claims[0].denialCodes).toContain('CO-22');
  expect(closed.summary).toMatchObject({ billedCents: 37500, balanced: true, insuranceOpenCents: 0, insurancePaidCents: closed.claims[1].paidCents });
  const sent = (await findClaim(stack.db, visitId, 2))!.x12;
  const claim = parse837P(sent).batch.claims[0];
  expect(claim).toMatchObject({ payerResponsibility: 'S', payer: { id: '60054' }, subscriber: { memberId: 'A7700101' } });
  expect(claim.otherPayers?.[0].adjustments.concat(claim.otherPayers![0].lines.flatMap((l) => l.adjustments)).map((a) => `${a.group}-${a.carc}`)).toContain('CO-22');
  const verdict = await x12valid(sent);
  expect(verdict.errors).toEqual([]);
  expect(verdict.ok).toBe(true);
});

test('DENY-CO-16-1: a missing-information denial gets a corrected claim (frequency 7), which is paid', async () => {
  const visitId = await signedVisit('DENY-CO-16-1');
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.claims.map((c) => [c.frequency, c.status])).toEqual([['1', 'denied'], ['7', 'paid']]);
  expect(closed.summary).toMatchObject({ billedCents: 37500, balanced: true, insuranceOpenCents: 0 });
});
