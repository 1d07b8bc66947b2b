/** Activities that only write the billing record in Postgres. */
import * as billing from '../db/billing';
import type { Db } from '../db/knex';
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../domain/failures';
import { isDenied, type ClaimAcknowledgment, type ClaimRemittance } from '../domain/claim';
import type { CodedEncounter, StartVisit } from '../domain/visit';
import { CodedEncounter as CodedEncounterSchema, StartVisit as StartVisitSchema } from '../domain/visit';
import type { VisitOutcome } from '../workflows/definitions';

export function billingActivities(db: Db) {
  return {
    async recordIntake(visit: StartVisit): Promise<void> {
      await billing.saveIntake(db, StartVisitSchema.parse(visit));
      await billing.audit(db, 'workflow', 'visit.intake', visit.visitId);
    },

    /** A coder's corrected coding replaces the EHR's in the record and is what gets billed. */
    async recordCodingCorrection(input: { visitId: string; encounter: CodedEncounter }): Promise<CodedEncounter> {
      const encounter = CodedEncounterSchema.parse(input.encounter);
      await billing.saveEncounter(db, input.visitId, encounter);
      await billing.audit(db, 'coder', 'coding.corrected', input.visitId, { encounterId: encounter.encounterId });
      return encounter;
    },

    async recordAcknowledgment(input: { visitId: string; attempt: number; ack: ClaimAcknowledgment }): Promise<void> {
      const claim = await claimOf(db, input.visitId, input.attempt);
      await billing.saveAcknowledgment(db, claim.id, input.ack);
    },

    /** Posts the payer's payment and CAS adjustments once per (claim, 835 trace number). */
    async recordRemittance(input: { visitId: string; attempt: number; remittance: ClaimRemittance }): Promise<void> {
      const claim = await claimOf(db, input.visitId, input.attempt);
      const r = input.remittance;
      await billing.saveRemittance(db, claim.id, input.visitId, isDenied(r) ? 'denied' : r.claimStatusCode === '22' ? 'reversed' : 'paid', r);
    },

    async closeVisit(input: { visitId: string; outcome: VisitOutcome; reason?: string }): Promise<void> {
      await billing.closeAppointment(db, input.visitId, input.outcome, input.reason);
    },
  };
}

async function claimOf(db: Db, visitId: string, attempt: number) {
  const claim = await billing.findClaim(db, visitId, attempt);
  if (!claim) throw ApplicationFailure.create({ type: FailureType.Validation, nonRetryable: true, message: `no claim ${attempt} for visit ${visitId}` });
  return claim;
}
