/**
 * Claims and their interchanges: control numbers, attempts, acknowledgments and the claim events
 * analysts read; the proof of a claim's acceptance for timely-filing appeals.
 */
import { type ClaimAcknowledgment, type ClaimFrequency, type ClaimStatus } from '../domain/claim';
import type { ChargeLine, CodedEncounter } from '../domain/visit';
import type { ClaimAcceptance } from '../domain/billing/deadlines';
import type { ClinicalNote } from '../domain/fhir/notes';
import type { Db } from './knex';

/**
 * Whether we sent a claim for this visit to this payer for this amount (each checked when given).
 * A claim row is written before its 837 is sent (createClaim), so an answer racing the recording of
 * the submission still finds it.
 */
export async function submittedClaimMatches(db: Db, visitId: string, m: { payerId?: string; chargeCents?: number }): Promise<boolean> {
  const q = db('claims').where({ visit_id: visitId });
  if (m.payerId !== undefined) q.where({ payer_id: m.payerId });
  // A reversal (CLP02 22) carries the charge it takes back negated.
  if (m.chargeCents !== undefined) q.where({ billed_cents: Math.abs(m.chargeCents) });
  return !!(await q.first('id'));
}

export interface ClaimRow {
  id: number;
  visit_id: string;
  attempt: number;
  frequency: ClaimFrequency;
  interchange_control_number: number;
  x12: string;
  billed_cents: string;
  status: ClaimStatus;
  submission_id: string | null;
  payer_claim_number: string | null;
}

export async function findClaim(db: Db, visitId: string, attempt: number): Promise<ClaimRow | undefined> {
  return db('claims').where({ visit_id: visitId, attempt }).first();
}

/** A fresh interchange control number (ISA13): a Postgres sequence, so it never repeats. */
export async function nextControlNumber(db: Db): Promise<number> {
  const { rows } = await db.raw<{ rows: { n: string }[] }>("SELECT nextval('x12_interchange_control_seq') AS n");
  return Number(rows[0].n);
}

export interface NewClaim {
  visitId: string;
  attempt: number;
  frequency: ClaimFrequency;
  payerId: string;
  payerClaimNumber?: string;
  filingIndicator: string;
  priorAuthorization?: string;
  /** SBR01: P primary, S secondary. */
  payerResponsibility: 'P' | 'S' | 'T';
  billedCents: number;
  lines: (ChargeLine & { lineControlNumber: string })[];
  /** The scrubber ruleset that passed this claim. */
  rulesetVersion?: string;
}

/** One interchange (ISA13) holding one or more claims, as built: the X12 is stored before it is sent. */
export interface NewInterchange {
  controlNumber: number;
  receiverId: string;
  x12: string;
}

/**
 * Stores the claims of one interchange with its X12, and the map ISA13 ↔ claim
 * (interchange_claims), before anything is sent; all or nothing. A claim whose
 * (visit, attempt) is already stored is left as it is and not re-mapped: a retried
 * attempt finds its row and resends the very same bytes (same control number), which
 * the clearinghouse recognises as a duplicate interchange.
 */
export async function createClaims(db: Db, interchange: NewInterchange, claims: NewClaim[]): Promise<ClaimRow[]> {
  return db.transaction(async (trx) => {
    const rows: ClaimRow[] = [];
    for (const [i, c] of claims.entries()) {
      const inserted = await trx('claims')
        .insert({
          visit_id: c.visitId,
          attempt: c.attempt,
          frequency: c.frequency,
          patient_control_number: c.visitId,
          payer_claim_number: c.payerClaimNumber ?? null,
          payer_id: c.payerId,
          status: 'built',
          billed_cents: c.billedCents,
          filing_indicator: c.filingIndicator,
          prior_authorization: c.priorAuthorization ?? null,
          payer_responsibility: c.payerResponsibility,
          interchange_control_number: interchange.controlNumber,
          x12: interchange.x12,
          ruleset_version: c.rulesetVersion ?? null,
        })
        .onConflict(['visit_id', 'attempt'])
        .ignore()
        .returning('*');
      if (!inserted.length) {
        rows.push((await trx('claims').where({ visit_id: c.visitId, attempt: c.attempt }).first()) as ClaimRow);
        continue;
      }
      const claimId = inserted[0].id;
      await trx('claim_lines').insert(
        c.lines.map((l) => ({
          claim_id: claimId,
          line_number: l.lineNumber,
          code: l.code,
          modifiers: l.modifiers,
          units: l.units,
          charge_cents: l.chargeCents,
          line_control_number: l.lineControlNumber,
        })),
      );
      await trx('interchange_claims').insert({
        interchange_control_number: interchange.controlNumber,
        claim_id: claimId,
        patient_control_number: c.visitId,
        frequency: c.frequency,
        position: i + 1,
        receiver_id: interchange.receiverId,
      });
      rows.push(inserted[0] as ClaimRow);
    }
    return rows;
  });
}

/** The claims an interchange carried, in file order: what a 999 about that ISA13 answers. */
export async function claimsOfInterchange(
  db: Db,
  controlNumber: number,
): Promise<{ claimId: number; visitId: string; frequency: ClaimFrequency; position: number }[]> {
  const rows = await db('interchange_claims as m')
    .join('claims as c', 'c.id', 'm.claim_id')
    .where('m.interchange_control_number', controlNumber)
    .orderBy('m.position')
    .select('m.claim_id', 'c.visit_id', 'm.frequency', 'm.position');
  return rows.map((r) => ({ claimId: r.claim_id, visitId: r.visit_id, frequency: r.frequency, position: r.position }));
}

/** Marks every claim the interchange carried as submitted, once. */
export async function markInterchangeSubmitted(db: Db, controlNumber: number, submissionId: string): Promise<void> {
  await db.transaction(async (trx) => {
    const ids = (await trx('interchange_claims').where({ interchange_control_number: controlNumber }).select('claim_id')).map((r) => r.claim_id as number);
    const built = await trx('claims')
      .whereIn('id', ids)
      .whereIn('status', ['built'])
      .update({ status: 'submitted', submission_id: submissionId, submitted_at: trx.fn.now(), updated_at: trx.fn.now() })
      .returning('id');
    for (const { id } of built) await addClaimEvent(trx, id, 'submitted', 'submitted', { submissionId, controlNumber }, submissionId);
  });
}

export async function addClaimEvent(db: Db, claimId: number, kind: string, status: string, detail: object, sourceKey: string): Promise<boolean> {
  const rows = await db('claim_events')
    .insert({ claim_id: claimId, kind, status, detail: JSON.stringify(detail), source_key: sourceKey })
    .onConflict(['claim_id', 'kind', 'source_key'])
    .ignore()
    .returning('id');
  return rows.length > 0;
}

export async function saveAcknowledgment(db: Db, claimId: number, ack: ClaimAcknowledgment): Promise<void> {
  await db.transaction(async (trx) => {
    const status = ack.accepted ? (ack.kind === '277CA' ? 'accepted' : 'submitted') : 'rejected';
    if (!(await addClaimEvent(trx, claimId, ack.kind, status, ack, ack.sourceKey))) return;
    await trx('claims')
      .where({ id: claimId })
      .update({
        status,
        payer_claim_number: ack.payerClaimNumber ?? trx.raw('payer_claim_number'),
        updated_at: trx.fn.now(),
      });
  });
}

/** The visits whose claims an interchange (ISA13) carried: one for a single claim, several for a batch. */
export async function visitIdsForControlNumber(db: Db, controlNumber: number): Promise<string[]> {
  return [...new Set((await claimsOfInterchange(db, controlNumber)).map((c) => c.visitId))];
}

export interface ScrubbedClaimRow {
  visitId: string;
  attempt: number;
  status: string;
  rulesetVersion: string | null;
  /** The day the claim was built (timely filing is judged as of then). */
  builtOn: string;
  payerId: string;
  priorAuthorization?: string;
  encounter: CodedEncounter;
}

/** Claims built since a day, with the coding they billed: what `revcycle scrub` re-runs a ruleset over. Read-only. */
export async function claimsSince(db: Db, since: string): Promise<ScrubbedClaimRow[]> {
  const claims = await db('claims as c')
    .join('appointments as a', 'a.visit_id', 'c.visit_id')
    .join('encounters as e', 'e.visit_id', 'c.visit_id')
    .where('c.created_at', '>=', since)
    .orderBy(['c.created_at', 'c.id'])
    .select(
      'c.visit_id',
      'c.attempt',
      'c.status',
      'c.ruleset_version',
      'c.payer_id',
      'a.prior_authorization',
      'e.encounter_id',
      'e.rendering_npi',
      db.raw("to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS built_on"),
      db.raw("to_char(e.service_date, 'YYYY-MM-DD') AS service_date"),
    );
  const ids = claims.map((c) => c.encounter_id);
  const [dx, px] = await Promise.all([
    db('diagnoses').whereIn('encounter_id', ids).orderBy('rank'),
    db('procedures').whereIn('encounter_id', ids).orderBy('line_number'),
  ]);
  return claims.map((c) => ({
    visitId: c.visit_id,
    attempt: c.attempt,
    status: c.status,
    rulesetVersion: c.ruleset_version,
    builtOn: c.built_on,
    payerId: c.payer_id,
    priorAuthorization: c.prior_authorization ?? undefined,
    encounter: {
      encounterId: c.encounter_id,
      serviceDate: c.service_date,
      renderingNpi: c.rendering_npi,
      diagnoses: dx.filter((d) => d.encounter_id === c.encounter_id).map((d) => ({ code: d.code, rank: d.rank })),
      procedures: px
        .filter((p) => p.encounter_id === c.encounter_id)
        .map((p) => ({ code: p.code, modifiers: p.modifiers, units: p.units, diagnosisPointers: p.diagnosis_pointers })),
    },
  }));
}

/** Every payer acceptance (277CA accepted) of the visit's claims: what proves a claim was filed in time. */
export async function claimAcceptances(db: Db, visitId: string): Promise<ClaimAcceptance[]> {
  const rows = await db('claim_events as e')
    .join('claims as c', 'c.id', 'e.claim_id')
    .where({ 'c.visit_id': visitId, 'e.kind': '277CA', 'e.status': 'accepted' })
    .orderBy('e.occurred_at')
    .select('e.id', 'e.occurred_at', 'c.attempt');
  return rows.map((r) => ({ acceptedOn: new Date(r.occurred_at).toISOString().slice(0, 10), attempt: r.attempt, reference: `ClaimEvent/${r.id}` }));
}

/** The payer's acceptance (277CA claim event) as an appeal document: proof of timely filing. */
export async function acceptanceDocument(db: Db, visitId: string, proof: ClaimAcceptance): Promise<ClinicalNote> {
  const id = Number(proof.reference.replace(/^ClaimEvent\//, ''));
  const row = await db('claim_events as e')
    .join('claims as c', 'c.id', 'e.claim_id')
    .where({ 'e.id': id, 'c.visit_id': visitId, 'e.kind': '277CA' })
    .first('e.detail', 'e.occurred_at', 'c.attempt', 'c.payer_claim_number');
  if (!row) throw new Error(`no payer acceptance ${proof.reference} for visit ${visitId}`);
  const report = {
    acceptedAt: new Date(row.occurred_at).toISOString(),
    claimAttempt: row.attempt,
    payerClaimNumber: row.payer_claim_number,
    acknowledgment: row.detail,
  };
  return {
    documentRef: proof.reference,
    type: 'timely-filing-proof',
    title: 'Payer acceptance (277CA) of the claim',
    contentType: 'application/json',
    data: Buffer.from(JSON.stringify(report)).toString('base64'),
  };
}
