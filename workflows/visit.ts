/**
 * visitWorkflow: one durable workflow per visit, from the booked appointment to the
 * last dollar (DESIGN.md §1). Deterministic: all I/O is in activities, all waits are
 * Temporal timers and conditions, human steps are validated updates.
 */
import {
  ApplicationFailure, condition, patched, proxyActivities, setCurrentDetails, setHandler, upsertSearchAttributes,
} from '@temporalio/workflow';
import type { VisitActivities } from '../activities';
import {
  adjustedCents, denialCodes, isDenied, remittanceStatus, type ClaimAcknowledgment, type ClaimFrequency, type ClaimRemittance,
} from '../domain/claim';
import type { ScrubResult } from '../domain/billing/findings';
import { applySuggestion } from '../domain/billing/suggestions';
import { summarizeVisit, type PostedRemittance } from '../domain/billing/summary';
import type { CodingProblem } from '../domain/coding';
import { AwaitingAction, classifyFailure, FailureType, PARK_QUEUE, type ParkedFailure } from '../domain/failures';
import type { ChargeLine, CodedEncounter, Coverage, StartVisit } from '../domain/visit';
import {
  acceptSuggestionUpdate, cancelUpdate, claimAcknowledgedSignal, correctCodingUpdate, encounterSignedSignal,
  remittanceReceivedSignal, retryUpdate, statusQuery, SUGGESTION_REJECTED, updateCoverageUpdate, writeOffUpdate,
  type ClaimSummary, type VisitInput, type VisitOutcome, type VisitStage, type VisitStatus,
} from './definitions';
import {
  AwaitingActionKey, BilledCentsKey, ClaimStatusKey, CptCodesKey, DenialCodesKey, PaidCentsKey, PayerIdKey,
  ProviderNpiKey, ServiceDateKey, VisitIdKey, VisitStageKey,
} from './search-attributes';


/** A coded encounter that passed the scrubber, with the scrub that passed it. */
interface Coded {
  encounter: CodedEncounter;
  scrub: ScrubResult;
}

/** Stages in which a visit can still be cancelled: once charges go to the PMS, it is billed. */
const CANCELLABLE: VisitStage[] = ['intake', 'eligibility', 'awaiting_coverage', 'awaiting_encounter', 'coding', 'coding_review', 'needs_attention'];

export async function visitWorkflow(input: VisitInput): Promise<VisitStatus> {
  const run = new VisitRun(input);
  run.register();
  let next = () => run.run();
  for (;;) {
    try {
      return await next();
    } catch (err) {
      // A person resolved a parked visit: unwind whatever step was running and close it.
      if (!(err instanceof Resolved)) throw err;
      next = () => run.close(err.outcome);
    }
  }
}

/** Thrown out of a parked step when a person resolves the visit instead of retrying it. */
class Resolved extends Error {
  constructor(readonly outcome: VisitOutcome) {
    super(`resolved: ${outcome}`);
  }
}

type Activities = VisitActivities;

class VisitRun {
  private visit: StartVisit;
  /** Every activity call parks the visit when it fails (see guard); `raw` lets a branch handle some failures itself. */
  private readonly acts: Activities;
  private readonly raw: Activities;
  private resolution?: 'retry' | 'written_off';
  private status: VisitStatus;
  private cancelReason?: string;
  private encounterId?: string;
  private coverageUpdated = false;
  private codingCorrected?: CodedEncounter;
  /** The coding under review: what an accepted suggestion changes. */
  private reviewing?: CodedEncounter;
  private readonly acks: ClaimAcknowledgment[] = [];
  private readonly remittances: ClaimRemittance[] = [];
  private readonly seen = new Set<string>();
  /** Every 835 posting this visit received, for the closing summary. */
  private readonly posted: PostedRemittance[] = [];

  constructor(private readonly input: VisitInput) {
    this.visit = input.visit;
    this.raw = proxyActivities<Activities>({
      startToCloseTimeout: input.timers.activityTimeoutMs ?? 30_000,
      scheduleToCloseTimeout: input.timers.activityRetryCeilingMs,
      // Refusals are non-retryable ApplicationFailures (activities/failures.ts); everything else is
      // retried up to the ceiling, and then the visit is parked like a refusal.
      retry: {
        initialInterval: Math.min(500, input.timers.activityRetryMaxIntervalMs ?? 500), backoffCoefficient: 2,
        maximumInterval: input.timers.activityRetryMaxIntervalMs ?? 30_000,
        maximumAttempts: input.timers.activityMaxAttempts ?? 50,
      },
    });
    const raw = this.raw as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    this.acts = new Proxy({} as Activities, {
      get: (_t, name: string) => (...args: unknown[]) => this.guard(name, () => raw[name](...args)),
    });
    this.status = {
      visitId: input.visit.visitId,
      stage: 'intake',
      history: [],
      codingProblems: [],
      findings: [],
      claims: [],
      balance: { billedCents: 0, paidCents: 0, adjustedCents: 0, patientResponsibilityCents: 0, insuranceBalanceCents: 0 },
    };
  }

  register(): void {
    setHandler(statusQuery, () => this.status);
    setHandler(encounterSignedSignal, ({ encounterId }) => {
      this.encounterId ??= encounterId; // a redelivered or late notification changes nothing
    });
    setHandler(claimAcknowledgedSignal, (ack) => {
      if (this.once(ack.sourceKey)) this.acks.push(ack);
    });
    setHandler(remittanceReceivedSignal, (r) => {
      if (this.once(r.sourceKey)) this.remittances.push(r);
    });
    setHandler(cancelUpdate, ({ reason }) => {
      this.cancelReason = reason;
      return this.status;
    }, {
      validator: (arg: { reason: string }) => {
        this.requireStage(CANCELLABLE, 'cancel');
        requireReason(arg);
      },
    });
    setHandler(retryUpdate, () => {
      this.resolution = 'retry';
      return this.status;
    }, {
      validator: (arg: { note?: string }) => {
        this.requireStage(['needs_attention'], 'retry');
        if (arg !== undefined && (typeof arg !== 'object' || arg === null || (arg.note !== undefined && typeof arg.note !== 'string'))) {
          throw invalid('retry takes { note?: string }');
        }
      },
    });
    setHandler(writeOffUpdate, ({ reason }) => {
      this.cancelReason = reason;
      this.resolution = 'written_off';
      return this.status;
    }, {
      validator: (arg: { reason: string }) => {
        this.requireStage(['needs_attention'], 'write off');
        requireReason(arg);
      },
    });
    setHandler(updateCoverageUpdate, (coverage: Coverage) => {
      this.visit = { ...this.visit, coverage };
      this.coverageUpdated = true;
      return this.status;
    }, { validator: (_: Coverage) => this.requireStage(['awaiting_coverage', 'claim_rejected'], 'update coverage') });
    setHandler(correctCodingUpdate, (enc) => {
      this.codingCorrected = enc;
      return this.status;
    }, {
      validator: (enc: CodedEncounter) => {
        this.requireStage(['coding_review'], 'correct coding');
        if (enc.encounterId !== this.status.encounterId) {
          throw ApplicationFailure.create({ type: FailureType.InvalidStage, nonRetryable: true, message: `the visit's encounter is ${this.status.encounterId}, not ${enc.encounterId}` });
        }
      },
    });
    setHandler(acceptSuggestionUpdate, ({ findingId, choice }) => {
      this.codingCorrected = applySuggestion(this.reviewing!, this.status.findings, findingId, choice);
      return this.status;
    }, {
      validator: ({ findingId, choice }) => {
        this.requireStage(['coding_review'], 'accept a suggestion for');
        if (!this.reviewing) throw ApplicationFailure.create({ type: SUGGESTION_REJECTED, nonRetryable: true, message: 'the visit has no coding to change yet' });
        try {
          applySuggestion(this.reviewing, this.status.findings, findingId, choice);
        } catch (err) {
          throw ApplicationFailure.create({ type: SUGGESTION_REJECTED, nonRetryable: true, message: (err as Error).message });
        }
      },
    });
  }

  async run(): Promise<VisitStatus> {
    this.enter('intake');
    await this.acts.recordIntake(this.visit);
    await this.acts.prepopulateEhr(this.visit);
    if (!(await this.eligible())) return this.status;

    let coded = await this.codedEncounter();
    if (!coded) return this.status;
    if (this.cancelReason) return this.close('cancelled');

    let lines: ChargeLine[];
    for (;;) {
      this.enter('charges');
      const posting = { visitId: this.visit.visitId, patientId: this.visit.patient.patientId, payerId: this.visit.coverage.payerId, encounter: coded.encounter };
      try {
        lines = await this.guard('postCharges', () => this.raw.postCharges(posting), [FailureType.PmsRejected, FailureType.FeeScheduleMissing]);
        upsertSearchAttributes([{ key: CptCodesKey, value: lines.map((l) => l.code) }]);
        break;
      } catch (err) {
        // The PMS refused the charges (e.g. a pointer it cannot map), or a fee vanished after the scrub:
        // a coder fixes them, nothing was posted.
        const type = (err as { cause?: { type?: string } }).cause?.type === FailureType.FeeScheduleMissing ? FailureType.FeeScheduleMissing : FailureType.PmsRejected;
        coded = await this.codingReview(coded.encounter, reviewProblems(err, type, 'charges'));
        if (!coded) return this.status;
      }
    }

    return this.bill(coded.encounter, lines, coded.scrub);
  }

  /** Eligibility; inactive coverage waits for a correction until the deadline. */
  private async eligible(): Promise<boolean> {
    for (;;) {
      this.enter('eligibility');
      this.status.eligibility = await this.acts.checkEligibility({ visit: this.visit, attempt: this.status.history.filter((h) => h.stage === 'eligibility').length });
      if (this.cancelReason) return this.closed('cancelled');
      if (this.status.eligibility.active) return true;
      // Reset before the stage is recorded: a correction that arrives while it is being recorded must not be lost.
      this.coverageUpdated = false;
      await this.recordEnter('awaiting_coverage', AwaitingAction.Coverage);
      const corrected = await condition(() => this.coverageUpdated || !!this.cancelReason, this.input.timers.coverageDeadlineMs);
      if (this.cancelReason) return this.closed('cancelled');
      if (!corrected) return this.closed('ineligible');
      await this.acts.recordIntake(this.visit); // the corrected coverage becomes the visit's coverage of record
    }
  }

  /** Waits for the signed encounter, fetches it, scrubs it, and sends problems to human coding review. */
  private async codedEncounter(): Promise<Coded | undefined> {
    await this.recordEnter('awaiting_encounter', AwaitingAction.EncounterSignature);
    await condition(() => !!this.encounterId || !!this.cancelReason);
    if (this.cancelReason) return void (await this.closed('cancelled'));
    this.status.encounterId = this.encounterId;
    this.enter('coding');
    let encounter: CodedEncounter;
    const fetch = { visitId: this.visit.visitId, encounterId: this.encounterId! };
    try {
      encounter = await this.guard('fetchEncounter', () => this.raw.fetchEncounter(fetch), [FailureType.EncounterNotBillable]);
    } catch (err) {
      return this.codingReview(undefined, reviewProblems(err, FailureType.EncounterNotBillable, 'encounter'));
    }
    const scrub = await this.scrub(encounter);
    return scrub.blocked ? this.codingReview(encounter, []) : { encounter, scrub };
  }

  /** The scrubber (an activity: it reads the code sets and rules); the version that judged is kept in the history. */
  private async scrub(encounter: CodedEncounter): Promise<ScrubResult> {
    const scrub = await this.acts.scrubClaim({ visit: this.visit, encounter });
    this.status.findings = scrub.findings;
    this.status.rulesetVersion = scrub.rulesetVersion;
    const entry = this.status.history[this.status.history.length - 1];
    Object.assign(entry, { rulesetVersion: scrub.rulesetVersion, findings: scrub.findings.length });
    return scrub;
  }

  /**
   * Human coding review until the coding passes the scrubber; undefined when the visit was
   * cancelled meanwhile. `problems` come from outside the scrubber (EHR, PMS); the
   * scrubber's own findings are already on the status.
   */
  private async codingReview(encounter: CodedEncounter | undefined, problems: CodingProblem[]): Promise<Coded | undefined> {
    this.status.codingProblems = problems;
    for (;;) {
      this.reviewing = encounter;
      await this.recordEnter('coding_review', AwaitingAction.CodingReview);
      this.codingCorrected = undefined;
      await condition(() => !!this.codingCorrected || !!this.cancelReason);
      if (this.cancelReason) return void (await this.closed('cancelled'));
      encounter = await this.acts.recordCodingCorrection({ visitId: this.visit.visitId, encounter: this.codingCorrected! });
      this.status.codingProblems = [];
      const scrub = await this.scrub(encounter);
      if (!scrub.blocked) {
        this.reviewing = undefined;
        return { encounter, scrub };
      }
    }
  }

  /** Submit, acknowledge, adjudicate; a denial gets one corrected claim, a rejection waits for fixed coverage. */
  private async bill(encounter: CodedEncounter, lines: ChargeLine[], scrub: ScrubResult): Promise<VisitStatus> {
    let frequency: ClaimFrequency = '1';
    for (let attempt = 1; ; attempt++) {
      const claim = await this.submit({ encounter, lines, scrub }, attempt, frequency);
      const ack = await this.acknowledgment(claim);
      if (!ack.accepted) {
        this.setClaim(claim, { status: 'rejected' });
        this.coverageUpdated = false;
        await this.recordEnter('claim_rejected', AwaitingAction.FixClaim);
        if (!(await condition(() => this.coverageUpdated, this.input.timers.coverageDeadlineMs))) return this.close('rejected');
        await this.acts.recordIntake(this.visit);
        frequency = '1';
        continue;
      }
      this.setClaim(claim, { status: 'accepted', payerClaimNumber: ack.payerClaimNumber ?? claim.payerClaimNumber });
      let remit = await this.remittance(claim);
      while (!isDenied(remit) && this.status.underpaidLines?.length) {
        // Short-paid lines are work: retry = the payer was asked to reprocess (wait for its next 835);
        // writeOff = the variance is accepted and the visit closes as paid.
        const short = this.status.underpaidLines.reduce((s, l) => s + l.underpaidCents, 0);
        const message = `${this.status.underpaidLines.length} line(s) paid ${short} cents below the contracted amount`;
        const chosen = await this.park({ type: FailureType.Underpaid, step: 'recordRemittance', message, exhausted: false, at: new Date().toISOString() });
        if (chosen === 'cancelled') return this.close('cancelled');
        if (chosen === 'written_off') return this.close('paid');
        remit = await this.remittance(claim);
      }
      if (!isDenied(remit)) return this.close('paid');
      if (frequency === '7') return this.close('denied');
      if (patched('denial-playbook')) {
        // The playbook (data, read by the activity) decides; a corrected claim goes out by itself,
        // any other action waits for a person: retry = send a corrected claim, writeOff, or cancel.
        const plan = await this.acts.planDenial({ visitId: this.visit.visitId, attempt: claim.attempt, codes: denialCodes(remit) });
        this.status.denial = plan;
        if (plan.action !== 'corrected_claim') {
          const message = `${plan.code || 'denied'} (${plan.category}): playbook action ${plan.action}; ${plan.note}`;
          const chosen = await this.park({ type: FailureType.Denied, step: 'planDenial', message, exhausted: false, at: new Date().toISOString() });
          if (chosen) return this.close(chosen);
        }
      }
      // Denial follow-up playbook, thin for now: correct and resubmit as a replacement (frequency 7).
      await this.recordEnter('denied', AwaitingAction.CorrectedClaim);
      frequency = '7';
    }
  }

  private async submit(c: { encounter: CodedEncounter; lines: ChargeLine[]; scrub: ScrubResult }, attempt: number, frequency: ClaimFrequency): Promise<ClaimSummary> {
    const previous = this.status.claim;
    const submitted = await this.acts.submitClaim({
      visit: this.visit, encounter: c.encounter, lines: c.lines, attempt, frequency,
      payerClaimNumber: frequency === '7' ? previous?.payerClaimNumber : undefined,
      rulesetVersion: c.scrub.rulesetVersion, filingIndicator: c.scrub.filingIndicator, priorAuthorization: c.scrub.priorAuthorization,
    });
    const claim: ClaimSummary = {
      attempt, frequency, status: 'submitted', controlNumber: submitted.controlNumber, billedCents: submitted.billedCents,
      paidCents: 0, patientResponsibilityCents: 0, payerClaimNumber: previous?.payerClaimNumber, denialCodes: [],
      rulesetVersion: c.scrub.rulesetVersion,
    };
    this.status.claims.push(claim);
    this.status.claim = claim;
    this.status.balance.billedCents = claim.billedCents;
    upsertSearchAttributes([{ key: BilledCentsKey, value: claim.billedCents }]);
    this.enter('claim_submitted', AwaitingAction.Acknowledgment);
    return claim;
  }

  /** The 999 must accept the interchange, then the 277CA decides the claim; a 999 rejection is final for this attempt. */
  private async acknowledgment(claim: ClaimSummary): Promise<ClaimAcknowledgment> {
    for (;;) {
      const got = await condition(() => this.acks.length > 0, this.input.timers.ackTimeoutMs);
      if (!got) {
        await this.recordAwaiting(AwaitingAction.AcknowledgmentOverdue);
        continue;
      }
      const ack = this.acks.shift()!;
      if (ack.kind === '999' && ack.controlNumber !== undefined && ack.controlNumber !== claim.controlNumber) continue;
      await this.acts.recordAcknowledgment({ visitId: this.visit.visitId, attempt: claim.attempt, ack });
      if (!ack.accepted || ack.kind === '277CA') return ack;
      this.setClaim(claim, { status: 'submitted' });
      // A late 999 clears the overdue flag; patched() because it adds a command to histories that have one.
      if (this.status.awaitingAction === AwaitingAction.AcknowledgmentOverdue && patched('clear-overdue-on-999')) this.setAwaiting(AwaitingAction.Acknowledgment);
    }
  }

  private async remittance(claim: ClaimSummary): Promise<ClaimRemittance> {
    this.enter('awaiting_adjudication', AwaitingAction.Remittance);
    for (;;) {
      const got = await condition(() => this.remittances.length > 0, this.input.timers.adjudicationTimeoutMs);
      if (!got) {
        await this.recordAwaiting(AwaitingAction.ClaimStatusInquiry);
        continue;
      }
      const r = this.remittances.shift()!;
      if (r.frequency && r.frequency !== claim.frequency) continue; // an answer about an earlier submission
      const posted = await this.acts.recordRemittance({ visitId: this.visit.visitId, attempt: claim.attempt, remittance: r });
      this.status.underpaidLines = posted?.underpaid ?? []; // histories recorded before line posting return nothing
      this.posted.push({ paidCents: r.paidCents, adjustments: r.adjustments });
      const adjusted = adjustedCents(r, 'CO') + adjustedCents(r, 'OA') + adjustedCents(r, 'PI');
      const codes = denialCodes(r);
      this.setClaim(claim, {
        status: remittanceStatus({ ...r, statusCode: r.claimStatusCode }, r.paidCents < r.chargeCents - adjusted - r.patientResponsibilityCents),
        paidCents: r.paidCents, patientResponsibilityCents: r.patientResponsibilityCents,
        payerClaimNumber: r.payerClaimNumber ?? claim.payerClaimNumber, denialCodes: codes,
      });
      this.status.balance = {
        billedCents: r.chargeCents, paidCents: r.paidCents, adjustedCents: adjusted,
        patientResponsibilityCents: r.patientResponsibilityCents,
        insuranceBalanceCents: isDenied(r) ? r.chargeCents - r.paidCents : r.chargeCents - r.paidCents - adjusted - r.patientResponsibilityCents,
      };
      upsertSearchAttributes([
        { key: PaidCentsKey, value: r.paidCents },
        { key: DenialCodesKey, value: [...new Set(this.status.claims.flatMap((c) => c.denialCodes))] },
      ]);
      return r;
    }
  }

  private setClaim(claim: ClaimSummary, patch: Partial<ClaimSummary>): void {
    Object.assign(claim, patch);
    upsertSearchAttributes([{ key: ClaimStatusKey, value: claim.status }]);
  }

  /** Closes the visit and answers "no further step" to the stage that asked. */
  private async closed(outcome: VisitOutcome): Promise<false> {
    await this.close(outcome);
    return false;
  }

  async close(outcome: VisitOutcome): Promise<VisitStatus> {
    await this.acts.closeVisit({ visitId: this.visit.visitId, outcome, reason: this.cancelReason });
    this.status.outcome = outcome;
    this.status.closeReason = this.cancelReason;
    const money = { billedCents: this.status.balance.billedCents, remittances: this.posted, patientPaidCents: 0, writtenOffCents: 0 };
    const open = summarizeVisit(money);
    // A write-off closes whatever was still open; any other outcome leaves it visible as open.
    this.status.summary = outcome === 'written_off' ? summarizeVisit({ ...money, writtenOffCents: open.insuranceOpenCents + open.patientOpenCents }) : open;
    this.enter('closed');
    return this.status;
  }

  /**
   * Runs one activity call; a failure it does not handle itself parks the visit in
   * needs_attention (the queue named by the failure type) until a person retries the step
   * (the call runs again) or resolves the visit (write-off or cancel: Resolved unwinds to close).
   */
  private async guard<T>(step: string, call: () => Promise<T>, handles: FailureType[] = []): Promise<T> {
    for (;;) {
      try {
        return await call();
      } catch (err) {
        const failure = classifyFailure(err, step, new Date().toISOString());
        if (handles.includes(failure.type)) throw err;
        const outcome = await this.park(failure);
        if (outcome) throw new Resolved(outcome);
      }
    }
  }

  /** Waits in needs_attention; undefined means "retry the step", else the outcome a person chose. */
  private async park(failure: ParkedFailure): Promise<VisitOutcome | undefined> {
    const { stage, awaitingAction } = this.status;
    this.status.failure = failure;
    this.resolution = undefined;
    this.enter('needs_attention', PARK_QUEUE[failure.type]);
    // The work queues in Postgres (visit_facts) see a parked visit only through its recorded stage.
    const recordPark = patched('record-park-stage');
    if (recordPark) await this.recordStage();
    await condition(() => !!this.resolution || !!this.cancelReason);
    this.status.lastFailure = failure;
    this.status.failure = undefined;
    if (this.resolution === 'written_off') return 'written_off';
    if (this.cancelReason) return 'cancelled';
    this.enter(stage, awaitingAction);
    if (recordPark) await this.recordStage();
    return undefined;
  }

  private enter(stage: VisitStage, awaitingAction?: AwaitingAction): void {
    this.status.stage = stage;
    this.status.history.push({ stage, at: new Date().toISOString() });
    this.setAwaiting(awaitingAction);
    const { visit } = this;
    upsertSearchAttributes([
      { key: VisitIdKey, value: visit.visitId },
      { key: PayerIdKey, value: visit.coverage.payerId },
      { key: ProviderNpiKey, value: visit.appointment.providerNpi },
      { key: ServiceDateKey, value: new Date(`${visit.appointment.serviceDate}T00:00:00Z`) },
      { key: VisitStageKey, value: stage },
    ]);
  }

  /** Enters a stage no other activity records, and records it in visit_events. */
  private async recordEnter(stage: VisitStage, awaitingAction: AwaitingAction): Promise<void> {
    this.enter(stage, awaitingAction);
    await this.recordStage();
  }

  private async recordAwaiting(action: AwaitingAction): Promise<void> {
    this.setAwaiting(action);
    await this.recordStage();
  }

  /** patched(): histories recorded before visit_events replay without the activity. */
  private async recordStage(): Promise<void> {
    if (!patched('record-visit-events')) return;
    const { stage, awaitingAction, history } = this.status;
    await this.acts.recordStageChange({ visitId: this.visit.visitId, stage, awaitingAction, seq: history.length, at: history[history.length - 1].at });
  }

  private setAwaiting(action?: AwaitingAction): void {
    this.status.awaitingAction = action;
    upsertSearchAttributes([{ key: AwaitingActionKey, value: action ?? AwaitingAction.None }]);
    setCurrentDetails(describe(this.status));
  }

  private requireStage(stages: VisitStage[], what: string): void {
    if (!stages.includes(this.status.stage)) {
      throw ApplicationFailure.create({ type: FailureType.InvalidStage, nonRetryable: true, message: `cannot ${what} a visit in stage ${this.status.stage}` });
    }
  }

  private once(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}

/**
 * A business refusal (the EHR's encounter is not billable, the PMS rejects the charges)
 * becomes the problems a coder sees; any other failure is not ours to handle here.
 */
function reviewProblems(err: unknown, type: FailureType, path: string): CodingProblem[] {
  const failure = (err as { cause?: { type?: string; message?: string; details?: unknown[] } }).cause;
  if (failure?.type !== type) throw err;
  const listed = failure.details?.[0] as CodingProblem[] | undefined;
  return listed?.length ? listed : [{ path, reason: failure.message ?? 'refused' }];
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.Validation, nonRetryable: true, message });
}

function requireReason(arg: { reason: string } | undefined): void {
  if (typeof arg?.reason !== 'string' || !arg.reason.trim() || arg.reason.length > 500) throw invalid('reason: must be 1-500 characters');
}

/** What the visit waits for, in words (Temporal UI "current details"); no PHI. */
function describe(s: VisitStatus): string {
  if (s.stage === 'closed') return `Closed: ${s.outcome ?? ''}`;
  if (s.stage === 'needs_attention' && s.failure) {
    return `Needs attention (${s.awaitingAction}): ${s.failure.step} failed with ${s.failure.type}${s.failure.exhausted ? ' after its retries' : ''}: ${s.failure.message}. Send retry, writeOff or cancel.`;
  }
  return `Stage ${s.stage}${s.awaitingAction ? `, waiting for ${s.awaitingAction.replace(/_/g, ' ')}` : ''}`;
}
