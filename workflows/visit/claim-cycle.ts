/**
 * A claim's life with the payer: submitted (837P), acknowledged or rejected (999, 277CA),
 * answered (835) or asked about (276/277), and the claims that follow one: the secondary
 * payer's (COB), an appeal's decision, and a void. The story (visit.ts) decides which claim
 * goes out and what an answer means for the visit; this file sends and waits.
 */
import { ChildWorkflowFailure, condition, executeChild, patched } from '@temporalio/workflow';
import type { VisitActivities } from '../../activities';
import type { AckReading } from '../../domain/billing/acknowledgments';
import { denialSettled, type DenialPlan } from '../../domain/billing/denials';
import type { ScrubResult } from '../../domain/billing/findings';
import {
  adjustedCents,
  denialCodes,
  isDenied,
  remittanceStatus,
  type ClaimAcknowledgment,
  type ClaimFrequency,
  type ClaimRemittance,
} from '../../domain/claim';
import type { CodingProblem } from '../../domain/coding';
import { AwaitingAction, FailureType } from '../../domain/failures';
import { TIMER_DEFAULTS } from '../../domain/visit-timers';
import type { ChargeLine, CodedEncounter, VisitOutcome } from '../../domain/visit';
import { denialWorkflowId, type ClaimSummary, type VisitStatus } from '../definitions';
import { denialWorkflow, type DenialDecision, type DenialInput } from '../denial';
import { BilledCentsKey, ClaimStatusKey, DenialCodesKey, PaidCentsKey } from '../search-attributes';
import { Resolved, type Parking } from './parking';
import type { Progress } from './progress';
import type { Coded, VisitState } from './state';

/** The steps of the story a claim's answer can send the visit back to. */
export interface Story {
  intake(): Promise<void>;
  eligible(): Promise<true | undefined>;
  scrub(encounter: CodedEncounter): Promise<ScrubResult>;
  codingReview(encounter: CodedEncounter | undefined, problems: CodingProblem[]): Promise<Coded | undefined>;
  close(outcome: VisitOutcome): Promise<VisitStatus>;
}

export class ClaimCycle {
  constructor(
    private readonly state: VisitState,
    private readonly progress: Progress,
    private readonly parking: Parking,
    /** Activities whose failure parks the visit. */
    private readonly acts: VisitActivities,
    private readonly story: Story,
  ) {}

  async submit(c: Coded & { lines: ChargeLine[] }, attempt: number, frequency: ClaimFrequency, primary?: ClaimRemittance): Promise<ClaimSummary> {
    const { status, visit } = this.state;
    const previous = status.claim;
    const submitted = await this.acts.submitClaim({
      visit,
      encounter: c.encounter,
      lines: c.lines,
      attempt,
      frequency,
      payerClaimNumber: frequency === '7' || frequency === '8' ? previous?.payerClaimNumber : undefined,
      rulesetVersion: c.scrub.rulesetVersion,
      filingIndicator: c.scrub.filingIndicator,
      priorAuthorization: c.scrub.priorAuthorization,
      ...(primary ? { cob: { primary } } : {}),
    });
    this.state.lastBilled = c;
    const claim: ClaimSummary = {
      attempt,
      frequency,
      status: 'submitted',
      controlNumber: submitted.controlNumber,
      billedCents: submitted.billedCents,
      paidCents: 0,
      patientResponsibilityCents: 0,
      payerClaimNumber: primary ? undefined : previous?.payerClaimNumber,
      denialCodes: [],
      rulesetVersion: c.scrub.rulesetVersion,
      ...(primary ? { coverage: 'secondary' as const } : {}),
    };
    status.claims.push(claim);
    status.claim = claim;
    status.balance.billedCents = claim.billedCents;
    status.balance.insuranceBalanceCents = claim.billedCents - status.balance.paidCents; // open until this claim is answered
    this.progress.upsertChanged([
      { key: BilledCentsKey, value: claim.billedCents },
      { key: ClaimStatusKey, value: claim.status },
    ]);
    this.progress.enter('claim_submitted', AwaitingAction.Acknowledgment);
    return claim;
  }

  /**
   * Waits until an acknowledgment decides the claim: the 999 must accept the file, then a 277CA
   * accepts (or pends) it into adjudication; a clearinghouse's 277CA only forwards it, and the
   * payer's is awaited. Any rejection decides at once. Answers about another submission (by ISA13,
   * or the 837's BHT03 a 277CA echoes) are not about this claim. The activity reads the
   * acknowledgment with the routing rules (data) and records it.
   */
  async acknowledgment(claim: ClaimSummary): Promise<{ ack: ClaimAcknowledgment; reading: AckReading }> {
    const { acks } = this.state;
    for (;;) {
      const got = await condition(() => acks.length > 0, this.state.timers.ackTimeoutMs);
      if (!got) {
        await this.progress.recordAwaiting(AwaitingAction.AcknowledgmentOverdue);
        continue;
      }
      const ack = acks.shift()!;
      if (ack.controlNumber !== undefined && ack.controlNumber !== claim.controlNumber) continue;
      const reading = await this.acts.recordAcknowledgment({ visitId: this.state.visit.visitId, attempt: claim.attempt, ack });
      if (reading.outcome === 'rejected' || reading.outcome === 'accepted' || reading.outcome === 'pended') return { ack, reading };
      this.progress.setClaim(claim, { status: 'submitted', ...(reading.outcome === 'forwarded' ? { acknowledged: 'forwarded' } : {}) });
      this.progress.setAwaiting(reading.outcome === 'forwarded' ? AwaitingAction.PayerAcknowledgment : AwaitingAction.Acknowledgment);
    }
  }

  /**
   * A claim the front end rejected waits in the queue its acknowledgment points at (coverage,
   * coding review or claim data) until a person fixes it: new coverage (the API, or the PMS's
   * ADT^A08), corrected diagnoses (the billed lines stay: their charges are posted), or retry
   * once data outside the claim (a provider's NPI, the practice's settings) is fixed; or writes
   * it off. Past the deadline the visit closes as rejected. Undefined: the visit closed.
   */
  async rejected(claim: ClaimSummary, ack: ClaimAcknowledgment, reading: AckReading, billed: Coded): Promise<Coded | undefined> {
    const { person } = this.state;
    const queue = (reading.queue ?? AwaitingAction.ClaimData) as AwaitingAction;
    this.progress.setClaim(claim, {
      status: 'rejected',
      rejection: { kind: ack.kind, queue, reason: ack.message ?? ack.codes.join(', '), note: reading.note, codes: ack.codes },
    });
    this.state.reviewing = billed.encounter;
    person.reset();
    await this.progress.recordEnter('claim_rejected', queue);
    const acted = await condition(() => person.coverageUpdated || !!person.codingCorrected || !!person.resolution, this.state.timers.coverageDeadlineMs);
    this.state.reviewing = undefined;
    if (!acted) return void (await this.story.close('rejected'));
    if (person.resolution === 'written_off') return void (await this.story.close('written_off'));
    if (person.coverageUpdated) {
      await this.story.intake(); // the corrected coverage becomes the visit's coverage of record
      return (await this.story.eligible()) ? billed : undefined;
    }
    if (person.codingCorrected) {
      const encounter = await this.acts.recordCodingCorrection({ visitId: this.state.visit.visitId, encounter: person.codingCorrected });
      const scrub = await this.story.scrub(encounter);
      return scrub.blocked ? this.story.codingReview(encounter, []) : { encounter, scrub };
    }
    return billed; // retry: the data outside the claim was fixed; the same claim goes out again
  }

  /** The 835 for the claim; undefined when a claim status inquiry says the payer has no such claim (send it again). */
  async remittance(claim: ClaimSummary, awaiting: AwaitingAction = AwaitingAction.Remittance): Promise<ClaimRemittance | undefined> {
    const { state } = this;
    this.progress.enter('awaiting_adjudication', awaiting);
    let inquiries = 0;
    for (;;) {
      const got = await condition(() => state.remittances.length > 0 || state.voidRequested(), state.timers.adjudicationTimeoutMs);
      if (state.voidRequested()) throw new Resolved('voided');
      if (!got) {
        const next = await this.inquire(claim, ++inquiries);
        if (next === 'resubmit') return undefined;
        if (next === 'asked_again') inquiries = 0;
        continue;
      }
      // Taken off the queue only once posted: a person's write-off while its posting is parked must not lose it.
      const r = state.remittances[0];
      if (r.frequency && r.frequency !== claim.frequency) {
        // An answer about an earlier submission decides nothing here, but it is money: the webhook left it to this visit, so it is posted.
        if (patched('post-earlier-answers')) await this.post(claim, r);
        state.remittances.shift();
        continue;
      }
      const posted = await this.post(claim, r);
      state.remittances.shift();
      state.status.underpaidLines = posted?.underpaid ?? []; // histories recorded before line posting return nothing
      const adjusted = adjustedCents(r, 'CO') + adjustedCents(r, 'OA') + adjustedCents(r, 'PI');
      const codes = denialCodes(r);
      this.progress.setClaim(claim, {
        status: remittanceStatus({ ...r, statusCode: r.claimStatusCode }, r.paidCents < r.chargeCents - adjusted - r.patientResponsibilityCents),
        paidCents: r.paidCents,
        patientResponsibilityCents: r.patientResponsibilityCents,
        payerClaimNumber: r.payerClaimNumber ?? claim.payerClaimNumber,
        denialCodes: codes,
      });
      state.status.balance = {
        billedCents: claim.billedCents,
        paidCents: r.paidCents,
        adjustedCents: adjusted,
        patientResponsibilityCents: r.patientResponsibilityCents,
        insuranceBalanceCents: isDenied(r) ? r.chargeCents - r.paidCents : r.chargeCents - r.paidCents - adjusted - r.patientResponsibilityCents,
      };
      this.progress.upsertChanged([
        { key: PaidCentsKey, value: r.paidCents },
        { key: DenialCodesKey, value: [...new Set(state.status.claims.flatMap((c) => c.denialCodes))] },
      ]);
      return r;
    }
  }

  /**
   * 835s that arrived after the claim was answered and that no step took (a payer's reversal and
   * its correction): posted, and counted in the summary, before the visit closes; one that comes
   * while this posts is taken in the same loop. One that arrives after the workflow completed is
   * posted to the visit's record by the webhook (late).
   */
  async postUnclaimedRemittances(): Promise<void> {
    const { state } = this;
    const claim = state.status.claim;
    while (claim && state.remittances.length) {
      await this.post(claim, state.remittances[0]);
      state.remittances.shift();
    }
  }

  /** Posts one 835 answer to the billing record (the posting rule picks its attempt) and counts it for the closing summary. */
  private async post(claim: ClaimSummary, r: ClaimRemittance) {
    const posted = await this.acts.recordRemittance({ visitId: this.state.visit.visitId, attempt: claim.attempt, remittance: r });
    this.state.posted.push({ paidCents: r.paidCents, adjustments: r.adjustments, payerId: r.payerId, claimStatusCode: r.claimStatusCode });
    return posted;
  }

  /**
   * No 835 in the configured time: ask the payer (276/277, read with the claim status table).
   * Wait and ask again after the next period, send the claim again when the payer has no such
   * claim, or park for a person when the answer needs one or the inquiries ran out (retry: ask
   * again from the start; write-off or cancel: close).
   */
  private async inquire(claim: ClaimSummary, inquiry: number): Promise<'wait' | 'resubmit' | 'asked_again'> {
    const max = this.state.timers.claimStatusInquiries ?? TIMER_DEFAULTS.claimStatusInquiries;
    const at = new Date().toISOString();
    const reading = inquiry <= max ? await this.acts.inquireClaimStatus({ visitId: this.state.visit.visitId, attempt: claim.attempt, inquiry }) : undefined;
    if (reading) this.state.status.claimStatus = { ...reading, inquiries: inquiry, at };
    if (reading?.action === 'wait') {
      await this.progress.recordAwaiting(AwaitingAction.ClaimStatusInquiry);
      return 'wait';
    }
    if (reading?.action === 'resubmit') return 'resubmit';
    const message = reading
      ? `the payer's 277 says ${reading.finding} (${reading.codes.join(', ')}): ${reading.text}`
      : `no 835 after ${max} claim status inquiries`;
    const outcome = await this.parking.park({ type: FailureType.ClaimStatusUnresolved, step: 'inquireClaimStatus', message, exhausted: !reading, at });
    if (outcome) throw new Resolved(outcome);
    return 'asked_again';
  }

  /**
   * Another payer is primary (CO-22), or the primary has answered: the visit's secondary coverage
   * is billed (COB: 2320/2330B/2430 carry the primary's answer), and its 835 closes the visit.
   * A rejection by the secondary parks for a person.
   */
  async billSecondary(primaryClaim: ClaimSummary, primary: ClaimRemittance, coded: Coded, lines: ChargeLine[]): Promise<VisitStatus> {
    for (let attempt = primaryClaim.attempt + 1; ; attempt++) {
      const claim = await this.submit({ ...coded, lines }, attempt, '1', primary);
      const { ack, reading } = await this.acknowledgment(claim);
      if (reading.outcome !== 'rejected') {
        this.progress.setClaim(claim, { status: 'accepted', payerClaimNumber: ack.payerClaimNumber });
        const answer = await this.remittance(claim);
        if (answer) return this.story.close(isDenied(answer) ? 'denied' : 'paid');
        continue; // the secondary payer has no such claim: sent again
      }
      // Rejected by the secondary: a person fixes what it names, then retry sends it again; or writes it off.
      this.progress.setClaim(claim, { status: 'rejected' });
      const chosen = await this.parking.parkFor(
        FailureType.Denied,
        'billSecondary',
        `the secondary payer rejected the claim: ${ack.message ?? ack.codes.join(', ')}`,
      );
      if (chosen) return this.story.close(chosen);
    }
  }

  /**
   * A biller voided the claim: the same lines go out with frequency 8 and REF*F8 naming the
   * payer's claim, and the payer's 835 takes back what it paid (CLP02 22, posted like any 835).
   * A payer that has no such claim any more has nothing to take back. A rejected void waits for
   * a person (retry sends it again). Answers the outcome the visit closes with.
   */
  async voidClaim(): Promise<VisitOutcome> {
    const { state } = this;
    state.voiding = true;
    state.person.cancelReason = state.person.voidReason;
    for (;;) {
      const attempt = Math.max(...state.status.claims.map((c) => c.attempt)) + 1;
      const claim = await this.submit(state.lastBilled!, attempt, '8');
      const { ack, reading } = await this.acknowledgment(claim);
      if (reading.outcome !== 'rejected') {
        this.progress.setClaim(claim, { status: 'accepted', payerClaimNumber: ack.payerClaimNumber ?? claim.payerClaimNumber });
        await this.remittance(claim);
        return 'voided';
      }
      this.progress.setClaim(claim, { status: 'rejected' });
      const chosen = await this.parking.parkFor(FailureType.Rejected, 'voidClaim', `the payer rejected the void: ${ack.message ?? ack.codes.join(', ')}`);
      if (chosen) return chosen;
    }
  }

  /**
   * A denied claim's follow-up: the denial child workflow plans it from the playbook (data) and
   * does what needs no person; here the visit waits for what it names (the story sends the claim it answers). 'corrected': send a
   * corrected claim; 'recode': a coder corrects the codes first; 'resend': the payer lost the
   * claim, send it again as an original.
   * - appeal sent: the payer's decision is the reconsidered claim's 835 (appeal_decision);
   * - appeal without clinical notes: waits for a person (appeal_documents; retry once they are
   *   in the EHR, or write off) and escalates before the payer's deadline (appeal_due);
   * - another payer is primary: the secondary coverage is billed;
   * - settled (the original was paid, or written off): the visit closes;
   * - anything else: a person decides in denial_review (retry = a corrected claim).
   */
  async followDenial(claim: ClaimSummary, remit: ClaimRemittance, coded: Coded, lines: ChargeLine[]): Promise<VisitStatus | 'corrected' | 'recode' | 'resend'> {
    const { state } = this;
    const { status } = state;
    for (let round = 1; ; round++) {
      const decision = await this.denialChild(claim, remit, round);
      status.denial = { ...decision.plan, ...('appeal' in decision ? { appeal: decision.appeal } : {}) };
      switch (decision.next) {
        case 'corrected_claim':
          return 'corrected';
        case 'coding_review':
          return 'recode';
        case 'bill_secondary':
          return this.billSecondary(claim, remit, coded, lines);
        case 'close':
          status.denial = { ...status.denial, outcome: denialSettled(decision.outcome), reason: decision.reason };
          if (decision.outcome === 'written_off') state.person.cancelReason = `${decision.plan.code}: ${decision.reason}`;
          return this.story.close(decision.outcome);
        case 'appeal_submitted':
          return (await this.appealDecision(claim, decision.plan)) ?? 'resend';
        case 'appeal_needs_documents': {
          state.person.reset();
          await this.progress.recordEnter('denied', AwaitingAction.AppealDocuments);
          const { deadline } = decision.appeal;
          const before = state.timers.appealEscalateBeforeMs ?? TIMER_DEFAULTS.appealEscalateBeforeMs;
          const escalateIn = Date.parse(`${deadline}T00:00:00Z`) - before - Date.now();
          if (!(await condition(() => !!state.person.resolution, Math.max(1, escalateIn)))) {
            await this.progress.escalate('appeal', deadline);
            await this.progress.recordAwaiting(AwaitingAction.AppealDue);
            await condition(() => !!state.person.resolution);
          }
          if (state.person.resolution === 'written_off') return this.story.close('written_off');
          continue; // retry: the notes are in the EHR now; the appeal goes out in the next round
        }
        case 'review': {
          const chosen = await this.parking.parkFor(FailureType.Denied, 'denialWorkflow', decision.message);
          return chosen ? this.story.close(chosen) : 'corrected';
        }
      }
    }
  }

  /** Runs the denial child workflow for this claim (a failure of one of its steps parks the visit like any step's). */
  denialChild(claim: ClaimSummary, remit: ClaimRemittance, round: number): Promise<DenialDecision> {
    const { visit, status, timers } = this.state;
    const input: DenialInput = {
      visitId: visit.visitId,
      attempt: claim.attempt,
      codes: denialCodes(remit),
      payerId: remit.payerId,
      payerClaimNumber: remit.payerClaimNumber,
      deniedOn: remit.paidOn ?? new Date().toISOString().slice(0, 10),
      encounterId: status.encounterId,
      serviceDate: visit.appointment.serviceDate,
      hasSecondary: !!visit.secondaryCoverage,
      timers,
    };
    return this.parking.guard('denialWorkflow', async () => {
      try {
        return await executeChild(denialWorkflow, { workflowId: denialWorkflowId(visit.visitId, claim.attempt, round), args: [input] });
      } catch (err) {
        // The step that failed inside the child is what a person needs to see.
        throw err instanceof ChildWorkflowFailure && err.cause ? err.cause : err;
      }
    });
  }

  /** The payer's decision on an appeal: the reconsidered claim's 835. Undefined: the payer has no such claim any more. */
  async appealDecision(claim: ClaimSummary, plan: DenialPlan): Promise<VisitStatus | undefined> {
    const decision = await this.remittance(claim, AwaitingAction.AppealDecision);
    if (!decision) return undefined;
    const upheld = isDenied(decision);
    const { status } = this.state;
    status.denial!.appeal!.status = upheld ? 'upheld' : 'overturned';
    const outcome = upheld ? 'upheld' : 'overturned';
    const reason = `the payer's reconsidered 835 ${upheld ? 'denies the claim again' : `pays ${decision.paidCents} cents`}`;
    status.denial = { ...plan, ...status.denial, outcome, reason };
    await this.acts.recordDenialOutcome({ visitId: this.state.visit.visitId, attempt: claim.attempt, plan, outcome, reason });
    return this.story.close(upheld ? 'denied' : 'paid');
  }
}
