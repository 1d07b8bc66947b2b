/**
 * Accepting a suggested fix: the coder picks one of a finding's options and the visit's
 * coding changes by exactly that. Pure, and small on purpose: the visit workflow imports
 * it (its update validator refuses a choice that was not offered).
 */
import { FailureType } from '../failures';
import { icdBilled } from './codes';
import type { Finding } from './findings';

export class SuggestionError extends Error {
  readonly code = FailureType.SuggestionRejected;
}

interface EncounterLike {
  diagnoses: { code: string; rank: number }[];
  procedures: { code: string; modifiers: string[]; units: number; diagnosisPointers: number[] }[];
}

/**
 * Applies the coder's choice among a finding's suggested options: one code replaced, one
 * modifier added, or the units set. Anything not offered is refused.
 */
export function applySuggestion<E extends EncounterLike>(encounter: E, findings: Finding[], findingId: string, choice: string): E {
  const f = findings.find((x) => x.id === findingId);
  if (!f) throw new SuggestionError(`no finding ${findingId} on this visit (findings: ${findings.map((x) => x.id).join(', ') || 'none'})`);
  const s = f.suggestion;
  if (!s) throw new SuggestionError(`finding ${findingId} has no suggested fix`);
  const wanted = s.field === 'code' ? icdBilled(choice) : choice.trim().toUpperCase();
  if (!s.options.includes(wanted))
    throw new SuggestionError(`${choice} is not one of the suggested ${s.field === 'code' ? 'codes' : `${s.field}`} (${s.options.join(', ')})`);
  const m = /^(diagnoses|procedures)\[(\d+)\]\.(code|modifiers|units)$/.exec(s.path);
  if (!m) throw new SuggestionError(`finding ${findingId} has a suggestion this version cannot apply (${s.path})`);
  const [, list, index, field] = m;
  const i = Number(index);
  const next = {
    ...encounter,
    diagnoses: encounter.diagnoses.map((d) => ({ ...d })),
    procedures: encounter.procedures.map((p) => ({ ...p, modifiers: [...p.modifiers] })),
  };
  if (list === 'diagnoses' && field === 'code' && next.diagnoses[i]) next.diagnoses[i].code = wanted;
  else if (list === 'procedures' && next.procedures[i] && field === 'modifiers') next.procedures[i].modifiers.push(wanted);
  else if (list === 'procedures' && next.procedures[i] && field === 'units') next.procedures[i].units = Number(wanted);
  else if (list === 'procedures' && next.procedures[i] && field === 'code') next.procedures[i].code = wanted;
  else throw new SuggestionError(`finding ${findingId} points at ${s.path}, which this encounter does not have`);
  return next;
}
