/**
 * The scrubber end to end: the real API, worker, Postgres (with the code sets the run's
 * template holds: the full ICD-10-CM FY2021, April 2025 and April 2026 releases and our
 * seed files), Temporal and
 * the simulators. What a coder sees: the visit waits in coding review, GET /visits/:id
 * names the problem and the fix, and accepting the fix sends the claim on to be paid.
 */
import { findClaim } from '../db/claims';
import { parse837P } from '../domain/x12/parse-837p';
import type { VisitStatus } from '../workflows/definitions';
import { sampleVisit } from './fixtures';
import { reach, startTestStack, type TestStack } from './stack';
import { eventually, uniqueId } from './support';

let stack: TestStack;
// Starting the stack bundles the workflow code for the worker: slow on a busy machine, so the hook gets 3 minutes.
beforeAll(async () => {
  stack = await startTestStack({ pmsMode: 'rest' });
}, 180_000);
afterAll(() => stack?.stop());

type Line = { code: string; modifiers?: string[]; units?: number; diagnosisPointers: number[] };

/** Today's claims are dated in FY2027, which is not loaded: every scrub of them says so, as a warning that does not stop the claim. */
const FY2027_NOT_LOADED = expect.objectContaining({
  id: 'ICD10_RELEASE_NOT_LOADED@diagnoses',
  severity: 'warning',
  message: expect.stringContaining(
    'ICD-10-CM FY2027 (in effect from 2026-10-01) is in force on 2026-11-20 and is not loaded: the diagnoses were checked against April 2026',
  ),
});
const stopping = (s: VisitStatus) => s.findings.filter((f) => f.severity === 'error');

async function signedVisit(diagnoses: string[], procedures: Line[], serviceDate?: string): Promise<{ visitId: string; review: VisitStatus }> {
  const sample = sampleVisit(uniqueId('v'), 'W555000111');
  const visit = serviceDate ? { ...sample, appointment: { ...sample.appointment, serviceDate } } : sample;
  expect((await stack.api.post('/visits').send(visit)).status).toBe(201);
  await reach(stack, visit.visitId, 'awaiting_encounter');
  await stack.ehr.signEncounter({
    visitId: visit.visitId,
    renderingNpi: '1234567893',
    diagnoses: diagnoses.map((code, i) => ({ code, rank: i + 1 })),
    procedures,
  });
  return { visitId: visit.visitId, review: await reach(stack, visit.visitId, 'coding_review') };
}

test('M54.5 on a 2026 date of service waits in coding review naming M54.50; accepting it sends the claim out and it is paid', async () => {
  const { visitId, review } = await signedVisit(['M54.5'], [{ code: '99213', diagnosisPointers: [1] }]);
  expect(review.awaitingAction).toBe('coding_review');
  expect(review.findings).toEqual([
    FY2027_NOT_LOADED,
    expect.objectContaining({
      id: 'ICD10_HEADER@diagnoses[0].code',
      severity: 'error',
      message: expect.stringMatching(
        /^M54\.5 \(Low back pain\) is a header code, not billable on 2026-11-20 in ICD-10-CM April 2026, the newest loaded .*: use a more specific code, e\.g\. M54\.50, M54\.51, M54\.59$/,
      ),
      suggestion: { field: 'code', path: 'diagnoses[0].code', options: ['M5450', 'M5451', 'M5459'] },
    }),
  ]);
  expect(review.rulesetVersion).toMatch(/^rs-[0-9a-f]{12}$/);
  expect(stack.pms.charges(visitId)).toEqual([]); // nothing was charged

  const header = review.findings[1];
  const refused = await stack.api.post(`/visits/${visitId}/coding/suggestions`).send({ findingId: header.id, choice: 'M54.9' });
  expect(refused.status).toBe(422);
  expect(refused.body).toMatchObject({
    code: 'SUGGESTION_REJECTED',
    message: expect.stringContaining('not one of the suggested codes'),
    issues: [{ path: 'choice' }],
  });
  const malformed = await stack.api.post(`/visits/${visitId}/coding/suggestions`).send({ choice: 'M54.50' });
  expect(malformed.status).toBe(400);
  expect(malformed.body.issues).toEqual([expect.objectContaining({ path: 'findingId' })]);

  const accepted = await stack.api.post(`/visits/${visitId}/coding/suggestions`).send({ findingId: header.id, choice: 'M54.50' });
  expect(accepted.status).toBe(200);
  const closed = await reach(stack, visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.findings).toContainEqual(FY2027_NOT_LOADED);
  expect(stopping(closed)).toEqual([]);

  const claim = await findClaim(stack.db, visitId, 1);
  expect(parse837P(claim!.x12).batch.claims[0].diagnoses).toEqual(['M5450']);
  const row = await stack.db('claims').where({ visit_id: visitId }).first('ruleset_version');
  expect(row.ruleset_version).toBe(closed.rulesetVersion);
  expect(closed.claim?.rulesetVersion).toBe(closed.rulesetVersion);
  const audit = await stack.db('audit_log').where({ visit_id: visitId }).whereIn('action', ['claim.scrub_failed', 'claim.scrubbed']).orderBy('id');
  expect(audit.map((a) => [a.action, a.detail.rulesetVersion])).toEqual([
    ['claim.scrub_failed', closed.rulesetVersion],
    ['claim.scrubbed', closed.rulesetVersion],
  ]);
});

test('99213 at 5 units is stopped by the MUE', async () => {
  const { review } = await signedVisit(['M54.50'], [{ code: '99213', units: 5, diagnosisPointers: [1] }]);
  expect(stopping(review)).toEqual([
    expect.objectContaining({
      ruleId: 'MUE_DAY',
      severity: 'error',
      line: 1,
      message: '5 units of 99213 on 2026-11-20; the MUE allows 1 per day (adjudication indicator 2, policy: no modifier or appeal raises it)',
    }),
  ]);
});

test("99213 and 99214 on the same day are stopped; a coder's correction passes", async () => {
  const { visitId, review } = await signedVisit(
    ['M54.50', 'E11.9'],
    [
      { code: '99213', diagnosisPointers: [1] },
      { code: '99214', diagnosisPointers: [2] },
    ],
  );
  expect(stopping(review).map((f) => [f.ruleId, f.line])).toEqual([['EM_SAME_DAY', 2]]);
  expect(stopping(review)[0].message).toContain('99213 (line 1) and 99214 (line 2) are two E/M visits on 2026-11-20');
  const fixed = {
    encounterId: review.encounterId,
    serviceDate: '2026-11-20',
    renderingNpi: '1234567893',
    diagnoses: [
      { code: 'M5450', rank: 1 },
      { code: 'E119', rank: 2 },
    ],
    procedures: [{ code: '99214', diagnosisPointers: [1, 2] }],
  };
  expect((await stack.api.post(`/visits/${visitId}/coding`).send(fixed)).status).toBe(200);
  const submitted = await eventually(
    async () => {
      const s = (await stack.api.get(`/visits/${visitId}`)).body as VisitStatus;
      return s.claim && s;
    },
    { what: 'the corrected visit to submit its claim' },
  );
  // Warnings only: FY2027 not loaded, and E11's "use additional code to identify control" (insulin, oral drugs).
  expect(submitted.findings.map((f) => f.ruleId)).toEqual(['ICD10_RELEASE_NOT_LOADED', 'ICD10_USE_ADDITIONAL']);
  expect(submitted.claim?.billedCents).toBe(19500);
});

test('M54.5 on a 2023-05-10 claim (no release loaded for that day) stops for coding review: April 2025 decides, and the change since FY2021 names M54.50/M54.51/M54.59', async () => {
  const { review } = await signedVisit(['M54.5'], [{ code: '99213', diagnosisPointers: [1] }], '2023-05-10');
  expect(review.awaitingAction).toBe('coding_review');
  expect(review.findings).toContainEqual(
    expect.objectContaining({
      id: 'ICD10_HEADER@diagnoses[0].code',
      severity: 'error',
      message: expect.stringContaining('M54.5: billable in FY2021, a header by April 2025: use M54.50, M54.51 or M54.59'),
      suggestion: { field: 'code', path: 'diagnoses[0].code', options: ['M5450', 'M5451', 'M5459'] },
    }),
  );
  expect(review.findings.map((f) => f.ruleId)).not.toContain('ICD10_RELEASE_NOT_LOADED');
});
