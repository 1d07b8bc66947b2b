/**
 * The billing team's work queues, as data: which awaited actions (the `AwaitingAction`
 * search attribute and `visit_facts.awaiting_action`) feed each queue, why a visit is
 * there, what to do, and how long it may wait. A new queue, or a new awaited action
 * from the workflow (issue 8: appeals, underpayments, ...), is one entry here.
 */
export interface WorkQueue {
  id: string;
  title: string;
  awaitingActions: readonly string[];
  reason: string;
  action: string;
  /** How long a visit may wait in the queue before it is overdue. */
  slaHours: number;
}

export const WORK_QUEUES: readonly WorkQueue[] = [
  {
    id: 'coverage', title: 'Coverage', awaitingActions: ['coverage'], slaHours: 48,
    reason: 'eligibility (271) says the coverage is inactive or unknown',
    action: 'send corrected coverage (POST /visits/{visitId}/coverage) or cancel the visit',
  },
  {
    id: 'coding_review', title: 'Coding review', awaitingActions: ['coding_review'], slaHours: 24,
    reason: 'the coding checks or the PMS refused the coded encounter',
    action: 'correct the coding (POST /visits/{visitId}/coding)',
  },
  {
    id: 'claim_rejected', title: 'Claim rejected', awaitingActions: ['claim_data'], slaHours: 48,
    reason: 'the 999 or a 277CA rejected the claim\'s data (a provider, the file); rejections of coverage or coding wait in those queues',
    action: 'fix the data, then retry (POST /visits/{visitId}/retry), or write off',
  },
  {
    id: 'denial_review', title: 'Denial review', awaitingActions: ['denial_review', 'corrected_claim'], slaHours: 72,
    reason: 'the payer denied the claim (835)',
    action: 'follow the CARC playbook: corrected claim, appeal, secondary, patient or write-off',
  },
  {
    id: 'appeal_due', title: 'Appeal due', awaitingActions: ['appeal_due'], slaHours: 24 * 7,
    reason: 'an appeal deadline is running',
    action: 'send the appeal packet before the payer deadline',
  },
  {
    id: 'underpaid', title: 'Underpaid', awaitingActions: ['underpaid'], slaHours: 24 * 7,
    reason: 'a line was paid below the contracted amount',
    action: 'dispute the underpayment with the payer or accept it',
  },
  {
    id: 'unmatched_remittance', title: 'Unmatched remittance', awaitingActions: ['unmatched_remittance'], slaHours: 48,
    reason: 'an 835 could not be matched to a claim',
    action: 'match the remittance to its claim or return it to the payer',
  },
  {
    id: 'needs_attention', title: 'Needs attention', awaitingActions: ['needs_attention', 'acknowledgment_overdue', 'claim_status_inquiry'], slaHours: 24,
    reason: 'a step failed or an answer is overdue (no 277CA, no 835)',
    action: 'read the visit in the Temporal UI, then retry, correct or write off',
  },
];

export function workQueue(id: string): WorkQueue | undefined {
  return WORK_QUEUES.find((q) => q.id === id);
}

/** The Temporal visibility query that lists a queue's open visits. */
export function visibilityQuery(q: WorkQueue): string {
  const actions = q.awaitingActions.map((a) => `'${a}'`).join(', ');
  return `ExecutionStatus = 'Running' AND AwaitingAction IN (${actions})`;
}

/** The Temporal Web UI's workflow list filtered by a visibility query, and one visit's page. */
export function temporalUiLinks(uiUrl: string, namespace: string) {
  const base = `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows`;
  return {
    list: (query: string) => `${base}?query=${encodeURIComponent(query)}`,
    visit: (visitId: string) => `${base}/${encodeURIComponent(`visit-${visitId}`)}`,
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
