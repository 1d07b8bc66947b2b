/**
 * Fee-schedule pricing: the practice's charge for each procedure code, in cents.
 * The charge is what is billed, not what is expected to be paid (the payer's allowed
 * amount comes back on the 835). Codes only: CPT descriptors are licensed.
 */
import type { ChargeLine, ProcedureLine } from './visit';

export type FeeSchedule = Readonly<Record<string, number>>;

/** The demo practice's fee schedule (office E/M, common in-office procedures, drugs). */
export const DEFAULT_FEE_SCHEDULE: FeeSchedule = {
  '99202': 11000, '99203': 17000, '99204': 26000, '99205': 33000,
  '99211': 4500, '99212': 9000, '99213': 13500, '99214': 19500, '99215': 26000,
  '99395': 22000, '99396': 24000, '36415': 1500, '81002': 1200, '85025': 2800,
  '87880': 3500, '90471': 3000, '90686': 4500, '93000': 6500, '94640': 4000,
  '96372': 4500, '97110': 9500, '20610': 18000, '11102': 16000, '17110': 15000,
  J1100: 1000, J3301: 2500, G0439: 19000,
};

export class MissingFeeError extends Error {
  readonly code = 'FEE_SCHEDULE_MISSING';
  constructor(readonly codes: string[]) {
    super(`no fee schedule entry for ${codes.join(', ')}`);
  }
}

/** Prices each procedure line; a code without a fee is an error for coding review, never a guessed price. */
export function priceLines(procedures: ProcedureLine[], fees: FeeSchedule = DEFAULT_FEE_SCHEDULE): ChargeLine[] {
  const missing = procedures.filter((p) => fees[p.code] === undefined).map((p) => p.code);
  if (missing.length) throw new MissingFeeError([...new Set(missing)]);
  return procedures.map((p, i) => ({
    lineNumber: i + 1,
    code: p.code,
    modifiers: p.modifiers,
    units: p.units,
    chargeCents: fees[p.code] * p.units,
    diagnosisPointers: p.diagnosisPointers,
  }));
}

export const totalCents = (lines: { chargeCents: number }[]) => lines.reduce((s, l) => s + l.chargeCents, 0);
