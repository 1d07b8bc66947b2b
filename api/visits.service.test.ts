import type { Client } from '@temporalio/client';
import { FailureType } from '../domain/failures';
import type { VisitStatus } from '../workflows/definitions';
import { ApiError } from './errors';
import { statusReader } from './visits.service';

/** A Temporal client whose status queries stay out until the test answers them, counting each query sent. */
function pendingTemporal() {
  const sent: { workflowId: string; answer: (s: Partial<VisitStatus>) => void }[] = [];
  const temporal = {
    workflow: {
      getHandle: (workflowId: string) => ({
        query: () => new Promise((answer) => sent.push({ workflowId, answer })),
      }),
    },
  } as unknown as Client;
  return { temporal, sent };
}

test('concurrent reads of one visit share one Temporal query and all get its answer; the next read sends a new one', async () => {
  const { temporal, sent } = pendingTemporal();
  const read = statusReader(temporal, 10);
  const reads = [read('v1'), read('v1'), read('v1')];
  expect(sent.map((q) => q.workflowId)).toEqual(['visit-v1']);
  sent[0].answer({ stage: 'closed' });
  expect((await Promise.all(reads)).map((s) => s.stage)).toEqual(['closed', 'closed', 'closed']);

  const later = read('v1');
  expect(sent).toHaveLength(2);
  sent[1].answer({ stage: 'closed' });
  await later;
});

test('past maxPending distinct queries out, a read is refused at once with 503 TEMPORAL_BUSY and Retry-After; reads of a visit already out still join', async () => {
  const { temporal, sent } = pendingTemporal();
  const read = statusReader(temporal, 2);
  const out = [read('a'), read('b')];
  const refused = await read('c').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(refused).toBeInstanceOf(ApiError);
  expect(refused).toMatchObject({ status: 503, code: FailureType.TemporalBusy, retryAfterSeconds: 1 });
  expect((refused as ApiError).message).toMatch(/API_MAX_PENDING_READS/);
  const joined = read('a');
  expect(sent).toHaveLength(2);

  for (const q of sent) q.answer({ stage: 'closed' });
  await Promise.all([...out, joined]);
  const afterwards = read('c'); // room again
  expect(sent).toHaveLength(3);
  sent[2].answer({ stage: 'closed' });
  await afterwards;
});
