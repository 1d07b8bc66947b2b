/** Mocked visit activities, typed as the real ones, recording what the workflow asked for. */
import type { Client } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { VisitActivities } from '../activities';
import { withFailureMapping } from '../activities/failures';
import { bundleWorkflows, createVisitWorker } from '../app/worker';
import { temporalClients, uniqueId } from './support';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlaybook, planDenial } from '../domain/billing/denials';
import { parseRejectionRules, readAcknowledgment } from '../domain/billing/acknowledgments';
import type { Finding, ScrubResult } from '../domain/billing/findings';
import { sampleEncounter } from './fixtures';

const rejectionRules = parseRejectionRules(readFileSync(join(__dirname, '..', 'domain', 'billing', 'data', 'claim-rejections.csv'), 'utf8'));
const playbook = parsePlaybook(readFileSync(join(__dirname, '..', 'domain', 'billing', 'data', 'denial-playbook.csv'), 'utf8'));

export interface Calls {
  submitted: { attempt: number; frequency: string; payerClaimNumber?: string }[];
  submittedWith: { rulesetVersion?: string; filingIndicator?: string; lineCodes: string[] }[];
  scrubbed: string[][];
  eligibility: number;
  closed: string[];
  /** Dates of service the visit was moved to (SIU^S14). */
  rescheduled: string[];
  /** Patient statements recorded (sequence numbers), and how patient balances ended. */
  statements: number[];
  patientBalances: string[];
}

interface MockOptions {
  active?: boolean[];
  signed?: { visitId: string; encounterId: string }[];
  overrides?: Partial<VisitActivities>;
}

export function mockActivities({ active = [true], signed = [], overrides = {} }: MockOptions = {}): { acts: VisitActivities; calls: Calls } {
  const calls: Calls = { submitted: [], submittedWith: [], scrubbed: [], eligibility: 0, closed: [], rescheduled: [], statements: [], patientBalances: [] };
  const acts: VisitActivities = {
    recordIntake: async () => ({ filingDeadline: '2027-11-20' }),
    recordEscalation: async () => undefined,
    pollClearinghouseMailbox: async () => ({ read: 0, received: 0, delivered: 0 }),
    prepopulateEhr: async () => ({ patientRef: 'Patient/1', coverageRef: 'Coverage/1', appointmentRef: 'Appointment/1' }),
    checkEligibility: async () => ({ active: active[Math.min(calls.eligibility++, active.length - 1)], messages: [] }),
    fetchEncounter: async ({ encounterId }) => sampleEncounter(encounterId),
    recordCodingCorrection: async ({ encounter }) => encounter,
    // Stands in for the scrubber: M54.5 (M545) is a header code on these dates of service.
    scrubClaim: async ({ encounter }) => {
      calls.scrubbed.push(encounter.diagnoses.map((d) => d.code));
      return scrubOf(encounter.diagnoses.flatMap((d, i) => (d.code === 'M545' ? [headerFinding(i)] : [])));
    },
    postCharges: async () => [
      { lineNumber: 1, code: '99214', modifiers: ['25'], units: 1, chargeCents: 19500, diagnosisPointers: [1, 2] },
      { lineNumber: 2, code: '20610', modifiers: ['RT'], units: 1, chargeCents: 18000, diagnosisPointers: [1] },
    ],
    submitClaim: async ({ attempt, frequency, payerClaimNumber, rulesetVersion, filingIndicator, lines }) => {
      calls.submitted.push({ attempt, frequency, payerClaimNumber });
      calls.submittedWith.push({ rulesetVersion, filingIndicator, lineCodes: lines.map((l) => l.code) });
      return { controlNumber: 1000 + attempt, billedCents: 37500 };
    },
    recordAcknowledgment: async ({ ack }) => readAcknowledgment(ack, rejectionRules), // the real routing data
    recordRemittance: async () => ({ underpaid: [] }),
    planDenial: async ({ codes }) => planDenial(codes, playbook), // the real playbook data
    recordDenialOutcome: async () => undefined,
    findOriginalPayment: async () => undefined,
    reviewTimelyFiling: async () => ({ deadline: '2027-11-20', proof: { acceptedOn: '2026-11-21', attempt: 1, reference: 'ClaimEvent/1' } }),
    closeVisit: async ({ outcome }) => void calls.closed.push(outcome),
    recordStageChange: async () => undefined,
    findSignedEncounters: async () => signed,
    submitAppeal: async ({ visitId, attempt }) => ({
      packetId: `${visitId}-${attempt}-appeal`,
      appealId: 'APL1',
      status: 'submitted',
      deadline: '2027-05-19',
      documents: 1,
    }),
    inquireClaimStatus: async () => ({ finding: 'pended', action: 'wait', codes: ['P1:20'], text: 'Pending/In Process' }),
    syncEhrRegistration: async () => undefined,
    openVisitsOfPatient: async () => [],
    recordRegistrationChange: async () => undefined,
    rescheduleVisit: async (visit) => void calls.rescheduled.push(visit.appointment.serviceDate),
    openPatientBalance: async ({ openingCents, openedAt }) => ({ openingCents, openedAt, payments: [], statements: [], writtenOffCents: 0 }),
    recordPatientStatement: async ({ sequence }) => void calls.statements.push(sequence),
    recordPatientPayment: async ({ payment }) => payment,
    closePatientBalance: async ({ resolution }) => void calls.patientBalances.push(resolution),
    ...overrides,
  };
  return { acts, calls };
}

function headerFinding(i: number): Finding {
  const path = `diagnoses[${i}].code`;
  return {
    id: `ICD10_HEADER@${path}`,
    ruleId: 'ICD10_HEADER',
    severity: 'error',
    path,
    message: 'M54.5 (Low back pain) is a header code, not billable on 2026-11-20: use a more specific code, e.g. M54.50, M54.51, M54.59',
    suggestion: { field: 'code', path, options: ['M5450', 'M5451', 'M5459'] },
  };
}

const scrubOf = (findings: Finding[]): ScrubResult => ({
  rulesetVersion: 'rs-test',
  findings,
  blocked: findings.some((f) => f.severity === 'error'),
  filingIndicator: 'CI',
});

/**
 * One Temporal client and one workflow bundle per test file, and a worker per test on its own
 * task queue running the given activities (registers the file's beforeAll/afterAll).
 */
export function workflowTestEnv(opts: { mapFailures?: boolean } = {}) {
  let clients: Awaited<ReturnType<typeof temporalClients>>;
  let bundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    clients = await temporalClients();
    bundle = await bundleWorkflows();
  });
  afterAll(() => clients.close());
  return {
    client: (): Client => clients.client,
    async withWorker<T>(acts: VisitActivities, fn: (taskQueue: string) => Promise<T>): Promise<T> {
      const taskQueue = uniqueId('tq');
      const activities = opts.mapFailures ? withFailureMapping(acts) : acts;
      const worker = await createVisitWorker({ connection: clients.nativeConnection, taskQueue, activities, workflowBundle: bundle });
      return worker.runUntil(fn(taskQueue));
    },
  };
}
