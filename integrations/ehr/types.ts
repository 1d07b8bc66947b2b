import type { EncounterSignal } from '../../domain/fhir/notification';
import type { Registration } from '../../domain/hl7/adt';
import type { ClinicalNote } from '../../domain/fhir/notes';
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
  /**
   * PMS changes → EHR: the Patient and each Coverage as the PMS now has them (ADT^A08), by
   * conditional update on revcycle's identifiers: updated in place, created only when missing.
   */
  updateRegistration(r: Registration): Promise<{ patientRef: string; coverageRefs: string[] }>;
  /** The visit's Appointment as rescheduled (SIU^S14), by conditional update on the visit identifier. */
  updateAppointment(visit: StartVisit, patientRef: string): Promise<string>;
  /** The encounter's current clinical notes (DocumentReference), for an appeal's documentation. */
  getClinicalNotes(encounterId: string): Promise<ClinicalNote[]>;
  /** The signed (finished) encounter with its Conditions, Procedures and rendering Practitioner, mapped to our model. */
  getCodedEncounter(encounterId: string): Promise<CodedEncounter>;
  /** The safety net for lost webhooks: encounters finished (signed) since an instant, with their visit when known. */
  findFinishedEncounters(since: string): Promise<EncounterSignal[]>;
}
