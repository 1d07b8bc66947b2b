/**
 * The one way to record something about a visit for analysts: `recordVisitEvent`.
 * In one transaction it inserts the event (its key is unique, so a retry inserts
 * nothing) and, only when the event is new, folds it into the visit's `visit_facts`
 * row and claim lines, which the KPIs and work queues read.
 */
import { amountOf, carcCodesOf, claimAttemptOf, cptCodesOf, type VisitEvent } from '../domain/reporting/visit-events';
import { applyEvent, deniedCents, emptyFacts, insuranceBalanceCents, lagsOf, type VisitFacts } from '../domain/reporting/visit-facts';
import { contributions, mergeRows, rollupDelta, type RollupRow } from '../domain/reporting/kpi-rollup';
import { applyRollupRows, bulkInsert } from './kpi-rollups';
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
    const inserted = await trx('visit_events')
      .insert(eventRow(event, after, at))
      .onConflict('event_key')
      .ignore()
      .returning('id');
    if (!inserted.length) return false;
    await trx('visit_facts').insert(factsToRow(after)).onConflict('visit_id').merge();
    if (JSON.stringify(after.lines) !== JSON.stringify(before.lines)) {
      await trx('visit_fact_lines').where({ visit_id: event.visitId }).delete();
      if (after.lines.length) await trx('visit_fact_lines').insert(lineRows(after));
    }
    await applyRollupRows(trx, rollupDelta(before, after));
    return true;
  });
}

function eventRow(event: VisitEvent, after: VisitFacts, at: string): Row {
  const { visitId: _v, key: _k, at: _a, type: _t, payerId: _p, providerNpi: _n, ...detail } = event as VisitEvent & Record<string, unknown>;
  return {
    event_key: event.key,
    visit_id: event.visitId,
    event_type: event.type,
    occurred_at: at,
    stage: after.stage,
    awaiting_action: after.awaitingAction ?? null,
    claim_attempt: claimAttemptOf(event) ?? null,
    payer_id: after.payerId ?? null,
    provider_npi: after.providerNpi ?? null,
    service_date: after.serviceDate ?? null,
    cpt_codes: cptCodesOf(event) ?? after.cptCodes,
    carc_codes: carcCodesOf(event),
    amount_cents: amountOf(event) ?? null,
    detail: JSON.stringify(detail),
  };
}

const lineRows = (f: VisitFacts): Row[] =>
  f.lines.map((l) => ({
    visit_id: f.visitId,
    line_number: l.lineNumber,
    code: l.code,
    service_date: f.serviceDate ?? null,
    payer_id: f.payerId ?? null,
    provider_npi: f.providerNpi ?? null,
    billed_cents: l.billedCents,
    paid_cents: l.paidCents,
    denied_cents: l.deniedCents,
  }));

/**
 * Many new visits at once, each with its whole event log, written as `recordVisitEvent`
 * would write them one event at a time (the same fold, rows and rollups), in bulk: for
 * loading history (bench:kpi's million claims). The visits must not exist yet.
 */
export async function recordNewVisits(
  db: Db,
  visits: readonly { events: readonly (VisitEvent & { at: string })[] }[],
  opts: { deferRollups?: boolean } = {},
): Promise<RollupRow[]> {
  const events: Row[] = [];
  const facts: VisitFacts[] = [];
  for (const v of visits) {
    let f = emptyFacts(v.events[0].visitId);
    for (const e of v.events) {
      f = applyEvent(f, e, e.at);
      events.push(eventRow(e, f, e.at));
    }
    facts.push(f);
  }
  await db.transaction(async (trx) => {
    await bulkInsert(trx, 'visit_events', events, EVENT_TYPES_SQL);
    await bulkInsert(trx, 'visit_facts', facts.map(factsToRow), FACT_TYPES_SQL);
    await bulkInsert(trx, 'visit_fact_lines', facts.flatMap(lineRows), LINE_TYPES_SQL);
    if (!opts.deferRollups) await applyRollupRows(trx, mergeRows(facts.flatMap((f) => contributions(f))));
  });
  // A loader that writes many batches may add their rollups up first and write them once (applyRollupRows).
  return opts.deferRollups ? facts.flatMap((f) => contributions(f)) : [];
}

/** Recomputes the rollups from `visit_facts` (the migration that adds them; a repair). */
export async function rebuildRollups(db: Db): Promise<void> {
  await db.raw('TRUNCATE kpi_daily, kpi_daily_lags, kpi_daily_carcs');
  let after = '';
  for (;;) {
    const rows: Row[] = await db('visit_facts').where('visit_id', '>', after).orderBy('visit_id').limit(5000);
    if (!rows.length) return;
    after = String(rows[rows.length - 1].visit_id);
    const lines: Row[] = await db('visit_fact_lines')
      .whereIn(
        'visit_id',
        rows.map((r) => String(r.visit_id)),
      )
      .orderBy(['visit_id', 'line_number']);
    const byVisit = new Map<string, Row[]>();
    for (const l of lines) byVisit.set(String(l.visit_id), [...(byVisit.get(String(l.visit_id)) ?? []), l]);
    await applyRollupRows(db, mergeRows(rows.flatMap((r) => contributions(factsFromRow(r, byVisit.get(String(r.visit_id)) ?? [])))));
  }
}

const EVENT_TYPES_SQL: Record<string, string> = {
  event_key: 'text',
  visit_id: 'text',
  event_type: 'text',
  occurred_at: 'timestamptz',
  stage: 'text',
  awaiting_action: 'text',
  claim_attempt: 'int',
  payer_id: 'text',
  provider_npi: 'text',
  service_date: 'date',
  cpt_codes: 'text[]',
  carc_codes: 'text[]',
  amount_cents: 'bigint',
  detail: 'jsonb',
};
const FACT_TYPES_SQL: Record<string, string> = {
  visit_id: 'text',
  payer_id: 'text',
  provider_npi: 'text',
  service_date: 'date',
  cpt_codes: 'text[]',
  stage: 'text',
  awaiting_action: 'text',
  awaiting_since: 'timestamptz',
  outcome: 'text',
  coding_review: 'boolean',
  encounter_signed_at: 'timestamptz',
  charges_posted_at: 'timestamptz',
  first_submitted_at: 'timestamptz',
  first_pass: 'text',
  accepted_at: 'timestamptz',
  first_adjudication: 'text',
  initial_denial_carcs: 'text[]',
  billed_cents: 'bigint',
  paid_cents: 'bigint',
  contractual_cents: 'bigint',
  patient_responsibility_cents: 'bigint',
  patient_paid_cents: 'bigint',
  written_off_cents: 'bigint',
  ar_cents: 'bigint',
  denied_cents: 'bigint',
  charge_lag_days: 'int',
  claim_lag_hours: 'numeric',
  updated_at: 'timestamptz',
};
const LINE_TYPES_SQL: Record<string, string> = {
  visit_id: 'text',
  line_number: 'int',
  code: 'text',
  service_date: 'date',
  payer_id: 'text',
  provider_npi: 'text',
  billed_cents: 'bigint',
  paid_cents: 'bigint',
  denied_cents: 'bigint',
};

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
    visitId: String(r.visit_id),
    payerId: (r.payer_id as string) ?? undefined,
    providerNpi: (r.provider_npi as string) ?? undefined,
    serviceDate: date(r.service_date),
    cptCodes: (r.cpt_codes as string[]) ?? [],
    stage: String(r.stage),
    awaitingAction: (r.awaiting_action as string) ?? undefined,
    awaitingSince: iso(r.awaiting_since),
    outcome: (r.outcome as string) ?? undefined,
    codingReview: Boolean(r.coding_review),
    encounterSignedAt: iso(r.encounter_signed_at),
    chargesPostedAt: iso(r.charges_posted_at),
    firstSubmittedAt: iso(r.first_submitted_at),
    firstPass: (r.first_pass as VisitFacts['firstPass']) ?? undefined,
    acceptedAt: iso(r.accepted_at),
    firstAdjudication: (r.first_adjudication as VisitFacts['firstAdjudication']) ?? undefined,
    initialDenialCarcs: (r.initial_denial_carcs as string[]) ?? [],
    billedCents: Number(r.billed_cents),
    paidCents: Number(r.paid_cents),
    contractualCents: Number(r.contractual_cents),
    patientResponsibilityCents: Number(r.patient_responsibility_cents),
    patientPaidCents: Number(r.patient_paid_cents),
    writtenOffCents: Number(r.written_off_cents),
    lines: lines.map((l) => ({
      lineNumber: Number(l.line_number),
      code: String(l.code),
      billedCents: Number(l.billed_cents),
      paidCents: Number(l.paid_cents),
      deniedCents: Number(l.denied_cents),
    })),
  };
}

function factsToRow(f: VisitFacts): Row {
  return {
    visit_id: f.visitId,
    payer_id: f.payerId ?? null,
    provider_npi: f.providerNpi ?? null,
    service_date: f.serviceDate ?? null,
    cpt_codes: f.cptCodes,
    stage: f.stage,
    awaiting_action: f.awaitingAction ?? null,
    awaiting_since: f.awaitingSince ?? null,
    outcome: f.outcome ?? null,
    coding_review: f.codingReview,
    encounter_signed_at: f.encounterSignedAt ?? null,
    charges_posted_at: f.chargesPostedAt ?? null,
    first_submitted_at: f.firstSubmittedAt ?? null,
    first_pass: f.firstPass ?? null,
    accepted_at: f.acceptedAt ?? null,
    first_adjudication: f.firstAdjudication ?? null,
    initial_denial_carcs: f.initialDenialCarcs,
    billed_cents: f.billedCents,
    paid_cents: f.paidCents,
    contractual_cents: f.contractualCents,
    patient_responsibility_cents: f.patientResponsibilityCents,
    patient_paid_cents: f.patientPaidCents,
    written_off_cents: f.writtenOffCents,
    ar_cents: insuranceBalanceCents(f),
    denied_cents: deniedCents(f),
    charge_lag_days: lagsOf(f).chargeLagDays ?? null,
    claim_lag_hours: lagsOf(f).claimLagHours ?? null,
    updated_at: new Date().toISOString(),
  };
}
