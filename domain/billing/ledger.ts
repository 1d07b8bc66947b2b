/**
 * The ledger: every money movement of a visit's claim as an append-only list of entries, and
 * every balance as a sum of them. One pure rule turns a claim's billed lines and what happened
 * to it, in order (835 answers: original, reversal CLP02 22, correction; patient payments;
 * write-offs; refunds), into entries and a status, so the workflow, the billing record, the
 * posting path and the closing summary cannot disagree.
 *
 * The rule, in words:
 * - each billed line is charged once (`charge`);
 * - an 835 answer (one CLP) posts what it says: SVC paid per line (`payment`; CLP04 − Σ SVC04,
 *   if any, at claim level), each CAS by its group — CO `contractual_adjustment`, PR
 *   `transfer_to_patient`, OA, PI and CR `other_adjustment` with group and CARC. CR (corrections
 *   and reversals) counts as an adjustment like OA, as the closing summary always counted it:
 *   an 835 balances (CLP03 − CLP04 = Σ CAS), so leaving any group out leaves money unexplained;
 * - a payer's answer stands until the same payer answers again: a reversal (CLP02 22) posts
 *   `reversal` entries that negate the standing answer's entries exactly (not the reversal's own
 *   amounts, which are only compared: a mismatch is a problem for a person), and a later answer
 *   without a reversal before it (a correction, a reconsideration) first reverses the one it
 *   replaces. A reversal with nothing standing posts nothing (`reversal_of_unpaid`);
 * - a patient payment pays the patient's open share line by line (line order, claim level
 *   last); what is left over is a credit at claim level (open patient below zero) until refunded;
 * - a write-off takes from the patient's open share (`side: 'patient'`), from what insurance
 *   left open (`'insurance'`), or the patient's first and then insurance's (`'auto'`, the
 *   summary's rule); never more than is open (the rest is a problem, not posted). A later
 *   answer that explains money already written off takes that much of the write-off back
 *   (a `reversal` of it), so open never goes below zero because of a write-off;
 * - a refund gives back a credit: to the patient (lowers patient paid) or to the payer (lowers
 *   paid); never more than the credit.
 *
 * Event keys must be distinct across kinds (prefix them: `pp:<reference>`, `wo:<id>`, the
 * answer's posting key). Every entry's key derives from its source — the 835 answer's posting key plus the CAS or SVC
 * position, the payment's or write-off's own key — and an event whose key was seen before is
 * skipped, so posting the same 835 twice yields the same entries; entries of earlier events
 * never change when events are appended (append-only).
 *
 * Balances (`balance`, `ledgerBalances`): billed = paid + adjusted (CO+OA+PI+CR) + patient paid
 * + written off + open insurance + open patient, per line, per claim and per visit, where
 * open insurance = billed − paid − adjusted − patient responsibility − written off (insurance)
 * and open patient = patient responsibility − patient paid − written off (patient).
 *
 * How today's four calculations map onto it (the wiring is the next step; docs/visit.md
 * "Ledger (rule)" says the same):
 * - `remittance()` in workflows/visit/claim-cycle.ts: instead of `remittanceStatus(clp,
 *   shortPaid)` and a balance from the last CLP alone (CO+OA+PI, no CR, so a void showed
 *   negative adjusted and patient amounts), the claim's status is `claimLedger(...).status` and
 *   `state.status.balance` is `balance(entries)`: paid = `paidCents`, adjusted =
 *   `adjustedTotalCents` (CR included), patient responsibility = `patientResponsibilityCents`,
 *   insurance balance = `openInsuranceCents`. Its events are `state.posted` in order.
 * - `summarizeVisit` (domain/billing/summary.ts): insurancePaid = `paidCents`, adjustmentsCents
 *   = `adjustedCents`, patientResponsibility, patientPaid and writtenOff by the same names,
 *   patientOpen = `openPatientCents`, insuranceOpen = `openInsuranceCents`, balanced = both
 *   open ≥ 0. Its standing-answer rule is the one above, with one difference: after a reversal
 *   it adds every later answer of the payer, the ledger lets the latest stand.
 * - db/posting.ts `saveRemittance` (signal path: overwrote `claims.paid_cents` and recorded
 *   `remittanceStatus` without the short-paid flag) and db/posting.ts `postClaim` (file path:
 *   added to `paid_cents`): both call `claimLedger` with the attempt's lines and every answer
 *   posted to the visit (`payments` + `payment_adjustments` + `payment_lines`, oldest first),
 *   insert `appendNew(stored, entries)` (unique on key) and write `status` and the sums.
 * - domain/billing/patient-balance.ts: `openingCents` = `openPatientCents` when the balance
 *   opens; its payments are `patient_payment` events (key: the payment's reference), its
 *   write-off a `write_off` event with `side: 'patient'`; `openCents` = `openPatientCents`.
 *
 * Not in this rule yet: several payers on one claim (coordination of benefits, the summary's
 * OA-23 rule) — a second payer's answer posts as it says and is reported in `problems`.
 */
import { add, balance, emptyBalance, type Balance, type LedgerEntry, type LedgerEntryKind, type LedgerSide } from './ledger-entries';
import type { AdjustmentGroup } from '../x12/remittance';

/** One CLP of an 835 in the ledger's words; `ClaimRemittance` (domain/claim.ts) plus its attempt fits. */
export interface LedgerAnswer {
  /** The answer's posting key: the 835's source key and the CLP's place in it. */
  sourceKey: string;
  attempt: number;
  payerId: string;
  /** CLP02: 1/2/3 processed, 4 denied, 22 reversal. */
  claimStatusCode: string;
  /** CLP04. */
  paidCents: number;
  /** Claim-level (lineNumber null) and line-level CAS, in the order of the 835. */
  adjustments: { lineNumber: number | null; group: AdjustmentGroup; carc: string; amountCents: number }[];
  /** SVC lines: the billed line each answers and SVC03 paid. */
  lines: { lineNumber: number; paidCents: number }[];
}

export type LedgerEvent =
  | ({ kind: 'remittance' } & LedgerAnswer)
  | { kind: 'patient_payment'; key: string; amountCents: number; attempt?: number }
  | { kind: 'write_off'; key: string; amountCents: number; side: LedgerSide | 'auto'; reason: string; attempt?: number }
  | { kind: 'refund'; key: string; amountCents: number; side: LedgerSide; attempt?: number };

export interface LedgerClaim {
  visitId: string;
  /** The attempt that first billed the lines (default 1). */
  billedAttempt?: number;
  lines: { lineNumber: number; chargeCents: number }[];
  events: LedgerEvent[];
}

export type LedgerStatus = 'open' | 'paid' | 'partially_paid' | 'denied' | 'reversed';

export interface LedgerResult {
  entries: LedgerEntry[];
  status: LedgerStatus;
  /** Per billed line, from the standing answer: a line denied inside a paid claim shows here. */
  lineStatus: { lineNumber: number; status: LedgerStatus }[];
  /** What a person must look at; nothing in here was posted beyond what `entries` say. */
  problems: {
    source: string;
    code: 'reversal_of_unpaid' | 'reversal_mismatch' | 'unknown_line' | 'over_write_off' | 'over_refund' | 'second_payer' | 'key_reused';
    detail: string;
  }[];
}

const ADJUSTMENT_KIND: Record<AdjustmentGroup, LedgerEntryKind> = {
  CO: 'contractual_adjustment',
  PR: 'transfer_to_patient',
  OA: 'other_adjustment',
  PI: 'other_adjustment',
  CR: 'other_adjustment',
};
const lineTag = (n: number | null) => (n === null ? 'C' : `L${n}`);

interface Standing {
  answer: LedgerAnswer;
  entries: LedgerEntry[];
}

/** What one answer says when it stands, by the one rule for a claim (CLP02 4, or nothing paid and nothing to the patient, is a denial). */
function answerDenied(a: LedgerAnswer): boolean {
  const pr = a.adjustments.filter((x) => x.group === 'PR').reduce((s, x) => s + x.amountCents, 0);
  return a.claimStatusCode === '4' || (a.paidCents === 0 && pr === 0);
}

/** The one rule: a claim's billed lines and its events, in order, to ledger entries and a status. */
export function claimLedger(claim: LedgerClaim): LedgerResult {
  const { visitId } = claim;
  const billedAttempt = claim.billedAttempt ?? 1;
  const entries: LedgerEntry[] = [];
  const problems: LedgerResult['problems'] = [];
  const rows = new Map<number | null, Balance>();
  const billed = new Set(claim.lines.map((l) => l.lineNumber));
  const order: (number | null)[] = [...[...billed].sort((a, b) => a - b), null];
  const row = (n: number | null) => rows.get(n) ?? (rows.set(n, emptyBalance()), rows.get(n)!);
  const push = (e: LedgerEntry) => {
    if (e.amountCents === 0) return;
    entries.push(e);
    add(row(e.lineNumber), e);
  };
  for (const l of claim.lines) {
    push({
      key: `${visitId}#charge#${lineTag(l.lineNumber)}`,
      kind: 'charge',
      visitId,
      attempt: billedAttempt,
      lineNumber: l.lineNumber,
      amountCents: l.chargeCents,
      source: `${visitId}#charge`,
    });
  }

  const standing = new Map<string, Standing>();
  let lastPayer: string | undefined;
  let reversalPosted = false;
  const seen = new Map<string, string>();

  /** Reversal entries belong to the attempt of what they reverse, so each attempt's answers net out. */
  const reverse = (s: Standing, source: string) => {
    for (const e of s.entries) {
      push({
        key: `${source}#rev#${e.key}`,
        kind: 'reversal',
        visitId,
        attempt: e.attempt,
        lineNumber: e.lineNumber,
        amountCents: -e.amountCents,
        source,
        payerId: e.payerId,
        ...(e.group ? { group: e.group } : {}),
        ...(e.carc ? { carc: e.carc } : {}),
        reverses: { key: e.key, kind: e.kind as Exclude<LedgerEntryKind, 'reversal'>, ...(e.group ? { group: e.group } : {}) },
      });
    }
  };

  /**
   * Spreads an amount over rows in line order, at most `room(row)` each and in all at most the
   * claim's net room (a claim-level answer leaves its lines open and its claim-level row below
   * zero: nothing is open); returns what is left.
   */
  const spread = (amount: number, room: (b: Balance) => number, post: (n: number | null, cents: number) => void): number => {
    const net = order.reduce<number>((t, n) => t + room(row(n)), 0);
    const total = Math.min(amount, Math.max(0, net));
    let left = total;
    for (const n of order) {
      if (left <= 0) break;
      const take = Math.min(left, Math.max(0, room(row(n))));
      if (take > 0) {
        post(n, take);
        left -= take;
      }
    }
    return amount - total;
  };

  /**
   * A payer's answer that now explains money already written off takes the write-off back
   * (only as much as the answer over-explains), so open never goes below zero because of a
   * write-off: insurance's when the answer covers what was written off, the patient's when a
   * correction lowers their share below what was written off of it. Line by line first (newest
   * write-off first), then for the claim as a whole (claim level, then the lines from the last).
   */
  const takeBackWriteOffs = (source: string) => {
    const takeBack = (n: number | null, side: LedgerSide, amount: number): number => {
      let left = amount;
      for (const w of entries.filter((e) => e.kind === 'write_off' && e.side === side && e.lineNumber === n).reverse()) {
        if (left <= 0) break;
        const key = `${source}#rev#${w.key}`;
        const standingCents = w.amountCents + entries.filter((e) => e.reverses?.key === w.key).reduce((t, e) => t + e.amountCents, 0);
        const take = Math.min(left, standingCents);
        if (take <= 0) continue;
        const already = entries.find((e) => e.key === key);
        if (already) {
          already.amountCents -= take;
          add(row(n), { ...already, amountCents: -take });
        } else {
          push({
            key,
            kind: 'reversal',
            visitId,
            attempt: w.attempt,
            lineNumber: n,
            amountCents: -take,
            source,
            side,
            ...(w.reason ? { reason: w.reason } : {}),
            reverses: { key: w.key, kind: 'write_off', side },
          });
        }
        left -= take;
      }
      return amount - left;
    };
    const open = (n: number | null, side: LedgerSide) => (side === 'insurance' ? row(n).openInsuranceCents : row(n).openPatientCents);
    for (const side of ['insurance', 'patient'] as const) {
      for (const n of order) if (open(n, side) < 0) takeBack(n, side, -open(n, side));
      let over = -order.reduce<number>((t, n) => t + open(n, side), 0);
      for (const n of [...order].reverse()) if (over > 0) over -= takeBack(n, side, over);
    }
  };

  for (const ev of claim.events) {
    const source = ev.kind === 'remittance' ? ev.sourceKey : ev.key;
    const said = JSON.stringify(ev);
    if (seen.has(source)) {
      // the same answer, payment or write-off again changes nothing
      if (seen.get(source) !== said) problems.push({ source, code: 'key_reused', detail: 'a different event with a key already posted: not posted' });
      continue;
    }
    seen.set(source, said);

    if (ev.kind === 'remittance') {
      const prior = standing.get(ev.payerId);
      if (ev.claimStatusCode === '22') {
        if (!prior) {
          problems.push({ source, code: 'reversal_of_unpaid', detail: 'a reversal with no standing answer from this payer: nothing posted' });
          continue;
        }
        const mine = balance(prior.entries);
        const theirs = { paid: ev.paidCents, adjusted: ev.adjustments.reduce((s, a) => s + a.amountCents, 0) };
        if (theirs.paid !== -mine.paidCents || theirs.adjusted !== -(mine.adjustedTotalCents + mine.patientResponsibilityCents)) {
          problems.push({
            source,
            code: 'reversal_mismatch',
            detail: `the reversal (paid ${theirs.paid}, adjusted ${theirs.adjusted}) does not mirror the answer it reverses (paid ${mine.paidCents}, adjusted ${mine.adjustedTotalCents + mine.patientResponsibilityCents}); the standing answer was reversed as posted`,
          });
        }
        reverse(prior, source);
        standing.delete(ev.payerId);
        reversalPosted = true;
        takeBackWriteOffs(source);
        continue;
      }
      if (prior)
        reverse(prior, source); // a correction replaces the payer's earlier answer
      else if (standing.size > 0)
        problems.push({ source, code: 'second_payer', detail: `a second payer (${ev.payerId}) answered; several payers on one claim are not combined yet` });
      const lineOf = (n: number | null) => {
        if (n === null || billed.has(n)) return n;
        problems.push({ source, code: 'unknown_line', detail: `line ${n} was not billed; posted at claim level` });
        return null;
      };
      const mine: LedgerEntry[] = [];
      const post = (e: LedgerEntry) => {
        if (e.amountCents !== 0) {
          mine.push(e);
          push(e);
        }
      };
      const base = { visitId, attempt: ev.attempt, source, payerId: ev.payerId };
      ev.lines.forEach((l, i) =>
        post({ ...base, key: `${source}#svc${i + 1}#pay`, kind: 'payment', lineNumber: lineOf(l.lineNumber), amountCents: l.paidCents }),
      );
      const claimLevelPaid = ev.paidCents - ev.lines.reduce((s, l) => s + l.paidCents, 0);
      post({ ...base, key: `${source}#clp#pay`, kind: 'payment', lineNumber: null, amountCents: claimLevelPaid });
      ev.adjustments.forEach((a, i) =>
        post({
          ...base,
          key: `${source}#cas${i + 1}`,
          kind: ADJUSTMENT_KIND[a.group],
          lineNumber: lineOf(a.lineNumber),
          amountCents: a.amountCents,
          group: a.group,
          carc: a.carc,
        }),
      );
      standing.set(ev.payerId, { answer: ev, entries: mine });
      lastPayer = ev.payerId;
      takeBackWriteOffs(source);
      continue;
    }

    const attempt = ev.attempt ?? billedAttempt;
    if (ev.kind === 'patient_payment') {
      let part = 0;
      const mk = (n: number | null, cents: number) =>
        push({ key: `${source}#${lineTag(n)}#${++part}`, kind: 'patient_payment', visitId, attempt, lineNumber: n, amountCents: cents, source });
      const left = spread(ev.amountCents, (b) => b.openPatientCents, mk);
      if (left > 0) mk(null, left); // a credit, to be refunded
    } else if (ev.kind === 'write_off') {
      const sides: LedgerSide[] = ev.side === 'auto' ? ['patient', 'insurance'] : [ev.side];
      let left = ev.amountCents;
      for (const side of sides) {
        left = spread(
          left,
          (b) => (side === 'patient' ? b.openPatientCents : b.openInsuranceCents),
          (n, cents) =>
            push({
              key: `${source}#${side}#${lineTag(n)}`,
              kind: 'write_off',
              visitId,
              attempt,
              lineNumber: n,
              amountCents: cents,
              source,
              side,
              reason: ev.reason,
            }),
        );
      }
      if (left > 0) problems.push({ source, code: 'over_write_off', detail: `${left} cents more than is open; not written off` });
    } else {
      const left = spread(
        ev.amountCents,
        (b) => -(ev.side === 'patient' ? b.openPatientCents : b.openInsuranceCents),
        (n, cents) =>
          push({
            key: `${source}#${lineTag(n)}`,
            kind: 'refund',
            visitId,
            attempt,
            lineNumber: n,
            amountCents: cents,
            source,
            side: ev.side,
          }),
      );
      if (left > 0) problems.push({ source, code: 'over_refund', detail: `${left} cents more than the credit; not refunded` });
    }
  }

  const current = lastPayer ? standing.get(lastPayer) : undefined;
  const reversed = !current && reversalPosted;
  const lineStatus = claim.lines.map((l) => ({ lineNumber: l.lineNumber, status: lineStatusOf(l.lineNumber, current, row(l.lineNumber), reversed) }));
  let status: LedgerStatus;
  if (!current) status = reversed ? 'reversed' : 'open';
  else if (answerDenied(current.answer)) status = 'denied';
  else {
    const short = lineStatus.some((l) => l.status === 'denied' || l.status === 'open') || leftByPayer(rows) > 0;
    status = short ? 'partially_paid' : 'paid';
  }
  return { entries, status, lineStatus, problems };
}

/** What the payers' answers left unexplained (billed − paid − adjusted − PR): write-offs do not change an answer's status. */
function leftByPayer(rows: Map<number | null, Balance>): number {
  let open = 0;
  for (const b of rows.values()) open += b.openInsuranceCents + b.writtenOff.insurance;
  return open;
}

function lineStatusOf(n: number, s: Standing | undefined, b: Balance, reversed: boolean): LedgerStatus {
  if (!s) return reversed ? 'reversed' : 'open';
  if (answerDenied(s.answer)) return 'denied';
  if (s.answer.lines.length === 0) return 'paid'; // answered at claim level only
  const svc = s.answer.lines.filter((l) => l.lineNumber === n);
  if (!svc.length) return 'open'; // the payer did not answer this line
  const paid = svc.reduce((t, l) => t + l.paidCents, 0);
  const pr = s.answer.adjustments.filter((a) => a.lineNumber === n && a.group === 'PR').reduce((t, a) => t + a.amountCents, 0);
  if (paid === 0 && pr === 0) return 'denied';
  return b.openInsuranceCents + b.writtenOff.insurance > 0 ? 'partially_paid' : 'paid';
}
