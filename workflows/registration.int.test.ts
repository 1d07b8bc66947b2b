/**
 * registrationChangeWorkflow on a real Temporal test server with mocked activities: an
 * ADT^A08 reaches the EHR and every open visit of the patient; the visit applies it once,
 * and a changed coverage is checked again before its claim goes out.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RegistrationChange } from '../domain/registration';
import { sampleVisit } from '../test/fixtures';
import { recordHistory } from '../test/histories';
import { eventually, uniqueId } from '../test/support';
import { mockActivities, workflowTestEnv } from '../test/visit-mocks';
import { encounterSignedSignal, statusQuery, type VisitStatus } from './definitions';
import { registrationChangeWorkflow } from './registration';
import { visitWorkflow } from './visit/visit';

const env = workflowTestEnv();
const timers = { coverageDeadlineMs: 60_000, ackTimeoutMs: 60_000, adjudicationTimeoutMs: 60_000, activityTimeoutMs: 5_000 };

const status = (h: WorkflowHandle): Promise<VisitStatus> => h.query(statusQuery);

test('an A08 with a new member id updates the EHR, reaches the open visit once, and eligibility is checked again before the claim', async () => {
  const visitId = uniqueId('v');
  const visit = sampleVisit(visitId, 'W1');
  const synced: RegistrationChange[] = [];
  const { acts, calls } = mockActivities({
    overrides: {
      syncEhrRegistration: async (change) => void synced.push(change),
      openVisitsOfPatient: async ({ patientId }) => (patientId === visit.patient.patientId ? [visitId, 'v-closed-since'] : []),
    },
  });
  await env.withWorker(acts, async (taskQueue) => {
    const handle = await env.client().workflow.start(visitWorkflow, { workflowId: `visit-${visitId}`, taskQueue, args: [{ visit, timers }] });
    await eventually(async () => (await status(handle)).stage === 'awaiting_encounter', { what: 'stage awaiting_encounter' });

    const change: RegistrationChange = { changeKey: 'MSG-1', patient: visit.patient, coverage: { ...visit.coverage, memberId: 'W2' } };
    const registration = await env.client().workflow.start(registrationChangeWorkflow, { workflowId: uniqueId('registration'), taskQueue, args: [{ change }] });
    const result = await registration.result();
    expect(result).toEqual({ ehrUpdated: true, visits: [visitId] }); // the closed visit is skipped, not an error
    expect(synced.map((c) => c.coverage?.memberId)).toEqual(['W2']);
    // The same message again (a second registration workflow would never start; a redelivered signal is ignored).
    await handle.signal('registrationChanged', change);
    const changed = await eventually(
      async () => {
        const s = await status(handle);
        return !!s.changes?.length && s;
      },
      { what: 'the registration change on the status' },
    );
    expect(changed.changes).toEqual([{ at: expect.any(String), changes: ['coverage'] }]);

    await handle.signal(encounterSignedSignal, { encounterId: 'enc-1' });
    await eventually(async () => calls.submitted.length === 1, { what: 'the claim submitted' });
    expect(calls.eligibility).toBe(2);
    await recordHistory(registration, 'registration-change');
    await handle.terminate('test done');
  });
});

test('an EHR that refuses the change does not hold the visits back', async () => {
  const { acts } = mockActivities({
    overrides: {
      syncEhrRegistration: async () => {
        throw ApplicationFailure.create({ message: 'Patient: HTTP 422', type: 'EHR_REQUEST_REJECTED', nonRetryable: true });
      },
      openVisitsOfPatient: async () => [],
    },
  });
  await env.withWorker(acts, async (taskQueue) => {
    const visit = sampleVisit(uniqueId('v'));
    const result = await env.client().workflow.execute(registrationChangeWorkflow, {
      workflowId: uniqueId('registration'),
      taskQueue,
      args: [{ change: { changeKey: 'MSG-2', patient: visit.patient }, retry: { maximumAttempts: 2 } }],
    });
    expect(result).toMatchObject({ ehrUpdated: false, ehrProblem: expect.stringMatching(/HTTP 422/), visits: [] });
  });
});
