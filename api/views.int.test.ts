/**
 * Minimum necessary, through the API with a key of each role: a paid visit read by front
 * desk, coder, biller, analyst and admin; a visit in coding review as its work queue shows it
 * to a biller and to an analyst; the answer to a decision shaped like a read; every read audited.
 */
import { sampleVisit } from '../test/fixtures';
import { bookAndSign, reach, startTestStack, type TestStack } from '../test/stack';
import { uniqueId, type Api } from '../test/support';
import type { Role } from '../domain/roles';

let stack: TestStack;
const as: Partial<Record<Role, Api>> = {};
beforeAll(async () => {
  stack = await startTestStack({ pmsMode: 'rest' });
  for (const role of ['front_desk', 'coder', 'biller', 'analyst'] as const) as[role] = await stack.as(role);
  as.admin = stack.api;
});
afterAll(() => stack.stop());

const keys = (o: object) => Object.keys(o).sort();
const CODES = ['99214', '20610', 'M5450', 'E119'];

describe("a paid visit, read with each role's key", () => {
  let visitId: string;
  const bodies: Partial<Record<Role, Record<string, unknown>>> = {};
  beforeAll(async () => {
    visitId = await bookAndSign(stack, uniqueId('M'));
    await reach(stack, visitId, 'closed');
    for (const role of ['front_desk', 'coder', 'biller', 'analyst', 'admin'] as const) {
      const res = await as[role]!.get(`/visits/${visitId}`);
      expect([role, res.status]).toEqual([role, 200]);
      bodies[role] = res.body;
    }
  });

  test('admin reads the whole visit: registration, coding, claims and money', () => {
    const admin = bodies.admin!;
    expect(admin).toMatchObject({ visitId, stage: 'closed', outcome: 'paid', patient: { lastName: 'DOE' }, nextStep: 'nothing: the visit is closed (paid)' });
    expect(keys(admin)).toEqual(
      expect.arrayContaining(['coding', 'claims', 'claim', 'balance', 'summary', 'patient', 'coverage', 'appointment', 'ageBand', 'eligibility']),
    );
  });

  test("front desk: demographics, coverage, appointment, stage and what to do, the patient's share; no codes and no insurance money", () => {
    const fd = bodies.front_desk!;
    expect(keys(fd)).toEqual(
      keys(bodies.admin!).filter((k) =>
        [
          'visitId',
          'stage',
          'outcome',
          'awaitingAction',
          'nextStep',
          'history',
          'patient',
          'coverage',
          'secondaryCoverage',
          'appointment',
          'changes',
          'eligibility',
          'patientEstimate',
          'patientBalance',
          'failure',
          'lastFailure',
          'closeReason',
        ].includes(k),
      ),
    );
    expect(fd).toMatchObject({
      patient: bodies.admin!.patient,
      coverage: bodies.admin!.coverage,
      appointment: bodies.admin!.appointment,
      nextStep: expect.any(String),
    });
    for (const denied of ['coding', 'findings', 'claims', 'claim', 'balance', 'summary', 'encounterId', 'denial'])
      expect([denied, denied in fd]).toEqual([denied, false]);
    const text = JSON.stringify(fd);
    for (const code of CODES) expect([code, text.includes(code)]).toEqual([code, false]);
  });

  test('coder: the coding and findings, no money and no person', () => {
    const coder = bodies.coder!;
    expect(coder).toMatchObject({ visitId, coding: bodies.admin!.coding, findings: bodies.admin!.findings });
    for (const denied of ['claims', 'claim', 'balance', 'summary', 'patientEstimate', 'patientBalance', 'eligibility', 'patient', 'coverage']) {
      expect([denied, denied in coder]).toEqual([denied, false]);
    }
    expect(JSON.stringify(coder)).not.toMatch(/Cents"/);
  });

  test('biller: the money and the codes', () => {
    const biller = bodies.biller!;
    expect(biller).toMatchObject({
      claims: bodies.admin!.claims,
      balance: bodies.admin!.balance,
      summary: bodies.admin!.summary,
      coding: bodies.admin!.coding,
    });
    expect(keys(biller)).toEqual(keys(bodies.admin!).filter((k) => k !== 'ageBand'));
  });

  test('analyst: no identifier of a person anywhere in the answer; an age band; claims and money without ids', () => {
    const analyst = bodies.analyst!;
    for (const denied of [
      'visitId',
      'patient',
      'coverage',
      'secondaryCoverage',
      'encounterId',
      'eligibility',
      'patientBalance',
      'closeReason',
      'claimStatus',
    ]) {
      expect([denied, denied in analyst]).toEqual([denied, false]);
    }
    expect(analyst.ageBand).toBe('40-49'); // the sample patient, born 1980-02-14, seen 2026-11-20
    const admin = bodies.admin! as {
      patient: Record<string, unknown> & { address: Record<string, string> };
      coverage: { memberId: string };
      encounterId: string;
      claim: { payerClaimNumber?: string; controlNumber: number };
    };
    expect(analyst.claim).toMatchObject({ status: 'paid', billedCents: expect.any(Number), paidCents: expect.any(Number) });
    expect(analyst.claim).not.toHaveProperty('payerClaimNumber');
    expect(analyst.claim).not.toHaveProperty('controlNumber');
    const identifiers = [
      visitId,
      admin.patient.patientId,
      admin.patient.firstName,
      admin.patient.lastName,
      admin.patient.birthDate,
      admin.patient.address.line1,
      admin.patient.address.postalCode,
      admin.coverage.memberId,
      admin.encounterId,
      admin.claim.payerClaimNumber,
    ].filter((x): x is string => typeof x === 'string');
    expect(identifiers.length).toBeGreaterThanOrEqual(9);
    // Every string in the answer, keys included: none is an identifier, nor holds one (the EHR's ids can be as short as "4": those must not be equal).
    const strings: string[] = [];
    const walk = (x: unknown): void => {
      if (typeof x === 'string') strings.push(x);
      else if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === 'object')
        Object.entries(x).forEach(([k, v]) => {
          strings.push(k);
          walk(v);
        });
    };
    walk(analyst);
    for (const id of identifiers) {
      expect([id, strings.filter((s) => s === id || (id.length >= 5 && s.includes(id)))]).toEqual([id, []]);
    }
  });

  test("every read is audited with the reader's role, whatever it was shown", async () => {
    const res = await stack.api.get(`/audit?visitId=${visitId}&action=visit.read`);
    const roles = res.body.entries.map((e: { role: string }) => e.role);
    expect(roles).toEqual(expect.arrayContaining(['front_desk', 'coder', 'biller', 'analyst', 'admin']));
  });
});

describe('a visit in coding review', () => {
  let visitId: string;
  beforeAll(async () => {
    const visit = sampleVisit(uniqueId('v'));
    visitId = visit.visitId;
    expect((await as.front_desk!.post('/visits').send(visit)).status).toBe(201);
    await reach(stack, visitId, 'awaiting_encounter');
    // A procedure without a fee sends the visit to coding review.
    await stack.ehr.signEncounter({
      visitId,
      renderingNpi: '1234567893',
      diagnoses: [{ code: 'M54.50', rank: 1 }],
      procedures: [{ code: '99499', modifiers: [], units: 1, diagnosisPointers: [1] }],
    });
    await reach(stack, visitId, 'coding_review');
  });

  test('front desk is told what to do in words, and sees no code', async () => {
    const res = await as.front_desk!.get(`/visits/${visitId}`);
    expect(res.body).toMatchObject({
      stage: 'coding_review',
      awaitingAction: 'coding_review',
      nextStep: `the coding checks or the PMS refused the coded encounter: correct the coding (POST /visits/${visitId}/coding)`,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/99499|M5450|M54\.50/);
  });

  test("the work queue shows a biller and a coder the visit id, its action and Temporal UI page; an analyst the queue's facts without them", async () => {
    const biller = await as.biller!.get('/work-queues/coding_review?limit=500');
    expect(biller.status).toBe(200);
    const mine = biller.body.visits.find((v: { visitId: string }) => v.visitId === visitId);
    expect(mine).toMatchObject({
      visitId,
      action: `correct the coding (POST /visits/${visitId}/coding)`,
      temporalUiUrl: expect.stringContaining(visitId),
      stage: 'coding_review',
    });

    // Coders work this queue in the workbench: the same entry; front desk does not work queues.
    const coder = await as.coder!.get('/work-queues/coding_review?limit=500');
    expect(coder.body.visits.find((v: { visitId: string }) => v.visitId === visitId)).toEqual(mine);
    expect((await as.front_desk!.get('/work-queues/coding_review')).status).toBe(403);

    const analyst = await as.analyst!.get('/work-queues/coding_review?limit=500');
    expect(analyst.status).toBe(200);
    expect(analyst.body.visits.length).toBe(biller.body.visits.length);
    for (const v of analyst.body.visits) {
      expect(keys(v)).toEqual(['ageHours', 'awaitingAction', 'awaitingSince', 'deadline', 'overdue', 'payerId', 'reason', 'serviceDate', 'stage']);
    }
    expect(JSON.stringify(analyst.body)).not.toContain(visitId);
    const summary = await as.analyst!.get('/work-queues');
    expect(JSON.stringify(summary.body)).not.toContain(visitId);
  });

  test("the answer to a coder's decision is shaped like a read: the coding, no money", async () => {
    const review = (await stack.api.get(`/visits/${visitId}`)).body as { encounterId: string; appointment: { serviceDate: string } };
    const res = await as.coder!.post(`/visits/${visitId}/coding`).send({
      encounterId: review.encounterId,
      serviceDate: review.appointment.serviceDate,
      renderingNpi: '1234567893',
      diagnoses: [{ code: 'M5450', rank: 1 }],
      procedures: [{ code: '99214', modifiers: [], units: 1, diagnosisPointers: [1] }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ visitId, nextStep: expect.any(String) });
    for (const denied of ['balance', 'claims', 'patient', 'coverage']) expect([denied, denied in res.body]).toEqual([denied, false]);
  });
});
