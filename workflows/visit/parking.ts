/**
 * What the visit does when a step fails in a way no retry cures (or past the retry ceiling):
 * it parks in needs_attention, in the work queue the failure's type names, until a person
 * retries the step, writes the visit off, cancels it or voids its claim. Nothing fails the
 * workflow (DESIGN.md §2).
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, condition, patched, TemporalFailure } from '@temporalio/workflow';
import type { VisitActivities } from '../../activities';
import type { CodingProblem } from '../../domain/coding';
import { FAILURES, FailureType, isFailureType, type ParkedFailure } from '../../domain/failures';
import type { VisitOutcome } from '../../domain/visit';
import type { Progress } from './progress';
import type { VisitState } from './state';

/**
 * A person resolved a parked visit (write-off, cancel, void) instead of retrying the step: thrown
 * out of whatever step was running, caught once in visitWorkflow, which closes the visit.
 */
export class Resolved extends Error {
  constructor(readonly outcome: VisitOutcome) {
    super(`resolved: ${outcome}`);
  }
}

export class Parking {
  constructor(
    private readonly state: VisitState,
    private readonly progress: Progress,
  ) {}

  /**
   * The activities as the story calls them: each call runs in guard(), so a failure it does not
   * handle itself parks the visit. A step that handles some failures itself (a refusal that goes
   * to coding review) calls guard() with them on the unguarded activities.
   */
  guarded(raw: VisitActivities): VisitActivities {
    const calls = raw as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    return new Proxy({} as VisitActivities, {
      get:
        (_t, name: string) =>
        (...args: unknown[]) =>
          this.guard(name, () => calls[name](...args)),
    });
  }

  /**
   * Runs one activity call; a failure not in `handles` parks the visit in needs_attention until
   * a person retries the step (the call runs again) or resolves the visit (Resolved unwinds).
   */
  async guard<T>(step: string, call: () => Promise<T>, handles: FailureType[] = []): Promise<T> {
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
  async park(failure: ParkedFailure): Promise<VisitOutcome | undefined> {
    const { status, person } = this.state;
    const { stage, awaitingAction } = status;
    status.failure = failure;
    person.reset();
    this.progress.enter('needs_attention', FAILURES[failure.type].queue);
    // The work queues in Postgres (visit_facts) see a parked visit only through its recorded stage.
    const recordPark = patched('record-park-stage');
    if (recordPark) await this.progress.recordStage();
    await condition(() => !!person.resolution || !!person.cancelReason || this.state.voidRequested());
    status.lastFailure = failure;
    status.failure = undefined;
    if (this.state.voidRequested()) return 'voided';
    if (person.resolution === 'written_off') return 'written_off';
    if (person.cancelReason) return 'cancelled';
    this.progress.enter(stage, awaitingAction);
    if (recordPark) await this.progress.recordStage();
    return undefined;
  }

  /** A step a person resolves by choosing; the failure is of a decision (underpaid, denied), not an activity. */
  parkFor(type: FailureType, step: string, message: string, exhausted = false): Promise<VisitOutcome | undefined> {
    return this.park({ type, step, message, exhausted, at: new Date().toISOString() });
  }
}

/**
 * A business refusal (the EHR's encounter is not billable, the PMS rejects the charges) becomes
 * the problems a coder sees; any other failure is not the step's to handle, and is thrown on.
 */
export function reviewProblems(err: unknown, type: FailureType, path: string): CodingProblem[] {
  const refusal = refusalOf(err);
  if (refusal?.type !== type) throw err;
  // details[0] is the problems list for an unbillable encounter; other refusals carry the outside party's words there, sealed, never shown here.
  const listed = refusal.details?.[0];
  return Array.isArray(listed) && listed.length ? (listed as CodingProblem[]) : [{ path, reason: refusal.message || 'refused' }];
}

/** The non-retryable refusal behind an activity's (or a child's step's) failure, if it is one. */
function refusalOf(err: unknown): ApplicationFailure | undefined {
  const cause = err instanceof ActivityFailure || err instanceof ChildWorkflowFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.nonRetryable ? cause : undefined;
}

/** The vocabulary's type of a failure as the workflow sees it; undefined when it is not a refusal of ours. */
export function failureTypeOf(err: unknown): FailureType | undefined {
  const type = refusalOf(err)?.type;
  return isFailureType(type) ? type : undefined;
}

/**
 * What failed, as a parked visit shows it. A refusal keeps its type (one outside the vocabulary
 * is Rejected); anything else that reached the workflow was retried up to the ceiling (attempts
 * or schedule-to-close time) and is RetriesExhausted.
 */
export function classifyFailure(err: unknown, step: string, at: string): ParkedFailure {
  const refusal = refusalOf(err);
  if (refusal) return { type: failureTypeOf(err) ?? FailureType.Rejected, step, message: refusal.message || 'refused', exhausted: false, at };
  const cause = err instanceof TemporalFailure && err.cause ? err.cause : err;
  const message = (cause instanceof Error && cause.message) || (err instanceof Error && err.message) || 'failed';
  return { type: FailureType.RetriesExhausted, step, message, exhausted: true, at };
}
