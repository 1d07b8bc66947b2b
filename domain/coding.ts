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
