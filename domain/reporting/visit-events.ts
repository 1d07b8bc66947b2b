/**
 * The visit's event log, as analysts read it in `visit_events` (docs/analytics.md).
 * One typed union: every activity that records something about a visit builds one of
 * these and hands it to `recordVisitEvent` (db/visit-events.ts). Add a new kind here
 * (a denial action, a patient payment) and the table, the facts and the reports follow.
 *
 * `key` makes a write idempotent: the same key twice records one event, so an activity
 * retried after a crash writes nothing twice. Build it from the visit id and a natural
 * step (claim attempt, the 835's source key, the stage change's sequence number).
 *
 * Ids and codes only: no names, birth dates, member ids or addresses.
 */

export const EVENT_TYPES = [
  'visit_booked',
  'coverage_updated',
  'eligibility_checked',
  'stage_changed',
  'encounter_signed',
  'coding_corrected',
  'charges_posted',
  'claim_submitted',
  'claim_accepted',
  'claim_rejected',
  'remittance_posted',
  'denial_action',
  'patient_payment_posted',
  'adjustment_posted',
  'visit_closed',
  'registration_changed',
  'appointment_rescheduled',
  'deadline_escalated',
] as const;
export type VisitEventType = (typeof EVENT_TYPES)[number];

/** A priced line as it appears on the claim and, later, on the remittance. */
export interface EventLine {
  lineNumber: number;
  code: string;
  chargeCents: number;
  paidCents?: number;
  /** Denial adjustments on this line (any group but PR, any CARC but 45 contractual), cents. */
  deniedCents?: number;
}

interface Base {
  visitId: string;
  key: string;
  /** ISO instant; defaults to the time of the write. */
  at?: string;
  /** Overrides for the context the repository otherwise fills from the visit's facts. */
  payerId?: string;
  providerNpi?: string;
}

export type VisitEvent = Base &
  (
    | { type: 'visit_booked'; payerId: string; providerNpi: string; serviceDate: string }
    | { type: 'coverage_updated'; payerId: string }
    | { type: 'eligibility_checked'; active: boolean; attempt: number }
    /** A stage (or the awaited action) changed where no other activity records it. */
    | { type: 'stage_changed'; stage: string; awaitingAction?: string }
    | { type: 'encounter_signed'; encounterId: string; cptCodes: string[] }
    | { type: 'coding_corrected'; encounterId: string; cptCodes: string[] }
    | { type: 'charges_posted'; lines: EventLine[] }
    | { type: 'claim_submitted'; claimAttempt: number; frequency: string; lines: EventLine[] }
    | { type: 'claim_accepted'; claimAttempt: number; source: '999' | '277CA' }
    | { type: 'claim_rejected'; claimAttempt: number; source: '999' | '277CA'; codes: string[] }
    | {
        type: 'remittance_posted';
        claimAttempt: number;
        denied: boolean;
        reversal: boolean;
        paidCents: number;
        patientResponsibilityCents: number;
        contractualCents: number;
        carcCodes: string[];
        lines: EventLine[];
      }
    /** A denial playbook step: the category of the taxonomy, the action taken, and what came of it. */
    | { type: 'denial_action'; claimAttempt: number; category: string; action: string; carcCodes: string[]; outcome?: string; reason?: string }
    | { type: 'patient_payment_posted'; amountCents: number }
    /** A write-off or other adjustment outside an 835 (positive cents reduce the balance). */
    | { type: 'adjustment_posted'; amountCents: number; reason: string; group: string }
    | { type: 'visit_closed'; outcome: string }
    /** A deadline is near and what it guards has not happened: timely filing (no accepted claim) or an appeal not sent. */
    | { type: 'deadline_escalated'; deadline: 'timely_filing' | 'appeal'; due: string }
    /** The PMS changed the patient's registration (ADT^A08): which parts, never their values. */
    | { type: 'registration_changed'; changes: string[] }
    /** The PMS moved the appointment (SIU^S14). */
    | { type: 'appointment_rescheduled'; serviceDate: string; providerNpi: string }
  );

/** The stage a visit is in after an event, where the event implies one. */
export function stageAfter(e: VisitEvent): string | undefined {
  switch (e.type) {
    case 'visit_booked':
      return 'intake';
    case 'eligibility_checked':
      return 'eligibility';
    case 'stage_changed':
      return e.stage;
    case 'encounter_signed':
      return 'coding';
    case 'charges_posted':
      return 'charges';
    case 'claim_submitted':
      return 'claim_submitted';
    case 'claim_accepted':
      return e.source === '277CA' ? 'awaiting_adjudication' : undefined;
    case 'claim_rejected':
      return 'claim_rejected';
    case 'visit_closed':
      return 'closed';
    default:
      return undefined;
  }
}

/** The awaited action after an event, where the event implies one (`null`: nothing awaited). */
export function awaitingAfter(e: VisitEvent): string | null | undefined {
  switch (e.type) {
    case 'stage_changed':
      return e.awaitingAction ?? null;
    case 'claim_submitted':
      return 'acknowledgment';
    case 'claim_accepted':
      return e.source === '277CA' ? 'remittance' : undefined;
    case 'visit_closed':
      return null;
    case 'visit_booked':
    case 'encounter_signed':
    case 'charges_posted':
      return null;
    default:
      return undefined;
  }
}

/** The CPT/HCPCS codes an event names, once each, in line order. */
export function cptCodesOf(e: VisitEvent): string[] | undefined {
  if ('lines' in e) return [...new Set(e.lines.map((l) => l.code))];
  if ('cptCodes' in e) return [...new Set(e.cptCodes)];
  return undefined;
}

export function carcCodesOf(e: VisitEvent): string[] {
  if ('carcCodes' in e) return e.carcCodes;
  if (e.type === 'claim_rejected') return e.codes;
  return [];
}

/** The event's amount in cents: what was billed, paid, collected or adjusted by it. */
export function amountOf(e: VisitEvent): number | undefined {
  switch (e.type) {
    case 'charges_posted':
    case 'claim_submitted':
      return e.lines.reduce((s, l) => s + l.chargeCents, 0);
    case 'remittance_posted':
      return e.paidCents;
    case 'patient_payment_posted':
    case 'adjustment_posted':
      return e.amountCents;
    default:
      return undefined;
  }
}

export function claimAttemptOf(e: VisitEvent): number | undefined {
  return 'claimAttempt' in e ? e.claimAttempt : undefined;
}
