/**
 * The claim scrubber: every rule family over one claim, before charges and the 837P go
 * out. Pure: the activity `scrubClaim` loads the data, this decides. An error stops the
 * claim (the visit waits in coding review); a warning is shown and does not.
 */
import { icdBilled } from './codes';
import type { Finding, ScrubClaim, ScrubData, ScrubResult } from './findings';
import { diagnosisValidity, procedureValidity } from './rules/code-validity';
import { mueLimits, ptpEdits } from './rules/ncci';
import { feeSchedule, payerRules } from './rules/payer';
import { sameDay } from './rules/same-day';
import { sexAgeEdits } from './rules/sex-age';
import { structure } from './rules/structure';
import { tabularNotes } from './rules/tabular-notes';

export type RuleFamily = (claim: ScrubClaim, data: ScrubData) => Finding[];

/** In the order a coder reads them: the codes first, then the lines, then the edits, then the payer. */
export const RULE_FAMILIES: Record<string, RuleFamily> = {
  diagnosisValidity,
  tabularNotes,
  sexAgeEdits,
  procedureValidity,
  structure,
  sameDay,
  ptpEdits,
  mueLimits,
  payerRules,
  feeSchedule,
};

/** Only the structural checks (pointers, counts, modifiers, units): the benchmark's baseline. */
export const structuralOnly = (claim: ScrubClaim, data: ScrubData) => structure(claim, data);

export function scrubClaim(claim: ScrubClaim, data: ScrubData): ScrubResult {
  const normalized: ScrubClaim = { ...claim, diagnoses: claim.diagnoses.map((d) => ({ ...d, code: icdBilled(d.code) })) };
  const findings = Object.values(RULE_FAMILIES).flatMap((rule) => rule(normalized, data));
  return {
    rulesetVersion: data.rulesetVersion,
    findings,
    blocked: findings.some((f) => f.severity === 'error'),
    filingIndicator: data.payer.filingIndicator,
    priorAuthorization: claim.priorAuthorization?.trim() || undefined,
  };
}
