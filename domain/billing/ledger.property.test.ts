/**
 * Property test of the ledger rule: random sequences of 835 claim and line answers, reversals,
 * corrections, patient payments, write-offs, refunds and repeats, checked after every step
 * against a model that knows only the payer's standing answer and the running totals.
 */
import fc from 'fast-check';
import { claimLedger, type LedgerAnswer, type LedgerClaim, type LedgerEvent } from './ledger';
import { balance, ledgerBalances, type Balance, type LedgerEntry } from './ledger-entries';

type Group = 'CO' | 'PR' | 'OA' | 'PI' | 'CR';
const GROUPS: Group[] = ['CO', 'PR', 'OA', 'PI', 'CR'];

/** How one answer treats a line: share of the charge paid and the weights of the CAS groups for the rest. */
const lineAnswer = fc.record({
  paidPermille: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 })),
  weights: fc.array(fc.nat(5), { minLength: 5, maxLength: 5 }),
  shortPermille: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 200 })),
  carc: fc.constantFrom('45', '3', '1', '2', '97', '16', '94', '23', '253'),
});
const answerShape = fc.record({
  level: fc.constantFrom('line', 'line', 'line', 'claim'),
  status: fc.constantFrom('1', '1', '2', '3', '4'),
  perLine: fc.array(lineAnswer, { minLength: 4, maxLength: 4 }),
  dropLine: fc.boolean(),
});
const command = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('answer' as const), shape: answerShape }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reverse' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('correct' as const), shape: answerShape }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('patient_payment' as const), cents: fc.integer({ min: 1, max: 20000 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('write_off' as const),
      cents: fc.integer({ min: 1, max: 60000 }),
      side: fc.constantFrom('auto' as const, 'patient' as const, 'insurance' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('refund' as const),
      cents: fc.integer({ min: 1, max: 20000 }),
      side: fc.constantFrom('patient' as const, 'insurance' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('repeat' as const), which: fc.nat() }) },
);
const scenario = fc.record({
  charges: fc.array(fc.integer({ min: 1, max: 100000 }), { minLength: 1, maxLength: 4 }),
  commands: fc.array(command, { minLength: 1, maxLength: 14 }),
});

/** Splits `total` by integer weights (all to CO when every weight is 0). */
function split(total: number, weights: number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (!sum) return [total, 0, 0, 0, 0];
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  parts[weights.findIndex((w) => w > 0)] += total - parts.reduce((s, p) => s + p, 0);
  return parts;
}

type Shape = { level: string; status: string; perLine: { paidPermille: number; weights: number[]; shortPermille: number; carc: string }[]; dropLine: boolean };

/** A balanced 835 answer (CLP03 − CLP04 = Σ CAS, less what it leaves short) from a shape. */
function makeAnswer(shape: Shape, charges: number[], sourceKey: string): LedgerAnswer {
  const adjustments: LedgerAnswer['adjustments'] = [];
  const lines: LedgerAnswer['lines'] = [];
  let paidCents = 0;
  charges.forEach((charge, i) => {
    const n = i + 1;
    const l = shape.perLine[i];
    if (shape.level === 'line' && shape.dropLine && i === charges.length - 1 && charges.length > 1) return; // the payer skipped a line
    const denied = shape.status === '4';
    const paid = denied ? 0 : Math.floor((charge * l.paidPermille) / 1000);
    const short = denied ? 0 : Math.floor(((charge - paid) * l.shortPermille) / 1000);
    const parts = split(charge - paid - short, denied ? [1, 0, 0, 0, 0] : l.weights);
    paidCents += paid;
    const lineNumber = shape.level === 'line' ? n : null;
    if (shape.level === 'line') lines.push({ lineNumber: n, paidCents: paid });
    GROUPS.forEach((g, k) => {
      if (parts[k]) adjustments.push({ lineNumber, group: g, carc: g === 'PR' ? '1' : l.carc, amountCents: parts[k] });
    });
  });
  return { sourceKey, attempt: 1, payerId: 'P1', claimStatusCode: shape.status, paidCents, adjustments, lines };
}

const reversalOf = (a: LedgerAnswer, sourceKey: string): LedgerAnswer => ({
  ...a,
  sourceKey,
  claimStatusCode: '22',
  paidCents: -a.paidCents,
  adjustments: a.adjustments.map((x) => ({ ...x, amountCents: -x.amountCents })),
  lines: a.lines.map((l) => ({ ...l, paidCents: -l.paidCents })),
});

/**
 * The model: only the payer's standing answer and, per row (each line, and claim level), what
 * the patient paid and what was written off or refunded — no entries, no reversals.
 */
type Row = number | null;
interface Model {
  charges: number[];
  billed: number;
  standing?: LedgerAnswer;
  reversed: boolean;
  patientPaid: Map<Row, number>;
  woPatient: Map<Row, number>;
  woInsurance: Map<Row, number>;
  refundedInsurance: Map<Row, number>;
}
const get = (map: Map<Row, number>, n: Row) => map.get(n) ?? 0;
const bump = (map: Map<Row, number>, n: Row, d: number) => map.set(n, get(map, n) + d);
const rows = (m: Model): Row[] => [...m.charges.map((_, i) => i + 1), null];
const sumG = (a: LedgerAnswer | undefined, g: Group, n?: Row) =>
  (a?.adjustments ?? []).filter((x) => x.group === g && (n === undefined || x.lineNumber === n)).reduce((s, x) => s + x.amountCents, 0);
function rowView(m: Model, n: Row) {
  const a = m.standing;
  const billed = n === null ? 0 : m.charges[n - 1];
  const svcPaid = (a?.lines ?? []).filter((l) => n === null || l.lineNumber === n).reduce((s, l) => s + l.paidCents, 0);
  const paid = (n === null ? (a?.paidCents ?? 0) - svcPaid : svcPaid) - get(m.refundedInsurance, n);
  const adjusted = { CO: sumG(a, 'CO', n), OA: sumG(a, 'OA', n), PI: sumG(a, 'PI', n), CR: sumG(a, 'CR', n) };
  const pr = sumG(a, 'PR', n);
  const adj = adjusted.CO + adjusted.OA + adjusted.PI + adjusted.CR;
  return {
    billedCents: billed,
    paidCents: paid,
    adjustedCents: adjusted,
    patientResponsibilityCents: pr,
    patientPaidCents: get(m.patientPaid, n),
    writtenOff: { insurance: get(m.woInsurance, n), patient: get(m.woPatient, n) },
    openInsuranceCents: billed - paid - adj - pr - get(m.woInsurance, n),
    openPatientCents: pr - get(m.patientPaid, n) - get(m.woPatient, n),
  };
}
function modelView(m: Model) {
  const all = rows(m).map((n) => rowView(m, n));
  const t = (f: (v: ReturnType<typeof rowView>) => number) => all.reduce((s, v) => s + f(v), 0);
  return {
    billedCents: t((v) => v.billedCents),
    paidCents: t((v) => v.paidCents),
    adjustedCents: { CO: t((v) => v.adjustedCents.CO), OA: t((v) => v.adjustedCents.OA), PI: t((v) => v.adjustedCents.PI), CR: t((v) => v.adjustedCents.CR) },
    patientResponsibilityCents: t((v) => v.patientResponsibilityCents),
    patientPaidCents: t((v) => v.patientPaidCents),
    writtenOff: { insurance: t((v) => v.writtenOff.insurance), patient: t((v) => v.writtenOff.patient) },
    openInsuranceCents: t((v) => v.openInsuranceCents),
    openPatientCents: t((v) => v.openPatientCents),
  };
}
type Side = 'insurance' | 'patient';
const openOf = (m: Model, n: Row, side: Side) => (side === 'insurance' ? rowView(m, n).openInsuranceCents : rowView(m, n).openPatientCents);
/** In line order, at most each row's room and in all at most the claim's net room; returns what is left. */
function spread(m: Model, amount: number, room: (n: Row) => number, apply: (n: Row, cents: number) => void): number {
  const total = Math.min(
    amount,
    Math.max(
      0,
      rows(m).reduce<number>((s, n) => s + room(n), 0),
    ),
  );
  let left = total;
  for (const n of rows(m)) {
    const take = Math.min(left, Math.max(0, room(n)));
    if (take > 0) {
      apply(n, take);
      left -= take;
    }
  }
  return amount - total;
}
/** An answer that explains what was written off takes the write-off back: row by row, then for the claim (claim level, then lines from the last). */
function settle(m: Model): void {
  for (const side of ['insurance', 'patient'] as const) {
    const wo = side === 'insurance' ? m.woInsurance : m.woPatient;
    for (const n of rows(m)) {
      const over = -openOf(m, n, side);
      if (over > 0) bump(wo, n, -Math.min(over, get(wo, n)));
    }
    let over = -rows(m).reduce<number>((s, n) => s + openOf(m, n, side), 0);
    for (const n of [...rows(m)].reverse()) {
      const take = Math.min(Math.max(0, over), get(wo, n));
      bump(wo, n, -take);
      over -= take;
    }
  }
}
function modelStatus(m: Model, charges: number[]): string {
  const a = m.standing;
  if (!a) return m.reversed ? 'reversed' : 'open';
  const pr = sumG(a, 'PR');
  if (a.claimStatusCode === '4' || (a.paidCents === 0 && pr === 0)) return 'denied';
  const unexplained = m.billed - a.paidCents - a.adjustments.reduce((s, x) => s + x.amountCents, 0);
  const lineDeniedOrSkipped =
    a.lines.length > 0 &&
    charges.some((_, i) => {
      const svc = a.lines.find((l) => l.lineNumber === i + 1);
      if (!svc) return true;
      return svc.paidCents === 0 && !a.adjustments.some((x) => x.lineNumber === i + 1 && x.group === 'PR' && x.amountCents > 0);
    });
  return unexplained > 0 || lineDeniedOrSkipped ? 'partially_paid' : 'paid';
}

/** The identity, summed from raw entries by this test's own reading of each kind. */
function identityHolds(entries: LedgerEntry[], b: Balance): boolean {
  const by = (k: string, side?: string) =>
    entries
      .filter((e) => (e.kind === 'reversal' ? e.reverses!.kind : e.kind) === k && (!side || (e.side ?? e.reverses?.side) === side))
      .reduce((s, e) => s + e.amountCents, 0);
  const billed = by('charge');
  const paid = by('payment') - by('refund', 'insurance');
  const adjusted = by('contractual_adjustment') + by('other_adjustment');
  const patientPaid = by('patient_payment') - by('refund', 'patient');
  const written = by('write_off');
  return (
    billed === b.billedCents &&
    paid === b.paidCents &&
    adjusted === b.adjustedTotalCents &&
    patientPaid === b.patientPaidCents &&
    written === b.writtenOffCents &&
    billed === paid + adjusted + patientPaid + written + b.openInsuranceCents + b.openPatientCents
  );
}

test('property: every step keeps billed = paid + adjusted + patient paid + written off + open, matches the model, and is append-only and idempotent', () => {
  fc.assert(
    fc.property(scenario, ({ charges, commands }) => {
      const lines = charges.map((chargeCents, i) => ({ lineNumber: i + 1, chargeCents }));
      const claim = (events: LedgerEvent[]): LedgerClaim => ({ visitId: 'V-PROP', lines, events });
      const billed = charges.reduce((s, c) => s + c, 0);
      const m: Model = { charges, billed, reversed: false, patientPaid: new Map(), woPatient: new Map(), woInsurance: new Map(), refundedInsurance: new Map() };
      const events: LedgerEvent[] = [];
      let previous: LedgerEntry[] = claimLedger(claim([])).entries;
      let allLineLevel = true;
      commands.forEach((c, step) => {
        const key = `era-${step}#clp1`;
        let lastCorrection: LedgerAnswer | undefined;
        switch (c.op) {
          case 'answer':
          case 'correct': {
            if (c.op === 'correct' && m.standing) {
              events.push({ kind: 'remittance', ...reversalOf(m.standing, `${key}#rev`) });
              m.standing = undefined;
              settle(m); // the reversal takes back write-offs of what it took away; the correction starts afresh
            }
            const a = makeAnswer(c.shape, charges, key);
            if (c.shape.level === 'claim') allLineLevel = false;
            events.push({ kind: 'remittance', ...a });
            m.standing = a;
            settle(m);
            if (c.op === 'correct') lastCorrection = a;
            break;
          }
          case 'reverse':
            if (m.standing) {
              events.push({ kind: 'remittance', ...reversalOf(m.standing, key) });
              m.standing = undefined;
              m.reversed = true;
              settle(m);
            }
            break;
          case 'patient_payment': {
            events.push({ kind: 'patient_payment', key: `pp:${step}`, amountCents: c.cents });
            const left = spread(
              m,
              c.cents,
              (n) => openOf(m, n, 'patient'),
              (n, cents) => bump(m.patientPaid, n, cents),
            );
            if (left > 0) bump(m.patientPaid, null, left); // a credit
            break;
          }
          case 'write_off': {
            events.push({ kind: 'write_off', key: `wo:${step}`, amountCents: c.cents, side: c.side, reason: 'property' });
            let left = c.cents;
            for (const side of c.side === 'auto' ? (['patient', 'insurance'] as const) : [c.side]) {
              left = spread(
                m,
                left,
                (n) => openOf(m, n, side),
                (n, cents) => bump(side === 'insurance' ? m.woInsurance : m.woPatient, n, cents),
              );
            }
            break;
          }
          case 'refund':
            events.push({ kind: 'refund', key: `rf:${step}`, amountCents: c.cents, side: c.side });
            // a refund to the patient lowers what they paid; one to the payer lowers what it paid
            spread(
              m,
              c.cents,
              (n) => -openOf(m, n, c.side),
              (n, cents) => (c.side === 'patient' ? bump(m.patientPaid, n, -cents) : bump(m.refundedInsurance, n, cents)),
            );
            break;
          case 'repeat':
            if (events.length) events.push(events[c.which % events.length]); // the same answer, payment or write-off again
            break;
        }
        const out = claimLedger(claim(events));
        const { visit, lines: byLine } = ledgerBalances(out.entries);

        // The model: what the standing answer and the running totals say.
        expect(visit).toMatchObject(modelView(m));
        for (const n of rows(m)) expect([n, byLine.get(n) ?? rowView(m, n)]).toMatchObject([n, rowView(m, n)]);
        expect(out.status).toBe(modelStatus(m, charges));
        // The identity, per line, per claim (the whole claim) and per visit.
        expect(identityHolds(out.entries, visit)).toBe(true);
        for (const [n, b] of byLine)
          expect([
            n,
            identityHolds(
              out.entries.filter((e) => e.lineNumber === n),
              b,
            ),
          ]).toEqual([n, true]);
        // Nothing negative that cannot be.
        for (const v of [
          visit.paidCents,
          visit.adjustedCents.CO,
          visit.adjustedCents.OA,
          visit.adjustedCents.PI,
          visit.adjustedCents.CR,
          visit.patientResponsibilityCents,
          visit.patientPaidCents,
          visit.writtenOffCents,
          visit.openInsuranceCents,
        ]) {
          expect(v).toBeGreaterThanOrEqual(0);
        }
        for (const l of lines) {
          const b = byLine.get(l.lineNumber)!;
          expect(b.billedCents).toBe(l.chargeCents);
          for (const v of [b.paidCents, b.adjustedTotalCents, b.patientResponsibilityCents, b.patientPaidCents, b.writtenOffCents])
            expect(v).toBeGreaterThanOrEqual(0);
          if (allLineLevel) expect(b.openInsuranceCents).toBeGreaterThanOrEqual(0);
        }
        for (const e of out.entries) expect(e.kind === 'reversal' ? e.amountCents < 0 : e.amountCents > 0).toBe(true);
        // Unique keys; append-only: what was posted before is unchanged and first.
        expect(new Set(out.entries.map((e) => e.key)).size).toBe(out.entries.length);
        expect(out.entries.slice(0, previous.length)).toEqual(previous);
        previous = out.entries;
        // Applying any event again changes nothing.
        if (events.length) {
          const again = claimLedger(claim([...events, events[step % events.length]]));
          expect(again.entries).toEqual(out.entries);
          expect(again.status).toBe(out.status);
        }
        // A reversal followed by its correction leaves the corrected amounts only.
        if (lastCorrection) {
          const alone = balance(claimLedger(claim([{ kind: 'remittance', ...lastCorrection }])).entries);
          for (const f of ['paidCents', 'adjustedCents', 'patientResponsibilityCents'] as const) expect(visit[f]).toEqual(alone[f]);
        }
      });
    }),
    { numRuns: 100 },
  );
});
