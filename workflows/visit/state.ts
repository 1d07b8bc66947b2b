/**
 * What one visit's run holds: the visit as it now stands, its status (what the status query
 * answers), what a person sent, and what arrived from outside and waits to be taken. The
 * story (visit.ts), its handlers, claim cycle, parking and progress all read and write this one
 * object; none keeps state of its own.
 */
import type { ClaimAcknowledgment, ClaimRemittance } from '../../domain/claim';
import type { PostedRemittance } from '../../domain/billing/summary';
import type { ScrubResult } from '../../domain/billing/findings';
import type { ChargeLine, CodedEncounter, StartVisit } from '../../domain/visit';
import type { VisitInput, VisitStatus } from '../definitions';

/** A coded encounter that passed the scrubber, with the scrub that passed it. */
export interface Coded {
  encounter: CodedEncounter;
  scrub: ScrubResult;
}

/**
 * What a person sent through an update, for the wait that is under way. `reset()` forgets it
 * before the next wait is recorded: a decision sent while that wait's stage is being recorded
 * (an activity) must count for the new wait, not be lost.
 */
export class PersonRequests {
  /** New coverage (the API's updateCoverage, or the PMS's ADT^A08). */
  coverageUpdated = false;
  /** A coder's corrected coding, or the coding an accepted suggestion made. */
  codingCorrected?: CodedEncounter;
  /** retry: try the step again; written_off: close the visit. */
  resolution?: 'retry' | 'written_off';
  /** Why the visit is cancelled or written off: kept, it becomes the close reason. */
  cancelReason?: string;
  /** A biller asked to void the claim the payer has. */
  voidReason?: string;

  reset(): void {
    this.coverageUpdated = false;
    this.codingCorrected = undefined;
    this.resolution = undefined;
  }
}

export class VisitState {
  visit: StartVisit;
  readonly status: VisitStatus;
  readonly person = new PersonRequests();
  /** The void is under way (a void claim is being sent): a second request changes nothing. */
  voiding = false;
  /** What the last claim billed: a void sends the same lines with frequency 8. */
  lastBilled?: Coded & { lines: ChargeLine[] };
  encounterId?: string;
  /** The PMS changed the coverage (ADT^A08) since eligibility was last checked: check again before the claim goes out. */
  coverageChanged = false;
  /** Charges went to the PMS: the appointment can no longer be moved. */
  chargesPosted = false;
  /** The coding under review: what an accepted suggestion changes. */
  reviewing?: CodedEncounter;
  readonly acks: ClaimAcknowledgment[] = [];
  readonly remittances: ClaimRemittance[] = [];
  /** Every 835 posting this visit received, for the closing summary. */
  readonly posted: PostedRemittance[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly input: VisitInput) {
    this.visit = input.visit;
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

  get timers() {
    return this.input.timers;
  }

  /** True the first time a key is seen: redelivered signals change nothing. */
  once(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  /** A void was asked for and is not yet under way: the visit leaves whatever it waits for. */
  voidRequested(): boolean {
    return !!this.person.voidReason && !this.voiding;
  }
}
