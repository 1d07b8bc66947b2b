/**
 * The patient's share, estimated before the claim goes out: from the
 * benefits the payer's 271 reported (copay, deductible remaining, coinsurance, out-of-pocket
 * remaining) and what the fee schedule expects the payer to allow for each priced line.
 * Pure, so the visit's status, a front desk's quote and the tests tell the same story.
 *
 * The order is the one payers apply on the 835 (PR-3, then PR-1, then PR-2): the copay once
 * per visit, then the deductible still to meet, then the coinsurance percent of what is left
 * on each line (rounded per line, as the 835's lines are), all capped at the out-of-pocket
 * maximum still to meet. A benefit the 271 did not report counts as zero and is named in
 * `unreported`; a line with no contracted amount is estimated at its charge and named in
 * `linesWithoutContract`: either makes the estimate rougher, and says so.
 */
import type { ChargeLine, EligibilityResult } from '../visit';

export interface PatientEstimate {
  /** What the payer is expected to allow: the lines' contracted amounts (the charge where a line has none). */
  allowedCents: number;
  /** PR-3: the visit's copay. */
  copayCents: number;
  /** PR-1: the part of the deductible still to meet that this visit applies. */
  deductibleCents: number;
  /** PR-2: the coinsurance percent of what is left after copay and deductible. */
  coinsuranceCents: number;
  /** copay + deductible + coinsurance, capped at the out-of-pocket maximum remaining. */
  patientShareCents: number;
  /** allowed − the patient's share: what the payer is expected to pay. */
  insuranceCents: number;
  /** Lines without a contracted amount (estimated at their charge). */
  linesWithoutContract: number[];
  /** Benefits the 271 did not report (counted as zero). */
  unreported: ('copay' | 'deductible' | 'coinsurance' | 'out_of_pocket')[];
}

/** The estimate for active coverage; undefined when the coverage is not active (no benefits to apply). */
export function estimatePatientShare(
  benefits: EligibilityResult | undefined,
  lines: readonly Pick<ChargeLine, 'lineNumber' | 'chargeCents' | 'expectedCents'>[],
): PatientEstimate | undefined {
  if (!benefits?.active) return undefined;
  const unreported: PatientEstimate['unreported'] = [];
  const reported = (value: number | undefined, name: PatientEstimate['unreported'][number]) => {
    if (value === undefined) unreported.push(name);
    return Math.max(0, value ?? 0);
  };
  let copayLeft = reported(benefits.copayCents, 'copay');
  let deductibleLeft = reported(benefits.deductibleRemainingCents, 'deductible');
  const percent = Math.min(100, reported(benefits.coinsurancePercent, 'coinsurance'));
  const outOfPocket = benefits.outOfPocketRemainingCents;
  if (outOfPocket === undefined) unreported.push('out_of_pocket');

  let allowedCents = 0;
  let copayCents = 0;
  let deductibleCents = 0;
  let coinsuranceCents = 0;
  for (const line of lines) {
    const allowed = Math.max(0, line.expectedCents ?? line.chargeCents);
    allowedCents += allowed;
    let rest = allowed;
    const copay = Math.min(copayLeft, rest);
    copayLeft -= copay;
    rest -= copay;
    const deductible = Math.min(deductibleLeft, rest);
    deductibleLeft -= deductible;
    rest -= deductible;
    copayCents += copay;
    deductibleCents += deductible;
    coinsuranceCents += Math.round((rest * percent) / 100);
  }
  // Past the out-of-pocket maximum the plan pays everything: coinsurance goes first, then deductible, then copay.
  let over = outOfPocket === undefined ? 0 : Math.max(0, copayCents + deductibleCents + coinsuranceCents - Math.max(0, outOfPocket));
  for (const take of ['coinsurance', 'deductible', 'copay'] as const) {
    const cut = Math.min(over, take === 'coinsurance' ? coinsuranceCents : take === 'deductible' ? deductibleCents : copayCents);
    if (take === 'coinsurance') coinsuranceCents -= cut;
    else if (take === 'deductible') deductibleCents -= cut;
    else copayCents -= cut;
    over -= cut;
  }
  const patientShareCents = copayCents + deductibleCents + coinsuranceCents;
  return {
    allowedCents,
    copayCents,
    deductibleCents,
    coinsuranceCents,
    patientShareCents,
    insuranceCents: allowedCents - patientShareCents,
    linesWithoutContract: lines.filter((l) => l.expectedCents === undefined).map((l) => l.lineNumber),
    unreported,
  };
}
