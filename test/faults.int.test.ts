/**
 * Under faults: every simulator fails 20% of calls (5xx / HL7 AR) and drops 10% of its
 * acknowledgments after doing the work; on top, 10% of outbound deliveries (EHR and
 * clearinghouse notifications, HL7 messages) come twice and 20% of clearinghouse batches
 * arrive out of order. 50 visits must all close, and each PMS charge, each claim
 * submission and each payment must exist exactly once.
 */
import { sampleVisit } from './fixtures';
import { reach, startTestStack, type TestStack } from './stack';
import { uniqueId } from './support';

const VISITS = 50;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ pmsMode: 'hl7', faults: { seed: 7, errorRate: 0.2, dropAckRate: 0.1, duplicateRate: 0.1, reorderRate: 0.2 } });
});
afterAll(() => stack.stop());

// Fifty visits through retries and backoff: under a minute here, with room for a loaded machine.
jest.setTimeout(180_000);

test(`${VISITS} visits through failing simulators all reach closed, with nothing posted twice`, async () => {
  const before = { patients: stack.ehr.count('Patient'), appointments: stack.ehr.count('Appointment'), coverages: stack.ehr.count('Coverage') };
  const visits = Array.from({ length: VISITS }, () => sampleVisit(uniqueId('f'), 'W7000'));
  for (const v of visits) expect((await stack.api.post('/visits').send(v)).status).toBe(201);
  await Promise.all(visits.map((v) => reach(stack, v.visitId, 'awaiting_encounter')));
  for (const v of visits) {
    await stack.ehr.signEncounter({
      visitId: v.visitId,
      renderingNpi: '1234567893',
      diagnoses: [{ code: 'J06.9', rank: 1 }],
      procedures: [
        { code: '99213', diagnosisPointers: [1] },
        { code: '87880', diagnosisPointers: [1] },
      ],
    });
  }
  const closed = await Promise.all(visits.map((v) => reach(stack, v.visitId, 'closed')));

  expect(closed.map((s) => s.outcome)).toEqual(visits.map(() => 'paid'));
  for (const v of visits) expect(stack.pms.charges(v.visitId).map((c) => c.code)).toEqual(['99213', '87880']);
  const claims = await stack.db('claims').whereIn(
    'visit_id',
    visits.map((v) => v.visitId),
  );
  expect(claims).toHaveLength(VISITS);
  const payments = await stack.db('payments').whereIn(
    'visit_id',
    visits.map((v) => v.visitId),
  );
  expect(payments).toHaveLength(VISITS);
  // Pre-population under dropped acks: one Patient, Coverage and Appointment per visit in the EHR.
  expect({
    patients: stack.ehr.count('Patient') - before.patients,
    appointments: stack.ehr.count('Appointment') - before.appointments,
    coverages: stack.ehr.count('Coverage') - before.coverages,
  }).toEqual({ patients: VISITS, appointments: VISITS, coverages: VISITS });

  // The faults really happened, on every simulator.
  for (const f of Object.values(stack.faults)) {
    expect(f.injected.error).toBeGreaterThan(0);
    expect(f.injected.dropAck).toBeGreaterThan(0);
  }
  expect(stack.faults.clearinghouse.injected.duplicate).toBeGreaterThan(0);
  expect(stack.faults.clearinghouse.injected.reorder).toBeGreaterThan(0);
  expect(stack.faults.ehr.injected.duplicate).toBeGreaterThan(0);
});
