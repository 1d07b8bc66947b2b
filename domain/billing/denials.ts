/**
 * The denial playbook: CAS group + CARC → a category of the denial taxonomy → an action.
 * The table is data (domain/billing/data/denial-playbook.csv, loaded by an activity), the
 * classification is this pure function, so changing the playbook never changes replay.
 */

import { readRuleTable } from './csv';

export const DenialAction = {
  CorrectedClaim: 'corrected_claim',
  /** The codes must change: a coder corrects them (coding review), then the corrected claim goes out. */
  CodingReview: 'coding_review',
  Appeal: 'appeal',
  CheckOriginalPayment: 'check_original_payment',
  BillSecondary: 'bill_secondary',
  WriteOff: 'write_off',
  NoAction: 'no_action',
  PatientShare: 'patient_share',
  Review: 'review',
} as const;
export type DenialAction = (typeof DenialAction)[keyof typeof DenialAction];

export interface PlaybookEntry {
  group: string;
  carc: string;
  category: string;
  action: DenialAction;
  note: string;
}

export interface DenialPlan {
  /** The code that decided, e.g. CO-50. */
  code: string;
  category: string;
  action: DenialAction;
  note: string;
}

/**
 * A denial settled with no appeal, as the claim's events and the visit's status name it: the
 * original claim was paid (CO-18, the visit closes paid), or the balance was written off.
 */
export const denialSettled = (outcome: 'paid' | 'written_off'): 'original_paid' | 'written_off' => (outcome === 'paid' ? 'original_paid' : 'written_off');

const ACTIONS = new Set<string>(Object.values(DenialAction));

/** Parses the playbook CSV (header group,carc,category,action,note); a bad row names its line. */
export function parsePlaybook(csv: string): PlaybookEntry[] {
  return readRuleTable(csv, 'denial playbook', ['group', 'carc', 'category', 'action', 'note'] as const, ['note']).map((row, i) => {
    if (!ACTIONS.has(row.action)) throw new Error(`denial playbook line ${i + 2}: expected group,carc,category,<${[...ACTIONS].join('|')}>,note`);
    return { ...row, action: row.action as DenialAction };
  });
}

/** Order of precedence when a claim carries several codes: the action that needs the most care wins. */
const PRECEDENCE: DenialAction[] = [
  DenialAction.WriteOff,
  DenialAction.CheckOriginalPayment,
  DenialAction.BillSecondary,
  DenialAction.Appeal,
  DenialAction.CodingReview,
  DenialAction.CorrectedClaim,
  DenialAction.Review,
  DenialAction.PatientShare,
  DenialAction.NoAction,
];

/** Plans the follow-up of a denied claim from its `GROUP-CARC` codes (e.g. ['CO-50']). */
export function planDenial(codes: string[], playbook: PlaybookEntry[]): DenialPlan {
  const plans = codes.map((code) => {
    const [group, carc] = code.split('-');
    const e = playbook.find((p) => p.group === group && p.carc === carc) ?? playbook.find((p) => p.group === '*' && p.carc === '*');
    return e
      ? { code, category: e.category, action: e.action, note: e.note }
      : { code, category: 'unclassified', action: DenialAction.Review, note: 'no playbook entry' };
  });
  if (!plans.length) return { code: '', category: 'unclassified', action: DenialAction.Review, note: 'denied without a CAS code' };
  return plans.sort((a, b) => PRECEDENCE.indexOf(a.action) - PRECEDENCE.indexOf(b.action))[0];
}

/** What one of the visit's claim attempts was paid by one payer, net of reversals. */
export interface AttemptPayment {
  attempt: number;
  payerId: string;
  paidCents: number;
}

/**
 * A duplicate denial (CO-18): the payer says it already has this claim. The original's payment
 * is a payment by the same payer on another attempt of the visit's claim that still stands
 * (net of reversals); found, the duplicate's denial changes nothing and the visit goes on as paid.
 */
export function originalPayment(denied: { attempt: number; payerId: string }, payments: AttemptPayment[]): AttemptPayment | undefined {
  return payments.find((p) => p.attempt !== denied.attempt && p.payerId === denied.payerId && p.paidCents > 0);
}

/** An appeal the playbook sent (or could not send yet, for want of clinical notes), with the payer's deadline. */
export interface AppealUnderWay {
  packetId: string;
  appealId?: string;
  status: 'submitted' | 'needs_documents';
  /** The payer's last day to appeal (YYYY-MM-DD). */
  deadline: string;
  documents: number;
}
