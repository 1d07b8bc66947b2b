/**
 * Posting 835 files to the billing record in Postgres: lines by REF*6R or by code + date
 * (+ modifiers), reversal and correction in one file, the same file twice, unmatched and
 * late claims, PLB, and underpaid lines against a contracted amount.
 */
import { createHash } from 'node:crypto';
import type { Remittance, RemittanceClaim, RemittanceLine } from '../domain/x12/remittance';
import { build835 } from '../domain/x12/remittance-build';
import type { ClaimRemittance } from '../domain/claim';
import { sampleEnvelope, sampleRemittance } from '../domain/x12/samples';
import { sampleVisit } from '../test/fixtures';
import { createTestDb, uniqueId } from '../test/support';
import { createClaims } from './claims';
import { saveInbound } from './inbound';
import { saveRemittance } from './posting';
import { closeAppointment, saveIntake } from './visits';
import type { Db } from './knex';
import { postRemittanceFile, type ContractLookup } from './posting';

let database: { db: Db; drop(): Promise<void> };
let db: Db;
let control = 500;
beforeAll(async () => {
  database = await createTestDb();
  db = database.db;
});
afterAll(() => database.drop());

const lines = [
  { lineNumber: 1, code: '99214', modifiers: ['25'], units: 1, chargeCents: 19500, diagnosisPointers: [1] },
  { lineNumber: 2, code: '20610', modifiers: ['RT'], units: 1, chargeCents: 18000, diagnosisPointers: [1] },
];

async function billedVisit(): Promise<string> {
  const visitId = uniqueId('p');
  await saveIntake(db, sampleVisit(visitId));
  await createClaims(db, { controlNumber: ++control, receiverId: 'CLEARINGHOUSE', x12: 'ISA...' }, [
    {
      visitId,
      attempt: 1,
      frequency: '1',
      payerId: '87726',
      filingIndicator: 'CI',
      payerResponsibility: 'P',
      billedCents: 37500,
      lines: lines.map((l) => ({ ...l, lineControlNumber: `${visitId}-${l.lineNumber}` })),
    },
  ]);
  await db('claims').where({ visit_id: visitId }).update({ payer_claim_number: 'PCN-1', status: 'accepted' });
  return visitId;
}

const svc = (code: string, paid: number, adj: RemittanceLine['adjustments'], over: Partial<RemittanceLine> = {}): RemittanceLine => ({
  qualifier: 'HC',
  code,
  modifiers: [],
  chargeCents: code === '99214' ? 19500 : 18000,
  paidCents: paid,
  units: 1,
  serviceDate: '2026-11-20',
  adjustments: adj,
  remarks: [],
  ...over,
});

function paidClaim(visitId: string, over: Partial<RemittanceClaim> = {}): RemittanceClaim {
  return {
    patientControlNumber: visitId,
    statusCode: '1',
    chargeCents: 37500,
    paidCents: 26000,
    patientResponsibilityCents: 3000,
    filingIndicator: '12',
    payerClaimNumber: 'PCN-1',
    facilityCode: '11',
    frequency: '1',
    adjustments: [],
    remarks: [],
    lines: [
      // The payer dropped the 25 modifier and sent no 6R on the first line; 6R on the second.
      svc('99214', 13000, [
        { group: 'CO', carc: '45', amountCents: 3500 },
        { group: 'PR', carc: '3', amountCents: 3000 },
      ]),
      svc('20610', 13000, [{ group: 'CO', carc: '45', amountCents: 5000 }], { modifiers: ['RT'], lineControlNumber: `${visitId}-2` }),
    ],
    ...over,
  };
}

const negate = (c: RemittanceClaim): RemittanceClaim => ({
  ...c,
  statusCode: '22',
  chargeCents: -c.chargeCents,
  paidCents: -c.paidCents,
  patientResponsibilityCents: -c.patientResponsibilityCents,
  lines: c.lines.map((l) => ({
    ...l,
    chargeCents: -l.chargeCents,
    paidCents: -l.paidCents,
    adjustments: l.adjustments.map((a) => ({ ...a, amountCents: -a.amountCents })),
  })),
});

async function store(claims: RemittanceClaim[], plbCents = 0): Promise<string> {
  const base = sampleRemittance();
  const paid = claims.reduce((s, c) => s + c.paidCents, 0) - plbCents;
  const r: Remittance = {
    ...base,
    trace: { ...base.trace, number: uniqueId('EFT') },
    payment: { ...base.payment, amountCents: Math.abs(paid), creditDebit: paid < 0 ? 'D' : 'C' },
    claims,
    providerAdjustments: plbCents ? [{ ...base.providerAdjustments[0], amountCents: plbCents }] : [],
  };
  const x12 = build835([r], sampleEnvelope(++control));
  const key = createHash('sha256').update(x12).digest('hex');
  await saveInbound(db, 'clearinghouse', key, '835', x12);
  return key;
}

test('an 835 posts each line to the billed line it answers, once, however often it is posted', async () => {
  const visitId = await billedVisit();
  const key = await store([paidClaim(visitId)], 500);
  const first = await postRemittanceFile(db, key);
  expect(first).toMatchObject([{ visitId, outcome: 'posted', attempt: 1, late: false, underpaid: [] }]);
  expect(await postRemittanceFile(db, key)).toMatchObject([{ visitId, outcome: 'duplicate' }]);

  const payments = await db('payments').where({ visit_id: visitId });
  expect(payments).toHaveLength(1);
  const posted = await db('payment_lines').where({ payment_id: payments[0].id }).orderBy('line_number');
  expect(posted.map((l) => [l.line_number, l.match, Number(l.paid_cents)])).toEqual([
    [1, 'code_date', 13000],
    [2, '6R', 13000],
  ]);
  const claimLines = await db('claim_lines as l')
    .join('claims as c', 'c.id', 'l.claim_id')
    .where('c.visit_id', visitId)
    .orderBy('l.line_number')
    .select('l.paid_cents');
  expect(claimLines.map((l) => Number(l.paid_cents))).toEqual([13000, 13000]);
  const adjustments = await db('payment_adjustments').where({ payment_id: payments[0].id }).orderBy('id');
  expect(adjustments.map((a) => [a.line_number, a.group_code, a.carc, Number(a.amount_cents)])).toEqual([
    [1, 'CO', '45', 3500],
    [1, 'PR', '3', 3000],
    [2, 'CO', '45', 5000],
  ]);
  expect((await db('provider_adjustments').where({ document_key: key })).map((p) => [p.reason_code, Number(p.amount_cents)])).toEqual([['WO', 500]]);
  expect(await db('claims').where({ visit_id: visitId }).first()).toMatchObject({ status: 'paid', paid_cents: '26000', patient_responsibility_cents: '3000' });
});

test('a reversal and its correction in the same 835 both post and net out on the claim', async () => {
  const visitId = await billedVisit();
  await postRemittanceFile(db, await store([paidClaim(visitId)]));
  const corrected = paidClaim(visitId, {
    paidCents: 28000,
    lines: [
      svc(
        '99214',
        15000,
        [
          { group: 'CO', carc: '45', amountCents: 1500 },
          { group: 'PR', carc: '3', amountCents: 3000 },
        ],
        { modifiers: ['25'] },
      ),
      svc('20610', 13000, [{ group: 'CO', carc: '45', amountCents: 5000 }], { lineControlNumber: `${visitId}-2` }),
    ],
  });
  const posted = await postRemittanceFile(db, await store([negate(paidClaim(visitId)), corrected]));
  expect(posted.map((p) => p.outcome)).toEqual(['posted', 'posted']);
  const claim = await db('claims').where({ visit_id: visitId }).first();
  expect(Number(claim.paid_cents)).toBe(28000);
  expect(Number(claim.patient_responsibility_cents)).toBe(3000);
  const claimLines = await db('claim_lines').where({ claim_id: claim.id }).orderBy('line_number');
  expect(claimLines.map((l) => Number(l.paid_cents))).toEqual([15000, 13000]);
  expect((await db('payments').where({ visit_id: visitId }).orderBy('id')).map((p) => [p.claim_status, Number(p.paid_cents)])).toEqual([
    ['1', 26000],
    ['22', -26000],
    ['1', 28000],
  ]);
});

test('an 835 for an unknown claim, or one that does not balance, waits in the posting queue; nothing is lost', async () => {
  const visitId = await billedVisit();
  const stranger = paidClaim('NOT-OURS-1');
  const unbalanced = paidClaim(visitId, { paidCents: 27000 });
  const key = await store([stranger, unbalanced]);
  expect((await postRemittanceFile(db, key)).map((p) => [p.outcome, p.queueReason])).toEqual([
    ['queued', 'unknown_control_number'],
    ['queued', 'unbalanced'],
  ]);
  expect(await postRemittanceFile(db, key)).toMatchObject([{ outcome: 'duplicate' }, { outcome: 'duplicate' }]);
  const queue = await db('posting_queue').where({ document_key: key }).orderBy('id');
  expect(queue.map((q) => [q.patient_control_number, q.reason, q.status, Number(q.paid_cents)])).toEqual([
    ['NOT-OURS-1', 'unknown_control_number', 'open', 26000],
    [visitId, 'unbalanced', 'open', 27000],
  ]);
  expect(queue[1].detail).toMatch(/charge 37500 − paid 27000 ≠ adjustments 11500/);
  expect(await db('payments').where({ visit_id: visitId })).toHaveLength(0);
});

test('a late 835 for a closed visit is posted to its record and marked late', async () => {
  const visitId = await billedVisit();
  await closeAppointment(db, visitId, 'denied');
  const [posted] = await postRemittanceFile(db, await store([paidClaim(visitId)]));
  expect(posted).toMatchObject({ outcome: 'posted', late: true });
  expect(await db('payments').where({ visit_id: visitId }).first()).toMatchObject({ late: true, paid_cents: '26000' });
  expect(await db('audit_log').where({ visit_id: visitId, action: 'remittance.posted_late' })).toHaveLength(1);
});

test('lines paid below the contracted amount are returned as underpaid work', async () => {
  const visitId = await billedVisit();
  const contract: ContractLookup = async ({ code }) => ({ '99214': 17000, '20610': 13000 })[code];
  const [posted] = await postRemittanceFile(db, await store([paidClaim(visitId)]), contract);
  // 99214: allowed = paid 13000 + PR 3000 = 16000 < 17000; 20610 allowed 13000 = contract.
  expect(posted.underpaid).toEqual([{ lineNumber: 1, code: '99214', contractedCents: 17000, underpaidCents: 1000 }]);
  const lineRows = await db('payment_lines as l')
    .join('payments as p', 'p.id', 'l.payment_id')
    .where('p.visit_id', visitId)
    .orderBy('l.line_number')
    .select('l.*');
  expect(lineRows.map((l) => [Number(l.contracted_cents), Number(l.underpaid_cents)])).toEqual([
    [17000, 1000],
    [13000, 0],
  ]);
});

test('by default the contracted amount is the fee schedule expected amount in effect on the date of service', async () => {
  const visitId = await billedVisit();
  const { service_date: serviceDate, provider_npi: npi } = await db('appointments').where({ visit_id: visitId }).first('service_date', 'provider_npi');
  await db('fee_schedule')
    .insert([
      // The payer's own schedule, latest in effect, wins over the default; a fee for another provider or one not yet in effect never applies.
      { payer_id: '87726', code: '99214', effective_from: '2026-06-01', charge_cents: 19500, expected_cents: 17500, source: 'test' },
      { payer_id: '87726', code: '99214', effective_from: '2026-12-01', charge_cents: 19500, expected_cents: 99900, source: 'test' },
      { payer_id: '*', code: '99214', effective_from: '2026-07-01', charge_cents: 19500, expected_cents: 99900, source: 'test' },
      {
        payer_id: '87726',
        provider_npi: '1999999999',
        code: '20610',
        effective_from: '2026-06-01',
        charge_cents: 18000,
        expected_cents: 99900,
        source: 'test',
      },
    ])
    .onConflict(['payer_id', 'provider_npi', 'code', 'modifier', 'effective_from'])
    .merge();
  expect(npi).not.toBe('1999999999');
  expect(serviceDate).toBeTruthy();
  const before = await db('fee_schedule').where({ payer_id: '*', code: '20610', provider_npi: '' }).orderBy('effective_from', 'desc').first('expected_cents');
  const [posted] = await postRemittanceFile(db, await store([paidClaim(visitId)]));
  // 99214 allowed 13000 paid + 3000 PR = 16000 against 17500; 20610 allowed 13000 against the default schedule's fee.
  expect(posted.underpaid).toEqual([{ lineNumber: 1, code: '99214', contractedCents: 17500, underpaidCents: 1500 }]);
  const lineRows = await db('payment_lines as l')
    .join('payments as p', 'p.id', 'l.payment_id')
    .where('p.visit_id', visitId)
    .orderBy('l.line_number')
    .select('l.contracted_cents');
  expect(lineRows.map((l) => Number(l.contracted_cents))).toEqual([17500, Number(before.expected_cents)]);
});

test('an answer that came as a bare signal (no file) posts only to the attempt it matches; a mismatched one is queued and audited, and writes no payment', async () => {
  const visitId = await billedVisit();
  const answer = (over: Partial<ClaimRemittance>): ClaimRemittance => ({
    traceNumber: uniqueId('TRN'),
    payerId: '87726',
    claimStatusCode: '1',
    frequency: '1',
    chargeCents: 37500,
    paidCents: 26000,
    patientResponsibilityCents: 3000,
    payerClaimNumber: 'PCN-1',
    adjustments: [{ lineNumber: null, group: 'CO', carc: '45', amountCents: 8500, rarcs: [] }],
    lines: [],
    sourceKey: uniqueId('sig'),
    ...over,
  });
  const forged = answer({ chargeCents: 9100 });
  expect(await saveRemittance(db, visitId, forged)).toBe('queued');
  expect(await saveRemittance(db, visitId, forged)).toBe('duplicate');
  expect(await db('payments').where({ visit_id: visitId })).toEqual([]);
  const [entry, ...more] = await db('posting_queue').where({ posting_key: `signal:${forged.sourceKey}` });
  expect(more).toEqual([]);
  expect(entry).toMatchObject({ reason: 'charge_mismatch', document_key: null, patient_control_number: visitId, charge_cents: '9100' });
  expect(
    await db('audit_log')
      .where({ action: 'remittance.refused', visit_id: visitId })
      .whereRaw("detail->>'queueId' = ?", [String(entry.id)]),
  ).toHaveLength(1);

  const genuine = answer({});
  expect(await saveRemittance(db, visitId, genuine)).toBe('posted');
  expect(await saveRemittance(db, visitId, genuine)).toBe('duplicate');
  expect((await db('payments').where({ visit_id: visitId })).map((p) => Number(p.paid_cents))).toEqual([26000]);
});
