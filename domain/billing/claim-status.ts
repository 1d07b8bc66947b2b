/**
 * What a 277 answer to a claim status inquiry (276) means for a visit still waiting for its
 * 835: wait and ask again, send the claim again (the payer has no such claim), or a person
 * decides. The table is data (domain/billing/data/claim-status-actions.csv, loaded by the
 * activity that sends the 276); the reading is this pure function.
 */
import { readRuleTable } from './csv';

export type StatusAction = 'wait' | 'resubmit' | 'review';

export interface StatusRule {
  category: string;
  finding: string;
  action: StatusAction;
  note: string;
}

export interface ClaimStatusReading {
  /** acknowledged, pended, finalized, not_found, rejected, request, error or unknown. */
  finding: string;
  action: StatusAction;
  /** The STC codes (category:code[:entity]) and their words, for the person who may have to act. */
  codes: string[];
  text: string;
}

const ACTIONS = new Set<string>(['wait', 'resubmit', 'review']);

export function parseStatusRules(csv: string): StatusRule[] {
  return readRuleTable(csv, 'claim status actions', ['category', 'finding', 'action', 'note'] as const).map((row, i) => {
    if (!ACTIONS.has(row.action)) throw new Error(`claim status actions rule ${i + 1}: action must be wait, resubmit or review`);
    return { ...row, action: row.action as StatusAction };
  });
}

const matches = (pattern: string, category: string) =>
  pattern === '*' || pattern === category || (pattern.endsWith('*') && category.startsWith(pattern.slice(0, -1)));
/** When a 277 carries several statuses, the one that needs the most care decides. */
const PRECEDENCE: StatusAction[] = ['review', 'resubmit', 'wait'];

export function readClaimStatus(statuses: { category: string; code: string; entity?: string; text: string }[], rules: StatusRule[]): ClaimStatusReading {
  const codes = statuses.map((s) => [s.category, s.code, s.entity].filter(Boolean).join(':'));
  const text = statuses.map((s) => s.text).join('; ') || 'the 277 carried no status for the claim';
  const found = (statuses.length ? statuses : [{ category: '' }]).map((s) => rules.find((r) => matches(r.category, s.category)));
  const decided = found.filter((r): r is StatusRule => r !== undefined).sort((a, b) => PRECEDENCE.indexOf(a.action) - PRECEDENCE.indexOf(b.action))[0];
  return decided ? { finding: decided.finding, action: decided.action, codes, text } : { finding: 'unknown', action: 'review', codes, text };
}
