/**
 * One row per visit that the reports read (`visit_facts`), folded from the visit's
 * events as they are recorded: each event is applied once (its key is unique), so the
 * row is maintained incrementally and a KPI never re-reads the event log.
 */
import { amountOf, awaitingAfter, carcCodesOf, cptCodesOf, stageAfter, type EventLine, type VisitEvent } from './visit-events';

export interface LineFacts {
  lineNumber: number;
  code: string;
  billedCents: number;
  paidCents: number;
  deniedCents: number;
}

export interface VisitFacts {
  visitId: string;
  payerId?: string;
  providerNpi?: string;
  serviceDate?: string;
  cptCodes: string[];
  stage: string;
  awaitingAction?: string;
  awaitingSince?: string;
  outcome?: string;
  /** The visit went through coding review (the scrubber or coding checks stopped it) before its first claim. */
  codingReview: boolean;
  encounterSignedAt?: string;
  chargesPostedAt?: string;
  firstSubmittedAt?: string;
  /** How the payer's front end answered the first submission (999/277CA). */
  firstPass?: 'accepted' | 'rejected';
  acceptedAt?: string;
  /** The first remittance: was the claim denied, and with which CARCs. */
  firstAdjudication?: 'paid' | 'denied';
  initialDenialCarcs: string[];
  billedCents: number;
  paidCents: number;
  contractualCents: number;
  patientResponsibilityCents: number;
  patientPaidCents: number;
  writtenOffCents: number;
  lines: LineFacts[];
}

export function emptyFacts(visitId: string): VisitFacts {
  return {
    visitId,
    cptCodes: [],
    stage: 'intake',
    codingReview: false,
    initialDenialCarcs: [],
    billedCents: 0,
    paidCents: 0,
    contractualCents: 0,
    patientResponsibilityCents: 0,
    patientPaidCents: 0,
    writtenOffCents: 0,
    lines: [],
  };
}

/** Outcomes after which nobody pursues the payer for what is left (today's workflow closes a denied visit). */
const LOST_OUTCOMES = new Set(['denied', 'rejected']);

export function applyEvent(f: VisitFacts, e: VisitEvent, at: string): VisitFacts {
  const next: VisitFacts = { ...f, lines: f.lines.map((l) => ({ ...l })) };
  next.payerId = e.payerId ?? next.payerId;
  next.providerNpi = e.providerNpi ?? next.providerNpi;
  const cpts = cptCodesOf(e);
  if (cpts?.length) next.cptCodes = cpts;
  const stage = stageAfter(e);
  if (stage) next.stage = stage;
  const awaiting = awaitingAfter(e);
  if (awaiting !== undefined && (awaiting ?? undefined) !== next.awaitingAction) {
    next.awaitingAction = awaiting ?? undefined;
    next.awaitingSince = awaiting ? at : undefined;
  }
  switch (e.type) {
    case 'visit_booked':
    case 'appointment_rescheduled':
      next.serviceDate = e.serviceDate;
      break;
    case 'stage_changed':
      if (e.stage === 'coding_review' && !next.firstSubmittedAt) next.codingReview = true;
      break;
    case 'encounter_signed':
      next.encounterSignedAt ??= at;
      break;
    case 'charges_posted':
      next.chargesPostedAt ??= at;
      break;
    case 'claim_submitted':
      next.firstSubmittedAt ??= at;
      next.billedCents = amountOf(e) ?? 0;
      next.lines = e.lines.map((l) => ({ lineNumber: l.lineNumber, code: l.code, billedCents: l.chargeCents, paidCents: 0, deniedCents: 0 }));
      break;
    case 'claim_accepted':
      if (e.claimAttempt === 1 && e.source === '277CA') next.firstPass ??= 'accepted';
      if (e.source === '277CA') next.acceptedAt ??= at;
      break;
    case 'claim_rejected':
      if (e.claimAttempt === 1) next.firstPass ??= 'rejected';
      break;
    case 'remittance_posted':
      applyRemittance(next, e);
      break;
    case 'patient_payment_posted':
      next.patientPaidCents += e.amountCents;
      break;
    case 'adjustment_posted':
      next.writtenOffCents += e.amountCents;
      break;
    case 'visit_closed':
      next.outcome = e.outcome;
      break;
    default:
      break;
  }
  return next;
}

function applyRemittance(f: VisitFacts, e: Extract<VisitEvent, { type: 'remittance_posted' }>): void {
  const sign = e.reversal ? -1 : 1;
  if (!e.reversal && !f.firstAdjudication) {
    f.firstAdjudication = e.denied ? 'denied' : 'paid';
    f.initialDenialCarcs = e.denied ? carcCodesOf(e) : [];
  }
  // A later remittance (a replacement claim's) replaces the earlier answer; a reversal takes it back.
  f.paidCents = e.reversal ? f.paidCents + e.paidCents : e.paidCents;
  f.patientResponsibilityCents = e.reversal ? f.patientResponsibilityCents + sign * Math.abs(e.patientResponsibilityCents) : e.patientResponsibilityCents;
  f.contractualCents = e.reversal ? 0 : e.contractualCents;
  const byLine = new Map<number, EventLine>(e.lines.map((l) => [l.lineNumber, l]));
  for (const line of f.lines) {
    const answered = byLine.get(line.lineNumber);
    if (e.reversal) {
      line.paidCents += answered?.paidCents ?? 0;
      continue;
    }
    line.paidCents = answered?.paidCents ?? 0;
    line.deniedCents = e.denied ? line.billedCents - line.paidCents : Math.min(line.billedCents, answered?.deniedCents ?? 0);
  }
}

/** What the payer still owes on the visit: billed less paid, contractual, patient share and write-offs. */
export function insuranceBalanceCents(f: VisitFacts): number {
  if (!f.firstSubmittedAt || (f.outcome && LOST_OUTCOMES.has(f.outcome))) return 0;
  return Math.max(0, f.billedCents - f.paidCents - f.contractualCents - f.patientResponsibilityCents - f.writtenOffCents);
}

/** What was billed and will not be collected from the payer because the claim was denied. */
export function deniedCents(f: VisitFacts): number {
  return f.lines.reduce((s, l) => s + l.deniedCents, 0);
}

/** Whole days between two calendar dates / instants, never negative. */
export function daysBetween(fromDate: string, toInstant: string): number {
  const from = Date.parse(fromDate.length === 10 ? `${fromDate}T00:00:00Z` : fromDate);
  return Math.max(0, Math.floor((Date.parse(toInstant) - from) / 86_400_000));
}

/** Hours, with one decimal, between two instants. */
export function hoursBetween(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 360_000) / 10);
}

/** Charge lag (date of service → charges posted, days) and claim lag (encounter signed → claim accepted, hours), where known. */
export function lagsOf(f: VisitFacts): { chargeLagDays?: number; claimLagHours?: number } {
  return {
    chargeLagDays: f.serviceDate && f.chargesPostedAt ? daysBetween(f.serviceDate, f.chargesPostedAt) : undefined,
    claimLagHours: f.encounterSignedAt && f.acceptedAt ? lagHoursBin(hoursBetween(f.encounterSignedAt, f.acceptedAt)) : undefined,
  };
}

/**
 * Claim lag is kept to the whole hour under two days and to the whole day (in hours)
 * beyond: the median and p90 read from a histogram, and a histogram of tenths of hours
 * would have a bar per claim.
 */
export function lagHoursBin(hours: number): number {
  return hours < 48 ? Math.floor(hours) : Math.floor(hours / 24) * 24;
}
