/**
 * Where the visit stands, told three ways: the status query (stage, history, awaited action),
 * the search attributes analysts filter on, and the Temporal UI's current details in words;
 * stage changes a person works from are recorded in visit_events too. Deadlines that come near
 * are escalated here.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { condition, patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { VisitActivities } from '../../activities';
import { AwaitingAction } from '../../domain/failures';
import { TIMER_DEFAULTS } from '../../domain/visit-timers';
import type { ClaimSummary, VisitStage, VisitStatus } from '../definitions';
import {
  AwaitingActionKey,
  ClaimStatusKey,
  EscalationsKey,
  PayerIdKey,
  ProviderNpiKey,
  SearchAttributeMemo,
  ServiceDateKey,
  VisitIdKey,
  VisitStageKey,
} from '../search-attributes';
import type { VisitState } from './state';

export class Progress {
  /** What was last upserted: only what changed goes out. */
  private readonly searchAttributes = new SearchAttributeMemo();

  constructor(
    private readonly state: VisitState,
    private readonly raw: VisitActivities,
  ) {}

  /** One upsert per stage change, carrying the stage, the awaited action and any visit key that changed. */
  enter(stage: VisitStage, awaitingAction?: AwaitingAction): void {
    const { status, visit } = this.state;
    status.stage = stage;
    status.history.push({ stage, at: new Date().toISOString() });
    this.setAwaiting(awaitingAction, [
      { key: VisitIdKey, value: visit.visitId },
      { key: PayerIdKey, value: visit.coverage.payerId },
      { key: ProviderNpiKey, value: visit.appointment.providerNpi },
      { key: ServiceDateKey, value: new Date(`${visit.appointment.serviceDate}T00:00:00Z`) },
      { key: VisitStageKey, value: stage },
    ]);
  }

  /** Enters a stage no other activity records, and records it in visit_events. */
  async recordEnter(stage: VisitStage, awaitingAction: AwaitingAction): Promise<void> {
    this.enter(stage, awaitingAction);
    await this.recordStage();
  }

  async recordAwaiting(action: AwaitingAction): Promise<void> {
    this.setAwaiting(action);
    await this.recordStage();
  }

  /** patched(): histories recorded before visit_events replay without the activity. */
  async recordStage(): Promise<void> {
    if (!patched('record-visit-events')) return;
    const { stage, awaitingAction, history } = this.state.status;
    await this.raw.recordStageChange({ visitId: this.state.visit.visitId, stage, awaitingAction, seq: history.length, at: history[history.length - 1].at });
  }

  setAwaiting(action?: AwaitingAction, alsoUpsert: SearchAttributeUpdatePair[] = []): void {
    this.state.status.awaitingAction = action;
    this.upsertChanged([...alsoUpsert, { key: AwaitingActionKey, value: action ?? AwaitingAction.None }], true);
    setCurrentDetails(describe(this.state.status));
  }

  setClaim(claim: ClaimSummary, patch: Partial<ClaimSummary>): void {
    Object.assign(claim, patch);
    this.upsertChanged([{ key: ClaimStatusKey, value: claim.status }]);
  }

  /**
   * Search attribute values go out with the next stage change or awaited action (one upsert
   * command with the keys whose values changed, none when nothing did), or `now`.
   */
  upsertChanged(pairs: SearchAttributeUpdatePair[], now = false): void {
    this.searchAttributes.queue(pairs);
    if (!now) return;
    const changed = this.searchAttributes.flush();
    if (changed.length) upsertSearchAttributes(changed);
  }

  /**
   * Timely filing, beside the visit's story: if no claim of the visit has been accepted by the
   * payer a configured time before the payer's deadline (counted from the date of service), the
   * visit escalates. A new payer's deadline replaces this watch.
   */
  async watchFilingDeadline(deadline: string): Promise<void> {
    const { status, timers } = this.state;
    const before = timers.timelyFilingEscalateBeforeMs ?? TIMER_DEFAULTS.timelyFilingEscalateBeforeMs;
    const escalateIn = Date.parse(`${deadline}T00:00:00Z`) - before - Date.now();
    const settled = () =>
      status.filingDeadline !== deadline || status.stage === 'closed' || status.claims.some((c) => c.status !== 'submitted' && c.status !== 'rejected');
    if (await condition(settled, Math.max(1, escalateIn))) return;
    await this.escalate('timely_filing', deadline);
  }

  /** A deadline is near: on the status, in the Escalations search attribute and as a visit event (a lost event does not stop the visit). */
  async escalate(deadline: 'timely_filing' | 'appeal', due: string): Promise<void> {
    const { status } = this.state;
    const escalations = (status.escalations ??= []);
    if (escalations.some((e) => e.deadline === deadline && e.due === due)) return;
    escalations.push({ deadline, due, at: new Date().toISOString() });
    this.upsertChanged([{ key: EscalationsKey, value: [...new Set(escalations.map((e) => e.deadline))] }], true);
    setCurrentDetails(describe(status));
    try {
      await this.raw.recordEscalation({ visitId: this.state.visit.visitId, deadline, due });
    } catch {
      // Retried up to the ceiling already; the escalation is on the status and in the search attribute.
    }
  }
}

/** What the visit waits for, in words (Temporal UI "current details"); no PHI. */
export function describe(s: VisitStatus): string {
  if (s.stage === 'closed') return `Closed: ${s.outcome ?? ''}`;
  if (s.stage === 'needs_attention' && s.failure) {
    return `Needs attention (${s.awaitingAction}): ${s.failure.step} failed with ${s.failure.type}${s.failure.exhausted ? ' after its retries' : ''}: ${s.failure.message}. Send retry, writeOff or cancel.`;
  }
  const due = s.escalations?.length ? `; escalated: ${s.escalations.map((e) => `${e.deadline.replace(/_/g, ' ')} deadline ${e.due}`).join(', ')}` : '';
  return `Stage ${s.stage}${s.awaitingAction ? `, waiting for ${s.awaitingAction.replace(/_/g, ' ')}` : ''}${due}`;
}
