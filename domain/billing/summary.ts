/**
 * The visit's money, explained: every billed dollar is paid by a payer, adjusted away (by
 * CAS group), paid by the patient, written off, or still open. One pure function, so the
 * visit's status, the close note and reports all tell the same story.
 */

export interface PostedRemittance {
  paidCents: number;
  adjustments: { group: 'CO' | 'PR' | 'OA' | 'PI' | 'CR'; amountCents: number }[];
}

export interface VisitMoney {
  billedCents: number;
  /** Every posting of every attempt's 835s (reversals included, with negative amounts). */
  remittances: PostedRemittance[];
  patientPaidCents: number;
  writtenOffCents: number;
}

export interface VisitSummary {
  billedCents: number;
  insurancePaidCents: number;
  /** Adjustments other than patient responsibility, by CAS group (CO contractual, OA, PI, CR). */
  adjustmentsCents: { CO: number; OA: number; PI: number; CR: number };
  /** PR: what the payers said the patient owes. */
  patientResponsibilityCents: number;
  patientPaidCents: number;
  writtenOffCents: number;
  patientOpenCents: number;
  insuranceOpenCents: number;
  /**
   * billed = paid + adjustments + patient paid + written off + open holds by construction of
   * the open balances; balanced is false when an open balance went negative: more was posted
   * than billed (an overpayment, or a payment posted twice) — a person must look.
   */
  balanced: boolean;
  lines: string[];
}

const dollars = (c: number) => `${c < 0 ? '-' : ''}$${(Math.abs(c) / 100).toFixed(2)}`;

export function summarizeVisit(m: VisitMoney): VisitSummary {
  const adjustmentsCents = { CO: 0, OA: 0, PI: 0, CR: 0 };
  let pr = 0;
  let paid = 0;
  for (const r of m.remittances) {
    paid += r.paidCents;
    for (const a of r.adjustments) {
      if (a.group === 'PR') pr += a.amountCents;
      else adjustmentsCents[a.group] += a.amountCents;
    }
  }
  const adjusted = adjustmentsCents.CO + adjustmentsCents.OA + adjustmentsCents.PI + adjustmentsCents.CR;
  // Write-offs take from the patient's open share first, then from what insurance left open.
  const patientOpenBeforeWriteOff = pr - m.patientPaidCents;
  const patientWrittenOff = Math.min(Math.max(patientOpenBeforeWriteOff, 0), m.writtenOffCents);
  const patientOpenCents = patientOpenBeforeWriteOff - patientWrittenOff;
  const insuranceOpenCents = m.billedCents - paid - adjusted - pr - (m.writtenOffCents - patientWrittenOff);
  const lines = [
    `billed ${dollars(m.billedCents)}`,
    `insurance paid ${dollars(paid)}`,
    ...(['CO', 'OA', 'PI', 'CR'] as const).filter((g) => adjustmentsCents[g]).map((g) => `adjusted ${g} ${dollars(adjustmentsCents[g])}`),
    `patient responsibility ${dollars(pr)} (paid ${dollars(m.patientPaidCents)}, open ${dollars(patientOpenCents)})`,
    `written off ${dollars(m.writtenOffCents)}`,
    `insurance open ${dollars(insuranceOpenCents)}`,
  ];
  return {
    billedCents: m.billedCents, insurancePaidCents: paid, adjustmentsCents, patientResponsibilityCents: pr, patientPaidCents: m.patientPaidCents,
    writtenOffCents: m.writtenOffCents, patientOpenCents, insuranceOpenCents, balanced: insuranceOpenCents >= 0 && patientOpenCents >= 0, lines,
  };
}
