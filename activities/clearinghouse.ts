/**
 * Activities that exchange X12 with the clearinghouse: the 270/271 eligibility check and
 * the 837P claim. The claim and its bytes are stored before they are sent; a retry
 * resends the same bytes under the same interchange control number, which the
 * clearinghouse recognises, so a claim is never submitted twice.
 */
import * as billing from '../db/billing';
import type { Db } from '../db/knex';
import { claimBatch, claimFor, eligibilityRequestFor, type Practice } from '../domain/claim-build';
import type { ClaimFrequency } from '../domain/claim';
import { totalCents } from '../domain/billing/pricing';
import type { ChargeLine, CodedEncounter, EligibilityResult, StartVisit } from '../domain/visit';
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
      return result;
    },

    /**
     * Bills the lines the charges step priced (never priced again here), with the claim
     * filing indicator and prior authorization the scrubber took from the payer rules,
     * and records the ruleset version that scrubbed the claim on the claim row.
     */
    async submitClaim(input: {
      visit: StartVisit; encounter: CodedEncounter; lines: ChargeLine[]; attempt: number; frequency: ClaimFrequency; payerClaimNumber?: string;
      rulesetVersion?: string; filingIndicator?: string; priorAuthorization?: string;
    }): Promise<{ controlNumber: number; billedCents: number }> {
      const { visit, attempt, lines } = input;
      let claim = await billing.findClaim(db, visit.visitId, attempt);
      if (!claim) {
        const env = await envelope();
        const x12Text = build837P(claimBatch(x12.practice, [claimFor(input)]), env);
        claim = await billing.createClaim(db, {
          visitId: visit.visitId, attempt, frequency: input.frequency, payerId: visit.coverage.payerId,
          payerClaimNumber: input.payerClaimNumber, controlNumber: env.controlNumber, billedCents: totalCents(lines), x12: x12Text, lines,
          rulesetVersion: input.rulesetVersion,
        });
      }
      if (claim.status === 'built') {
        const { submissionId } = await clearinghouse.submit(claim.x12);
        await billing.markSubmitted(db, claim.id, submissionId);
      }
      return { controlNumber: claim.interchange_control_number, billedCents: Number(claim.billed_cents) };
    },
  };
}
