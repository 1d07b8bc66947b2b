/**
 * The billing team's work queues. The queue names come from the one vocabulary of what a
 * visit waits for (`AwaitingAction` in domain/failures.ts, the search attribute and
 * `visit_facts.awaiting_action`): every awaited action that needs a person is in a queue.
 * `QUEUE_GROUPS` gathers related actions into one queue with its reason, the action to
 * take and its SLA; an action no group names (a value someone adds to AwaitingAction)
 * becomes a queue of its own, so it shows up in /work-queues and on the dashboard.
 */
import { AwaitingAction } from '../failures';

export interface WorkQueue {
  id: string;
  title: string;
  awaitingActions: readonly string[];
  reason: string;
  action: string;
  /** How long a visit may wait in the queue before it is overdue. */
  slaHours: number;
}

/**
 * What a visit waits for that is not a person's work: another party answers, or the
 * workflow's own timer moves it on (and parks it in a queue when that runs out).
 */
export const WAITING_ON_OTHERS: readonly string[] = [
  AwaitingAction.None,
  AwaitingAction.EncounterSignature,
  AwaitingAction.Acknowledgment,
  AwaitingAction.Remittance,
  AwaitingAction.PayerAcknowledgment,
  AwaitingAction.AppealDecision,
];

/** Queues that gather several awaited actions, in the order billers see them; actions not (yet) in AwaitingAction are ignored. */
const QUEUE_GROUPS: readonly WorkQueue[] = [
  {
    id: 'coverage',
    title: 'Coverage',
    awaitingActions: ['coverage'],
    slaHours: 48,
    reason: 'eligibility (271) says the coverage is inactive or unknown',
    action: 'send corrected coverage (POST /visits/{visitId}/coverage) or cancel the visit',
  },
  {
    id: 'coding_review',
    title: 'Coding review',
    awaitingActions: ['coding_review'],
    slaHours: 24,
    reason: 'the coding checks or the PMS refused the coded encounter',
    action: 'correct the coding (POST /visits/{visitId}/coding)',
  },
  {
    id: 'claim_rejected',
    title: 'Claim rejected',
    awaitingActions: ['claim_data'],
    slaHours: 48,
    reason:
      "the 999 or a 277CA rejected the claim's data (a provider, the file), or the claim could not be built; rejections of coverage or coding wait in those queues",
    action: 'fix the data, then retry (POST /visits/{visitId}/retry), or write off',
  },
  {
    id: 'denial_review',
    title: 'Denial review',
    awaitingActions: ['denial_review', 'corrected_claim'],
    slaHours: 72,
    reason: 'the payer denied the claim (835)',
    action: 'follow the CARC playbook: corrected claim, appeal, secondary, patient or write-off',
  },
  {
    id: 'appeal_due',
    title: 'Appeal due',
    awaitingActions: ['appeal_documents', 'appeal_due'],
    slaHours: 24 * 7,
    reason: "an appeal cannot go out without clinical notes, and the payer's deadline is running (appeal_due: it is near)",
    action: 'add the clinical notes to the encounter in the EHR, then retry (POST /visits/{visitId}/retry); or write off',
  },
  {
    id: 'underpaid',
    title: 'Underpaid',
    awaitingActions: ['underpaid'],
    slaHours: 24 * 7,
    reason: 'a line was paid below the contracted amount',
    action: 'dispute the underpayment with the payer or accept it',
  },
  {
    id: 'patient_balance',
    title: 'Patient balance',
    awaitingActions: ['patient_payment'],
    slaHours: 120 * 24,
    reason: 'insurance answered and the patient owes a share; statements go out on their cycle (PATIENT_STATEMENT_DAYS), then collections',
    action: "take the patient's payment (POST /visits/{visitId}/patient-payments) or write the balance off (POST /visits/{visitId}/write-off)",
  },
  {
    id: 'unmatched_remittance',
    title: 'Unmatched remittance',
    awaitingActions: ['unmatched_remittance'],
    slaHours: 48,
    reason: 'an 835 could not be matched to a claim',
    action: 'match the remittance to its claim or return it to the payer',
  },
  {
    id: 'needs_attention',
    title: 'Needs attention',
    slaHours: 24,
    awaitingActions: [
      'needs_attention',
      'acknowledgment_overdue',
      'claim_status_inquiry',
      'invalid_data',
      'ehr_refused',
      'pms_refused',
      'clearinghouse_refused',
      'fee_schedule',
      'remittance_review',
      'retries_exhausted',
    ],
    reason: 'a step failed or an answer is overdue (no 277CA, no 835)',
    action: 'read the visit in the Temporal UI, then retry, correct or write off',
  },
];

const words = (id: string) => id.replace(/_/g, ' ');

/** The queues for a vocabulary of awaited actions (exported for the test; WORK_QUEUES is AwaitingAction's). */
export function workQueuesFor(vocabulary: readonly string[]): WorkQueue[] {
  const open = vocabulary.filter((a) => !WAITING_ON_OTHERS.includes(a));
  const grouped = QUEUE_GROUPS.map((g) => ({ ...g, awaitingActions: g.awaitingActions.filter((a) => open.includes(a)) })).filter(
    (g) => g.awaitingActions.length > 0,
  );
  const covered = new Set(grouped.flatMap((g) => g.awaitingActions));
  const own = open
    .filter((a) => !covered.has(a))
    .map((a): WorkQueue => ({
      id: a,
      title: words(a).replace(/^./, (c) => c.toUpperCase()),
      awaitingActions: [a],
      slaHours: 24,
      reason: `the visit waits for: ${words(a)}`,
      action: 'read the visit in the Temporal UI, then act as its awaited action says',
    }));
  return [...grouped, ...own];
}

export const WORK_QUEUES: readonly WorkQueue[] = workQueuesFor(Object.values(AwaitingAction));

/** The queue a visit awaiting `action` is in; undefined when it waits on someone else. */
export function queueOf(action: string | undefined): WorkQueue | undefined {
  return action ? WORK_QUEUES.find((q) => q.awaitingActions.includes(action)) : undefined;
}

/** What another party is doing while the visit waits on it, in words for whoever reads the visit. */
const WAITING_WORDS: Record<string, string> = {
  [AwaitingAction.EncounterSignature]: 'waiting for the clinician to sign the encounter in the EHR',
  [AwaitingAction.Acknowledgment]: 'waiting for the clearinghouse to acknowledge the claim (999, 277CA)',
  [AwaitingAction.PayerAcknowledgment]: 'waiting for the payer to acknowledge the claim (277CA)',
  [AwaitingAction.Remittance]: "waiting for the payer's answer to the claim (835)",
  [AwaitingAction.AppealDecision]: "waiting for the payer's decision on the appeal",
};

/**
 * What to do about a visit now, in words: the work queue's reason and action when a person
 * must act (with the visit's id in the action when the reader may see it), what the visit
 * waits for when another party must, or that nothing is left.
 */
export function nextStep(v: { stage: string; awaitingAction?: string; outcome?: string }, visitId?: string): string {
  if (v.stage === 'closed') return `nothing: the visit is closed${v.outcome ? ` (${words(v.outcome)})` : ''}`;
  const q = queueOf(v.awaitingAction);
  if (q) return `${q.reason}: ${visitId ? q.action.replaceAll('{visitId}', visitId) : q.action}`;
  return (v.awaitingAction && WAITING_WORDS[v.awaitingAction]) ?? `nothing for a person yet: the visit is at ${words(v.stage)}`;
}

export function workQueue(id: string): WorkQueue | undefined {
  return WORK_QUEUES.find((q) => q.id === id);
}

/** The Temporal visibility query that lists a queue's open visits. */
export function visibilityQuery(q: WorkQueue): string {
  const actions = q.awaitingActions.map((a) => `'${a}'`).join(', ');
  return `ExecutionStatus = 'Running' AND AwaitingAction IN (${actions})`;
}

/** The Temporal Web UI's workflow list filtered by a visibility query, and one workflow's page (the visit's: workflows/definitions names its id). */
export function temporalUiLinks(uiUrl: string, namespace: string) {
  const base = `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows`;
  return {
    list: (query: string) => `${base}?query=${encodeURIComponent(query)}`,
    workflow: (workflowId: string) => `${base}/${encodeURIComponent(workflowId)}`,
  };
}

/** Age and deadline of a visit in a queue, from when it began waiting. */
export function queueTiming(q: WorkQueue, awaitingSince: string, now: Date) {
  const since = Date.parse(awaitingSince);
  const deadline = new Date(since + q.slaHours * 3600_000);
  return {
    ageHours: Math.max(0, Math.round((now.getTime() - since) / 360_000) / 10),
    deadline: deadline.toISOString(),
    overdue: now.getTime() > deadline.getTime(),
  };
}
