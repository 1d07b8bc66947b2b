/**
 * A ledger entry (one money movement of a visit, claim attempt and line) and the sums every balance
 * is: billed, paid, adjusted by group, patient responsibility and paid, written off, and what is open
 * on each side. The rule that makes entries from a claim's answers is domain/billing/ledger.ts.
 */
import type { AdjustmentGroup } from '../x12/remittance';

export type LedgerEntryKind =
  'charge' | 'payment' | 'contractual_adjustment' | 'other_adjustment' | 'transfer_to_patient' | 'patient_payment' | 'write_off' | 'refund' | 'reversal';

/** Which side of the account a write-off or refund touches. */
export type LedgerSide = 'insurance' | 'patient';

export interface LedgerEntry {
  /** Stable idempotency key derived from the source (unique in a visit's ledger). */
  key: string;
  kind: LedgerEntryKind;
  visitId: string;
  /** The claim attempt (submission) the movement belongs to; the charge is the attempt that first billed it. */
  attempt: number;
  /** The claim line, or null for claim level. */
  lineNumber: number | null;
  /** Integer cents; negative on `reversal` entries, and only where the 835 itself says so (a negative CAS) otherwise. */
  amountCents: number;
  /** The key of the event it came from (an 835 answer's posting key, a payment's key, ...). */
  source: string;
  payerId?: string;
  /** CAS group and CARC of adjustments and transfers to the patient. */
  group?: AdjustmentGroup;
  carc?: string;
  side?: LedgerSide;
  reason?: string;
  /** On a reversal: the entry it negates. */
  reverses?: { key: string; kind: Exclude<LedgerEntryKind, 'reversal'>; group?: AdjustmentGroup; side?: LedgerSide };
}

export interface Balance {
  billedCents: number;
  paidCents: number;
  adjustedCents: { CO: number; OA: number; PI: number; CR: number };
  adjustedTotalCents: number;
  patientResponsibilityCents: number;
  patientPaidCents: number;
  writtenOffCents: number;
  writtenOff: { insurance: number; patient: number };
  openInsuranceCents: number;
  /** Below zero: a credit the patient paid beyond their share. */
  openPatientCents: number;
}

export const emptyBalance = (): Balance => ({
  billedCents: 0,
  paidCents: 0,
  adjustedCents: { CO: 0, OA: 0, PI: 0, CR: 0 },
  adjustedTotalCents: 0,
  patientResponsibilityCents: 0,
  patientPaidCents: 0,
  writtenOffCents: 0,
  writtenOff: { insurance: 0, patient: 0 },
  openInsuranceCents: 0,
  openPatientCents: 0,
});

/** Adds one entry to a running balance (mutates and returns it). */
export function add(b: Balance, e: LedgerEntry): Balance {
  const kind = e.kind === 'reversal' ? e.reverses!.kind : e.kind;
  const group = e.kind === 'reversal' ? e.reverses!.group : e.group;
  const side = e.kind === 'reversal' ? e.reverses!.side : e.side;
  const a = e.amountCents;
  switch (kind) {
    case 'charge':
      b.billedCents += a;
      break;
    case 'payment':
      b.paidCents += a;
      break;
    case 'contractual_adjustment':
      b.adjustedCents.CO += a;
      b.adjustedTotalCents += a;
      break;
    case 'other_adjustment':
      b.adjustedCents[group as 'OA' | 'PI' | 'CR'] += a;
      b.adjustedTotalCents += a;
      break;
    case 'transfer_to_patient':
      b.patientResponsibilityCents += a;
      break;
    case 'patient_payment':
      b.patientPaidCents += a;
      break;
    case 'write_off':
      b.writtenOff[side!] += a;
      b.writtenOffCents += a;
      break;
    case 'refund':
      if (side === 'patient') b.patientPaidCents -= a;
      else b.paidCents -= a;
      break;
  }
  b.openInsuranceCents = b.billedCents - b.paidCents - b.adjustedTotalCents - b.patientResponsibilityCents - b.writtenOff.insurance;
  b.openPatientCents = b.patientResponsibilityCents - b.patientPaidCents - b.writtenOff.patient;
  return b;
}

/** The sum of any set of entries (one line's, one claim's, one visit's). */
export function balance(entries: readonly LedgerEntry[]): Balance {
  return entries.reduce(add, emptyBalance());
}

/**
 * Balances of one visit's entries: the whole (the visit; with one claim per visit, also the
 * claim: `balance` of one `claimLedger` result) and per line (`null` = claim level).
 */
export function ledgerBalances(entries: readonly LedgerEntry[]): { visit: Balance; lines: Map<number | null, Balance> } {
  const lines = new Map<number | null, Balance>();
  for (const e of entries) lines.set(e.lineNumber, add(lines.get(e.lineNumber) ?? emptyBalance(), e));
  return { visit: balance(entries), lines };
}

/** The entries not yet stored (by key): what a repository inserts, so a repeat posts nothing. */
export function appendNew(stored: readonly Pick<LedgerEntry, 'key'>[], computed: readonly LedgerEntry[]): LedgerEntry[] {
  const have = new Set(stored.map((e) => e.key));
  return computed.filter((e) => !have.has(e.key));
}
