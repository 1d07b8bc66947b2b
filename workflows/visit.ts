/**
 * visitWorkflow: one durable workflow per visit, from the booked appointment to the
 * last dollar (DESIGN.md §1). Deterministic: all I/O is in activities, all waits are
 * Temporal timers and conditions, human steps are validated updates.
 */
import {
  ApplicationFailure, condition, patched, proxyActivities, setHandler, upsertSearchAttributes,
} from '@temporalio/workflow';
import type { VisitActivities } from '../activities';
import {
  adjustedCents, denialCodes, isDenied, type ClaimAcknowledgment, type ClaimFrequency, type ClaimRemittance,
} from '../domain/claim';
import { checkCoding, type CodingProblem } from '../domain/coding';
import type { CodedEncounter, Coverage, StartVisit } from '../domain/visit';
import {
  cancelUpdate, claimAcknowledgedSignal, correctCodingUpdate, encounterSignedSignal, INVALID_STAGE,
  remittanceReceivedSignal, statusQuery, updateCoverageUpdate,
  type ClaimSummary, type VisitInput, type VisitOutcome, type VisitStage, type VisitStatus,
} from './definitions';
import {
  AwaitingActionKey, BilledCentsKey, ClaimStatusKey, CptCodesKey, DenialCodesKey, PaidCentsKey, PayerIdKey,
  ProviderNpiKey, ServiceDateKey, VisitIdKey, VisitStageKey,
} from './search-attributes';


/** Stages in which a visit can still be cancelled: once charges go to the PMS, it is billed. */
const CANCELLABLE: VisitStage[] = ['intake', 'eligibility', 'awaiting_coverage', 'awaiting_encounter', 'coding', 'coding_review'];

export async function visitWorkflow(input: VisitInput): Promise<VisitStatus> {
  const run = new VisitRun(input);
  run.register();
  return run.run();
}

class VisitRun {
  private visit: StartVisit;
  private readonly acts: VisitActivities;
  private status: VisitStatus;
  private cancelReason?: string;
  private encounterId?: string;
  private coverageUpdated = false;
  private codingCorrected?: CodedEncounter;
  private readonly acks: ClaimAcknowledgment[] = [];
  private readonly remittances: ClaimRemittance[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly input: VisitInput) {
    this.visit = input.visit;
    this.acts = proxyActivities<VisitActivities>({
      startToCloseTimeout: input.timers.activityTimeoutMs ?? 30_000,
      // Refusals are non-retryable ApplicationFailures (activities/failures.ts); everything else is retried.
      retry: { initialInterval: 500, backoffCoefficient: 2, maximumInterval: input.timers.activityRetryMaxIntervalMs ?? 30_000 },
    });
    this.status = {
      visitId: input.visit.visitId,
      stage: 'intake',
      history: [],
      codingProblems: [],
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
    }, { validator: (_: { reason: string }) => this.requireStage(CANCELLABLE, 'cancel') });
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
          throw ApplicationFailure.create({ type: INVALID_STAGE, nonRetryable: true, message: `the visit's encounter is ${this.status.encounterId}, not ${enc.encounterId}` });
        }
      },
    });
  }

  async run(): Promise<VisitStatus> {
    this.enter('intake');
    await this.acts.recordIntake(this.visit);
    await this.acts.prepopulateEhr(this.visit);
    if (!(await this.eligible())) return this.status;

    let encounter = await this.codedEncounter();
    if (!encounter) return this.status;
    if (this.cancelReason) return this.close('cancelled');

    for (;;) {
      this.enter('charges');
      try {
        const lines = await this.acts.postCharges({ visitId: this.visit.visitId, patientId: this.visit.patient.patientId, encounter });
        upsertSearchAttributes([{ key: CptCodesKey, value: lines.map((l) => l.code) }]);
        break;
      } catch (err) {
        // The PMS refused the charges (e.g. a pointer it cannot map): a coder fixes them, nothing was posted.
        encounter = await this.codingReview(reviewProblems(err, 'PMS_REJECTED', 'charges'));
        if (!encounter) return this.status;
      }
    }

    return this.bill(encounter);
  }

  /** Eligibility; inactive coverage waits for a correction until the deadline. */
  private async eligible(): Promise<boolean> {
    for (;;) {
      this.enter('eligibility');
      this.status.eligibility = await this.acts.checkEligibility({ visit: this.visit, attempt: this.status.history.filter((h) => h.stage === 'eligibility').length });
      if (this.cancelReason) return this.closed('cancelled');
      if (this.status.eligibility.active) return true;
      await this.recordEnter('awaiting_coverage', 'coverage');
      this.coverageUpdated = false;
      const corrected = await condition(() => this.coverageUpdated || !!this.cancelReason, this.input.timers.coverageDeadlineMs);
      if (this.cancelReason) return this.closed('cancelled');
      if (!corrected) return this.closed('ineligible');
      await this.acts.recordIntake(this.visit); // the corrected coverage becomes the visit's coverage of record
    }
  }

  /** Waits for the signed encounter, fetches it, and sends problems to human coding review. */
  private async codedEncounter(): Promise<CodedEncounter | undefined> {
    await this.recordEnter('awaiting_encounter', 'encounter_signature');
    await condition(() => !!this.encounterId || !!this.cancelReason);
    if (this.cancelReason) return void (await this.closed('cancelled'));
    this.status.encounterId = this.encounterId;
    this.enter('coding');
    let encounter: CodedEncounter;
    try {
      encounter = await this.acts.fetchEncounter({ visitId: this.visit.visitId, encounterId: this.encounterId! });
    } catch (err) {
      return this.codingReview(reviewProblems(err, 'EncounterNotBillable', 'encounter'));
    }
    const problems = checkCoding(encounter);
    return problems.length ? this.codingReview(problems) : encounter;
  }

  /** Human coding review until the coding passes the checks; undefined when the visit was cancelled meanwhile. */
  private async codingReview(problems: CodingProblem[]): Promise<CodedEncounter | undefined> {
    let encounter: CodedEncounter | undefined;
    while (problems.length) {
      this.status.codingProblems = problems;
      await this.recordEnter('coding_review', 'coding_review');
      this.codingCorrected = undefined;
      await condition(() => !!this.codingCorrected || !!this.cancelReason);
      if (this.cancelReason) return void (await this.closed('cancelled'));
      encounter = await this.acts.recordCodingCorrection({ visitId: this.visit.visitId, encounter: this.codingCorrected! });
      problems = checkCoding(encounter);
    }
    this.status.codingProblems = [];
    return encounter;
  }

  /** Submit, acknowledge, adjudicate; a denial gets one corrected claim, a rejection waits for fixed coverage. */
  private async bill(encounter: CodedEncounter): Promise<VisitStatus> {
    let frequency: ClaimFrequency = '1';
    for (let attempt = 1; ; attempt++) {
      const claim = await this.submit(encounter, attempt, frequency);
      const ack = await this.acknowledgment(claim);
      if (!ack.accepted) {
        this.setClaim(claim, { status: 'rejected' });
        await this.recordEnter('claim_rejected', 'fix_claim');
        this.coverageUpdated = false;
        if (!(await condition(() => this.coverageUpdated, this.input.timers.coverageDeadlineMs))) return this.close('rejected');
        await this.acts.recordIntake(this.visit);
        frequency = '1';
        continue;
      }
      this.setClaim(claim, { status: 'accepted', payerClaimNumber: ack.payerClaimNumber ?? claim.payerClaimNumber });
      const remit = await this.remittance(claim);
      if (!isDenied(remit)) return this.close('paid');
      if (frequency === '7') return this.close('denied');
      // Denial follow-up playbook, thin for now: correct and resubmit as a replacement (frequency 7).
      await this.recordEnter('denied', 'corrected_claim');
      frequency = '7';
    }
  }

  private async submit(encounter: CodedEncounter, attempt: number, frequency: ClaimFrequency): Promise<ClaimSummary> {
    const previous = this.status.claim;
    const submitted = await this.acts.submitClaim({
      visit: this.visit, encounter, attempt, frequency,
      payerClaimNumber: frequency === '7' ? previous?.payerClaimNumber : undefined,
    });
    const claim: ClaimSummary = {
      attempt, frequency, status: 'submitted', controlNumber: submitted.controlNumber, billedCents: submitted.billedCents,
      paidCents: 0, patientResponsibilityCents: 0, payerClaimNumber: previous?.payerClaimNumber, denialCodes: [],
    };
    this.status.claims.push(claim);
    this.status.claim = claim;
    this.status.balance.billedCents = claim.billedCents;
    upsertSearchAttributes([{ key: BilledCentsKey, value: claim.billedCents }]);
    this.enter('claim_submitted', 'acknowledgment');
    return claim;
  }

  /** The 999 must accept the interchange, then the 277CA decides the claim; a 999 rejection is final for this attempt. */
  private async acknowledgment(claim: ClaimSummary): Promise<ClaimAcknowledgment> {
    for (;;) {
      const got = await condition(() => this.acks.length > 0, this.input.timers.ackTimeoutMs);
      if (!got) {
        await this.recordAwaiting('acknowledgment_overdue');
        continue;
      }
      const ack = this.acks.shift()!;
      if (ack.kind === '999' && ack.controlNumber !== undefined && ack.controlNumber !== claim.controlNumber) continue;
      await this.acts.recordAcknowledgment({ visitId: this.visit.visitId, attempt: claim.attempt, ack });
      if (!ack.accepted || ack.kind === '277CA') return ack;
      this.setClaim(claim, { status: 'submitted' });
      // A late 999 clears the overdue flag; patched() because it adds a command to histories that have one.
      if (this.status.awaitingAction === 'acknowledgment_overdue' && patched('clear-overdue-on-999')) this.setAwaiting('acknowledgment');
    }
  }

  private async remittance(claim: ClaimSummary): Promise<ClaimRemittance> {
    this.enter('awaiting_adjudication', 'remittance');
    for (;;) {
      const got = await condition(() => this.remittances.length > 0, this.input.timers.adjudicationTimeoutMs);
      if (!got) {
        await this.recordAwaiting('claim_status_inquiry');
        continue;
      }
      const r = this.remittances.shift()!;
      if (r.frequency && r.frequency !== claim.frequency) continue; // an answer about an earlier submission
      await this.acts.recordRemittance({ visitId: this.visit.visitId, attempt: claim.attempt, remittance: r });
      const adjusted = adjustedCents(r, 'CO') + adjustedCents(r, 'OA') + adjustedCents(r, 'PI');
      const codes = denialCodes(r);
      this.setClaim(claim, {
        status: isDenied(r) ? 'denied' : r.paidCents < r.chargeCents - adjusted - r.patientResponsibilityCents ? 'partially_paid' : 'paid',
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

  private async close(outcome: VisitOutcome): Promise<VisitStatus> {
    await this.acts.closeVisit({ visitId: this.visit.visitId, outcome, reason: this.cancelReason });
    this.status.outcome = outcome;
    this.enter('closed');
    return this.status;
  }

  private enter(stage: VisitStage, awaitingAction?: string): void {
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
  private async recordEnter(stage: VisitStage, awaitingAction: string): Promise<void> {
    this.enter(stage, awaitingAction);
    await this.recordStage();
  }

  private async recordAwaiting(action: string): Promise<void> {
    this.setAwaiting(action);
    await this.recordStage();
  }

  /** patched(): histories recorded before visit_events replay without the activity. */
  private async recordStage(): Promise<void> {
    if (!patched('record-visit-events')) return;
    const { stage, awaitingAction, history } = this.status;
    await this.acts.recordStageChange({ visitId: this.visit.visitId, stage, awaitingAction, seq: history.length, at: history[history.length - 1].at });
  }

  private setAwaiting(action?: string): void {
    this.status.awaitingAction = action;
    upsertSearchAttributes([{ key: AwaitingActionKey, value: action ?? 'none' }]);
  }

  private requireStage(stages: VisitStage[], what: string): void {
    if (!stages.includes(this.status.stage)) {
      throw ApplicationFailure.create({ type: INVALID_STAGE, nonRetryable: true, message: `cannot ${what} a visit in stage ${this.status.stage}` });
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
function reviewProblems(err: unknown, type: string, path: string): CodingProblem[] {
  const failure = (err as { cause?: { type?: string; message?: string; details?: unknown[] } }).cause;
  if (failure?.type !== type) throw err;
  const listed = failure.details?.[0] as CodingProblem[] | undefined;
  return listed?.length ? listed : [{ path, reason: failure.message ?? 'refused' }];
}
