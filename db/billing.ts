/**
 * The billing record's repository. Every write is keyed on a natural key with a unique
 * constraint, so an activity retried after a crash writes nothing twice.
 */
import type { ClaimAcknowledgment, ClaimFrequency, ClaimRemittance, ClaimStatus } from '../domain/claim';
import type { ChargeLine, CodedEncounter, Coverage, EligibilityResult, Patient, StartVisit } from '../domain/visit';
import type { Db } from './knex';

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
    await trx('appointments')
      .insert({
        visit_id: v.visitId, patient_id: patient.patientId, coverage_id: coverageId,
        appointment_id: appointment.appointmentId ?? null, service_date: appointment.serviceDate,
        provider_npi: appointment.providerNpi, place_of_service: appointment.placeOfService,
      })
      .onConflict('visit_id')
      .merge(['coverage_id', 'service_date', 'provider_npi', 'place_of_service', 'updated_at']);
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
  if (m.chargeCents !== undefined) q.where({ billed_cents: m.chargeCents });
  return !!(await q.first('id'));
}

/** A file whose hand-over failed is forgotten, so the sender's retry is handled in full. */
export async function forgetInbound(db: Db, channel: string, messageKey: string): Promise<void> {
  await db('inbound_messages').where({ channel, message_key: messageKey }).delete();
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
      .insert({ encounter_id: enc.encounterId, visit_id: visitId, service_date: enc.serviceDate, rendering_npi: enc.renderingNpi })
      .onConflict('encounter_id')
      .merge(['service_date', 'rendering_npi']);
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
        charge_cents: l.chargeCents, pms_charge_id: pmsChargeIds[i] ?? null, idempotency_key: key,
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
  controlNumber: number;
  billedCents: number;
  x12: string;
  lines: ChargeLine[];
}

/**
 * Stores the claim with its X12 before it is sent. A retried attempt finds the row
 * and resends the very same bytes (same control number), which the clearinghouse
 * recognises as a duplicate interchange.
 */
export async function createClaim(db: Db, c: NewClaim): Promise<ClaimRow> {
  return db.transaction(async (trx) => {
    const inserted = await trx('claims')
      .insert({
        visit_id: c.visitId, attempt: c.attempt, frequency: c.frequency, patient_control_number: c.visitId,
        payer_claim_number: c.payerClaimNumber ?? null, payer_id: c.payerId, status: 'built', billed_cents: c.billedCents,
        interchange_control_number: c.controlNumber, x12: c.x12,
      })
      .onConflict(['visit_id', 'attempt'])
      .ignore()
      .returning('*');
    if (!inserted.length) return (await trx('claims').where({ visit_id: c.visitId, attempt: c.attempt }).first()) as ClaimRow;
    await trx('claim_lines').insert(
      c.lines.map((l) => ({
        claim_id: inserted[0].id, line_number: l.lineNumber, code: l.code, modifiers: l.modifiers, units: l.units, charge_cents: l.chargeCents,
      })),
    );
    return inserted[0] as ClaimRow;
  });
}

export async function markSubmitted(db: Db, claimId: number, submissionId: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('claims').where({ id: claimId }).whereIn('status', ['built']).update({ status: 'submitted', submission_id: submissionId, submitted_at: trx.fn.now(), updated_at: trx.fn.now() });
    await addEvent(trx, claimId, 'submitted', 'submitted', { submissionId }, submissionId);
  });
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

/** Records the 835's answer for the claim once per (claim, trace number): a redelivered 835 posts nothing. */
export async function saveRemittance(db: Db, claimId: number, visitId: string, status: ClaimStatus, r: ClaimRemittance): Promise<void> {
  await db.transaction(async (trx) => {
    const [payment] = await trx('payments')
      .insert({
        claim_id: claimId, visit_id: visitId, payer_id: r.payerId, trace_number: r.traceNumber, claim_status: r.claimStatusCode,
        charge_cents: r.chargeCents, paid_cents: r.paidCents, patient_responsibility_cents: r.patientResponsibilityCents,
        paid_on: r.paidOn ?? null,
      })
      .onConflict(['claim_id', 'trace_number'])
      .ignore()
      .returning('id');
    if (!payment) return;
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
  });
}

export async function closeAppointment(db: Db, visitId: string, outcome: string, reason?: string): Promise<void> {
  await db.transaction(async (trx) => {
    const updated = await trx('appointments').where({ visit_id: visitId }).whereNot({ status: outcome }).update({ status: outcome, updated_at: trx.fn.now() });
    if (updated) await audit(trx, 'workflow', 'visit.closed', visitId, { outcome, reason });
  });
}

/** Ids and codes only: never names, birth dates or member ids. */
export async function audit(db: Db, actor: string, action: string, visitId: string | null, detail: object = {}): Promise<void> {
  await db('audit_log').insert({ actor, action, visit_id: visitId, detail: JSON.stringify(detail) });
}

/** Inbound files are stored before they are acted on; a redelivery is recognised by its key. */
export async function saveInbound(db: Db, channel: string, messageKey: string, kind: string, body: string): Promise<boolean> {
  const rows = await db('inbound_messages').insert({ channel, message_key: messageKey, kind, body }).onConflict(['channel', 'message_key']).ignore().returning('id');
  return rows.length > 0;
}

export async function hasInbound(db: Db, channel: string, messageKey: string): Promise<boolean> {
  return !!(await db('inbound_messages').where({ channel, message_key: messageKey }).first('id'));
}

export async function visitIdForControlNumber(db: Db, controlNumber: number): Promise<string | undefined> {
  const row = await db('claims').where({ interchange_control_number: controlNumber }).first('visit_id');
  return row?.visit_id;
}
