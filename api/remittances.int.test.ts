/**
 * Nothing posts without a match, tried as a forger and a flaky clearinghouse would: a correctly
 * signed 835 naming a real visit with the wrong charge, the wrong payer, a control number we never
 * sent, or a reversal of a claim never paid writes no payment, reaches no visit, keeps its file
 * once however often it is delivered, waits in the posting queue with its reason, and is in the
 * audit trail; a biller sees it in GET /remittances. The genuine answer still posts exactly once.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { createClaims, markInterchangeSubmitted } from '../db/claims';
import { saveIntake } from '../db/visits';
import { postRemittanceFile } from '../db/posting';
import { type Remittance, type RemittanceClaim } from '../domain/x12/remittance';
import { build835 } from '../domain/x12/remittance-build';
import { sampleEnvelope, sampleRemittance } from '../domain/x12/samples';
import { sampleVisit } from '../test/fixtures';
import { startApiUnderTest, testTimers as timers } from '../test/api-under-test';
import { signedBody } from '../test/secrets';
import { apiAs, uniqueId } from '../test/support';

let api: Awaited<ReturnType<typeof startApiUnderTest>>;
let biller: Awaited<ReturnType<typeof apiAs>>;
beforeAll(async () => {
  api = await startApiUnderTest('tq-remit');
  biller = await apiAs(api.db, api.app, 'biller');
});
afterAll(async () => {
  expect(api.logged).toEqual([]); // nothing in this file was a 500
  await api.stop();
});

const BILLED = 15000;
const postX12 = (body: string) => {
  const s = signedBody('clearinghouse', body);
  return request(api.app).post('/webhooks/clearinghouse').set('content-type', 'application/edi-x12').set(s.headers).send(body);
};
const fileKey = (body: string) => createHash('sha256').update(body).digest('hex');

/** A visit whose claim (payer 87726, $150.00) was submitted; its workflow running (no worker: signals land in history) or not. */
async function submittedVisit(running = true): Promise<string> {
  const visit = sampleVisit(uniqueId('v'));
  await saveIntake(api.db, visit);
  const controlNumber = Math.floor(Math.random() * 1e8) + 1;
  await createClaims(api.db, { controlNumber, receiverId: 'CLEARINGHOUSE', x12: 'ISA' }, [
    {
      visitId: visit.visitId,
      attempt: 1,
      frequency: '1',
      payerId: '87726',
      filingIndicator: 'CI',
      payerResponsibility: 'P',
      billedCents: BILLED,
      lines: [
        { lineNumber: 1, code: '99214', modifiers: ['25'], units: 1, chargeCents: BILLED, diagnosisPointers: [1], lineControlNumber: `${visit.visitId}-1` },
      ],
    },
  ]);
  await markInterchangeSubmitted(api.db, controlNumber, 'sub-1');
  if (running)
    await api.temporal.workflow.start('visitWorkflow', { workflowId: `visit-${visit.visitId}`, taskQueue: uniqueId('tq-none'), args: [{ visit, timers }] });
  return visit.visitId;
}

/** A balanced CLP for the visit: charge − paid = CO-45 + PR-3 $25.00 + PR-2 $4.00; negated for a reversal (CLP02 22). */
function clp(visitId: string, over: { chargeCents?: number; paidCents?: number; reversal?: boolean; balanced?: boolean } = {}): RemittanceClaim {
  const base = sampleRemittance().claims[0];
  const charge = over.chargeCents ?? BILLED;
  const paid = over.paidCents ?? 9100;
  const sign = over.reversal ? -1 : 1;
  const adjustments = [
    { group: 'CO' as const, carc: '45', amountCents: sign * (charge - paid - 2900) },
    { group: 'PR' as const, carc: '3', amountCents: sign * 2500 },
    ...(over.balanced === false ? [] : [{ group: 'PR' as const, carc: '2', amountCents: sign * 400 }]),
  ].filter((a) => a.amountCents !== 0);
  return {
    ...base,
    patientControlNumber: visitId,
    statusCode: over.reversal ? '22' : '1',
    chargeCents: sign * charge,
    paidCents: sign * paid,
    patientResponsibilityCents: sign * 2900,
    payerClaimNumber: `PCN-${visitId}`,
    lines: [{ ...base.lines[0], chargeCents: sign * charge, paidCents: sign * paid, lineControlNumber: `${visitId}-1`, adjustments }],
  };
}

/** One 835 (BPR02 = Σ CLP04, no PLB, so the file balances) from the given payer. */
function era(claims: RemittanceClaim[], payerId = '87726'): string {
  const r: Remittance = sampleRemittance();
  const paid = claims.reduce((s, c) => s + c.paidCents, 0);
  r.trace.number = uniqueId('EFT');
  r.payer.id = payerId;
  r.payment = { ...r.payment, amountCents: Math.abs(paid), creditDebit: paid < 0 ? 'D' : 'C' };
  r.claims = claims;
  r.providerAdjustments = [];
  return build835([r], sampleEnvelope(Math.floor(Math.random() * 1e8) + 1));
}

async function remittanceSignals(visitId: string): Promise<number> {
  const history = await api.temporal.workflow.getHandle(`visit-${visitId}`).fetchHistory();
  return history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'remittanceReceived').length;
}

describe.each([
  ['the wrong total charge for a real visit (the forged 835)', 'charge_mismatch', (v: string) => era([clp(v, { chargeCents: 12000 })]), true],
  ['another payer than the claim was sent to', 'payer_mismatch', (v: string) => era([clp(v)], '99999'), true],
  ['a patient control number we never sent', 'unknown_control_number', () => era([clp(uniqueId('v'))]), false],
  ['a reversal (CLP02 22) of a claim never paid', 'reversal_of_unpaid', (v: string) => era([clp(v, { reversal: true })]), true],
])('an 835 claim with %s', (_what, reason, file, namesOurVisit) => {
  let visitId: string;
  let body: string;
  let first: request.Response;
  let again: request.Response;
  beforeAll(async () => {
    visitId = await submittedVisit();
    body = file(visitId);
    first = await postX12(body);
    again = await postX12(body); // the clearinghouse retries the delivery
  });
  afterAll(() => api.temporal.workflow.getHandle(`visit-${visitId}`).terminate('test done'));

  test('is answered 202 unmatched, and the counts are what was stored', async () => {
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ transaction: '835', delivered: 0, unmatched: 1, posted: 0, unbalanced: 0, alreadyPosted: 0 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, delivered: 0 });
    const queued = await api.db('posting_queue').where({ document_key: fileKey(body) });
    expect(queued).toHaveLength(first.body.unmatched);
    expect(await api.db('payments').where({ document_key: fileKey(body) })).toHaveLength(first.body.posted);
  });

  test("writes no payment and leaves the claim as it was, posted again by the visit's activity or not", async () => {
    expect(await postRemittanceFile(api.db, fileKey(body))).toMatchObject([{ outcome: 'duplicate' }]);
    expect(await api.db('payments').where({ visit_id: visitId })).toEqual([]);
    expect(await api.db('claims').where({ visit_id: visitId }).first()).toMatchObject({ status: 'submitted', paid_cents: '0' });
  });

  test('is not handed to the visit', async () => {
    expect(await remittanceSignals(visitId)).toBe(0);
  });

  test('keeps the file once', async () => {
    const files = await api.db('inbound_messages').where({ channel: 'clearinghouse', message_key: fileKey(body) });
    expect(files).toHaveLength(1);
    expect(files[0].body).toBe(body);
  });

  test(`waits in the posting queue as ${reason}, once`, async () => {
    const [entry, ...more] = await api.db('posting_queue').where({ document_key: fileKey(body) });
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ reason, status: 'open', position: 1, detail: expect.any(String) });
    expect(entry.payer_id).toBe(reason === 'payer_mismatch' ? '99999' : '87726');
  });

  test('is in the audit trail: what was refused and why, on the visit its control number names', async () => {
    const entry = await api
      .db('posting_queue')
      .where({ document_key: fileKey(body) })
      .first();
    const rows = await api.db('audit_log').where({ action: 'remittance.refused' }).whereRaw("detail->>'postingKey' = ?", [entry.posting_key]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'posting', visit_id: namesOurVisit ? visitId : null });
    expect(rows[0].detail).toMatchObject({ reason, queueId: entry.id, documentKey: fileKey(body), patientControlNumber: entry.patient_control_number });
  });

  test('is listed for a biller in GET /remittances?status=unmatched, and the read is audited', async () => {
    const entry = await api
      .db('posting_queue')
      .where({ document_key: fileKey(body) })
      .first();
    const file = await api
      .db('inbound_messages')
      .where({ channel: 'clearinghouse', message_key: fileKey(body) })
      .first('id');
    const res = await biller.get('/remittances?status=unmatched&limit=500');
    expect(res.status).toBe(200);
    const listed = res.body.entries.find((e: { id: number }) => e.id === entry.id);
    expect(listed).toMatchObject({
      status: 'unmatched',
      reason,
      fileId: file.id,
      position: 1,
      patientControlNumber: entry.patient_control_number,
      payerId: entry.payer_id,
      chargeCents: Number(entry.charge_cents),
      paidCents: Number(entry.paid_cents),
      receivedAt: expect.any(String),
    });
    expect(await api.db('audit_log').where({ action: 'remittances.read', actor_role: 'biller' }).whereRaw("detail->>'status' = 'unmatched'")).not.toHaveLength(
      0,
    );
  });
});

test('the genuine answer posts exactly once, however often it is delivered or posted', async () => {
  const visitId = await submittedVisit(false); // no visit running: the webhook posts it (late)
  const body = era([clp(visitId)]);
  const first = await postX12(body);
  expect(first.status).toBe(202);
  expect(first.body).toEqual({ transaction: '835', delivered: 0, unmatched: 0, posted: 1, unbalanced: 0, alreadyPosted: 0 });
  expect((await postX12(body)).status).toBe(200);
  expect(await postRemittanceFile(api.db, fileKey(body))).toMatchObject([{ outcome: 'duplicate' }]); // the visit's own posting, later
  const payments = await api.db('payments').where({ visit_id: visitId });
  expect(payments).toHaveLength(1);
  expect(payments[0]).toMatchObject({ paid_cents: '9100', charge_cents: String(BILLED), document_key: fileKey(body) });
  expect(await api.db('posting_queue').where({ document_key: fileKey(body) })).toEqual([]);
  const posted = await biller.get('/remittances?status=posted&limit=500');
  expect(posted.body.entries.find((e: { id: number }) => e.id === payments[0].id)).toMatchObject({
    status: 'posted',
    reason: null,
    visitId,
    claimAttempt: 1,
    paidCents: 9100,
  });
});

test('a genuine answer to a running visit is handed to it, once, and left for its own posting', async () => {
  const visitId = await submittedVisit();
  const body = era([clp(visitId)]);
  expect((await postX12(body)).body).toEqual({ transaction: '835', delivered: 1, unmatched: 0, posted: 0, unbalanced: 0, alreadyPosted: 0 });
  expect((await postX12(body)).status).toBe(200);
  expect(await remittanceSignals(visitId)).toBe(1);
  expect(await api.db('payments').where({ visit_id: visitId })).toEqual([]); // posted by the visit's activity, not twice
  expect(await api.db('posting_queue').where({ document_key: fileKey(body) })).toEqual([]);
  await api.temporal.workflow.getHandle(`visit-${visitId}`).terminate('test done');
});

test('one file with a posted, two refused and an unbalanced claim: the 202 counts agree with what was stored', async () => {
  const [closed, wrongCharge, outOfBalance] = [await submittedVisit(false), await submittedVisit(false), await submittedVisit(false)];
  const body = era([clp(closed), clp(wrongCharge, { chargeCents: 99900 }), clp(uniqueId('v')), clp(outOfBalance, { balanced: false })]);
  const res = await postX12(body);
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ transaction: '835', delivered: 0, unmatched: 2, posted: 1, unbalanced: 1, alreadyPosted: 0 });
  const key = fileKey(body);
  const queue = await api.db('posting_queue').where({ document_key: key }).orderBy('position');
  expect(queue.map((q) => [q.position, q.reason])).toEqual([
    [2, 'charge_mismatch'],
    [3, 'unknown_control_number'],
    [4, 'unbalanced'],
  ]);
  expect(await api.db('payments').where({ document_key: key })).toHaveLength(res.body.posted);
  expect((await api.db('payments').where({ document_key: key }).first()).visit_id).toBe(closed);
  expect(await api.db('payments').whereIn('visit_id', [wrongCharge, outOfBalance])).toEqual([]);
  expect(await api.db('audit_log').where({ action: 'remittance.refused' }).whereRaw("detail->>'documentKey' = ?", [key])).toHaveLength(3);
  const unbalanced = await biller.get('/remittances?status=unbalanced&limit=500');
  expect(unbalanced.body.entries.find((e: { id: number }) => e.id === queue[2].id)).toMatchObject({
    status: 'unbalanced',
    reason: 'unbalanced',
    visitId: outOfBalance,
    claimAttempt: 1,
  });
  const unmatched = await biller.get('/remittances?status=unmatched&limit=500');
  expect(unmatched.body.entries.map((e: { id: number }) => e.id)).not.toContain(queue[2].id);
});

test('an 835 that does not balance (BPR02 ≠ Σ CLP04 − PLB) is refused 422, but kept once and its claims queued: nothing posted, nothing signalled', async () => {
  const visitId = await submittedVisit();
  const r: Remittance = sampleRemittance();
  r.trace.number = uniqueId('EFT');
  r.claims = [clp(visitId)];
  r.providerAdjustments = [];
  r.payment = { ...r.payment, amountCents: 9500 }; // the claim paid 91.00
  const body = build835([r], sampleEnvelope(Math.floor(Math.random() * 1e8) + 1));
  const first = await postX12(body);
  expect(first.status).toBe(422);
  expect(first.body).toMatchObject({
    code: 'REMITTANCE_UNBALANCED',
    issues: [{ path: 'BPR02' }],
    hint: expect.stringContaining('/remittances?status=unbalanced'),
  });
  expect((await postX12(body)).status).toBe(422); // the retry: same answer, nothing twice
  expect(await api.db('inbound_messages').where({ channel: 'clearinghouse', message_key: fileKey(body) })).toHaveLength(1);
  const queue = await api.db('posting_queue').where({ document_key: fileKey(body) });
  expect(queue).toHaveLength(1);
  expect(queue[0]).toMatchObject({ reason: 'unbalanced', position: 1, claim_id: expect.any(Number), detail: expect.stringContaining('does not balance') });
  expect(await api.db('audit_log').where({ action: 'remittance.refused', visit_id: visitId })).toHaveLength(1);
  expect(await api.db('payments').where({ visit_id: visitId })).toEqual([]);
  expect(await remittanceSignals(visitId)).toBe(0);
  const listed = await biller.get('/remittances?status=unbalanced&limit=500');
  expect(listed.body.entries.find((e: { id: number }) => e.id === queue[0].id)).toMatchObject({
    status: 'unbalanced',
    visitId,
    claimAttempt: 1,
    fileId: expect.any(Number),
  });
  // The payer's corrected file (same trace number) still posts.
  r.payment = { ...r.payment, amountCents: 9100 };
  const corrected = build835([r], sampleEnvelope(Math.floor(Math.random() * 1e8) + 1));
  await api.temporal.workflow.getHandle(`visit-${visitId}`).terminate('test done');
  expect((await postX12(corrected)).body).toMatchObject({ posted: 1, unmatched: 0 });
  expect(await api.db('payments').where({ visit_id: visitId })).toHaveLength(1);
});

test('GET /remittances is for billers and admins; a bad filter is a 400 naming the field', async () => {
  const frontDesk = await apiAs(api.db, api.app, 'front_desk');
  const analyst = await apiAs(api.db, api.app, 'analyst');
  expect((await frontDesk.get('/remittances')).status).toBe(403);
  expect((await analyst.get('/remittances')).status).toBe(403);
  expect((await request(api.app).get('/remittances')).status).toBe(401);
  expect((await api.admin.get('/remittances?status=posted')).status).toBe(200);
  const bad = await biller.get('/remittances?status=UNMATCHED');
  expect(bad.status).toBe(400);
  expect(bad.body.issues).toEqual([expect.objectContaining({ path: 'status' })]);
  expect((await biller.get('/remittances?limit=0')).body.issues).toEqual([expect.objectContaining({ path: 'limit' })]);
  expect((await biller.get('/remittances?visitId=x')).status).toBe(400);
});
