/**
 * denialWorkflow: one child workflow per denied claim. The playbook (data, read
 * by the planDenial activity) maps the 835's group + CARC codes to a category of the denial
 * taxonomy and an action; this workflow does what needs no person (look for the original's
 * payment, look for proof of timely filing, send the appeal packet), records what came of it as
 * claim events grouped by the category, and tells the visit what comes next. What waits (a
 * person, the payer's decision) stays with the visit, so each denial's work is a short history of
 * its own in the Temporal UI (`visit-<id>-denial-<attempt>-<round>`).
 */
import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { VisitActivities } from '../activities';
import type { AppealUnderWay } from '../domain/billing/denials';
import type { ClaimAcceptance } from '../domain/billing/deadlines';
import { DenialAction, denialSettled, type DenialPlan } from '../domain/billing/denials';
import { activityOptions, type ActivityTimers } from './definitions';

export interface DenialInput {
  visitId: string;
  /** The denied claim attempt. */
  attempt: number;
  /** The 835's `GROUP-CARC` codes, e.g. ['CO-50']. */
  codes: string[];
  payerId: string;
  payerClaimNumber?: string;
  /** The day the payer denied the claim (its 835). */
  deniedOn: string;
  encounterId?: string;
  serviceDate: string;
  /** The visit has a secondary coverage to bill when another payer is primary (CO-22). */
  hasSecondary: boolean;
  /** The visit's activity timers, so a denial's calls retry and time out as the visit's do. */
  timers: ActivityTimers;
}

/** What the visit does next. */
export type DenialDecision =
  | { plan: DenialPlan; next: 'corrected_claim' | 'coding_review' | 'bill_secondary' }
  /** The appeal went to the payer (its decision is an 835), or it waits for clinical notes. */
  | { plan: DenialPlan; next: 'appeal_submitted' | 'appeal_needs_documents'; appeal: AppealUnderWay }
  /** The denial is settled: the original was paid (CO-18), or the balance is written off. */
  | { plan: DenialPlan; next: 'close'; outcome: 'paid' | 'written_off'; reason: string }
  /** A person decides (denial_review). */
  | { plan: DenialPlan; next: 'review'; message: string };

export async function denialWorkflow(input: DenialInput): Promise<DenialDecision> {
  const acts = proxyActivities<VisitActivities>(activityOptions(input.timers));
  const plan = await acts.planDenial({ visitId: input.visitId, attempt: input.attempt, codes: input.codes });
  setCurrentDetails(`${plan.code || 'denied'} (${plan.category}): ${plan.action.replace(/_/g, ' ')}`);
  const settled = async (outcome: 'paid' | 'written_off', reason: string): Promise<DenialDecision> => {
    await acts.recordDenialOutcome({ visitId: input.visitId, attempt: input.attempt, plan, outcome: denialSettled(outcome), reason });
    return { plan, next: 'close', outcome, reason };
  };
  const appeal = async (proof?: ClaimAcceptance): Promise<DenialDecision> => {
    if (!input.encounterId || !input.payerClaimNumber) return review(plan, 'there is no encounter or payer claim number to appeal');
    const underWay = await acts.submitAppeal({
      visitId: input.visitId,
      attempt: input.attempt,
      encounterId: input.encounterId,
      code: plan.code,
      category: plan.category,
      payerId: input.payerId,
      payerClaimNumber: input.payerClaimNumber,
      deniedOn: input.deniedOn,
      ...(proof ? { proof } : {}),
    });
    return { plan, next: underWay.status === 'submitted' ? 'appeal_submitted' : 'appeal_needs_documents', appeal: underWay };
  };

  const decision = await (async (): Promise<DenialDecision> => {
    switch (plan.action) {
      case DenialAction.CorrectedClaim:
        return { plan, next: 'corrected_claim' };
      case DenialAction.CodingReview:
        return { plan, next: 'coding_review' };
      case DenialAction.BillSecondary:
        return input.hasSecondary ? { plan, next: 'bill_secondary' } : review(plan, 'the visit has no secondary coverage to bill');
      case DenialAction.Appeal:
        return appeal();
      case DenialAction.CheckOriginalPayment: {
        const original = await acts.findOriginalPayment({ visitId: input.visitId, attempt: input.attempt, payerId: input.payerId });
        return original
          ? settled('paid', `claim ${original.attempt} was paid ${original.paidCents} cents by the same payer: this one is the duplicate`)
          : review(plan, 'the payer calls this claim a duplicate, and no payment of an original is in the billing record: ask the payer which claim it holds');
      }
      case DenialAction.WriteOff: {
        if (plan.category !== 'timely_filing') return settled('written_off', plan.note);
        // Timely filing: contested only with proof, the payer's own acceptance dated by the deadline.
        const found = await acts.reviewTimelyFiling({ visitId: input.visitId, payerId: input.payerId, serviceDate: input.serviceDate });
        return found.proof
          ? appeal(found.proof)
          : settled(
              'written_off',
              `no payer acceptance of the claim on or before the filing deadline ${found.deadline}: written off (not billable to the patient)`,
            );
      }
      default:
        return review(plan, plan.note);
    }
  })();
  setCurrentDetails(`${plan.code || 'denied'} (${plan.category}): ${plan.action.replace(/_/g, ' ')} → ${decision.next.replace(/_/g, ' ')}`);
  return decision;
}

function review(plan: DenialPlan, why: string): DenialDecision {
  return {
    plan,
    next: 'review',
    message: `${plan.code || 'denied'} (${plan.category}): playbook action ${plan.action}; ${why} (retry sends a corrected claim)`,
  };
}
