/**
 * visitWorkflow: one durable workflow per visit, from the booked appointment to the
 * last dollar (DESIGN.md §1). Deterministic: all I/O is in activities, all waits are
 * Temporal timers and conditions, human steps are validated updates.
 */
import {
  ApplicationFailure, ChildWorkflowFailure, condition, executeChild, patched, proxyActivities, setCurrentDetails, setHandler, upsertSearchAttributes,
} from '@temporalio/workflow';
import type { VisitActivities } from '../activities';
import {
  adjustedCents, denialCodes, isDenied, remittanceStatus, type ClaimAcknowledgment, type ClaimFrequency, type ClaimRemittance,
} from '../domain/claim';
import type { ScrubResult } from '../domain/billing/findings';
import { applySuggestion } from '../domain/billing/suggestions';
import { summarizeVisit, type PostedRemittance } from '../domain/billing/summary';
import { estimatePatientShare } from '../domain/billing/patient-estimate';
import { collectPatientBalance } from './patient-balance';
import type { AckReading } from '../domain/billing/acknowledgments';
import { denialSettled, type DenialPlan } from '../domain/billing/denials';
import { denialWorkflow, type DenialDecision, type DenialInput } from './denial';
import { sameBilledLines, type CodingProblem } from '../domain/coding';
import { applyRegistration, appointmentChanged, registrationChanges, type VisitChange } from '../domain/registration';
import { AwaitingAction, classifyFailure, FailureType, PARK_QUEUE, type ParkedFailure } from '../domain/failures';
import type { Appointment, ChargeLine, CodedEncounter, Coverage, StartVisit } from '../domain/visit';
import {
  acceptSuggestionUpdate, activityOptions, cancelUpdate, claimAcknowledgedSignal, correctCodingUpdate, encounterSignedSignal,
  registrationChangedSignal, remittanceReceivedSignal, rescheduleUpdate, retryUpdate, statusQuery, SUGGESTION_REJECTED, updateCoverageUpdate, voidClaimUpdate, writeOffUpdate,
  type ClaimSummary, type PatientBalanceStatus, type VisitInput, type VisitOutcome, type VisitStage, type VisitStatus,
} from './definitions';
import {
  AwaitingActionKey, BilledCentsKey, ClaimStatusKey, CptCodesKey, DenialCodesKey, EscalationsKey, PaidCentsKey, PayerIdKey,
  ProviderNpiKey, SearchAttributeMemo, ServiceDateKey, VisitIdKey, VisitStageKey,
} from './search-attributes';
import type { SearchAttributeUpdatePair } from '@temporalio/common';


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
      const { outcome } = err;
      next = () => (outcome === 'voided' ? run.voidClaim() : run.close(outcome));
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
  /** A biller asked to void the claim the payer has (voidClaim update); `voiding` once the void is under way. */
  private voidReason?: string;
  private voiding = false;
  /** What the last claim billed: a void sends the same lines with frequency 8. */
  private lastBilled?: Coded & { lines: ChargeLine[] };
  private encounterId?: string;
  private coverageUpdated = false;
  /** The PMS changed the coverage (ADT^A08) since eligibility was last checked: check again before the claim goes out. */
  private coverageChanged = false;
  /** Charges went to the PMS: the appointment can no longer be moved. */
  private chargesPosted = false;
  private codingCorrected?: CodedEncounter;
  /** The coding under review: what an accepted suggestion changes. */
  private reviewing?: CodedEncounter;
  private readonly acks: ClaimAcknowledgment[] = [];
  private readonly remittances: ClaimRemittance[] = [];
  private readonly seen = new Set<string>();
  /** What was last upserted: enter/setAwaiting/setClaim send only what changed. */
  private readonly searchAttributes = new SearchAttributeMemo();
  /** Every 835 posting this visit received, for the closing summary. */
  private readonly posted: PostedRemittance[] = [];

  constructor(private readonly input: VisitInput) {
    this.visit = input.visit;
    this.raw = proxyActivities<Activities>(activityOptions(input.timers));
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
    setHandler(registrationChangedSignal, async (change) => {
      if (!this.once(`registration:${change.changeKey}`) || this.status.stage === 'closed') return;
      const changes = registrationChanges(this.visit, change);
      if (!changes.length) return;
      this.visit = applyRegistration(this.visit, change);
      if (changes.includes('coverage')) {
        this.coverageChanged = true;
        this.coverageUpdated = true; // a visit waiting for corrected coverage takes it from the PMS too
      }
      await this.noteChanges(change.changeKey, changes);
    });
    setHandler(rescheduleUpdate, async (appointment) => {
      if (!appointmentChanged(this.visit, appointment)) return this.status;
      const next = { ...this.visit, appointment: { ...appointment, priorAuthorization: appointment.priorAuthorization ?? this.visit.appointment.priorAuthorization } };
      await this.raw.rescheduleVisit(next); // the billing record and the EHR's Appointment first: a refusal changes nothing here
      this.visit = next;
      this.upsertChanged([
        { key: ServiceDateKey, value: new Date(`${appointment.serviceDate}T00:00:00Z`) },
        { key: ProviderNpiKey, value: appointment.providerNpi },
      ], true);
      await this.noteChanges(`appointment:${appointment.serviceDate}:${appointment.providerNpi}:${appointment.placeOfService}`, ['appointment']);
      return this.status;
    }, {
      validator: (_: Appointment) => {
        if (this.chargesPosted || this.status.stage === 'closed') {
          throw ApplicationFailure.create({ type: FailureType.InvalidStage, nonRetryable: true, message: `cannot reschedule a visit ${this.chargesPosted ? 'whose charges were posted: void or correct the claim instead' : 'that is closed'}` });
        }
      },
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
        this.requireStage(['needs_attention', 'claim_rejected', 'denied'], 'retry');
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
        this.requireStage(['needs_attention', 'claim_rejected', 'denied', 'coding_review', 'patient_balance'], 'write off');
        requireReason(arg);
      },
    });
    setHandler(voidClaimUpdate, ({ reason }) => {
      this.voidReason = reason;
      return this.status;
    }, {
      validator: (arg: { reason: string }) => {
        this.requireStage(['awaiting_adjudication', 'denied', 'needs_attention'], 'void the claim of');
        const claim = this.status.claim;
        if (!claim?.payerClaimNumber || claim.status === 'rejected' || this.voidReason) {
          throw ApplicationFailure.create({ type: FailureType.InvalidStage, nonRetryable: true, message: 'only a claim the payer accepted (it has a payer claim number) can be voided, once' });
        }
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
        this.requireStage(['coding_review', 'claim_rejected'], 'correct coding');
        if (enc.encounterId !== this.status.encounterId) {
          throw ApplicationFailure.create({ type: FailureType.InvalidStage, nonRetryable: true, message: `the visit's encounter is ${this.status.encounterId}, not ${enc.encounterId}` });
        }
        // Once charges are posted (a rejected or denied claim), only the diagnoses can change here.
        if (this.chargesPosted && this.reviewing && !sameBilledLines(this.reviewing, enc)) {
          throw ApplicationFailure.create({ type: FailureType.InvalidStage, nonRetryable: true, message: 'the charges of this claim are posted: correct its diagnoses in place (same lines, pointers and number of diagnoses); a procedure change needs a void and a new claim' });
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
    await this.intake();
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
        this.chargesPosted = true;
        this.status.patientEstimate = estimatePatientShare(this.status.eligibility, lines);
        this.upsertChanged([{ key: CptCodesKey, value: lines.map((l) => l.code) }]);
        break;
      } catch (err) {
        // The PMS refused the charges (e.g. a pointer it cannot map), or a fee vanished after the scrub:
        // a coder fixes them, nothing was posted.
        const type = (err as { cause?: { type?: string } }).cause?.type === FailureType.FeeScheduleMissing ? FailureType.FeeScheduleMissing : FailureType.PmsRejected;
        coded = await this.codingReview(coded.encounter, reviewProblems(err, type, 'charges'));
        if (!coded) return this.status;
      }
    }

    // The PMS changed the coverage after eligibility was checked (ADT^A08): check the new one before the claim goes out.
    if (this.coverageChanged) {
      await this.intake();
      if (!(await this.eligible())) return this.status;
    }
    return this.bill(coded.encounter, lines, coded.scrub);
  }

  /** Records the visit (and coverage) of record; the payer's timely-filing deadline comes back and is watched. */
  private async intake(): Promise<void> {
    const { filingDeadline } = (await this.acts.recordIntake(this.visit)) ?? {}; // histories recorded before the watch return nothing
    if (filingDeadline && filingDeadline !== this.status.filingDeadline) {
      this.status.filingDeadline = filingDeadline;
      void this.watchFilingDeadline(filingDeadline);
    }
  }

  /**
   * Timely filing (item 9), beside the visit's story: if no claim of the visit has been accepted
   * by the payer a configured time before the payer's deadline (counted from the date of
   * service), the visit escalates. A new payer's deadline replaces this watch.
   */
  private async watchFilingDeadline(deadline: string): Promise<void> {
    const escalateIn = Date.parse(`${deadline}T00:00:00Z`) - (this.input.timers.timelyFilingEscalateBeforeMs ?? 30 * 86_400_000) - Date.now();
    const settled = () => this.status.filingDeadline !== deadline || this.status.stage === 'closed'
      || this.status.claims.some((c) => c.status !== 'submitted' && c.status !== 'rejected');
    if (await condition(settled, Math.max(1, escalateIn))) return;
    await this.escalate('timely_filing', deadline);
  }

  /** A deadline is near: on the status, in the Escalations search attribute and as a visit event (a lost event does not stop the visit). */
  private async escalate(deadline: 'timely_filing' | 'appeal', due: string): Promise<void> {
    const escalations = (this.status.escalations ??= []);
    if (escalations.some((e) => e.deadline === deadline && e.due === due)) return;
    escalations.push({ deadline, due, at: new Date().toISOString() });
    this.upsertChanged([{ key: EscalationsKey, value: [...new Set(escalations.map((e) => e.deadline))] }], true);
    setCurrentDetails(describe(this.status));
    try {
      await this.raw.recordEscalation({ visitId: this.visit.visitId, deadline, due });
    } catch {
      // Retried up to the ceiling already; the escalation is on the status and in the search attribute.
    }
  }

  /** Eligibility; inactive coverage waits for a correction until the deadline. */
  private async eligible(): Promise<boolean> {
    for (;;) {
      this.enter('eligibility');
      this.coverageChanged = false; // this check is of the coverage as it now stands
      this.status.eligibility = await this.acts.checkEligibility({ visit: this.visit, attempt: this.status.history.filter((h) => h.stage === 'eligibility').length });
      if (this.cancelReason) return this.closed('cancelled');
      if (this.status.eligibility.active) return true;
      // Reset before the stage is recorded: a correction that arrives while it is being recorded must not be lost.
      this.coverageUpdated = false;
      await this.recordEnter('awaiting_coverage', AwaitingAction.Coverage);
      const corrected = await condition(() => this.coverageUpdated || !!this.cancelReason, this.input.timers.coverageDeadlineMs);
      if (this.cancelReason) return this.closed('cancelled');
      if (!corrected) return this.closed('ineligible');
      await this.intake(); // the corrected coverage becomes the visit's coverage of record
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
      // Reset before the stage is recorded: a correction sent while the activity runs must not be lost.
      this.codingCorrected = undefined;
      this.resolution = undefined;
      await this.recordEnter('coding_review', AwaitingAction.CodingReview);
      await condition(() => !!this.codingCorrected || !!this.cancelReason || this.resolution === 'written_off');
      if (this.resolution === 'written_off') return void (await this.close('written_off'));
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
      const { ack, reading } = await this.acknowledgment(claim);
      if (reading.outcome === 'rejected') {
        const fixed = await this.rejected(claim, ack, reading, { encounter, scrub });
        if (!fixed) return this.status;
        ({ encounter, scrub } = fixed);
        frequency = '1'; // a rejected claim never reached adjudication: the fixed one is a new original
        continue;
      }
      this.setClaim(claim, { status: 'accepted', acknowledged: reading.outcome === 'pended' ? 'pended' : 'accepted', payerClaimNumber: ack.payerClaimNumber ?? claim.payerClaimNumber });
      const answered = await this.remittance(claim);
      if (!answered) {
        frequency = '1'; // the payer has no such claim (277 A4): it goes out again as a new original
        continue;
      }
      let remit = answered;
      while (!isDenied(remit) && this.status.underpaidLines?.length) {
        // Short-paid lines are work: retry = the payer was asked to reprocess (wait for its next 835);
        // writeOff = the variance is accepted and the visit closes as paid.
        const short = this.status.underpaidLines.reduce((s, l) => s + l.underpaidCents, 0);
        const message = `${this.status.underpaidLines.length} line(s) paid ${short} cents below the contracted amount`;
        const chosen = await this.park({ type: FailureType.Underpaid, step: 'recordRemittance', message, exhausted: false, at: new Date().toISOString() });
        if (chosen === 'written_off') return this.close('paid');
        if (chosen) return this.finish(chosen);
        remit = (await this.remittance(claim)) ?? remit; // "not found" after paying: the person decides again
      }
      if (!isDenied(remit)) {
        // The primary paid and left the patient a share: the secondary coverage is billed for it (COB).
        if (this.visit.secondaryCoverage && remit.patientResponsibilityCents > 0) return this.billSecondary(claim, remit, { encounter, scrub }, lines);
        return this.close('paid');
      }
      if (frequency === '7') return this.close('denied');
      if (patched('denial-playbook')) {
        // The playbook decides in a child workflow per denied claim; a corrected claim goes out by itself.
        const next = await this.followDenial(claim, remit, { encounter, scrub }, lines);
        if (next === 'resend') {
          frequency = '1'; // the payer lost the claim it was to reconsider: sent again as a new original
          continue;
        }
        if (next === 'recode') {
          // The codes must change: a coder corrects the diagnoses (the billed lines stay, their charges are posted).
          const reason = `${this.status.denial!.code}: ${this.status.denial!.note}`;
          const fixed = await this.codingReview(encounter, [{ path: 'diagnoses', reason }]);
          if (!fixed) return this.status;
          ({ encounter, scrub } = fixed);
        } else if (next !== 'corrected') return next;
      }
      // A corrected claim: frequency 7, REF*F8 naming the payer's claim.
      await this.recordEnter('denied', AwaitingAction.CorrectedClaim);
      frequency = '7';
    }
  }

  private async submit(c: { encounter: CodedEncounter; lines: ChargeLine[]; scrub: ScrubResult }, attempt: number, frequency: ClaimFrequency, primary?: ClaimRemittance): Promise<ClaimSummary> {
    const previous = this.status.claim;
    const submitted = await this.acts.submitClaim({
      visit: this.visit, encounter: c.encounter, lines: c.lines, attempt, frequency,
      payerClaimNumber: frequency === '7' || frequency === '8' ? previous?.payerClaimNumber : undefined,
      rulesetVersion: c.scrub.rulesetVersion, filingIndicator: c.scrub.filingIndicator, priorAuthorization: c.scrub.priorAuthorization,
      ...(primary ? { cob: { primary } } : {}),
    });
    this.lastBilled = c;
    const claim: ClaimSummary = {
      attempt, frequency, status: 'submitted', controlNumber: submitted.controlNumber, billedCents: submitted.billedCents,
      paidCents: 0, patientResponsibilityCents: 0, payerClaimNumber: primary ? undefined : previous?.payerClaimNumber, denialCodes: [],
      rulesetVersion: c.scrub.rulesetVersion, ...(primary ? { coverage: 'secondary' as const } : {}),
    };
    this.status.claims.push(claim);
    this.status.claim = claim;
    this.status.balance.billedCents = claim.billedCents;
    this.status.balance.insuranceBalanceCents = claim.billedCents - this.status.balance.paidCents; // open until this claim is answered
    this.upsertChanged([{ key: BilledCentsKey, value: claim.billedCents }, { key: ClaimStatusKey, value: claim.status }]);
    this.enter('claim_submitted', AwaitingAction.Acknowledgment);
    return claim;
  }

  /**
   * Waits until an acknowledgment decides the claim: the 999 must accept the file, then a 277CA
   * accepts (or pends) it into adjudication; a clearinghouse's 277CA only forwards it, and the
   * payer's is awaited. Any rejection decides at once. Answers about another submission (by ISA13,
   * or the 837's BHT03 a 277CA echoes) are not about this claim. The activity reads the
   * acknowledgment with the routing rules (data) and records it.
   */
  private async acknowledgment(claim: ClaimSummary): Promise<{ ack: ClaimAcknowledgment; reading: AckReading }> {
    for (;;) {
      const got = await condition(() => this.acks.length > 0, this.input.timers.ackTimeoutMs);
      if (!got) {
        await this.recordAwaiting(AwaitingAction.AcknowledgmentOverdue);
        continue;
      }
      const ack = this.acks.shift()!;
      if (ack.controlNumber !== undefined && ack.controlNumber !== claim.controlNumber) continue;
      const reading = await this.acts.recordAcknowledgment({ visitId: this.visit.visitId, attempt: claim.attempt, ack });
      if (reading.outcome === 'rejected' || reading.outcome === 'accepted' || reading.outcome === 'pended') return { ack, reading };
      this.setClaim(claim, { status: 'submitted', ...(reading.outcome === 'forwarded' ? { acknowledged: 'forwarded' } : {}) });
      this.setAwaiting(reading.outcome === 'forwarded' ? AwaitingAction.PayerAcknowledgment : AwaitingAction.Acknowledgment);
    }
  }

  /**
   * A claim the front end rejected waits in the queue its acknowledgment points at (coverage,
   * coding review or claim data) until a person fixes it: new coverage (the API, or the PMS's
   * ADT^A08), corrected diagnoses (the billed lines stay: their charges are posted), or retry
   * once data outside the claim (a provider's NPI, the practice's settings) is fixed; or writes
   * it off. Past the deadline the visit closes as rejected. Undefined: the visit closed.
   */
  private async rejected(claim: ClaimSummary, ack: ClaimAcknowledgment, reading: AckReading, billed: Coded): Promise<Coded | undefined> {
    const queue = (reading.queue ?? AwaitingAction.ClaimData) as AwaitingAction;
    this.setClaim(claim, { status: 'rejected', rejection: { kind: ack.kind, queue, reason: ack.message ?? ack.codes.join(', '), note: reading.note, codes: ack.codes } });
    this.reviewing = billed.encounter;
    // Reset before the stage is recorded: a correction sent while the activity runs must not be lost.
    this.coverageUpdated = false;
    this.codingCorrected = undefined;
    this.resolution = undefined;
    await this.recordEnter('claim_rejected', queue);
    const acted = await condition(() => this.coverageUpdated || !!this.codingCorrected || !!this.resolution, this.input.timers.coverageDeadlineMs);
    this.reviewing = undefined;
    if (!acted) return void (await this.closed('rejected'));
    if (this.resolution === 'written_off') return void (await this.closed('written_off'));
    if (this.coverageUpdated) {
      await this.intake(); // the corrected coverage becomes the visit's coverage of record
      return (await this.eligible()) ? billed : undefined;
    }
    if (this.codingCorrected) {
      const encounter = await this.acts.recordCodingCorrection({ visitId: this.visit.visitId, encounter: this.codingCorrected });
      const scrub = await this.scrub(encounter);
      return scrub.blocked ? this.codingReview(encounter, []) : { encounter, scrub };
    }
    return billed; // retry: the data outside the claim was fixed; the same claim goes out again
  }

  /** The 835 for the claim; undefined when a claim status inquiry says the payer has no such claim (send it again). */
  private async remittance(claim: ClaimSummary, awaiting: AwaitingAction = AwaitingAction.Remittance): Promise<ClaimRemittance | undefined> {
    this.enter('awaiting_adjudication', awaiting);
    let inquiries = 0;
    for (;;) {
      const got = await condition(() => this.remittances.length > 0 || this.voidRequested(), this.input.timers.adjudicationTimeoutMs);
      if (this.voidRequested()) throw new Resolved('voided');
      if (!got) {
        const next = await this.inquire(claim, ++inquiries);
        if (next === 'resubmit') return undefined;
        if (next === 'asked_again') inquiries = 0;
        continue;
      }
      const r = this.remittances.shift()!;
      if (r.frequency && r.frequency !== claim.frequency) continue; // an answer about an earlier submission
      const posted = await this.acts.recordRemittance({ visitId: this.visit.visitId, attempt: claim.attempt, remittance: r });
      this.status.underpaidLines = posted?.underpaid ?? []; // histories recorded before line posting return nothing
      this.posted.push({ paidCents: r.paidCents, adjustments: r.adjustments, payerId: r.payerId, claimStatusCode: r.claimStatusCode });
      const adjusted = adjustedCents(r, 'CO') + adjustedCents(r, 'OA') + adjustedCents(r, 'PI');
      const codes = denialCodes(r);
      this.setClaim(claim, {
        status: remittanceStatus({ ...r, statusCode: r.claimStatusCode }, r.paidCents < r.chargeCents - adjusted - r.patientResponsibilityCents),
        paidCents: r.paidCents, patientResponsibilityCents: r.patientResponsibilityCents,
        payerClaimNumber: r.payerClaimNumber ?? claim.payerClaimNumber, denialCodes: codes,
      });
      this.status.balance = {
        billedCents: claim.billedCents, paidCents: r.paidCents, adjustedCents: adjusted,
        patientResponsibilityCents: r.patientResponsibilityCents,
        insuranceBalanceCents: isDenied(r) ? r.chargeCents - r.paidCents : r.chargeCents - r.paidCents - adjusted - r.patientResponsibilityCents,
      };
      this.upsertChanged([
        { key: PaidCentsKey, value: r.paidCents },
        { key: DenialCodesKey, value: [...new Set(this.status.claims.flatMap((c) => c.denialCodes))] },
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
  private async postUnclaimedRemittances(): Promise<void> {
    const claim = this.status.claim;
    while (claim && this.remittances.length) {
      const r = this.remittances.shift()!;
      await this.acts.recordRemittance({ visitId: this.visit.visitId, attempt: claim.attempt, remittance: r });
      this.posted.push({ paidCents: r.paidCents, adjustments: r.adjustments, payerId: r.payerId, claimStatusCode: r.claimStatusCode });
    }
  }

  /** What the PMS changed, on the status (parts, not values) and in visit_events; a lost event does not stop the visit. */
  private async noteChanges(changeKey: string, changes: VisitChange[]): Promise<void> {
    (this.status.changes ??= []).push({ at: new Date().toISOString(), changes });
    try {
      await this.raw.recordRegistrationChange({ visitId: this.visit.visitId, changeKey, changes });
    } catch {
      // Retried up to the ceiling already; the change itself is applied and on the status.
    }
  }

  /**
   * A denied claim's follow-up: the denial child workflow plans it from the playbook (data) and
   * does what needs no person; here the visit waits for what it names. 'corrected': send a
   * corrected claim; 'recode': a coder corrects the codes first; 'resend': the payer lost the
   * claim, send it again as an original.
   * - appeal sent: the payer's decision is the reconsidered claim's 835 (appeal_decision);
   * - appeal without clinical notes: waits for a person (appeal_documents; retry once they are
   *   in the EHR, or write off) and escalates before the payer's deadline (appeal_due);
   * - another payer is primary: the secondary coverage is billed;
   * - settled (the original was paid, or written off): the visit closes;
   * - anything else: a person decides in denial_review (retry = a corrected claim).
   */
  private async followDenial(claim: ClaimSummary, remit: ClaimRemittance, coded: Coded, lines: ChargeLine[]): Promise<VisitStatus | 'corrected' | 'recode' | 'resend'> {
    for (let round = 1; ; round++) {
      const decision = await this.denialChild(claim, remit, round);
      this.status.denial = { ...decision.plan, ...('appeal' in decision ? { appeal: decision.appeal } : {}) };
      switch (decision.next) {
        case 'corrected_claim': return 'corrected';
        case 'coding_review': return 'recode';
        case 'bill_secondary': return this.billSecondary(claim, remit, coded, lines);
        case 'close':
          this.status.denial = { ...this.status.denial, outcome: denialSettled(decision.outcome), reason: decision.reason };
          if (decision.outcome === 'written_off') this.cancelReason = `${decision.plan.code}: ${decision.reason}`;
          return this.close(decision.outcome);
        case 'appeal_submitted': return (await this.appealDecision(claim, decision.plan)) ?? 'resend';
        case 'appeal_needs_documents': {
          this.resolution = undefined;
          await this.recordEnter('denied', AwaitingAction.AppealDocuments);
          const { deadline } = decision.appeal;
          const escalateIn = Date.parse(`${deadline}T00:00:00Z`) - (this.input.timers.appealEscalateBeforeMs ?? 14 * 86_400_000) - Date.now();
          if (!(await condition(() => !!this.resolution, Math.max(1, escalateIn)))) {
            await this.escalate('appeal', deadline);
            await this.recordAwaiting(AwaitingAction.AppealDue);
            await condition(() => !!this.resolution);
          }
          if (this.resolution === 'written_off') return this.close('written_off');
          continue; // retry: the notes are in the EHR now; the appeal goes out in the next round
        }
        case 'review': {
          const chosen = await this.park({ type: FailureType.Denied, step: 'denialWorkflow', message: decision.message, exhausted: false, at: new Date().toISOString() });
          return chosen ? this.finish(chosen) : 'corrected';
        }
      }
    }
  }

  /** Runs the denial child workflow for this claim (a failure of one of its steps parks the visit like any step's). */
  private denialChild(claim: ClaimSummary, remit: ClaimRemittance, round: number): Promise<DenialDecision> {
    const input: DenialInput = {
      visitId: this.visit.visitId, attempt: claim.attempt, codes: denialCodes(remit), payerId: remit.payerId, payerClaimNumber: remit.payerClaimNumber,
      deniedOn: remit.paidOn ?? new Date().toISOString().slice(0, 10), encounterId: this.status.encounterId, serviceDate: this.visit.appointment.serviceDate,
      hasSecondary: !!this.visit.secondaryCoverage, timers: this.input.timers,
    };
    return this.guard('denialWorkflow', async () => {
      try {
        return await executeChild(denialWorkflow, { workflowId: `visit-${this.visit.visitId}-denial-${claim.attempt}-${round}`, args: [input] });
      } catch (err) {
        // The step that failed inside the child is what a person needs to see.
        throw err instanceof ChildWorkflowFailure && err.cause ? err.cause : err;
      }
    });
  }

  /** The payer's decision on an appeal: the reconsidered claim's 835. Undefined: the payer has no such claim any more. */
  private async appealDecision(claim: ClaimSummary, plan: DenialPlan): Promise<VisitStatus | undefined> {
    const decision = await this.remittance(claim, AwaitingAction.AppealDecision);
    if (!decision) return undefined;
    const upheld = isDenied(decision);
    this.status.denial!.appeal!.status = upheld ? 'upheld' : 'overturned';
    await this.denialOutcome(claim, plan, upheld ? 'upheld' : 'overturned', `the payer's reconsidered 835 ${upheld ? 'denies the claim again' : `pays ${decision.paidCents} cents`}`);
    return this.close(upheld ? 'denied' : 'paid');
  }

  /** What came of a denial's action: on the status, and a claim event grouped by the taxonomy. */
  private async denialOutcome(claim: ClaimSummary, plan: DenialPlan, outcome: string, reason: string): Promise<void> {
    this.status.denial = { ...plan, ...this.status.denial, outcome, reason };
    await this.acts.recordDenialOutcome({ visitId: this.visit.visitId, attempt: claim.attempt, plan, outcome, reason });
  }

  /**
   * Another payer is primary (CO-22), or the primary has answered: the visit's secondary coverage
   * is billed (COB: 2320/2330B/2430 carry the primary's answer), and its 835 closes the visit.
   * A rejection by the secondary parks for a person.
   */
  private async billSecondary(primaryClaim: ClaimSummary, primary: ClaimRemittance, coded: Coded, lines: ChargeLine[]): Promise<VisitStatus> {
    for (let attempt = primaryClaim.attempt + 1; ; attempt++) {
      const claim = await this.submit({ ...coded, lines }, attempt, '1', primary);
      const { ack, reading } = await this.acknowledgment(claim);
      if (reading.outcome !== 'rejected') {
        this.setClaim(claim, { status: 'accepted', payerClaimNumber: ack.payerClaimNumber });
        const answer = await this.remittance(claim);
        if (answer) return this.close(isDenied(answer) ? 'denied' : 'paid');
        continue; // the secondary payer has no such claim: sent again
      }
      // Rejected by the secondary: a person fixes what it names, then retry sends it again; or writes it off.
      this.setClaim(claim, { status: 'rejected' });
      const chosen = await this.park({ type: FailureType.Denied, step: 'billSecondary', message: `the secondary payer rejected the claim: ${ack.message ?? ack.codes.join(', ')}`, exhausted: false, at: new Date().toISOString() });
      if (chosen) return this.finish(chosen);
    }
  }

  /**
   * No 835 in the configured time: ask the payer (276/277, read with the claim status table).
   * Wait and ask again after the next period, send the claim again when the payer has no such
   * claim, or park for a person when the answer needs one or the inquiries ran out (retry: ask
   * again from the start; write-off or cancel: close).
   */
  private async inquire(claim: ClaimSummary, inquiry: number): Promise<'wait' | 'resubmit' | 'asked_again'> {
    const max = this.input.timers.claimStatusInquiries ?? 3;
    const at = new Date().toISOString();
    const reading = inquiry <= max ? await this.acts.inquireClaimStatus({ visitId: this.visit.visitId, attempt: claim.attempt, inquiry }) : undefined;
    if (reading) this.status.claimStatus = { ...reading, inquiries: inquiry, at };
    if (reading?.action === 'wait') {
      await this.recordAwaiting(AwaitingAction.ClaimStatusInquiry);
      return 'wait';
    }
    if (reading?.action === 'resubmit') return 'resubmit';
    const message = reading ? `the payer's 277 says ${reading.finding} (${reading.codes.join(', ')}): ${reading.text}` : `no 835 after ${max} claim status inquiries`;
    const outcome = await this.park({ type: FailureType.ClaimStatusUnresolved, step: 'inquireClaimStatus', message, exhausted: !reading, at });
    if (outcome) throw new Resolved(outcome);
    return 'asked_again';
  }

  /** A void was asked for and is not yet under way: the visit leaves whatever it waits for. */
  private voidRequested(): boolean {
    return !!this.voidReason && !this.voiding;
  }

  /** Closes the visit as a person resolved it; a void first sends the void claim. */
  private finish(outcome: VisitOutcome): Promise<VisitStatus> {
    return outcome === 'voided' ? this.voidClaim() : this.close(outcome);
  }

  /**
   * A biller voided the claim: the same lines go out with frequency 8 and REF*F8 naming the
   * payer's claim, and the payer's 835 takes back what it paid (CLP02 22, posted like any 835).
   * A payer that has no such claim any more has nothing to take back. A rejected void waits for
   * a person (retry sends it again). The visit closes as voided.
   */
  async voidClaim(): Promise<VisitStatus> {
    this.voiding = true;
    this.cancelReason = this.voidReason;
    for (;;) {
      const attempt = Math.max(...this.status.claims.map((c) => c.attempt)) + 1;
      const claim = await this.submit(this.lastBilled!, attempt, '8');
      const { ack, reading } = await this.acknowledgment(claim);
      if (reading.outcome !== 'rejected') {
        this.setClaim(claim, { status: 'accepted', payerClaimNumber: ack.payerClaimNumber ?? claim.payerClaimNumber });
        await this.remittance(claim);
        return this.close('voided');
      }
      this.setClaim(claim, { status: 'rejected' });
      const chosen = await this.park({ type: FailureType.Rejected, step: 'voidClaim', message: `the payer rejected the void: ${ack.message ?? ack.codes.join(', ')}`, exhausted: false, at: new Date().toISOString() });
      if (chosen) return this.close(chosen);
    }
  }

  private setClaim(claim: ClaimSummary, patch: Partial<ClaimSummary>): void {
    Object.assign(claim, patch);
    this.upsertChanged([{ key: ClaimStatusKey, value: claim.status }]);
  }

  /** Closes the visit and answers "no further step" to the stage that asked. */
  private async closed(outcome: VisitOutcome): Promise<false> {
    await this.close(outcome);
    return false;
  }

  async close(asAnswered: VisitOutcome): Promise<VisitStatus> {
    await this.postUnclaimedRemittances();
    const patient = await this.patientBalance(asAnswered);
    const outcome: VisitOutcome = patient?.resolution === 'written_off' ? 'written_off' : patient?.resolution === 'collections' ? 'collections' : asAnswered;
    await this.acts.closeVisit({ visitId: this.visit.visitId, outcome, reason: this.cancelReason });
    // Any that came during the statement cycle or while the visit was closing: a signal the visit
    // accepted is posted by it, or it would be lost (the webhook counts it as delivered).
    await this.postUnclaimedRemittances();
    this.status.outcome = outcome;
    this.status.closeReason = this.cancelReason;
    const money = { billedCents: this.status.balance.billedCents, remittances: this.posted, patientPaidCents: patient?.paidCents ?? 0, writtenOffCents: 0, collectionsCents: patient?.collectionsCents };
    const open = summarizeVisit(money);
    // A write-off, or a void (the charge withdrawn), closes whatever was still open; any other outcome leaves it visible as open.
    this.status.summary = outcome === 'written_off' || outcome === 'voided' ? summarizeVisit({ ...money, writtenOffCents: open.insuranceOpenCents + open.patientOpenCents }) : open;
    this.enter('closed');
    return this.status;
  }

  /**
   * Insurance answered (paid or denied) and the patient owes a share: statements go out on the
   * configured cycle in a child workflow (workflows/patient-balance.ts) until the share is paid,
   * written off (a biller's writeOff, forwarded) or sent to collections. Undefined: no cycle
   * configured (visits started before it), or nothing for the patient to pay.
   */
  private async patientBalance(outcome: VisitOutcome): Promise<PatientBalanceStatus | undefined> {
    const { patientStatementsMs, patientCollectionsAfterMs, activityTimeoutMs, activityRetryMaxIntervalMs, activityMaxAttempts, activityRetryCeilingMs } = this.input.timers;
    if ((outcome !== 'paid' && outcome !== 'denied') || !patientStatementsMs?.length) return undefined;
    const { patientOpenCents } = summarizeVisit({ billedCents: this.status.balance.billedCents, remittances: this.posted, patientPaidCents: 0, writtenOffCents: 0 });
    if (patientOpenCents <= 0) return undefined;
    this.resolution = undefined;
    await this.recordEnter('patient_balance', AwaitingAction.PatientPayment);
    const input = { visitId: this.visit.visitId, openingCents: patientOpenCents, statementsMs: patientStatementsMs, collectionsAfterMs: patientCollectionsAfterMs ?? 30 * 86_400_000,
      timers: { activityTimeoutMs, activityRetryMaxIntervalMs, activityMaxAttempts, activityRetryCeilingMs } };
    this.status.patientBalance = await this.guard('patientBalance', () => collectPatientBalance(input, () => (this.resolution === 'written_off' ? this.cancelReason : undefined)));
    return this.status.patientBalance;
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
    await condition(() => !!this.resolution || !!this.cancelReason || this.voidRequested());
    this.status.lastFailure = failure;
    this.status.failure = undefined;
    if (this.voidRequested()) return 'voided';
    if (this.resolution === 'written_off') return 'written_off';
    if (this.cancelReason) return 'cancelled';
    this.enter(stage, awaitingAction);
    if (recordPark) await this.recordStage();
    return undefined;
  }

  /** One upsert per stage change, carrying the stage, the awaited action and any visit key that changed. */
  private enter(stage: VisitStage, awaitingAction?: AwaitingAction): void {
    this.status.stage = stage;
    this.status.history.push({ stage, at: new Date().toISOString() });
    const { visit } = this;
    this.setAwaiting(awaitingAction, [
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

  private setAwaiting(action?: AwaitingAction, alsoUpsert: SearchAttributeUpdatePair[] = []): void {
    this.status.awaitingAction = action;
    this.upsertChanged([...alsoUpsert, { key: AwaitingActionKey, value: action ?? AwaitingAction.None }], true);
    setCurrentDetails(describe(this.status));
  }

  /**
   * Search attribute values go out with the next stage change or awaited action (one upsert
   * command with the keys whose values changed, none when nothing did), or `now`.
   */
  private upsertChanged(pairs: SearchAttributeUpdatePair[], now = false): void {
    this.searchAttributes.queue(pairs);
    if (!now) return;
    const changed = this.searchAttributes.flush();
    if (changed.length) upsertSearchAttributes(changed);
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
  // details[0] is the problems list for an unbillable encounter; other refusals carry the outside party's words there, sealed, never shown here.
  const listed = failure.details?.[0];
  return Array.isArray(listed) && listed.length ? (listed as CodingProblem[]) : [{ path, reason: failure.message ?? 'refused' }];
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
  const due = s.escalations?.length ? `; escalated: ${s.escalations.map((e) => `${e.deadline.replace(/_/g, ' ')} deadline ${e.due}`).join(', ')}` : '';
  return `Stage ${s.stage}${s.awaitingAction ? `, waiting for ${s.awaitingAction.replace(/_/g, ' ')}` : ''}${due}`;
}
