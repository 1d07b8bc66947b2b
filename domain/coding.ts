/**
 * Problems a coder must fix that come from outside the scrubber (the EHR's encounter is
 * not billable, the PMS refused the charges), and the claim order of diagnoses. The
 * coding checks themselves are the scrubber's (domain/billing/scrub.ts).
 */
import type { CodedEncounter } from './visit';

export interface CodingProblem {
  path: string;
  reason: string;
}

/** Diagnoses in claim order (by rank), as the HI segment and pointers expect. */
export const diagnosesInClaimOrder = (enc: CodedEncounter) => [...enc.diagnoses].sort((a, b) => a.rank - b.rank);

/**
 * Whether a correction keeps the billed lines as they are (codes, modifiers, units, pointers)
 * and the number of diagnoses: what may change on a claim whose charges are already posted,
 * e.g. an invalid diagnosis code replaced in place after a front-end rejection.
 */
export function sameBilledLines(before: CodedEncounter, after: CodedEncounter): boolean {
  const lines = (e: CodedEncounter) => JSON.stringify(e.procedures.map((p) => [p.code, [...p.modifiers], p.units, [...p.diagnosisPointers]]));
  return before.diagnoses.length === after.diagnoses.length && lines(before) === lines(after);
}
