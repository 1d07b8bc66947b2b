/** Activities that talk to the EHR (FHIR R4) and record what it answered. */
import { ApplicationFailure } from '@temporalio/activity';
import * as billing from '../db/billing';
import type { Db } from '../db/knex';
import type { CodedEncounter, StartVisit } from '../domain/visit';
import type { EhrClient, EhrRefs } from '../integrations/ehr/types';

export function ehrActivities(db: Db, ehr: EhrClient) {
  return {
    /** PMS → EHR: Patient, Coverage and Appointment, so nobody keys them again. */
    async prepopulateEhr(visit: StartVisit): Promise<EhrRefs> {
      const refs = await ehr.prepopulate(visit);
      await billing.saveEhrRefs(db, visit, refs);
      return refs;
    },

    async fetchEncounter(input: { visitId: string; encounterId: string }): Promise<CodedEncounter> {
      let encounter: CodedEncounter;
      try {
        encounter = await ehr.getCodedEncounter(input.encounterId);
      } catch (err) {
        throw asBusinessFailure(err);
      }
      await billing.saveEncounter(db, input.visitId, encounter);
      return encounter;
    },
  };
}

/** Typed EHR errors a retry cannot fix become non-retryable failures the workflow branches on. */
function asBusinessFailure(err: unknown): unknown {
  const e = err as { code?: string; message?: string; problems?: unknown[] };
  if (e?.code === 'ENCOUNTER_NOT_BILLABLE') {
    return ApplicationFailure.create({ type: 'EncounterNotBillable', message: e.message, nonRetryable: true, details: [e.problems ?? []] });
  }
  if (e?.code === 'ENCOUNTER_NOT_FOUND') {
    return ApplicationFailure.create({ type: 'EncounterNotBillable', message: e.message, nonRetryable: true, details: [[{ path: 'encounterId', reason: e.message }]] });
  }
  return err;
}
