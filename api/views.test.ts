import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../domain/roles';
import { sampleEncounter, sampleVisit } from '../test/fixtures';
import type { VisitStatus } from '../workflows/definitions';
import { ageBand, fieldsOf, project, queueVisitView, visitView, visitViewsTable, VISIT_FIELDS } from './views';
import { AnalystClaim } from './schemas';

const visit = sampleVisit('v-views-1', 'MEMBER-77', 'MRN-4242');

/** A closed visit with every field the status can carry filled in. */
const status: VisitStatus = {
  visitId: visit.visitId,
  stage: 'closed',
  outcome: 'paid',
  awaitingAction: 'none',
  history: [
    { stage: 'intake', at: '2026-11-20T10:00:00Z' },
    { stage: 'closed', at: '2026-11-30T10:00:00Z' },
  ],
  failure: { type: 'PMS_REJECTED', step: 'postCharges', message: 'refused', exhausted: false, at: '2026-11-21T10:00:00Z' },
  lastFailure: { type: 'PMS_REJECTED', step: 'postCharges', message: 'refused', exhausted: false, at: '2026-11-21T10:00:00Z' },
  filingDeadline: '2027-02-18',
  escalations: [{ deadline: 'timely_filing', due: '2027-02-18', at: '2027-01-19T00:00:00Z' }],
  denial: {
    code: 'CO-50',
    category: 'medical_necessity',
    action: 'appeal',
    note: 'appeal with notes',
    appeal: { packetId: 'pk-1', appealId: 'AP-9', status: 'submitted', deadline: '2027-03-01', documents: 2 },
    outcome: 'overturned',
    reason: 'the payer paid',
  },
  underpaidLines: [{ lineNumber: 1, code: '99214', contractedCents: 12000, underpaidCents: 500 }],
  summary: {
    billedCents: 30000,
    insurancePaidCents: 20000,
    adjustmentsCents: { CO: 5000, OA: 0, PI: 0, CR: 0 },
    patientResponsibilityCents: 5000,
    patientPaidCents: 0,
    writtenOffCents: 0,
    patientOpenCents: 5000,
    insuranceOpenCents: 0,
    balanced: true,
    lines: ['billed $300.00'],
  },
  patientBalance: {
    visitId: visit.visitId,
    openingCents: 5000,
    openedAt: '2026-11-30T10:00:00Z',
    openCents: 5000,
    paidCents: 0,
    writtenOffCents: 0,
    statements: [],
    payments: [],
    details: 'open',
  } as unknown as VisitStatus['patientBalance'],
  closeReason: 'patient asked',
  eligibility: { active: true, planName: 'CHOICE PLUS', copayCents: 2500, messages: ['SUBSCRIBER JANE DOE'] },
  patientEstimate: {
    allowedCents: 25000,
    copayCents: 2500,
    deductibleCents: 0,
    coinsuranceCents: 2500,
    patientShareCents: 5000,
    insuranceCents: 20000,
    linesWithoutContract: [],
    unreported: [],
  },
  encounterId: 'enc-1',
  codingProblems: [{ path: 'procedures[0].code', reason: 'the PMS refused 99214' }],
  findings: [{ id: 'f1', ruleId: 'ncci', severity: 'warning', path: 'procedures[1]', message: '20610 with 99214 needs modifier 25' }],
  rulesetVersion: 'rs-1',
  claimStatus: { finding: 'pended', action: 'wait', codes: ['A1:20'], text: 'JANE DOE pended', inquiries: 1, at: '2026-11-25T00:00:00Z' },
  changes: [{ at: '2026-11-19T00:00:00Z', changes: ['coverage'] }],
  claim: {
    attempt: 1,
    frequency: '1',
    status: 'paid',
    controlNumber: 1001,
    billedCents: 30000,
    paidCents: 20000,
    patientResponsibilityCents: 5000,
    payerClaimNumber: 'ICN-555',
    denialCodes: [],
    coverage: 'primary',
    acknowledged: 'accepted',
    rejection: { kind: '277CA', queue: 'coverage', reason: 'SUBSCRIBER JANE DOE NOT FOUND', note: 'fix the member id', codes: ['A7:562'] },
  },
  claims: [],
  balance: { billedCents: 30000, paidCents: 20000, adjustedCents: 5000, patientResponsibilityCents: 5000, insuranceBalanceCents: 0 },
  patient: visit.patient,
  coverage: visit.coverage,
  secondaryCoverage: { ...visit.coverage, payerId: '60054', memberId: 'SEC-1' },
  appointment: { ...visit.appointment, priorAuthorization: 'PA-1' },
  coding: sampleEncounter('enc-1'),
};
status.claims = [status.claim!];

const keys = (o: object) => Object.keys(o).sort();
const ALL_FIELDS = Object.keys(VISIT_FIELDS).sort();

describe('each role reads its own view of the visit', () => {
  test('front desk: the person, coverage, appointment, stage, what to do and what the patient owes; no codes, no insurance money', () => {
    const v = visitView(['front_desk'], status);
    expect(keys(v)).toEqual([
      'appointment',
      'awaitingAction',
      'changes',
      'closeReason',
      'coverage',
      'eligibility',
      'failure',
      'history',
      'lastFailure',
      'nextStep',
      'outcome',
      'patient',
      'patientBalance',
      'patientEstimate',
      'secondaryCoverage',
      'stage',
      'visitId',
    ]);
    const text = JSON.stringify(v);
    for (const code of ['99214', '20610', 'M5450', 'E119', 'CO-50']) expect(text).not.toContain(code);
    expect(v.patient).toEqual(visit.patient);
  });

  test('coder: coding, findings, coding review; no money and no registration beyond the appointment', () => {
    const v = visitView(['coder'], status);
    expect(keys(v)).toEqual([
      'appointment',
      'awaitingAction',
      'closeReason',
      'coding',
      'codingProblems',
      'encounterId',
      'failure',
      'findings',
      'history',
      'lastFailure',
      'nextStep',
      'outcome',
      'rulesetVersion',
      'stage',
      'visitId',
    ]);
    expect(JSON.stringify(v)).not.toMatch(/Cents/);
    expect(v.coding).toEqual(sampleEncounter('enc-1'));
  });

  test('biller: money and codes (claims, balances, denial, remittance answers) and the registration a claim is built from', () => {
    const v = visitView(['biller'], status);
    expect(keys(v)).toEqual(ALL_FIELDS.filter((f) => f !== 'ageBand'));
    expect(v.claim).toEqual(status.claim);
  });

  test('analyst: the facts with no identifier of a person, nor free text from outside; an age band instead of a birth date', () => {
    const v = visitView(['analyst'], status);
    expect(keys(v)).toEqual([
      'ageBand',
      'appointment',
      'awaitingAction',
      'balance',
      'claim',
      'claims',
      'coding',
      'denial',
      'escalations',
      'filingDeadline',
      'findings',
      'history',
      'nextStep',
      'outcome',
      'patientEstimate',
      'rulesetVersion',
      'stage',
      'summary',
      'underpaidLines',
    ]);
    expect(v.ageBand).toBe('40-49'); // born 1980-02-14, seen 2026-11-20
    expect(v.appointment).toEqual({ serviceDate: '2026-11-20', providerNpi: '1234567893', placeOfService: '11' });
    expect(v.claim).toEqual({
      attempt: 1,
      frequency: '1',
      status: 'paid',
      billedCents: 30000,
      paidCents: 20000,
      patientResponsibilityCents: 5000,
      denialCodes: [],
      coverage: 'primary',
      acknowledged: 'accepted',
      rejection: { kind: '277CA', queue: 'coverage', codes: ['A7:562'] },
    });
    expect(v.claims).toEqual([v.claim]);
    expect(v.denial).toEqual({ code: 'CO-50', category: 'medical_necessity', action: 'appeal', outcome: 'overturned' });
    expect(keys(v.coding!)).toEqual(['diagnoses', 'procedures', 'renderingNpi', 'serviceDate']);
    const text = JSON.stringify(v);
    for (const id of [
      visit.visitId,
      'MRN-4242',
      'MEMBER-77',
      'JANE',
      'DOE',
      '1980-02-14',
      '12 ELM ST',
      'SPRINGFIELD',
      '62701',
      'enc-1',
      'ICN-555',
      'PA-1',
      'AP-9',
      'pk-1',
      '1001',
      'SEC-1',
    ])
      expect([id, text.includes(id)]).toEqual([id, false]);
  });

  test('admin sees every field', () => {
    expect(keys(visitView(['admin'], status))).toEqual(ALL_FIELDS);
  });

  test("several roles get the union: front desk and coder see both views; a whole field beats an analyst's reduced one", () => {
    const both = visitView(['front_desk', 'coder'], status);
    expect(keys(both)).toEqual([...new Set([...keys(visitView(['front_desk'], status)), ...keys(visitView(['coder'], status))])].sort());
    const analystBiller = visitView(['analyst', 'biller'], status);
    expect(analystBiller.claim).toEqual(status.claim);
    expect(analystBiller.visitId).toBe(visit.visitId);
    expect(keys(visitView([], status))).toEqual([]);
  });

  test('absent stays absent: a field the visit does not have yet is not invented as null', () => {
    const early: VisitStatus = { visitId: 'v1', stage: 'intake', history: [], codingProblems: [], findings: [], claims: [], balance: status.balance };
    const v = visitView(['front_desk'], early);
    expect(v).toEqual({ visitId: 'v1', stage: 'intake', history: [], nextStep: 'nothing for a person yet: the visit is at intake' });
  });
});

test("next step in words: the queue's action with the visit id for those who may see it, the template for analysts", () => {
  const parked = { ...status, stage: 'coding_review' as const, outcome: undefined, awaitingAction: 'coding_review' as const };
  expect(visitView(['coder'], parked).nextStep).toBe(
    'the coding checks or the PMS refused the coded encounter: correct the coding (POST /visits/v-views-1/coding)',
  );
  expect(visitView(['analyst'], parked).nextStep).toBe(
    'the coding checks or the PMS refused the coded encounter: correct the coding (POST /visits/{visitId}/coding)',
  );
  expect(visitView(['front_desk'], { ...parked, stage: 'awaiting_encounter', awaitingAction: 'encounter_signature' }).nextStep).toBe(
    'waiting for the clinician to sign the encounter in the EHR',
  );
  expect(visitView(['front_desk'], status).nextStep).toBe('nothing: the visit is closed (paid)');
});

test.each([
  ['1980-02-14', '2026-11-20', '40-49'],
  ['1980-11-21', '2020-11-20', '30-39'], // the day before the 40th birthday
  ['1980-11-20', '2020-11-20', '40-49'],
  ['2026-01-01', '2026-11-20', '0-9'],
  ['1930-01-01', '2026-11-20', '90+'],
  ['2027-01-01', '2026-11-20', undefined],
])('age band of someone born %s on %s is %s', (born, on, band) => {
  expect(ageBand(born, on)).toBe(band);
});

test('a reduced form keeps only the keys its schema names, and never throws on a value it does not describe', () => {
  expect(project(AnalystClaim, { attempt: 1, payerClaimNumber: 'X', rejection: { kind: '999', reason: 'text', queue: 'q', codes: [] } })).toEqual({
    attempt: 1,
    rejection: { kind: '999', queue: 'q', codes: [] },
  });
  expect(project(AnalystClaim, 'not an object')).toBeUndefined();
  expect(project(AnalystClaim, { rejection: 'text' })).toEqual({});
});

test("work queues: billers and coders get the visit id, its action and its Temporal UI page; analysts the queue's facts without them", () => {
  const v = {
    visitId: 'v-7',
    awaitingAction: 'coverage',
    stage: 'awaiting_coverage',
    payerId: '87726',
    serviceDate: '2026-11-20',
    awaitingSince: '2026-11-20T00:00:00Z',
    ageHours: 3,
    deadline: '2026-11-22T00:00:00Z',
    overdue: false,
    reason: 'r',
    action: 'POST /visits/v-7/coverage',
    temporalUiUrl: 'http://ui/visit-v-7',
  };
  expect(queueVisitView(['biller'], v)).toEqual(v);
  expect(queueVisitView(['coder'], v)).toEqual(v);
  const analyst = queueVisitView(['analyst'], v);
  expect(keys(analyst)).toEqual(['ageHours', 'awaitingAction', 'awaitingSince', 'deadline', 'overdue', 'payerId', 'reason', 'serviceDate', 'stage']);
  expect(JSON.stringify(analyst)).not.toContain('v-7');
});

test('every role is named somewhere, and fieldsOf agrees with the view', () => {
  for (const role of ['front_desk', 'coder', 'biller', 'analyst', 'admin'] as Role[]) {
    const { whole, reduced } = fieldsOf(role);
    expect(keys(visitView([role], status))).toEqual([...whole, ...reduced].sort());
  }
});

test('docs/security.md shows the same role → fields table as the code', () => {
  const doc = readFileSync(join(__dirname, '..', 'docs', 'security.md'), 'utf8');
  const table = /<!-- visit-views:start[^\n]*\n([\s\S]*?)\n<!-- visit-views:end -->/.exec(doc)?.[1];
  expect(table).toBe(visitViewsTable());
});
