/**
 * Activities that exchange X12 with the clearinghouse: the 270/271 eligibility check and
 * the 837P claim. The claim and its bytes are stored before they are sent; a retry
 * resends the same bytes under the same interchange control number, which the
 * clearinghouse recognises, so a claim is never submitted twice.
 */
import { NewClaim, addClaimEvent, createClaims, findClaim, markInterchangeSubmitted, nextControlNumber } from '../db/claims';
import { saveEligibility } from '../db/visits';
import type { Db } from '../db/knex';
import { recordVisitEvent } from '../db/visit-events';
import { ApplicationFailure } from '@temporalio/activity';
import { claimBatch, claimFor, claimStatusRequestFor, eligibilityRequestFor, type CobInput, type Practice } from '../domain/claim-build';
import { parseStatusRules, readClaimStatus, type ClaimStatusReading } from '../domain/billing/claim-status';
import { FailureType } from '../domain/failures';
import { build276, parse277 } from '../domain/x12/claim-status';
import { parse837P } from '../domain/x12/parse-837p';
import { ruleTable } from './rules';
import type { ClaimFrequency } from '../domain/claim';
import type { ProfessionalClaim } from '../domain/x12/professional-claim';
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

/** One claim to submit: the visit's attempt, and what the payer rules and COB add to it. */
export interface ClaimSubmission {
  visit: StartVisit;
  encounter: CodedEncounter;
  attempt: number;
  frequency: ClaimFrequency;
  payerClaimNumber?: string;
  /** The lines the charges step priced: a claim bills them as priced, never pricing again. */
  lines: ChargeLine[];
  /** The ruleset version that scrubbed the claim, kept on the claim row. */
  rulesetVersion?: string;
  /** SBR09 from the payer rules; CI when absent. */
  filingIndicator?: string;
  /** REF*G1 from the payer rules. */
  priorAuthorization?: string;
  /** Bill the visit's secondary coverage with the primary's 835 (see `buildSecondaryClaim`). */
  cob?: CobInput;
}

export interface SubmittedClaim {
  visitId: string;
  attempt: number;
  controlNumber: number;
  billedCents: number;
}

function envelopes(db: Db, x12: X12Settings, now: () => Date) {
  return async (): Promise<EnvelopeOptions> => {
    const iso = now().toISOString();
    return {
      controlNumber: await nextControlNumber(db),
      senderId: x12.practice.submitter.id,
      receiverId: x12.practice.receiver.id,
      date: iso.slice(0, 10),
      time: iso.slice(11, 16).replace(':', ''),
      usage: x12.usage,
    };
  };
}

export function clearinghouseActivities(db: Db, clearinghouse: ClearinghouseClient, x12: X12Settings, now: () => Date = () => new Date()) {
  const envelope = envelopes(db, x12, now);
  const { submitClaims } = claimSubmitter(db, clearinghouse, x12, now);
  return {
    /** A 270 is a question: asking again is harmless, and each answer is kept once per attempt. */
    async checkEligibility(input: { visit: StartVisit; attempt: number }): Promise<EligibilityResult> {
      const request = build270(eligibilityRequestFor(input.visit, input.attempt, x12.practice), await envelope());
      const response = await clearinghouse.eligibility(request);
      const result = eligibilityResultFrom271(parse271(response).response);
      await saveEligibility(db, input.visit.visitId, `${input.visit.visitId}-${input.attempt}`, result, { request, response });
      await recordVisitEvent(db, {
        type: 'eligibility_checked',
        visitId: input.visit.visitId,
        key: `${input.visit.visitId}:eligibility:${input.attempt}`,
        active: result.active,
        attempt: input.attempt,
      });
      return result;
    },

    /**
     * A 276 about a claim with no 835 yet, built from the claim as it was sent; the 277's answer
     * is recorded on the claim (kind 277, once per inquiry) and read with the claim status
     * table (data): wait, resubmit, or a person reviews.
     */
    async inquireClaimStatus(input: { visitId: string; attempt: number; inquiry: number }): Promise<ClaimStatusReading> {
      const row = await findClaim(db, input.visitId, input.attempt);
      const sent = row && parse837P(row.x12).batch.claims.find((c) => c.claimId === input.visitId);
      if (!row || !sent)
        throw ApplicationFailure.create({ type: FailureType.Validation, nonRetryable: true, message: `no claim ${input.attempt} for visit ${input.visitId}` });
      const inquiry = build276(claimStatusRequestFor(sent, row.payer_claim_number ?? undefined, x12.practice), await envelope());
      const { report } = parse277(await clearinghouse.claimStatus(inquiry));
      const answered = report.claims.find((c) => c.patientControlNumber === input.visitId);
      const reading = readClaimStatus(answered?.statuses ?? [], ruleTable('claim-status-actions.csv', parseStatusRules));
      await addClaimEvent(
        db,
        row.id,
        '277',
        reading.finding,
        { inquiry: input.inquiry, codes: reading.codes, text: reading.text },
        `${input.visitId}:276:${input.attempt}:${input.inquiry}`,
      );
      return reading;
    },

    /** One visit's claim: a batch of one. */
    async submitClaim(input: ClaimSubmission): Promise<{ controlNumber: number; billedCents: number }> {
      const [submitted] = await submitClaims([input]);
      const { visitId } = input.visit;
      await recordVisitEvent(db, {
        type: 'claim_submitted',
        visitId,
        key: `${visitId}:claim:${input.attempt}`,
        claimAttempt: input.attempt,
        frequency: input.frequency,
        lines: input.lines,
      });
      return { controlNumber: submitted.controlNumber, billedCents: submitted.billedCents };
    },
  };
}

/** Submits claims together; the visit's `submitClaim` activity is a batch of one. */
export function claimSubmitter(db: Db, clearinghouse: ClearinghouseClient, x12: X12Settings, now: () => Date = () => new Date()) {
  const envelope = envelopes(db, x12, now);
  return { submitClaims };

  /**
   * Claims submitted together go out as one interchange to the clearinghouse (one 837
   * transaction, a 2000B loop per claim); the claims, the X12 and the ISA13 ↔ CLM01 map
   * are stored before the file is sent. A claim already stored (a retry) is not built
   * again: its interchange is resent as it was, which the clearinghouse answers as a
   * duplicate. Answers come back per claim in input order.
   */
  async function submitClaims(inputs: ClaimSubmission[]): Promise<SubmittedClaim[]> {
    const stored = await Promise.all(inputs.map((i) => findClaim(db, i.visit.visitId, i.attempt)));
    const fresh = inputs.filter((_, k) => !stored[k]);
    if (fresh.length) {
      const built = fresh.map((input) => {
        const { lines } = input;
        return { input, lines, claim: claimFor({ ...input, billingNpi: x12.practice.billingProvider.npi }) };
      });
      const env = await envelope();
      const x12Text = build837P(
        claimBatch(
          x12.practice,
          built.map((b) => b.claim),
        ),
        env,
      );
      const rows = await createClaims(
        db,
        { controlNumber: env.controlNumber, receiverId: x12.practice.receiver.id, x12: x12Text },
        built.map((b) => newClaim(b.input, b.claim, b.lines)),
      );
      rows.forEach((row) => (stored[inputs.findIndex((i) => i.visit.visitId === row.visit_id && i.attempt === row.attempt)] = row));
    }
    const rows = stored.map((row) => row!);
    const sent = new Set<number>();
    for (const row of rows.filter((r) => r.status === 'built')) {
      if (sent.has(row.interchange_control_number)) continue;
      sent.add(row.interchange_control_number);
      const { submissionId } = await clearinghouse.submit(row.x12);
      await markInterchangeSubmitted(db, row.interchange_control_number, submissionId);
    }
    return rows.map((row) => ({
      visitId: row.visit_id,
      attempt: row.attempt,
      controlNumber: row.interchange_control_number,
      billedCents: Number(row.billed_cents),
    }));
  }
}

function newClaim(input: ClaimSubmission, claim: ProfessionalClaim, lines: ChargeLine[]): NewClaim {
  return {
    visitId: input.visit.visitId,
    attempt: input.attempt,
    frequency: input.frequency,
    payerId: claim.payer.id,
    payerClaimNumber: input.payerClaimNumber,
    filingIndicator: claim.payer.filingIndicator,
    priorAuthorization: claim.priorAuthorization,
    payerResponsibility: claim.payerResponsibility ?? 'P',
    billedCents: totalCents(lines),
    rulesetVersion: input.rulesetVersion,
    lines: lines.map((l, i) => ({ ...l, lineControlNumber: claim.lines[i].lineItemControlNumber! })),
  };
}
