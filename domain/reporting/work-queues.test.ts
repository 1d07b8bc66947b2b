import { queueTiming, temporalUiLinks, visibilityQuery, WORK_QUEUES, workQueue } from './work-queues';

test('every queue the issue names exists, once, and no awaited action feeds two queues', () => {
  expect(WORK_QUEUES.map((q) => q.id)).toEqual([
    'coverage', 'coding_review', 'claim_rejected', 'denial_review', 'appeal_due', 'underpaid', 'unmatched_remittance', 'needs_attention',
  ]);
  const actions = WORK_QUEUES.flatMap((q) => q.awaitingActions);
  expect(new Set(actions).size).toBe(actions.length);
});

test('the visibility query and the Temporal UI links', () => {
  const q = workQueue('claim_rejected')!;
  expect(visibilityQuery(q)).toBe("ExecutionStatus = 'Running' AND AwaitingAction IN ('claim_data')");
  const links = temporalUiLinks('http://localhost:8233/', 'default');
  expect(links.list(visibilityQuery(q))).toBe(`http://localhost:8233/namespaces/default/workflows?query=${encodeURIComponent(visibilityQuery(q))}`);
  expect(links.visit('v-1')).toBe('http://localhost:8233/namespaces/default/workflows/visit-v-1');
});

test('age and deadline from when the visit began waiting', () => {
  const q = workQueue('coding_review')!; // 24 h
  expect(queueTiming(q, '2026-11-01T00:00:00.000Z', new Date('2026-11-01T06:00:00Z'))).toEqual({ ageHours: 6, deadline: '2026-11-02T00:00:00.000Z', overdue: false });
  expect(queueTiming(q, '2026-11-01T00:00:00.000Z', new Date('2026-11-03T00:00:00Z')).overdue).toBe(true);
});
