/** Activities that only write the billing record in Postgres. */
import { createHash } from 'node:crypto';
import { audit } from '../db/audit';
import { addClaimEvent, claimAcceptances, findClaim, saveAcknowledgment } from '../db/claims';
import { paymentsByAttempt } from '../db/payments';
import { saveRemittance } from '../db/posting';
import { closeAppointment, renderingOf, saveEncounter, saveIntake } from '../db/visits';
import type { Db } from '../db/knex';
import { postRemittanceFile, type ContractLookup, type UnderpaidLine } from '../db/posting';
import { recordVisitEvent, visitFacts } from '../db/visit-events';
import { acknowledgmentEvent, remittanceEvent } from '../domain/reporting/claim-events';
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../domain/failures';
import { originalPayment, parsePlaybook, planDenial, type AttemptPayment, type DenialPlan, type PlaybookEntry } from '../domain/billing/denials';
import { reviewTimelyFiling, timelyFilingDeadline, type TimelyFilingReview } from '../domain/billing/deadlines';
import { timelyFilingDaysOf } from '../db/codesets';
import { parseRejectionRules, readAcknowledgment, type AckReading, type RejectionRule } from '../domain/billing/acknowledgments';
import { ruleTable } from './rules';
import type { ClaimAcknowledgment, ClaimRemittance } from '../domain/claim';
import type { CodedEncounter, StartVisit } from '../domain/visit';
import { CodedEncounter as CodedEncounterSchema, StartVisit as StartVisitSchema } from '../domain/visit';
import type { VisitOutcome } from '../domain/visit';

export function billingActivities(db: Db, contracted?: ContractLookup) {
  return {
    /** Saves the visit and coverage of record; answers the payer's timely-filing deadline (its payer rule, as the scrubber applies it). */
    async recordIntake(visit: StartVisit): Promise<{ filingDeadline: string }> {
      await saveIntake(db, StartVisitSchema.parse(visit));
      await audit(db, 'workflow', 'visit.intake', visit.visitId);
      // Keyed by a fingerprint of the coverage: a corrected coverage is a new event, a retry is not.
      const key = `${visit.visitId}:intake:${fingerprint(visit.coverage)}`;
      const { payerId } = visit.coverage;
      await recordVisitEvent(
        db,
        (await visitFacts(db, visit.visitId))
          ? { type: 'coverage_updated', visitId: visit.visitId, key, payerId }
          : {
              type: 'visit_booked',
              visitId: visit.visitId,
              key,
              payerId,
              providerNpi: visit.appointment.providerNpi,
              serviceDate: visit.appointment.serviceDate,
            },
      );
      return { filingDeadline: timelyFilingDeadline(visit.appointment.serviceDate, await timelyFilingDaysOf(db, payerId)) };
    },

    /** A deadline escalated (timely filing, appeal): a visit event, once per deadline and due day. */
    async recordEscalation(input: { visitId: string; deadline: 'timely_filing' | 'appeal'; due: string }): Promise<void> {
      await recordVisitEvent(db, {
        type: 'deadline_escalated',
        visitId: input.visitId,
        key: `${input.visitId}:escalated:${input.deadline}:${input.due}`,
        deadline: input.deadline,
        due: input.due,
      });
    },

    /** A coder's corrected coding replaces the EHR's in the record and is what gets billed. */
    async recordCodingCorrection(input: { visitId: string; encounter: CodedEncounter }): Promise<CodedEncounter> {
      const corrected = CodedEncounterSchema.parse(input.encounter);
      // A correction that keeps the chart's rendering practitioner but not its name keeps the name (2310B needs it).
      const charted = corrected.renderingName ? undefined : await renderingOf(db, corrected.encounterId);
      const encounter = charted?.renderingNpi === corrected.renderingNpi ? { ...charted, ...corrected } : corrected;
      await saveEncounter(db, input.visitId, encounter);
      await audit(db, 'coder', 'coding.corrected', input.visitId, { encounterId: encounter.encounterId }, { source: 'workflow' });
      await recordVisitEvent(db, {
        type: 'coding_corrected',
        visitId: input.visitId,
        key: `${input.visitId}:coding:${fingerprint(encounter)}`,
        encounterId: encounter.encounterId,
        cptCodes: encounter.procedures.map((p) => p.code),
      });
      return encounter;
    },

    /** Records the 999/277CA on the claim, and says what it means: received, forwarded, accepted, pended, or rejected to which queue. */
    async recordAcknowledgment(input: { visitId: string; attempt: number; ack: ClaimAcknowledgment }): Promise<AckReading> {
      const claim = await claimOf(db, input.visitId, input.attempt);
      await saveAcknowledgment(db, claim.id, input.ack);
      await recordVisitEvent(db, acknowledgmentEvent(input.visitId, input.attempt, input.ack));
      return readAcknowledgment(input.ack, rejectionRules());
    },

    /**
     * Posts the 835: from its stored file, line by line, in one transaction, idempotent
     * (db/posting.ts); returns this visit's underpaid lines. An answer that came without a
     * stored file (a bare signal) is recorded at claim level. Either way it posts only to the
     * attempt it matches on every key (domain/billing/posting.ts `decidePosting`), else it is
     * queued for a biller and writes no payment.
     */
    async recordRemittance(input: { visitId: string; attempt: number; remittance: ClaimRemittance }): Promise<{ underpaid: UnderpaidLine[] }> {
      const r = input.remittance;
      // A refused answer is in the posting queue, not in the visit's facts: its events say what was posted.
      if (r.documentKey) {
        const posted = (await postRemittanceFile(db, r.documentKey, contracted)).filter((p) => p.visitId === input.visitId);
        if (!posted.length || posted.some((p) => p.claimId !== undefined)) await recordVisitEvent(db, remittanceEvent(input.visitId, input.attempt, r));
        return { underpaid: posted.flatMap((p) => p.underpaid) };
      }
      if ((await saveRemittance(db, input.visitId, r)) !== 'queued') await recordVisitEvent(db, remittanceEvent(input.visitId, input.attempt, r));
      return { underpaid: [] };
    },

    /** The denial playbook (data) decides the follow-up; the decision is a claim event grouped by category. */
    async planDenial(input: { visitId: string; attempt: number; codes: string[] }): Promise<DenialPlan> {
      const plan = planDenial(input.codes, loadPlaybook());
      const claim = await claimOf(db, input.visitId, input.attempt);
      await addClaimEvent(db, claim.id, 'denial', plan.category, plan, `denial#${input.attempt}`);
      return plan;
    },
    /**
     * What came of a denial's playbook action (the original's payment found, a write-off, an
     * appeal's decision...): a claim event and a visit event, grouped by the taxonomy's category.
     */
    async recordDenialOutcome(input: { visitId: string; attempt: number; plan: DenialPlan; outcome: string; reason: string }): Promise<void> {
      const { visitId, attempt, plan, outcome, reason } = input;
      const claim = await claimOf(db, visitId, attempt);
      await addClaimEvent(db, claim.id, 'denial_outcome', outcome, { ...plan, reason }, `denial-outcome#${attempt}`);
      await recordVisitEvent(db, {
        type: 'denial_action',
        visitId,
        key: `${visitId}:denial-outcome:${attempt}`,
        claimAttempt: attempt,
        category: plan.category,
        action: plan.action,
        carcCodes: plan.code ? [plan.code] : [],
        outcome,
        reason,
      });
    },

    /** CO-18: the original claim's payment by the same payer, from the billing record; undefined when there is none. */
    async findOriginalPayment(input: { visitId: string; attempt: number; payerId: string }): Promise<AttemptPayment | undefined> {
      return originalPayment(input, await paymentsByAttempt(db, input.visitId));
    },

    /** CO-29: the payer's filing deadline (its payer rule, as the scrubber applies it) and, if there is one, the acceptance that proves the claim was filed in time. */
    async reviewTimelyFiling(input: { visitId: string; payerId: string; serviceDate: string }): Promise<TimelyFilingReview> {
      return reviewTimelyFiling(input.serviceDate, await timelyFilingDaysOf(db, input.payerId), await claimAcceptances(db, input.visitId));
    },

    async closeVisit(input: { visitId: string; outcome: VisitOutcome; reason?: string }): Promise<void> {
      await closeAppointment(db, input.visitId, input.outcome, input.reason);
      await recordVisitEvent(db, { type: 'visit_closed', visitId: input.visitId, key: `${input.visitId}:closed`, outcome: input.outcome });
    },

    /**
     * A stage or awaited action that no other activity records (coding review, a rejected
     * claim, ...). `seq` is the workflow's count of stage changes, so a retry is the same event;
     * `at` is the workflow's time of the change.
     */
    async recordStageChange(input: { visitId: string; stage: string; awaitingAction?: string; seq: number; at: string }): Promise<void> {
      await recordVisitEvent(db, {
        type: 'stage_changed',
        visitId: input.visitId,
        key: `${input.visitId}:stage:${input.seq}:${input.awaitingAction ?? ''}`,
        at: input.at,
        stage: input.stage,
        awaitingAction: input.awaitingAction,
      });
    },
  };
}

function fingerprint(value: object): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}

async function claimOf(db: Db, visitId: string, attempt: number) {
  const claim = await findClaim(db, visitId, attempt);
  if (!claim) throw ApplicationFailure.create({ type: FailureType.Validation, nonRetryable: true, message: `no claim ${attempt} for visit ${visitId}` });
  return claim;
}

const loadPlaybook = (): PlaybookEntry[] => ruleTable('denial-playbook.csv', parsePlaybook);
const rejectionRules = (): RejectionRule[] => ruleTable('claim-rejections.csv', parseRejectionRules);
