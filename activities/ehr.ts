/** Activities that talk to the EHR (FHIR R4) and record what it answered. */
import * as billing from '../db/billing';
import type { Db } from '../db/knex';
import { recordVisitEvent } from '../db/visit-events';
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

    /** Signed encounters the webhook may have missed, with the visit each belongs to (ours only). */
    async findSignedEncounters(input: { since: string }): Promise<{ visitId: string; encounterId: string }[]> {
      const found: { visitId: string; encounterId: string }[] = [];
      for (const s of await ehr.findFinishedEncounters(input.since)) {
        const visitId = s.visitId ?? (s.appointmentRef ? await billing.visitIdForAppointmentRef(db, s.appointmentRef) : undefined);
        if (visitId) found.push({ visitId, encounterId: s.encounterId });
      }
      return found;
    },

    /** The signed encounter as coded in the EHR; what cannot be billed comes back as EncounterNotBillable. */
    async fetchEncounter(input: { visitId: string; encounterId: string }): Promise<CodedEncounter> {
      const encounter = await ehr.getCodedEncounter(input.encounterId);
      await billing.saveEncounter(db, input.visitId, encounter);
      await recordVisitEvent(db, {
        type: 'encounter_signed', visitId: input.visitId, key: `${input.visitId}:encounter:${encounter.encounterId}`,
        encounterId: encounter.encounterId, cptCodes: encounter.procedures.map((p) => p.code),
      });
      return encounter;
    },
  };
}
