/**
 * The billing record's repository. Every write is keyed on a natural key with a unique
 * constraint, so an activity retried after a crash writes nothing twice.
 */
import { remittanceStatus, type ClaimAcknowledgment, type ClaimFrequency, type ClaimRemittance, type ClaimStatus } from '../domain/claim';
import { decidePosting } from '../domain/billing/posting';
import type { ChargeLine, CodedEncounter, Coverage, EligibilityResult, Patient, StartVisit } from '../domain/visit';
import type { ClaimAcceptance } from '../domain/billing/deadlines';
import type { ClinicalNote } from '../domain/fhir/notes';
import type { AttemptPayment } from '../domain/billing/denials';
import { audit } from './audit';
import type { Db } from './knex';
import { attemptsOf, queueRefused } from './posting';

/** Registration (ADT^A04/A08 or a visit's intake): the patient, and the coverage when there is one. */
export async function saveRegistration(db: Db, patient: Patient, coverage?: Coverage): Promise<number | undefined> {
  return db.transaction(async (trx) => {
    await trx('patients')
      .insert({
        patient_id: patient.patientId, first_name: patient.firstName, last_name: patient.lastName,
        birth_date: patient.birthDate, sex: patient.sex, address: JSON.stringify(patient.address),
      })
      .onConflict('patient_id')
      .merge(['first_name', 'last_name', 'birth_date', 'sex', 'address', 'updated_at']);
    if (!coverage) return undefined;
    const [{ id }] = await trx('coverages')
      .insert({
        patient_id: patient.patientId, payer_id: coverage.payerId, payer_name: coverage.payerName,
        member_id: coverage.memberId, group_number: coverage.groupNumber ?? null, relationship: coverage.relationship,
        subscriber: coverage.subscriber ? JSON.stringify(coverage.subscriber) : null,
      })
      .onConflict(['patient_id', 'payer_id', 'member_id'])
      .merge(['payer_name', 'group_number', 'relationship', 'subscriber', 'updated_at'])
      .returning('id');
    return id as number;
  });
}

export async function saveIntake(db: Db, v: StartVisit): Promise<void> {
  await db.transaction(async (trx) => {
    const { patient, coverage, appointment } = v;
    const coverageId = await saveRegistration(trx, patient, coverage);
    const secondaryCoverageId = v.secondaryCoverage ? await saveRegistration(trx, patient, v.secondaryCoverage) : null;
    await trx('appointments')
      .insert({
        visit_id: v.visitId, patient_id: patient.patientId, coverage_id: coverageId, secondary_coverage_id: secondaryCoverageId,
        appointment_id: appointment.appointmentId ?? null, service_date: appointment.serviceDate,
        provider_npi: appointment.providerNpi, place_of_service: appointment.placeOfService,
        prior_authorization: appointment.priorAuthorization ?? null,
      })
      .onConflict('visit_id')
      .merge(['coverage_id', 'secondary_coverage_id', 'service_date', 'provider_npi', 'place_of_service', 'prior_authorization', 'updated_at']);
  });
}

export async function saveEhrRefs(db: Db, v: StartVisit, refs: { patientRef: string; coverageRef: string; appointmentRef: string }): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('patients').where({ patient_id: v.patient.patientId }).update({ ehr_ref: refs.patientRef });
    await trx('coverages')
      .where({ patient_id: v.patient.patientId, payer_id: v.coverage.payerId, member_id: v.coverage.memberId })
      .update({ ehr_ref: refs.coverageRef });
    await trx('appointments').where({ visit_id: v.visitId }).update({ ehr_ref: refs.appointmentRef });
  });
}

/** The EHR's Patient and Appointment of a visit, as pre-population recorded them. */
export async function ehrRefsOfVisit(db: Db, visitId: string): Promise<{ patientRef?: string; appointmentRef?: string } | undefined> {
  const row = await db('appointments').join('patients', 'patients.patient_id', 'appointments.patient_id')
    .where({ 'appointments.visit_id': visitId }).first('appointments.ehr_ref as appointment_ref', 'patients.ehr_ref as patient_ref');
  return row && { patientRef: row.patient_ref ?? undefined, appointmentRef: row.appointment_ref ?? undefined };
}

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

/** A file whose hand-over failed is forgotten, so the sender's retry is handled in full. */
export async function forgetInbound(db: Db, channel: string, messageKey: string): Promise<void> {
  await db('inbound_messages').where({ channel, message_key: messageKey }).delete();
}

/** The patient's visits still open (booked, not yet closed), oldest first: where a PMS change must reach. */
export async function openVisitsOfPatient(db: Db, patientId: string): Promise<string[]> {
  const rows = await db('appointments').where({ patient_id: patientId, status: 'booked' }).orderBy('created_at').select('visit_id');
  return rows.map((r) => r.visit_id as string);
}

/** The EHR's references to a registration's patient and coverages, after a conditional update. */
export async function saveRegistrationRefs(db: Db, patientId: string, patientRef: string, coverages: { coverage: Coverage; ref: string }[]): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('patients').where({ patient_id: patientId }).update({ ehr_ref: patientRef });
    for (const { coverage, ref } of coverages) {
      await trx('coverages').where({ patient_id: patientId, payer_id: coverage.payerId, member_id: coverage.memberId }).update({ ehr_ref: ref });
    }
  });
}

export interface AppealRow {
  packetId: string;
  visitId: string;
  claimAttempt: number;
  denialCode: string;
  category: string;
  payerId: string;
  payerClaimNumber: string;
  documents: { documentRef: string; type?: string }[];
  deadline: string;
  status: 'submitted' | 'needs_documents';
  appealId?: string;
}

/** One appeal per denied claim attempt; a later attempt (documents added) updates it. */
export async function saveAppeal(db: Db, a: AppealRow): Promise<void> {
  await db('appeals')
    .insert({
      packet_id: a.packetId, visit_id: a.visitId, claim_attempt: a.claimAttempt, denial_code: a.denialCode, category: a.category,
      payer_id: a.payerId, payer_claim_number: a.payerClaimNumber, documents: JSON.stringify(a.documents), deadline: a.deadline,
      status: a.status, appeal_id: a.appealId ?? null,
    })
    .onConflict(['visit_id', 'claim_attempt'])
    .merge(['documents', 'status', 'appeal_id', 'updated_at']);
}

export async function saveAppointmentRef(db: Db, visitId: string, appointmentRef: string): Promise<void> {
  await db('appointments').where({ visit_id: visitId }).update({ ehr_ref: appointmentRef });
}

export async function visitIdForAppointmentRef(db: Db, appointmentRef: string): Promise<string | undefined> {
  const row = await db('appointments').where({ ehr_ref: appointmentRef }).first('visit_id');
  return row?.visit_id;
}

export async function saveEligibility(
  db: Db, visitId: string, inquiryKey: string, result: EligibilityResult, x12: { request: string; response: string },
): Promise<void> {
  await db('eligibility_checks')
    .insert({
      visit_id: visitId, inquiry_key: inquiryKey, active: result.active, benefits: JSON.stringify(result),
      x12_request: x12.request, x12_response: x12.response,
    })
    .onConflict('inquiry_key')
    .ignore();
}

/** Replaces the encounter's coding (a coder's correction replaces, never appends). */
export async function saveEncounter(db: Db, visitId: string, enc: CodedEncounter): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('encounters')
      .insert({
        encounter_id: enc.encounterId, visit_id: visitId, service_date: enc.serviceDate, rendering_npi: enc.renderingNpi,
        rendering_name: enc.renderingName ? JSON.stringify(enc.renderingName) : null, rendering_taxonomy: enc.renderingTaxonomy ?? null,
      })
      .onConflict('encounter_id')
      .merge(['service_date', 'rendering_npi', 'rendering_name', 'rendering_taxonomy']);
    await trx('diagnoses').where({ encounter_id: enc.encounterId }).delete();
    await trx('procedures').where({ encounter_id: enc.encounterId }).delete();
    await trx('diagnoses').insert(enc.diagnoses.map((d) => ({ encounter_id: enc.encounterId, rank: d.rank, code: d.code })));
    await trx('procedures').insert(
      enc.procedures.map((p, i) => ({
        encounter_id: enc.encounterId, line_number: i + 1, code: p.code, modifiers: p.modifiers, units: p.units,
        diagnosis_pointers: p.diagnosisPointers,
      })),
    );
  });
}

/** The rendering practitioner recorded for an encounter, for a correction that names the same NPI without a name. */
export async function renderingOf(db: Db, encounterId: string): Promise<Pick<CodedEncounter, 'renderingNpi' | 'renderingName' | 'renderingTaxonomy'> | undefined> {
  const row = await db('encounters').where({ encounter_id: encounterId }).first('rendering_npi', 'rendering_name', 'rendering_taxonomy');
  if (!row) return undefined;
  return { renderingNpi: row.rendering_npi, ...(row.rendering_name ? { renderingName: row.rendering_name } : {}), ...(row.rendering_taxonomy ? { renderingTaxonomy: row.rendering_taxonomy } : {}) };
}

/** The recorded result of an outside effect done under `key`, if it was done. */
export async function recordedEffect<T>(db: Db, key: string): Promise<T | undefined> {
  const row = await db('idempotency_keys').where({ key }).first('result');
  return row?.result as T | undefined;
}

export async function recordEffect(db: Db, key: string, result: object): Promise<void> {
  await db('idempotency_keys').insert({ key, result: JSON.stringify(result) }).onConflict('key').ignore();
}

export async function saveCharges(db: Db, visitId: string, key: string, lines: ChargeLine[], pmsChargeIds: string[]): Promise<void> {
  await db('charges')
    .insert(
      lines.map((l, i) => ({
        visit_id: visitId, line_number: l.lineNumber, code: l.code, modifiers: l.modifiers, units: l.units,
        charge_cents: l.chargeCents, expected_cents: l.expectedCents ?? null, pms_charge_id: pmsChargeIds[i] ?? null, idempotency_key: key,
      })),
    )
    .onConflict(['visit_id', 'line_number'])
    .ignore();
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
          visit_id: c.visitId, attempt: c.attempt, frequency: c.frequency, patient_control_number: c.visitId,
          payer_claim_number: c.payerClaimNumber ?? null, payer_id: c.payerId, status: 'built', billed_cents: c.billedCents,
          filing_indicator: c.filingIndicator, prior_authorization: c.priorAuthorization ?? null, payer_responsibility: c.payerResponsibility,
          interchange_control_number: interchange.controlNumber, x12: interchange.x12, ruleset_version: c.rulesetVersion ?? null,
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
          claim_id: claimId, line_number: l.lineNumber, code: l.code, modifiers: l.modifiers, units: l.units, charge_cents: l.chargeCents,
          line_control_number: l.lineControlNumber,
        })),
      );
      await trx('interchange_claims').insert({
        interchange_control_number: interchange.controlNumber, claim_id: claimId, patient_control_number: c.visitId,
        frequency: c.frequency, position: i + 1, receiver_id: interchange.receiverId,
      });
      rows.push(inserted[0] as ClaimRow);
    }
    return rows;
  });
}

/** The claims an interchange carried, in file order: what a 999 about that ISA13 answers. */
export async function claimsOfInterchange(db: Db, controlNumber: number): Promise<{ claimId: number; visitId: string; frequency: ClaimFrequency; position: number }[]> {
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
    const built = await trx('claims').whereIn('id', ids).whereIn('status', ['built']).update({ status: 'submitted', submission_id: submissionId, submitted_at: trx.fn.now(), updated_at: trx.fn.now() }).returning('id');
    for (const { id } of built) await addEvent(trx, id, 'submitted', 'submitted', { submissionId, controlNumber }, submissionId);
  });
}

export async function addClaimEvent(db: Db, claimId: number, kind: string, status: string, detail: object, sourceKey: string): Promise<boolean> {
  return addEvent(db, claimId, kind, status, detail, sourceKey);
}

async function addEvent(db: Db, claimId: number, kind: string, status: string, detail: object, sourceKey: string): Promise<boolean> {
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
    if (!(await addEvent(trx, claimId, ack.kind, status, ack, ack.sourceKey))) return;
    await trx('claims').where({ id: claimId }).update({
      status, payer_claim_number: ack.payerClaimNumber ?? trx.raw('payer_claim_number'), updated_at: trx.fn.now(),
    });
  });
}

/**
 * Records an 835 answer that came without its stored file (a signal only), once per source key,
 * to the attempt it answers by the one rule (domain/billing/posting.ts `decidePosting`): an
 * answer that matches no attempt of the visit on every key is queued with its reason and
 * audited, and writes no payment. 835 files received by the webhook are posted line by line by
 * db/posting.ts instead.
 */
export async function saveRemittance(db: Db, visitId: string, r: ClaimRemittance): Promise<'posted' | 'duplicate' | 'queued'> {
  const postingKey = `signal:${r.sourceKey}`;
  return db.transaction(async (trx) => {
    if (await trx('payments').where({ posting_key: postingKey }).first('id')) return 'duplicate';
    if (await trx('posting_queue').where({ posting_key: postingKey }).first('id')) return 'duplicate';
    const claim = {
      patientControlNumber: visitId, statusCode: r.claimStatusCode, chargeCents: r.chargeCents, paidCents: r.paidCents,
      payerClaimNumber: r.payerClaimNumber, frequency: r.frequency,
    };
    const attempts = await attemptsOf(trx, visitId);
    const decision = decidePosting(claim, r.payerId, attempts);
    if (!decision.matched) {
      await queueRefused(trx, decision, attempts, { postingKey, traceNumber: r.traceNumber, payerId: r.payerId, claim, patientResponsibilityCents: r.patientResponsibilityCents });
      return 'queued';
    }
    const claimId = decision.attempt.claimId;
    const status = remittanceStatus({ ...r, statusCode: r.claimStatusCode });
    const [payment] = await trx('payments')
      .insert({
        claim_id: claimId, visit_id: decision.attempt.visitId, payer_id: r.payerId, trace_number: r.traceNumber, claim_status: r.claimStatusCode,
        charge_cents: r.chargeCents, paid_cents: r.paidCents, patient_responsibility_cents: r.patientResponsibilityCents,
        paid_on: r.paidOn ?? null, posting_key: postingKey, payer_claim_number: r.payerClaimNumber ?? null,
      })
      .onConflict('posting_key')
      .ignore()
      .returning('id');
    if (!payment) return 'duplicate';
    if (r.adjustments.length) {
      await trx('payment_adjustments').insert(
        r.adjustments.map((a) => ({
          payment_id: payment.id, line_number: a.lineNumber, group_code: a.group, carc: a.carc, amount_cents: a.amountCents, rarcs: a.rarcs,
        })),
      );
    }
    for (const line of r.lines) {
      await trx('claim_lines').where({ claim_id: claimId, line_number: line.lineNumber }).update({ paid_cents: line.paidCents });
    }
    await trx('claims').where({ id: claimId }).update({
      status, paid_cents: r.paidCents, patient_responsibility_cents: r.patientResponsibilityCents,
      payer_claim_number: r.payerClaimNumber ?? trx.raw('payer_claim_number'), updated_at: trx.fn.now(),
    });
    await addEvent(trx, claimId, '835', status, { traceNumber: r.traceNumber, claimStatusCode: r.claimStatusCode }, r.sourceKey);
    return 'posted';
  });
}

export async function closeAppointment(db: Db, visitId: string, outcome: string, reason?: string): Promise<void> {
  await db.transaction(async (trx) => {
    const updated = await trx('appointments').where({ visit_id: visitId }).whereNot({ status: outcome }).update({ status: outcome, updated_at: trx.fn.now() });
    if (updated) await audit(trx, 'workflow', 'visit.closed', visitId, { outcome, reason }, { source: 'workflow' });
  });
}

/** The audit trail lives in db/audit.ts; re-exported here for the callers that already import it from the billing record. */
export { audit } from './audit';

/** Inbound files are stored before they are acted on; a redelivery is recognised by its key. */
export async function saveInbound(db: Db, channel: string, messageKey: string, kind: string, body: string): Promise<boolean> {
  const rows = await db('inbound_messages').insert({ channel, message_key: messageKey, kind, body }).onConflict(['channel', 'message_key']).ignore().returning('id');
  return rows.length > 0;
}

export async function hasInbound(db: Db, channel: string, messageKey: string): Promise<boolean> {
  return !!(await db('inbound_messages').where({ channel, message_key: messageKey }).first('id'));
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
    .select('c.visit_id', 'c.attempt', 'c.status', 'c.ruleset_version', 'c.payer_id', 'a.prior_authorization', 'e.encounter_id', 'e.rendering_npi',
      db.raw("to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS built_on"), db.raw("to_char(e.service_date, 'YYYY-MM-DD') AS service_date"));
  const ids = claims.map((c) => c.encounter_id);
  const [dx, px] = await Promise.all([
    db('diagnoses').whereIn('encounter_id', ids).orderBy('rank'),
    db('procedures').whereIn('encounter_id', ids).orderBy('line_number'),
  ]);
  return claims.map((c) => ({
    visitId: c.visit_id, attempt: c.attempt, status: c.status, rulesetVersion: c.ruleset_version, builtOn: c.built_on, payerId: c.payer_id,
    priorAuthorization: c.prior_authorization ?? undefined,
    encounter: {
      encounterId: c.encounter_id, serviceDate: c.service_date, renderingNpi: c.rendering_npi,
      diagnoses: dx.filter((d) => d.encounter_id === c.encounter_id).map((d) => ({ code: d.code, rank: d.rank })),
      procedures: px.filter((p) => p.encounter_id === c.encounter_id).map((p) => ({ code: p.code, modifiers: p.modifiers, units: p.units, diagnosisPointers: p.diagnosis_pointers })),
    },
  }));
}

/** Every payer acceptance (277CA accepted) of the visit's claims: what proves a claim was filed in time. */
export async function claimAcceptances(db: Db, visitId: string): Promise<ClaimAcceptance[]> {
  const rows = await db('claim_events as e').join('claims as c', 'c.id', 'e.claim_id')
    .where({ 'c.visit_id': visitId, 'e.kind': '277CA', 'e.status': 'accepted' })
    .orderBy('e.occurred_at')
    .select('e.id', 'e.occurred_at', 'c.attempt');
  return rows.map((r) => ({ acceptedOn: new Date(r.occurred_at).toISOString().slice(0, 10), attempt: r.attempt, reference: `ClaimEvent/${r.id}` }));
}

/** What each of the visit's claim attempts was paid, net of reversals, by payer: where a duplicate's original payment is found. */
export async function paymentsByAttempt(db: Db, visitId: string): Promise<AttemptPayment[]> {
  const rows = await db('payments as p').join('claims as c', 'c.id', 'p.claim_id')
    .where('p.visit_id', visitId)
    .groupBy('c.attempt', 'p.payer_id')
    .select('c.attempt', 'p.payer_id', db.raw('sum(p.paid_cents)::bigint as paid'));
  return rows.map((r) => ({ attempt: r.attempt, payerId: r.payer_id, paidCents: Number(r.paid) }));
}

/** The payer's acceptance (277CA claim event) as an appeal document: proof of timely filing. */
export async function acceptanceDocument(db: Db, visitId: string, proof: ClaimAcceptance): Promise<ClinicalNote> {
  const id = Number(proof.reference.replace(/^ClaimEvent\//, ''));
  const row = await db('claim_events as e').join('claims as c', 'c.id', 'e.claim_id')
    .where({ 'e.id': id, 'c.visit_id': visitId, 'e.kind': '277CA' }).first('e.detail', 'e.occurred_at', 'c.attempt', 'c.payer_claim_number');
  if (!row) throw new Error(`no payer acceptance ${proof.reference} for visit ${visitId}`);
  const report = { acceptedAt: new Date(row.occurred_at).toISOString(), claimAttempt: row.attempt, payerClaimNumber: row.payer_claim_number, acknowledgment: row.detail };
  return {
    documentRef: proof.reference, type: 'timely-filing-proof', title: 'Payer acceptance (277CA) of the claim',
    contentType: 'application/json', data: Buffer.from(JSON.stringify(report)).toString('base64'),
  };
}
