import { AwaitingAction } from '../failures';
import { queueOf, queueTiming, temporalUiLinks, visibilityQuery, WAITING_ON_OTHERS, WORK_QUEUES, workQueue, workQueuesFor } from './work-queues';

test('every awaited action that needs a person is in exactly one queue; the others are in none', () => {
  const actions = WORK_QUEUES.flatMap((q) => q.awaitingActions);
  expect(new Set(actions).size).toBe(actions.length);
  for (const a of Object.values(AwaitingAction)) {
    expect([a, queueOf(a) !== undefined]).toEqual([a, !WAITING_ON_OTHERS.includes(a)]);
  }
  for (const id of ['coverage', 'coding_review', 'claim_rejected', 'denial_review', 'underpaid', 'needs_attention']) expect(workQueue(id)).toBeDefined();
});

test('an awaited action added to the vocabulary gets a queue of its own; a group of actions not in it does not show', () => {
  const queues = workQueuesFor([...Object.values(AwaitingAction), 'appeal_due', 'collections']);
  expect(queues.find((q) => q.id === 'appeal_due')?.awaitingActions).toEqual(['appeal_documents', 'appeal_due']);
  expect(queues.find((q) => q.id === 'collections')).toMatchObject({ awaitingActions: ['collections'], slaHours: 24, title: 'Collections' });
  expect(workQueuesFor(['coding_review']).map((q) => q.id)).toEqual(['coding_review']);
});

test('the visibility query and the Temporal UI links', () => {
  const q = workQueue('claim_rejected')!;
  expect(visibilityQuery(q)).toBe("ExecutionStatus = 'Running' AND AwaitingAction IN ('claim_data')");
  const links = temporalUiLinks('http://localhost:8233/', 'default');
  expect(links.list(visibilityQuery(q))).toBe(`http://localhost:8233/namespaces/default/workflows?query=${encodeURIComponent(visibilityQuery(q))}`);
  expect(links.workflow('visit-v-1')).toBe('http://localhost:8233/namespaces/default/workflows/visit-v-1');
});

test('age and deadline from when the visit began waiting', () => {
  const q = workQueue('coding_review')!; // 24 h
  expect(queueTiming(q, '2026-11-01T00:00:00.000Z', new Date('2026-11-01T06:00:00Z'))).toEqual({
    ageHours: 6,
    deadline: '2026-11-02T00:00:00.000Z',
    overdue: false,
  });
  expect(queueTiming(q, '2026-11-01T00:00:00.000Z', new Date('2026-11-03T00:00:00Z')).overdue).toBe(true);
});
