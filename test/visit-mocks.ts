/** Mocked visit activities, typed as the real ones, recording what the workflow asked for. */
import type { VisitActivities } from '../activities';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlaybook, planDenial } from '../domain/billing/denials';
import { sampleEncounter } from './fixtures';

const playbook = parsePlaybook(readFileSync(join(__dirname, '..', 'domain', 'billing', 'data', 'denial-playbook.csv'), 'utf8'));

export interface Calls {
  submitted: { attempt: number; frequency: string; payerClaimNumber?: string }[];
  eligibility: number;
  closed: string[];
}

interface MockOptions {
  active?: boolean[];
  signed?: { visitId: string; encounterId: string }[];
  overrides?: Partial<VisitActivities>;
}

export function mockActivities({ active = [true], signed = [], overrides = {} }: MockOptions = {}): { acts: VisitActivities; calls: Calls } {
  const calls: Calls = { submitted: [], eligibility: 0, closed: [] };
  const acts: VisitActivities = {
    recordIntake: async () => undefined,
    prepopulateEhr: async () => ({ patientRef: 'Patient/1', coverageRef: 'Coverage/1', appointmentRef: 'Appointment/1' }),
    checkEligibility: async () => ({ active: active[Math.min(calls.eligibility++, active.length - 1)], messages: [] }),
    fetchEncounter: async ({ encounterId }) => sampleEncounter(encounterId),
    recordCodingCorrection: async ({ encounter }) => encounter,
    postCharges: async () => [
      { lineNumber: 1, code: '99214', modifiers: ['25'], units: 1, chargeCents: 19500, diagnosisPointers: [1, 2] },
      { lineNumber: 2, code: '20610', modifiers: ['RT'], units: 1, chargeCents: 18000, diagnosisPointers: [1] },
    ],
    submitClaim: async ({ attempt, frequency, payerClaimNumber }) => {
      calls.submitted.push({ attempt, frequency, payerClaimNumber });
      return { controlNumber: 1000 + attempt, billedCents: 37500 };
    },
    recordAcknowledgment: async () => undefined,
    recordRemittance: async () => ({ underpaid: [] }),
    planDenial: async ({ codes }) => planDenial(codes, playbook), // the real playbook data
    closeVisit: async ({ outcome }) => void calls.closed.push(outcome),
    findSignedEncounters: async () => signed,
    ...overrides,
  };
  return { acts, calls };
}

