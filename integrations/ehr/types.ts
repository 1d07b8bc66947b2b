import type { EncounterSignal } from '../../domain/fhir/notification';
import type { CodedEncounter, StartVisit } from '../../domain/visit';

/** References to what was written in the EHR, so later steps (and retries) find the same resources. */
export interface EhrRefs {
  patientRef: string; // e.g. "Patient/123"
  coverageRef: string;
  appointmentRef: string;
}

/**
 * The EHR as revcycle needs it. Implemented over FHIR R4 REST; every write is
 * found-by-identifier first, so a retried call never creates a duplicate.
 * Errors: transport failures throw plain errors (Temporal retries them); a coded
 * encounter that cannot be billed throws `EncounterNotBillableError` from domain.
 */
export interface EhrClient {
  /** PMS → EHR pre-population: Patient, Coverage and Appointment (identifier urn:revcycle:visit = visitId). */
  prepopulate(visit: StartVisit): Promise<EhrRefs>;
  /** The signed (finished) encounter with its Conditions, Procedures and rendering Practitioner, mapped to our model. */
  getCodedEncounter(encounterId: string): Promise<CodedEncounter>;
  /** The safety net for lost webhooks: encounters finished (signed) since an instant, with their visit when known. */
  findFinishedEncounters(since: string): Promise<EncounterSignal[]>;
}
