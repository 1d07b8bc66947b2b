/** Activities that talk to the EHR (FHIR R4) and record what it answered. */
import { saveAppeal } from '../db/appeals';
import { acceptanceDocument } from '../db/claims';
import {
  ehrRefsOfVisit,
  openVisitsOfPatient,
  saveAppointmentRef,
  saveEhrRefs,
  saveEncounter,
  saveIntake,
  saveRegistrationRefs,
  visitIdForAppointmentRef,
} from '../db/visits';
import type { Db } from '../db/knex';
import { recordVisitEvent } from '../db/visit-events';
import type { RegistrationChange, VisitChange } from '../domain/registration';
import type { CodedEncounter, StartVisit } from '../domain/visit';
import type { EhrClient, EhrRefs } from '../integrations/ehr/types';
import type { ClearinghouseClient } from '../integrations/clearinghouse/types';
import { appealDeadline, parsePayerDeadlines, type ClaimAcceptance } from '../domain/billing/deadlines';
import { ruleTable } from './rules';
import type { AppealUnderWay } from '../domain/billing/denials';

/** A denial to appeal: the claim attempt, the code and category the playbook gave, the payer's claim and the day it denied. */
export interface AppealRequest {
  visitId: string;
  attempt: number;
  encounterId: string;
  code: string;
  category: string;
  payerId: string;
  payerClaimNumber: string;
  deniedOn: string;
  /** A timely-filing appeal: the payer's acceptance that proves the claim was filed in time, sent instead of clinical notes. */
  proof?: ClaimAcceptance;
}

export function ehrActivities(db: Db, ehr: EhrClient, clearinghouse: Pick<ClearinghouseClient, 'appeal'>) {
  return {
    /** PMS → EHR: Patient, Coverage and Appointment, so nobody keys them again. */
    async prepopulateEhr(visit: StartVisit): Promise<EhrRefs> {
      const refs = await ehr.prepopulate(visit);
      await saveEhrRefs(db, visit, refs);
      return refs;
    },

    /**
     * ADT^A08 → EHR: the Patient and its Coverages as the PMS now has them, updated in place
     * (conditional update on our identifiers), and the billing record's references to them.
     */
    async syncEhrRegistration(change: RegistrationChange): Promise<void> {
      const { patientRef, coverageRefs } = await ehr.updateRegistration(change);
      const coverages = [change.coverage, change.secondaryCoverage].filter((c) => c !== undefined);
      await saveRegistrationRefs(
        db,
        change.patient.patientId,
        patientRef,
        coverages.map((coverage, i) => ({ coverage, ref: coverageRefs[i] })),
      );
    },

    /** The patient's visits still open, which a registration change must reach. */
    async openVisitsOfPatient(input: { patientId: string }): Promise<string[]> {
      return openVisitsOfPatient(db, input.patientId);
    },

    /** What the PMS changed on an open visit, recorded for analysts (which parts, never their values). */
    async recordRegistrationChange(input: { visitId: string; changeKey: string; changes: VisitChange[] }): Promise<void> {
      await recordVisitEvent(db, {
        type: 'registration_changed',
        visitId: input.visitId,
        key: `${input.visitId}:registration:${input.changeKey}`,
        changes: input.changes,
      });
    },

    /**
     * SIU^S14 → the visit's appointment in the billing record and in the EHR (its Appointment
     * updated in place by the visit identifier): another day, provider or place of service.
     */
    async rescheduleVisit(visit: StartVisit): Promise<void> {
      await saveIntake(db, visit);
      const refs = await ehrRefsOfVisit(db, visit.visitId);
      if (refs?.patientRef) {
        const appointmentRef = await ehr.updateAppointment(visit, refs.patientRef);
        await saveAppointmentRef(db, visit.visitId, appointmentRef);
      }
      const { serviceDate, providerNpi } = visit.appointment;
      await recordVisitEvent(db, {
        type: 'appointment_rescheduled',
        visitId: visit.visitId,
        key: `${visit.visitId}:appointment:${serviceDate}:${providerNpi}:${visit.appointment.placeOfService}`,
        serviceDate,
        providerNpi,
      });
    },

    /**
     * Appeals a denial: the encounter's clinical notes from the EHR (DocumentReference) go with
     * the packet to the payer through the clearinghouse; the packet (references, not text) and
     * the payer's appeal deadline are recorded. Without notes nothing is sent: a person adds
     * them in the EHR and retries before the deadline.
     */
    async submitAppeal(input: AppealRequest): Promise<AppealUnderWay> {
      // A timely-filing appeal sends the payer's own acceptance from the billing record; any other, the encounter's clinical notes.
      const notes = input.proof ? [await acceptanceDocument(db, input.visitId, input.proof)] : await ehr.getClinicalNotes(input.encounterId);
      const deadline = appealDeadline(input.deniedOn, input.payerId, ruleTable('payer-deadlines.csv', parsePayerDeadlines));
      const packetId = `${input.visitId}-${input.attempt}-appeal`;
      const base = {
        packetId,
        visitId: input.visitId,
        claimAttempt: input.attempt,
        denialCode: input.code,
        category: input.category,
        payerId: input.payerId,
        payerClaimNumber: input.payerClaimNumber,
        documents: notes.map((n) => ({ documentRef: n.documentRef, ...(n.type ? { type: n.type } : {}) })),
        deadline,
      };
      if (!notes.length) {
        await saveAppeal(db, { ...base, status: 'needs_documents' });
        return { packetId, status: 'needs_documents', deadline, documents: 0 };
      }
      const { appealId } = await clearinghouse.appeal({
        packetId,
        payerId: input.payerId,
        payerClaimNumber: input.payerClaimNumber,
        patientControlNumber: input.visitId,
        denialCode: input.code,
        reason: input.proof
          ? `appeal of ${input.code} (${input.category}): the claim was accepted on ${input.proof.acceptedOn}, within the filing limit; the acceptance is attached`
          : `appeal of ${input.code} (${input.category}): the clinical documentation is attached`,
        documents: notes.map((n) => ({
          documentRef: n.documentRef,
          ...(n.type ? { type: n.type } : {}),
          contentType: n.contentType,
          ...(n.data ? { data: n.data } : {}),
          ...(n.url ? { url: n.url } : {}),
        })),
      });
      await saveAppeal(db, { ...base, status: 'submitted', appealId });
      await recordVisitEvent(db, {
        type: 'denial_action',
        visitId: input.visitId,
        key: `${input.visitId}:appeal:${input.attempt}`,
        claimAttempt: input.attempt,
        category: input.category,
        action: 'appeal',
        carcCodes: [input.code],
      });
      return { packetId, appealId, status: 'submitted', deadline, documents: notes.length };
    },

    /** Signed encounters the webhook may have missed, with the visit each belongs to (ours only). */
    async findSignedEncounters(input: { since: string }): Promise<{ visitId: string; encounterId: string }[]> {
      const found: { visitId: string; encounterId: string }[] = [];
      for (const s of await ehr.findFinishedEncounters(input.since)) {
        const visitId = s.visitId ?? (s.appointmentRef ? await visitIdForAppointmentRef(db, s.appointmentRef) : undefined);
        if (visitId) found.push({ visitId, encounterId: s.encounterId });
      }
      return found;
    },

    /** The signed encounter as coded in the EHR; what cannot be billed comes back as EncounterNotBillable. */
    async fetchEncounter(input: { visitId: string; encounterId: string }): Promise<CodedEncounter> {
      const encounter = await ehr.getCodedEncounter(input.encounterId);
      await saveEncounter(db, input.visitId, encounter);
      await recordVisitEvent(db, {
        type: 'encounter_signed',
        visitId: input.visitId,
        key: `${input.visitId}:encounter:${encounter.encounterId}`,
        encounterId: encounter.encounterId,
        cptCodes: encounter.procedures.map((p) => p.code),
      });
      return encounter;
    },
  };
}
