/**
 * Coding checks before charges go out. Each problem has a path and a reason a coder
 * can act on; the visit goes to human coding review instead of to the payer.
 */
import { DEFAULT_FEE_SCHEDULE, type FeeSchedule } from './pricing';
import type { CodedEncounter } from './visit';

export interface CodingProblem {
  path: string;
  reason: string;
}

export function checkCoding(enc: CodedEncounter, fees: FeeSchedule = DEFAULT_FEE_SCHEDULE): CodingProblem[] {
  const problems: CodingProblem[] = [];
  const ranks = enc.diagnoses.map((d) => d.rank);
  if (!ranks.includes(1)) problems.push({ path: 'diagnoses', reason: 'no principal diagnosis (rank 1)' });
  if (new Set(ranks).size !== ranks.length) problems.push({ path: 'diagnoses', reason: 'two diagnoses share a rank' });
  enc.procedures.forEach((p, i) => {
    if (fees[p.code] === undefined) problems.push({ path: `procedures[${i}].code`, reason: `${p.code} has no fee schedule entry` });
    p.diagnosisPointers.forEach((ptr, j) => {
      if (ptr > enc.diagnoses.length) {
        problems.push({ path: `procedures[${i}].diagnosisPointers[${j}]`, reason: `points at diagnosis ${ptr} of ${enc.diagnoses.length}` });
      }
    });
  });
  return problems;
}

/** Diagnoses in claim order (by rank), as the HI segment and pointers expect. */
export const diagnosesInClaimOrder = (enc: CodedEncounter) => [...enc.diagnoses].sort((a, b) => a.rank - b.rank);
