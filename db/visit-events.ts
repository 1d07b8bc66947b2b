/**
 * The one way to record something about a visit for analysts: `recordVisitEvent`.
 * In one transaction it inserts the event (its key is unique, so a retry inserts
 * nothing) and, only when the event is new, folds it into the visit's `visit_facts`
 * row and claim lines, which the KPIs and work queues read.
 */
import {
  amountOf, carcCodesOf, claimAttemptOf, cptCodesOf, type VisitEvent,
} from '../domain/reporting/visit-events';
import {
  applyEvent, daysBetween, deniedCents, emptyFacts, hoursBetween, insuranceBalanceCents, type VisitFacts,
} from '../domain/reporting/visit-facts';
import type { Db } from './knex';

/** Records the event once; answers whether it was new. */
export async function recordVisitEvent(db: Db, event: VisitEvent, now: () => Date = () => new Date()): Promise<boolean> {
  const at = event.at ?? now().toISOString();
  return db.transaction(async (trx) => {
    // Serialises writers of one visit, so two events never fold into the same old row.
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [event.visitId]);
    const row = await trx('visit_facts').where({ visit_id: event.visitId }).first();
    const before = row ? factsFromRow(row, await trx('visit_fact_lines').where({ visit_id: event.visitId }).orderBy('line_number')) : emptyFacts(event.visitId);
    const after = applyEvent(before, event, at);
    const { visitId: _v, key: _k, at: _a, type: _t, payerId: _p, providerNpi: _n, ...detail } = event as VisitEvent & Record<string, unknown>;
    const inserted = await trx('visit_events')
      .insert({
        event_key: event.key, visit_id: event.visitId, event_type: event.type, occurred_at: at,
        stage: after.stage, awaiting_action: after.awaitingAction ?? null, claim_attempt: claimAttemptOf(event) ?? null,
        payer_id: after.payerId ?? null, provider_npi: after.providerNpi ?? null, service_date: after.serviceDate ?? null,
        cpt_codes: cptCodesOf(event) ?? after.cptCodes, carc_codes: carcCodesOf(event), amount_cents: amountOf(event) ?? null,
        detail: JSON.stringify(detail),
      })
      .onConflict('event_key')
      .ignore()
      .returning('id');
    if (!inserted.length) return false;
    await trx('visit_facts').insert(factsToRow(after)).onConflict('visit_id').merge();
    if (JSON.stringify(after.lines) !== JSON.stringify(before.lines)) {
      await trx('visit_fact_lines').where({ visit_id: event.visitId }).delete();
      if (after.lines.length) {
        await trx('visit_fact_lines').insert(after.lines.map((l) => ({
          visit_id: event.visitId, line_number: l.lineNumber, code: l.code, service_date: after.serviceDate ?? null,
          payer_id: after.payerId ?? null, provider_npi: after.providerNpi ?? null,
          billed_cents: l.billedCents, paid_cents: l.paidCents, denied_cents: l.deniedCents,
        })));
      }
    }
    return true;
  });
}

export async function visitEvents(db: Db, visitId: string): Promise<Record<string, unknown>[]> {
  return db('visit_events').where({ visit_id: visitId }).orderBy('id');
}

export async function visitFacts(db: Db, visitId: string): Promise<VisitFacts | undefined> {
  const row = await db('visit_facts').where({ visit_id: visitId }).first();
  return row ? factsFromRow(row, await db('visit_fact_lines').where({ visit_id: visitId }).orderBy('line_number')) : undefined;
}

const iso = (v: unknown): string | undefined => (v == null ? undefined : v instanceof Date ? v.toISOString() : String(v));
/** node-pg reads a `date` as local midnight: format it back from local parts, not as UTC. */
export function calendarDate(v: unknown): string | undefined {
  if (v == null) return undefined;
  if (!(v instanceof Date)) return String(v).slice(0, 10);
  return `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
}
const date = calendarDate;

type Row = Record<string, unknown>;

function factsFromRow(r: Row, lines: Row[]): VisitFacts {
  return {
    visitId: String(r.visit_id), payerId: (r.payer_id as string) ?? undefined, providerNpi: (r.provider_npi as string) ?? undefined,
    serviceDate: date(r.service_date), cptCodes: (r.cpt_codes as string[]) ?? [], stage: String(r.stage),
    awaitingAction: (r.awaiting_action as string) ?? undefined, awaitingSince: iso(r.awaiting_since), outcome: (r.outcome as string) ?? undefined,
    codingReview: Boolean(r.coding_review), encounterSignedAt: iso(r.encounter_signed_at), chargesPostedAt: iso(r.charges_posted_at),
    firstSubmittedAt: iso(r.first_submitted_at), firstPass: (r.first_pass as VisitFacts['firstPass']) ?? undefined, acceptedAt: iso(r.accepted_at),
    firstAdjudication: (r.first_adjudication as VisitFacts['firstAdjudication']) ?? undefined,
    initialDenialCarcs: (r.initial_denial_carcs as string[]) ?? [],
    billedCents: Number(r.billed_cents), paidCents: Number(r.paid_cents), contractualCents: Number(r.contractual_cents),
    patientResponsibilityCents: Number(r.patient_responsibility_cents), patientPaidCents: Number(r.patient_paid_cents),
    writtenOffCents: Number(r.written_off_cents),
    lines: lines.map((l) => ({
      lineNumber: Number(l.line_number), code: String(l.code), billedCents: Number(l.billed_cents), paidCents: Number(l.paid_cents), deniedCents: Number(l.denied_cents),
    })),
  };
}

function factsToRow(f: VisitFacts): Row {
  return {
    visit_id: f.visitId, payer_id: f.payerId ?? null, provider_npi: f.providerNpi ?? null, service_date: f.serviceDate ?? null,
    cpt_codes: f.cptCodes, stage: f.stage, awaiting_action: f.awaitingAction ?? null, awaiting_since: f.awaitingSince ?? null,
    outcome: f.outcome ?? null, coding_review: f.codingReview, encounter_signed_at: f.encounterSignedAt ?? null,
    charges_posted_at: f.chargesPostedAt ?? null, first_submitted_at: f.firstSubmittedAt ?? null, first_pass: f.firstPass ?? null,
    accepted_at: f.acceptedAt ?? null, first_adjudication: f.firstAdjudication ?? null, initial_denial_carcs: f.initialDenialCarcs,
    billed_cents: f.billedCents, paid_cents: f.paidCents, contractual_cents: f.contractualCents,
    patient_responsibility_cents: f.patientResponsibilityCents, patient_paid_cents: f.patientPaidCents, written_off_cents: f.writtenOffCents,
    ar_cents: insuranceBalanceCents(f), denied_cents: deniedCents(f),
    charge_lag_days: f.serviceDate && f.chargesPostedAt ? daysBetween(f.serviceDate, f.chargesPostedAt) : null,
    claim_lag_hours: f.encounterSignedAt && f.acceptedAt ? hoursBetween(f.encounterSignedAt, f.acceptedAt) : null,
    updated_at: new Date().toISOString(),
  };
}
