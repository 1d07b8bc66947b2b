/**
 * visitWorkflow: one durable workflow per visit, from the booked appointment to the last
 * dollar (DESIGN.md §1). This file is the visit's story, top to bottom:
 *
 *   run → eligible → coded encounter → coding review → charges → bill → follow denial → close
 *
 * Beside it: handlers.ts (what the outside world sends), claim-cycle.ts (a claim with the
 * payer), parking.ts (what a failure does), progress.ts (where the visit stands, told to the
 * status query, search attributes and the Temporal UI), state.ts (what the run holds).
 * Deterministic: all I/O is in activities, all waits are Temporal timers and conditions,
 * human steps are validated updates.
 */
import { condition, patched, proxyActivities } from '@temporalio/workflow';
import type { VisitActivities } from '../../activities';
import type { ScrubResult } from '../../domain/billing/findings';
import { estimatePatientShare } from '../../domain/billing/patient-estimate';
import { summarizeVisit } from '../../domain/billing/summary';
import { isDenied, type ClaimFrequency } from '../../domain/claim';
import type { CodingProblem } from '../../domain/coding';
import { AwaitingAction, FailureType } from '../../domain/failures';
import { TIMER_DEFAULTS } from '../../domain/visit-timers';
import type { ChargeLine, CodedEncounter, VisitOutcome } from '../../domain/visit';
import { activityOptions, type PatientBalanceStatus, type VisitInput, type VisitStatus } from '../definitions';
import { collectPatientBalance } from '../patient-balance';
import { CptCodesKey } from '../search-attributes';
import { ClaimCycle } from './claim-cycle';
import { registerHandlers } from './handlers';
import { failureTypeOf, Parking, Resolved, reviewProblems } from './parking';
import { Progress } from './progress';
import { VisitState, type Coded } from './state';

export async function visitWorkflow(input: VisitInput): Promise<VisitStatus> {
  const visit = new VisitStory(input);
  let next = () => visit.run();
  for (;;) {
    try {
      return await next();
    } catch (err) {
      // A person resolved a parked visit (write-off, cancel, void): whatever step was running is
      // left, and the visit closes (a close that parks and is resolved again closes again).
      if (!(err instanceof Resolved)) throw err;
      const { outcome } = err;
      next = () => visit.close(outcome);
    }
  }
}

class VisitStory {
  private readonly state: VisitState;
  private readonly progress: Progress;
  private readonly parking: Parking;
  private readonly claims: ClaimCycle;
  /** Activities as the story calls them: a failure parks the visit (parking.ts). */
  private readonly acts: VisitActivities;
  /** The same activities unguarded, for the steps that handle some refusals themselves. */
  private readonly raw: VisitActivities;

  constructor(input: VisitInput) {
    this.state = new VisitState(input);
    this.raw = proxyActivities<VisitActivities>(activityOptions(input.timers));
    this.progress = new Progress(this.state, this.raw);
    this.parking = new Parking(this.state, this.progress);
    this.acts = this.parking.guarded(this.raw);
    this.claims = new ClaimCycle(this.state, this.progress, this.parking, this.acts, this);
    registerHandlers(this.state, this.progress, this.raw);
  }

  private get status(): VisitStatus {
    return this.state.status;
  }

  async run(): Promise<VisitStatus> {
    const { state, progress } = this;
    progress.enter('intake');
    await this.intake();
    await this.acts.prepopulateEhr(state.visit);
    if (!(await this.eligible())) return this.status;

    let coded = await this.codedEncounter();
    if (!coded) return this.status;
    if (state.person.cancelReason) return this.close('cancelled');

    let lines: ChargeLine[];
    for (;;) {
      progress.enter('charges');
      const { visit } = state;
      const posting = { visitId: visit.visitId, patientId: visit.patient.patientId, payerId: visit.coverage.payerId, encounter: coded.encounter };
      try {
        lines = await this.parking.guard('postCharges', () => this.raw.postCharges(posting), [FailureType.PmsRejected, FailureType.FeeScheduleMissing]);
        state.chargesPosted = true;
        this.status.patientEstimate = estimatePatientShare(this.status.eligibility, lines);
        progress.upsertChanged([{ key: CptCodesKey, value: lines.map((l) => l.code) }]);
        break;
      } catch (err) {
        // The PMS refused the charges (e.g. a pointer it cannot map), or a fee vanished after the scrub:
        // a coder fixes them, nothing was posted.
        const type = failureTypeOf(err) === FailureType.FeeScheduleMissing ? FailureType.FeeScheduleMissing : FailureType.PmsRejected;
        coded = await this.codingReview(coded.encounter, reviewProblems(err, type, 'charges'));
        if (!coded) return this.status;
      }
    }

    // The PMS changed the coverage after eligibility was checked (ADT^A08): check the new one before the claim goes out.
    if (state.coverageChanged) {
      await this.intake();
      if (!(await this.eligible())) return this.status;
    }
    return this.bill(coded, lines);
  }

  /** Records the visit (and coverage) of record; the payer's timely-filing deadline comes back and is watched. */
  async intake(): Promise<void> {
    const { filingDeadline } = (await this.acts.recordIntake(this.state.visit)) ?? {}; // histories recorded before the watch return nothing
    if (filingDeadline && filingDeadline !== this.status.filingDeadline) {
      this.status.filingDeadline = filingDeadline;
      void this.progress.watchFilingDeadline(filingDeadline);
    }
  }

  /** Eligibility; inactive coverage waits for a correction until the deadline. Undefined: the visit closed. */
  async eligible(): Promise<true | undefined> {
    const { state, progress } = this;
    for (;;) {
      progress.enter('eligibility');
      state.coverageChanged = false; // this check is of the coverage as it now stands
      this.status.eligibility = await this.acts.checkEligibility({
        visit: state.visit,
        attempt: this.status.history.filter((h) => h.stage === 'eligibility').length,
      });
      if (state.person.cancelReason) return void (await this.close('cancelled'));
      if (this.status.eligibility.active) return true;
      state.person.reset();
      await progress.recordEnter('awaiting_coverage', AwaitingAction.Coverage);
      const corrected = await condition(() => state.person.coverageUpdated || !!state.person.cancelReason, state.timers.coverageDeadlineMs);
      if (state.person.cancelReason) return void (await this.close('cancelled'));
      if (!corrected) return void (await this.close('ineligible'));
      await this.intake(); // the corrected coverage becomes the visit's coverage of record
    }
  }

  /** Waits for the signed encounter, fetches it, scrubs it, and sends problems to human coding review. */
  private async codedEncounter(): Promise<Coded | undefined> {
    const { state } = this;
    await this.progress.recordEnter('awaiting_encounter', AwaitingAction.EncounterSignature);
    await condition(() => !!state.encounterId || !!state.person.cancelReason);
    if (state.person.cancelReason) return void (await this.close('cancelled'));
    this.status.encounterId = state.encounterId;
    this.progress.enter('coding');
    let encounter: CodedEncounter;
    const fetch = { visitId: state.visit.visitId, encounterId: state.encounterId! };
    try {
      encounter = await this.parking.guard('fetchEncounter', () => this.raw.fetchEncounter(fetch), [FailureType.EncounterNotBillable]);
    } catch (err) {
      return this.codingReview(undefined, reviewProblems(err, FailureType.EncounterNotBillable, 'encounter'));
    }
    const scrub = await this.scrub(encounter);
    return scrub.blocked ? this.codingReview(encounter, []) : { encounter, scrub };
  }

  /** The scrubber (an activity: it reads the code sets and rules); the version that judged is kept in the history. */
  async scrub(encounter: CodedEncounter): Promise<ScrubResult> {
    const scrub = await this.acts.scrubClaim({ visit: this.state.visit, encounter });
    this.status.findings = scrub.findings;
    this.status.rulesetVersion = scrub.rulesetVersion;
    const entry = this.status.history[this.status.history.length - 1];
    Object.assign(entry, { rulesetVersion: scrub.rulesetVersion, findings: scrub.findings.length });
    return scrub;
  }

  /**
   * Human coding review until the coding passes the scrubber; undefined when the visit closed
   * meanwhile. `problems` come from outside the scrubber (EHR, PMS); the scrubber's own findings
   * are already on the status.
   */
  async codingReview(encounter: CodedEncounter | undefined, problems: CodingProblem[]): Promise<Coded | undefined> {
    const { state } = this;
    const { person } = state;
    this.status.codingProblems = problems;
    for (;;) {
      state.reviewing = encounter;
      person.reset();
      await this.progress.recordEnter('coding_review', AwaitingAction.CodingReview);
      await condition(() => !!person.codingCorrected || !!person.cancelReason || person.resolution === 'written_off');
      if (person.resolution === 'written_off') return void (await this.close('written_off'));
      if (person.cancelReason) return void (await this.close('cancelled'));
      encounter = await this.acts.recordCodingCorrection({ visitId: state.visit.visitId, encounter: person.codingCorrected! });
      this.status.codingProblems = [];
      const scrub = await this.scrub(encounter);
      if (!scrub.blocked) {
        state.reviewing = undefined;
        return { encounter, scrub };
      }
    }
  }

  /** Submit, acknowledge, adjudicate; a denial goes to the playbook, a rejection waits for a fix. */
  private async bill(coded: Coded, lines: ChargeLine[]): Promise<VisitStatus> {
    const { claims } = this;
    let frequency: ClaimFrequency = '1';
    for (let attempt = 1; ; attempt++) {
      const claim = await claims.submit({ ...coded, lines }, attempt, frequency);
      const { ack, reading } = await claims.acknowledgment(claim);
      if (reading.outcome === 'rejected') {
        const fixed = await claims.rejected(claim, ack, reading, coded);
        if (!fixed) return this.status;
        coded = fixed;
        frequency = '1'; // a rejected claim never reached adjudication: the fixed one is a new original
        continue;
      }
      this.progress.setClaim(claim, {
        status: 'accepted',
        acknowledged: reading.outcome === 'pended' ? 'pended' : 'accepted',
        payerClaimNumber: ack.payerClaimNumber ?? claim.payerClaimNumber,
      });
      const answered = await claims.remittance(claim);
      if (!answered) {
        frequency = '1'; // the payer has no such claim (277 A4): it goes out again as a new original
        continue;
      }
      let remit = answered;
      while (!isDenied(remit) && this.status.underpaidLines?.length) {
        // Short-paid lines are work: retry = the payer was asked to reprocess (wait for its next 835);
        // writeOff = the variance is accepted and the visit closes as paid.
        const short = this.status.underpaidLines.reduce((s, l) => s + l.underpaidCents, 0);
        const chosen = await this.parking.parkFor(
          FailureType.Underpaid,
          'recordRemittance',
          `${this.status.underpaidLines.length} line(s) paid ${short} cents below the contracted amount`,
        );
        if (chosen === 'written_off') return this.close('paid');
        if (chosen) return this.close(chosen);
        remit = (await claims.remittance(claim)) ?? remit; // "not found" after paying: the person decides again
      }
      if (!isDenied(remit)) {
        // The primary paid and left the patient a share: the secondary coverage is billed for it (COB).
        if (this.state.visit.secondaryCoverage && remit.patientResponsibilityCents > 0) return claims.billSecondary(claim, remit, coded, lines);
        return this.close('paid');
      }
      if (frequency === '7') return this.close('denied');
      if (patched('denial-playbook')) {
        // The playbook decides in a child workflow per denied claim; a corrected claim goes out by itself.
        const next = await claims.followDenial(claim, remit, coded, lines);
        if (next === 'resend') {
          frequency = '1'; // the payer lost the claim it was to reconsider: sent again as a new original
          continue;
        }
        if (next === 'recode') {
          // The codes must change: a coder corrects the diagnoses (the billed lines stay, their charges are posted).
          const fixed = await this.codingReview(coded.encounter, [{ path: 'diagnoses', reason: `${this.status.denial!.code}: ${this.status.denial!.note}` }]);
          if (!fixed) return this.status;
          coded = fixed;
        } else if (next !== 'corrected') return next;
      }
      // A corrected claim: frequency 7, REF*F8 naming the payer's claim.
      await this.progress.recordEnter('denied', AwaitingAction.CorrectedClaim);
      frequency = '7';
    }
  }

  /**
   * The one way a visit ends. A void first sends its void claim (which may end otherwise, if a
   * person resolves a rejected void); then what came late is posted, the patient's share is
   * collected, and every billed dollar is explained in the summary.
   */
  async close(asAnswered: VisitOutcome): Promise<VisitStatus> {
    const { state, claims } = this;
    if (asAnswered === 'voided' && !state.voiding) asAnswered = await claims.voidClaim();
    await claims.postUnclaimedRemittances();
    const patient = await this.patientBalance(asAnswered);
    const outcome: VisitOutcome = patient?.resolution === 'written_off' ? 'written_off' : patient?.resolution === 'collections' ? 'collections' : asAnswered;
    await this.acts.closeVisit({ visitId: state.visit.visitId, outcome, reason: state.person.cancelReason });
    // Any that came during the statement cycle or while the visit was closing: a signal the visit
    // accepted is posted by it, or it would be lost (the webhook counts it as delivered).
    await claims.postUnclaimedRemittances();
    this.status.outcome = outcome;
    this.status.closeReason = state.person.cancelReason;
    const money = {
      billedCents: this.status.balance.billedCents,
      remittances: state.posted,
      patientPaidCents: patient?.paidCents ?? 0,
      writtenOffCents: 0,
      collectionsCents: patient?.collectionsCents,
    };
    const open = summarizeVisit(money);
    // A write-off, or a void (the charge withdrawn), closes whatever was still open; any other outcome leaves it visible as open.
    this.status.summary =
      outcome === 'written_off' || outcome === 'voided' ? summarizeVisit({ ...money, writtenOffCents: open.insuranceOpenCents + open.patientOpenCents }) : open;
    this.progress.enter('closed');
    return this.status;
  }

  /**
   * Insurance answered (paid or denied) and the patient owes a share: statements go out on the
   * configured cycle in a child workflow (workflows/patient-balance.ts) until the share is paid,
   * written off (a biller's writeOff, forwarded) or sent to collections. Undefined: no cycle
   * configured (visits started before it), or nothing for the patient to pay.
   */
  private async patientBalance(outcome: VisitOutcome): Promise<PatientBalanceStatus | undefined> {
    const { state } = this;
    const { patientStatementsMs, patientCollectionsAfterMs, activityTimeoutMs, activityRetryMaxIntervalMs, activityMaxAttempts, activityRetryCeilingMs } =
      state.timers;
    if ((outcome !== 'paid' && outcome !== 'denied') || !patientStatementsMs?.length) return undefined;
    const { patientOpenCents } = summarizeVisit({
      billedCents: this.status.balance.billedCents,
      remittances: state.posted,
      patientPaidCents: 0,
      writtenOffCents: 0,
    });
    if (patientOpenCents <= 0) return undefined;
    state.person.reset();
    await this.progress.recordEnter('patient_balance', AwaitingAction.PatientPayment);
    const input = {
      visitId: state.visit.visitId,
      openingCents: patientOpenCents,
      statementsMs: patientStatementsMs,
      collectionsAfterMs: patientCollectionsAfterMs ?? TIMER_DEFAULTS.patientCollectionsAfterMs,
      timers: { activityTimeoutMs, activityRetryMaxIntervalMs, activityMaxAttempts, activityRetryCeilingMs },
    };
    const writtenOff = () => (state.person.resolution === 'written_off' ? state.person.cancelReason : undefined);
    this.status.patientBalance = await this.parking.guard('patientBalance', () => collectPatientBalance(input, writtenOff));
    return this.status.patientBalance;
  }
}
