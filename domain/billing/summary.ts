/**
 * The visit's money, explained: every billed dollar is paid by a payer, adjusted away (by
 * CAS group), paid by the patient, written off, or still open. One pure function, so the
 * visit's status, the close note and reports all tell the same story.
 */

export interface PostedRemittance {
  paidCents: number;
  adjustments: { group: 'CO' | 'PR' | 'OA' | 'PI' | 'CR'; carc?: string; amountCents: number }[];
  /** The payer that answered; absent on histories recorded before COB (one payer). */
  payerId?: string;
  /** CLP02: 22 is a reversal of an earlier answer. */
  claimStatusCode?: string;
}

export interface VisitMoney {
  billedCents: number;
  /** Every posting of every attempt's 835s (reversals included, with negative amounts). */
  remittances: PostedRemittance[];
  patientPaidCents: number;
  writtenOffCents: number;
  /** Of the patient's open share, what was sent to collections (still owed, collected by the agency). */
  collectionsCents?: number;
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
  /** Of patientOpenCents, what went to collections (present only when some did). */
  collectionsCents?: number;
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

/**
 * The answers that stand, per payer: a payer's later adjudication of the visit's claim (a
 * corrected claim's, or a reconsideration after an appeal) replaces its earlier one; a reversal
 * (CLP02 22) and what follows it are kept, so a reversal nets out what it reverses.
 */
function standingAnswers(remittances: PostedRemittance[]): Map<string, PostedRemittance[]> {
  const byPayer = new Map<string, PostedRemittance[]>();
  for (const r of remittances) {
    const key = r.payerId ?? '';
    const list = byPayer.get(key) ?? [];
    const reversing = r.claimStatusCode === '22' || list.some((p) => p.claimStatusCode === '22');
    byPayer.set(key, reversing ? [...list, r] : [r]);
  }
  return byPayer;
}

/**
 * With several payers (COB), the last one's answer explains the whole charge: its OA-23
 * ("impact of prior payer adjudication") stands for what the earlier payers paid and adjusted,
 * so it is replaced by their own adjustments (up to its amount; their payments count as paid),
 * and the patient's share is the last payer's. A payer that only said "not us" (CO-22) and
 * paid nothing is then not part of the story at all.
 */
function combined(byPayer: Map<string, PostedRemittance[]>): PostedRemittance[] {
  const payers = [...byPayer.values()];
  if (payers.length < 2) return payers.flat();
  const last = payers[payers.length - 1];
  const earlier = payers.slice(0, -1).flat();
  const oa23 = last
    .flatMap((r) => r.adjustments)
    .filter((a) => a.group === 'OA' && a.carc === '23')
    .reduce((s, a) => s + a.amountCents, 0);
  let room = oa23 - earlier.reduce((s, r) => s + r.paidCents, 0);
  const carried = earlier
    .flatMap((r) => r.adjustments)
    .filter((a) => a.group !== 'PR')
    .flatMap((a) => {
      const amountCents = Math.max(0, Math.min(a.amountCents, room));
      room -= amountCents;
      return amountCents ? [{ ...a, amountCents }] : [];
    });
  const leftover = Math.max(0, room);
  return [
    ...earlier.map((r) => ({ ...r, adjustments: [] })),
    { paidCents: 0, adjustments: [...carried, ...(leftover ? [{ group: 'OA' as const, carc: '23', amountCents: leftover }] : [])] },
    ...last.map((r) => ({ ...r, adjustments: r.adjustments.filter((a) => !(a.group === 'OA' && a.carc === '23')) })),
  ];
}

export function summarizeVisit(m: VisitMoney): VisitSummary {
  const adjustmentsCents = { CO: 0, OA: 0, PI: 0, CR: 0 };
  let pr = 0;
  let paid = 0;
  for (const r of combined(standingAnswers(m.remittances))) {
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
    `patient responsibility ${dollars(pr)} (paid ${dollars(m.patientPaidCents)}, open ${dollars(patientOpenCents)}${m.collectionsCents ? `, with collections ${dollars(m.collectionsCents)}` : ''})`,
    `written off ${dollars(m.writtenOffCents)}`,
    `insurance open ${dollars(insuranceOpenCents)}`,
  ];
  return {
    billedCents: m.billedCents,
    insurancePaidCents: paid,
    adjustmentsCents,
    patientResponsibilityCents: pr,
    patientPaidCents: m.patientPaidCents,
    writtenOffCents: m.writtenOffCents,
    patientOpenCents,
    ...(m.collectionsCents ? { collectionsCents: m.collectionsCents } : {}),
    insuranceOpenCents,
    balanced: insuranceOpenCents >= 0 && patientOpenCents >= 0,
    lines,
  };
}
