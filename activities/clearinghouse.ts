/**
 * Activities that exchange X12 with the clearinghouse: the 270/271 eligibility check and
 * the 837P claim. The claim and its bytes are stored before they are sent; a retry
 * resends the same bytes under the same interchange control number, which the
 * clearinghouse recognises, so a claim is never submitted twice.
 */
import * as billing from '../db/billing';
import type { Db } from '../db/knex';
import { recordVisitEvent } from '../db/visit-events';
import { claimBatch, claimFor, eligibilityRequestFor, type Practice } from '../domain/claim-build';
import type { ClaimFrequency } from '../domain/claim';
import { priceLines, totalCents } from '../domain/pricing';
import type { CodedEncounter, EligibilityResult, StartVisit } from '../domain/visit';
import { build837P } from '../domain/x12/build-837p';
import { build270, eligibilityResultFrom271, parse271 } from '../domain/x12/eligibility';
import type { EnvelopeOptions } from '../domain/x12/envelope';
import type { ClearinghouseClient } from '../integrations/clearinghouse/types';

export interface X12Settings {
  practice: Practice;
  usage: 'T' | 'P';
}

export function clearinghouseActivities(db: Db, clearinghouse: ClearinghouseClient, x12: X12Settings, now: () => Date = () => new Date()) {
  const envelope = async (): Promise<EnvelopeOptions> => {
    const iso = now().toISOString();
    return {
      controlNumber: await billing.nextControlNumber(db), senderId: x12.practice.submitter.id, receiverId: x12.practice.receiver.id,
      date: iso.slice(0, 10), time: iso.slice(11, 16).replace(':', ''), usage: x12.usage,
    };
  };

  return {
    /** A 270 is a question: asking again is harmless, and each answer is kept once per attempt. */
    async checkEligibility(input: { visit: StartVisit; attempt: number }): Promise<EligibilityResult> {
      const request = build270(eligibilityRequestFor(input.visit, input.attempt, x12.practice), await envelope());
      const response = await clearinghouse.eligibility(request);
      const result = eligibilityResultFrom271(parse271(response).response);
      await billing.saveEligibility(db, input.visit.visitId, `${input.visit.visitId}-${input.attempt}`, result, { request, response });
      await recordVisitEvent(db, {
        type: 'eligibility_checked', visitId: input.visit.visitId, key: `${input.visit.visitId}:eligibility:${input.attempt}`, active: result.active, attempt: input.attempt,
      });
      return result;
    },

    async submitClaim(input: {
      visit: StartVisit; encounter: CodedEncounter; attempt: number; frequency: ClaimFrequency; payerClaimNumber?: string;
    }): Promise<{ controlNumber: number; billedCents: number }> {
      const { visit, attempt } = input;
      let claim = await billing.findClaim(db, visit.visitId, attempt);
      const lines = priceLines(input.encounter.procedures);
      if (!claim) {
        const env = await envelope();
        const x12Text = build837P(claimBatch(x12.practice, [claimFor({ ...input, lines })]), env);
        claim = await billing.createClaim(db, {
          visitId: visit.visitId, attempt, frequency: input.frequency, payerId: visit.coverage.payerId,
          payerClaimNumber: input.payerClaimNumber, controlNumber: env.controlNumber, billedCents: totalCents(lines), x12: x12Text, lines,
        });
      }
      if (claim.status === 'built') {
        const { submissionId } = await clearinghouse.submit(claim.x12);
        await billing.markSubmitted(db, claim.id, submissionId);
      }
      await recordVisitEvent(db, {
        type: 'claim_submitted', visitId: visit.visitId, key: `${visit.visitId}:claim:${attempt}`, claimAttempt: attempt, frequency: input.frequency, lines,
      });
      return { controlNumber: claim.interchange_control_number, billedCents: Number(claim.billed_cents) };
    },
  };
}
