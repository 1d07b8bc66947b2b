/**
 * Fee-schedule pricing: the practice's charge for each procedure line, in cents, and the
 * contracted amount it expects the payer to allow. The charge is what is billed; the
 * payer's allowed amount comes back on the 835. The fees are data (Postgres, loaded from
 * CSV by `revcycle fees load`); the activity that posts charges loads the candidate fees
 * and this one function prices, so pricing happens once and in one place.
 */
import { FailureType } from '../failures';
import type { ChargeLine, ProcedureLine } from '../visit';
import type { FeeRow } from './layouts';
import { priceMedicareLines, type GpciRow, type RvuRow, type ZipLocality } from './medicare-pfs';

export class MissingFeeError extends Error {
  readonly code = FailureType.FeeScheduleMissing;
  constructor(readonly codes: string[]) {
    super(`no fee schedule entry for ${codes.join(', ')}`);
  }
}

export interface PricingContext {
  payerId: string;
  providerNpi: string;
  serviceDate: string;
}

/**
 * The fee for one line: in effect on the date of service; the payer's own schedule before
 * the default (`*`), a provider-specific fee before one for any provider, a fee for one of
 * the line's modifiers before one for no modifier. A fee for another payer, provider or
 * modifier never applies.
 */
export function feeFor(line: Pick<ProcedureLine, 'code' | 'modifiers'>, fees: readonly FeeRow[], ctx: PricingContext): FeeRow | undefined {
  let best: FeeRow | undefined;
  let bestScore = -1;
  for (const f of fees) {
    if (f.code !== line.code || f.effectiveFrom > ctx.serviceDate || (f.effectiveTo && f.effectiveTo < ctx.serviceDate)) continue;
    if (f.payerId !== '*' && f.payerId !== ctx.payerId) continue;
    if (f.providerNpi && f.providerNpi !== ctx.providerNpi) continue;
    if (f.modifier && !line.modifiers.includes(f.modifier)) continue;
    const score = (f.payerId !== '*' ? 4 : 0) + (f.providerNpi ? 2 : 0) + (f.modifier ? 1 : 0);
    if (score > bestScore || (score === bestScore && best && f.effectiveFrom > best.effectiveFrom)) {
      best = f;
      bestScore = score;
    }
  }
  return best;
}

/** Line numbers (1-based) that have no fee: what the scrubber reports as FEE_MISSING. */
export const unpricedLines = (procedures: Pick<ProcedureLine, 'code' | 'modifiers'>[], fees: readonly FeeRow[], ctx: PricingContext): number[] =>
  procedures.flatMap((p, i) => (feeFor(p, fees, ctx) ? [] : [i + 1]));

/** Prices each procedure line; a code without a fee is an error for coding review, never a guessed price. */
export function priceLines(procedures: ProcedureLine[], fees: readonly FeeRow[], ctx: PricingContext): ChargeLine[] {
  const priced = procedures.map((p) => ({ p, fee: feeFor(p, fees, ctx) }));
  const missing = priced.filter((x) => !x.fee).map((x) => x.p.code);
  if (missing.length) throw new MissingFeeError([...new Set(missing)]);
  return priced.map(({ p, fee }, i) => ({
    lineNumber: i + 1,
    code: p.code,
    modifiers: p.modifiers,
    units: p.units,
    chargeCents: fee!.chargeCents * p.units,
    expectedCents: fee!.expectedCents * p.units,
    diagnosisPointers: p.diagnosisPointers,
  }));
}

export const totalCents = (lines: { chargeCents: number }[]) => lines.reduce((s, l) => s + l.chargeCents, 0);

/**
 * A Medicare payer's expected amounts: the fee schedule still sets what is charged, the
 * Physician Fee Schedule formula (locality of the billing ZIP, facility or non-facility by
 * place of service) sets what Medicare allows, and each line says which rows priced it. A
 * line the RVU file does not price (absent, or a status Medicare does not pay) keeps the
 * fee schedule's amount and says why.
 */
export function priceMedicare(
  lines: ChargeLine[],
  pfs: { rvus: RvuRow[]; gpcis: GpciRow[]; zips: ZipLocality[] },
  where: { placeOfService: string; zip: string },
): ChargeLine[] {
  const prices = priceMedicareLines(lines, { ...where, ...pfs });
  return lines.map((l, i) => {
    const p = prices[i];
    if (p) return { ...l, expectedCents: p.allowedCents, pricedBy: p.cites };
    return { ...l, pricedBy: `fee schedule: the Medicare fee schedule loaded does not price ${l.code} at ZIP ${where.zip.slice(0, 5)}` };
  });
}
