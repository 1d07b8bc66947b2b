/**
 * The chaos run's verdict on money: each charge, claim and payment exists once, and the
 * totals revcycle recorded in Postgres are the totals the outside parties (the
 * simulators' ledgers) hold. Pure: the caller reads both sides and hands them over.
 */
export interface SimulatorSide {
  /** PMS ledger: one row per posted charge line. */
  charges: { visitId: string; lineNumber: number; chargeCents: number }[];
  /** Clearinghouse: every claim of every interchange it took (a resent interchange is not taken again). */
  claims: { claimId: string; frequency: string; accepted: boolean }[];
  /** Payers: one adjudication per payer claim number. */
  remittances: { patientControlNumber: string; payerClaimNumber?: string; chargeCents: number; paidCents: number; patientResponsibilityCents: number }[];
}

export interface PostgresSide {
  charges: { visitId: string; lineNumber: number; chargeCents: number }[];
  /** Every claim submission recorded, with the payer claim number once the 277CA gave it. */
  claims: { patientControlNumber: string; frequency: string; payerClaimNumber: string | null }[];
  payments: { claimId: number; traceNumber: string; paidCents: number; patientResponsibilityCents: number; chargeCents: number }[];
}

export interface LedgerCheck {
  what: string;
  simulators: number;
  postgres: number;
  ok: boolean;
}

export interface LedgerVerdict {
  duplicates: { charges: number; claims: number; payments: number };
  checks: LedgerCheck[];
  ok: boolean;
}

/** How many keys occur more than once (each extra occurrence counts). */
export function extraOccurrences(keys: string[]): number {
  const seen = new Set<string>();
  let extra = 0;
  for (const k of keys) {
    if (seen.has(k)) extra++;
    else seen.add(k);
  }
  return extra;
}

const sum = <T>(rows: T[], f: (r: T) => number) => rows.reduce((s, r) => s + f(r), 0);

export function compareLedgers(sim: SimulatorSide, pg: PostgresSide): LedgerVerdict {
  const duplicates = {
    charges: extraOccurrences(sim.charges.map((c) => `${c.visitId}|${c.lineNumber}`)) + extraOccurrences(pg.charges.map((c) => `${c.visitId}|${c.lineNumber}`)),
    // Only a claim accepted into adjudication can be a duplicate: a rejected one is sent again, fixed.
    claims:
      extraOccurrences(sim.claims.filter((c) => c.accepted).map((c) => `${c.claimId}|${c.frequency}`)) +
      extraOccurrences(pg.claims.map((c) => `${c.patientControlNumber}|${c.frequency}`)),
    // A claim paid twice: two payment rows for one claim, whatever their trace numbers.
    payments:
      extraOccurrences(pg.payments.map((p) => String(p.claimId))) + extraOccurrences(sim.remittances.map((r) => r.payerClaimNumber ?? r.patientControlNumber)),
  };
  const accepted = pg.claims.filter((c) => c.payerClaimNumber !== null);
  const checks: LedgerCheck[] = [
    check('charge lines', sim.charges.length, pg.charges.length),
    check(
      'charges (cents)',
      sum(sim.charges, (c) => c.chargeCents),
      sum(pg.charges, (c) => c.chargeCents),
    ),
    check('claims accepted by the payer', sim.claims.filter((c) => c.accepted).length, accepted.length),
    check('claims submitted', sim.claims.length, pg.claims.length),
    check('payments', sim.remittances.length, pg.payments.length),
    check(
      'billed on paid claims (cents)',
      sum(sim.remittances, (r) => r.chargeCents),
      sum(pg.payments, (p) => p.chargeCents),
    ),
    check(
      'paid (cents)',
      sum(sim.remittances, (r) => r.paidCents),
      sum(pg.payments, (p) => p.paidCents),
    ),
    check(
      'patient responsibility (cents)',
      sum(sim.remittances, (r) => r.patientResponsibilityCents),
      sum(pg.payments, (p) => p.patientResponsibilityCents),
    ),
  ];
  const ok = duplicates.charges + duplicates.claims + duplicates.payments === 0 && checks.every((c) => c.ok);
  return { duplicates, checks, ok };
}

function check(what: string, simulators: number, postgres: number): LedgerCheck {
  return { what, simulators, postgres, ok: simulators === postgres };
}
