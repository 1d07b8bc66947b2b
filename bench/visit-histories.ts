/**
 * Synthetic visit histories for bench:kpi and the rollup tests: the events the activities
 * record for a visit (domain/reporting/visit-events.ts), in the order the workflow records
 * them, along the paths the workflow takes: paid; patient share paid or not; denied and
 * replaced by a corrected claim (frequency 7) that is paid; denied and written off; first
 * submission rejected by the 277CA and fixed; coding review first; a reversal; and visits
 * still open (awaiting the 835, parked in coding review, coverage or a rejected claim).
 * Deterministic in `i`: the same number gives the same visit.
 */
import type { EventLine, VisitEvent } from '../domain/reporting/visit-events';

export type TimedEvent = VisitEvent & { at: string };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type NewEvent = DistributiveOmit<VisitEvent, 'visitId' | 'key'>;

const PAYERS = ['87726', '60054', '62308', '00431', '13551'];
const PROVIDERS = Array.from({ length: 10 }, (_, k) => `12345678${String(k).padStart(2, '0')}`);
const CODE_SETS: [string, number][][] = [
  [['99213', 13500]],
  [
    ['99214', 19000],
    ['36415', 1500],
  ],
  [
    ['99203', 17000],
    ['81002', 1200],
  ],
  [
    ['99215', 26000],
    ['93000', 4500],
  ],
  [['97110', 6500]],
  [
    ['99212', 9000],
    ['87880', 2800],
  ],
  [
    ['99204', 25000],
    ['85025', 1800],
    ['36415', 1500],
  ],
];
const DENIALS = ['CO-16', 'CO-197', 'CO-50', 'CO-97', 'CO-18', 'CO-29', 'CO-22'];

/** A small deterministic hash of i and a salt, 0..1. */
const h = (i: number, salt: number) => {
  let x = (i * 2654435761 + salt * 40503) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
};

export function syntheticVisit(i: number, today: string, days = 730, prefix = 'b'): TimedEvent[] {
  const visitId = `${prefix}-${i}`;
  const ageDays = Math.floor(h(i, 1) * days);
  const serviceDate = new Date(Date.parse(`${today}T00:00:00Z`) - ageDays * 86_400_000).toISOString().slice(0, 10);
  const t0 = Date.parse(`${serviceDate}T14:00:00Z`);
  const at = (hours: number) => new Date(t0 + hours * 3_600_000).toISOString();
  const payerId = PAYERS[Math.floor(h(i, 2) * PAYERS.length)];
  const providerNpi = PROVIDERS[Math.floor(h(i, 3) * PROVIDERS.length)];
  const lines: EventLine[] = CODE_SETS[Math.floor(h(i, 4) * CODE_SETS.length)].map(([code, chargeCents], k) => ({ lineNumber: k + 1, code, chargeCents }));
  const codes = lines.map((l) => l.code);
  const r = h(i, 5);
  const events: TimedEvent[] = [];
  let n = 0;
  const end = Date.parse(`${today}T23:59:59Z`);
  // What would happen after today has not happened yet.
  const add = (hours: number, e: NewEvent) => {
    if (t0 + hours * 3_600_000 <= end) events.push({ ...e, visitId, key: `${visitId}:${e.type}:${++n}`, at: at(hours) } as TimedEvent);
  };

  add(-72, { type: 'visit_booked', payerId, providerNpi, serviceDate });
  add(-71, { type: 'eligibility_checked', active: r >= 0.01, attempt: 1 });
  if (r < 0.01) {
    // inactive coverage, waiting for a person
    add(-71, { type: 'stage_changed', stage: 'awaiting_coverage', awaitingAction: 'coverage' });
    return events;
  }
  const signedAt = 2 + h(i, 6) * 40;
  add(signedAt, { type: 'encounter_signed', encounterId: `enc-${i}`, cptCodes: codes });
  let t = signedAt + 0.1;
  if (r < 0.06) {
    // the coding checks stopped it
    add(t, { type: 'stage_changed', stage: 'coding_review', awaitingAction: 'coding_review' });
    if (r < 0.025) return events; // still waiting for the coder
    t += 4 + h(i, 7) * 30;
    add(t, { type: 'coding_corrected', encounterId: `enc-${i}`, cptCodes: codes });
  }
  t += h(i, 8) * 24 * 5;
  add(t, { type: 'charges_posted', lines });
  add(t + 0.2, { type: 'claim_submitted', claimAttempt: 1, frequency: '1', lines });
  add(t + 0.3, { type: 'claim_accepted', claimAttempt: 1, source: '999' });
  let attempt = 1;
  if (h(i, 9) < 0.05) {
    // the payer's front end rejected the first claim
    add(t + 2, { type: 'claim_rejected', claimAttempt: 1, source: '277CA', codes: ['A7:562'] });
    if (h(i, 10) < 0.3) return events; // still to be fixed
    attempt = 2;
    t += 24 + h(i, 11) * 48;
    add(t, { type: 'claim_submitted', claimAttempt: 2, frequency: '1', lines });
  }
  t += 2 + h(i, 12) * 20;
  add(t, { type: 'claim_accepted', claimAttempt: attempt, source: '277CA' });
  // Recent claims are often still waiting for their 835.
  if (ageDays < 40 ? h(i, 13) < 0.7 : h(i, 13) < 0.01) return events;
  t += 24 * (7 + h(i, 14) * 21);
  const billed = lines.reduce((s, l) => s + l.chargeCents, 0);
  if (h(i, 15) < 0.11) {
    // denied
    const carc = DENIALS[Math.floor(h(i, 16) * DENIALS.length)];
    add(t, {
      type: 'remittance_posted',
      claimAttempt: attempt,
      denied: true,
      reversal: false,
      paidCents: 0,
      patientResponsibilityCents: 0,
      contractualCents: 0,
      carcCodes: [carc],
      lines: lines.map((l) => ({ ...l, paidCents: 0, deniedCents: l.chargeCents })),
    });
    if (carc === 'CO-16' && h(i, 17) < 0.8) {
      // corrected claim, then paid
      add(t + 1, { type: 'denial_action', claimAttempt: attempt, category: 'missing_information', action: 'corrected_claim', carcCodes: [carc] });
      attempt++;
      add(t + 24, { type: 'claim_submitted', claimAttempt: attempt, frequency: '7', lines });
      add(t + 30, { type: 'claim_accepted', claimAttempt: attempt, source: '277CA' });
      t += 24 * 14;
      return paid(t);
    }
    add(t + 1, { type: 'denial_action', claimAttempt: attempt, category: 'other', action: 'write_off', carcCodes: [carc] });
    add(t + 48, { type: 'adjustment_posted', amountCents: billed, reason: carc, group: 'CO' });
    add(t + 48, { type: 'visit_closed', outcome: 'denied' });
    return events;
  }
  return paid(t);

  function paid(when: number): TimedEvent[] {
    const paidLines = lines.map((l) => ({ ...l, paidCents: Math.round(l.chargeCents * 0.55), deniedCents: 0 }));
    const paidCents = paidLines.reduce((s, l) => s + l.paidCents, 0);
    const patient = Math.round(billed * (h(i, 18) < 0.5 ? 0.15 : 0.05));
    const contractual = billed - paidCents - patient;
    add(when, {
      type: 'remittance_posted',
      claimAttempt: attempt,
      denied: false,
      reversal: false,
      paidCents,
      patientResponsibilityCents: patient,
      contractualCents: contractual,
      carcCodes: ['CO-45', 'PR-2'],
      lines: paidLines,
    });
    if (h(i, 19) < 0.004) {
      // the payer took it back
      add(when + 24 * 10, {
        type: 'remittance_posted',
        claimAttempt: attempt,
        denied: false,
        reversal: true,
        paidCents: -paidCents,
        patientResponsibilityCents: -patient,
        contractualCents: -contractual,
        carcCodes: [],
        lines: paidLines.map((l) => ({ ...l, paidCents: -l.paidCents })),
      });
      add(when + 24 * 10, { type: 'stage_changed', stage: 'needs_attention', awaitingAction: 'remittance_review' });
      return events;
    }
    if (h(i, 20) < 0.6) add(when + 24 * (10 + h(i, 21) * 40), { type: 'patient_payment_posted', amountCents: patient });
    else if (ageDays > 120) add(when + 24 * 90, { type: 'adjustment_posted', amountCents: patient, reason: 'small balance', group: 'PR' });
    add(when + 24 * 60, { type: 'visit_closed', outcome: 'paid' });
    return events;
  }
}
