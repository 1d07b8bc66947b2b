/**
 * End to end with the clearinghouse over CAQH CORE (SOAP 1.2 + WS-Security): the API, a
 * worker, Postgres, Temporal and the simulators; the 270 and 837P go as CORE envelopes and
 * the 999, 277CA and 835 wait in the simulator's mailbox until the clearinghouse-mailbox
 * Schedule fetches them. No clearinghouse webhook is called.
 */
import { findClaim } from '../db/claims';
import { sampleVisit, signedEncounter } from './fixtures';
import { reach, startTestStack, type TestStack } from './stack';
import { uniqueId } from './support';

// A whole visit through the stack, with the mailbox polled each second: as long as the other end-to-end files allow.
jest.setTimeout(180_000);

describe('a visit with the clearinghouse over CORE SOAP', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      pmsMode: 'rest',
      env: {
        CLEARINGHOUSE_TRANSPORT: 'core-soap',
        CLEARINGHOUSE_POLL_EVERY_MS: '1000',
        CLEARINGHOUSE_CORE_USERNAME: 'northside',
        CLEARINGHOUSE_CORE_PASSWORD: 'core-test-password',
      },
    });
  });
  afterAll(() => stack.stop());

  test('runs from eligibility to paid; the answers came by retrieval, each recorded once in inbound_files', async () => {
    const visit = sampleVisit(uniqueId('v'), 'W100200300');
    expect((await stack.api.post('/visits').send(visit)).status).toBe(201);
    await reach(stack, visit.visitId, 'awaiting_encounter');
    await stack.ehr.signEncounter(signedEncounter(visit.visitId));
    const closed = await reach(stack, visit.visitId, 'closed');
    expect(closed.outcome).toBe('paid');
    expect(closed.claim).toMatchObject({ status: 'paid', frequency: '1' });

    const claim = await findClaim(stack.db, visit.visitId, 1);
    // The 837P went once (a resend would have carried the same PayloadID and changed nothing).
    expect(stack.clearinghouse.submissions().filter((s) => Number(s.controlNumber) === Number(claim!.interchange_control_number))).toHaveLength(1);
    expect(stack.clearinghouse.deliveries().every((d) => d.status === 204)).toBe(true);
    const files = await stack.db('inbound_files').where({ source: 'core' }).select('name', 'delivered_at');
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(files.every((f) => f.delivered_at !== null)).toBe(true);
    expect(stack.clearinghouse.mailboxWaiting()).toBe(0);
  });
});
