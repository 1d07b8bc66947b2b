/**
 * The visit's registration, as the billing record keeps it: patient and coverage, the intake, the EHR's
 * references, eligibility, the coded encounter, the charges and the appointment's close. Every write
 * is keyed on a natural key with a unique constraint, so an activity retried after a crash writes
 * nothing twice.
 */
import type { ChargeLine, CodedEncounter, Coverage, EligibilityResult, Patient, StartVisit } from '../domain/visit';
import { audit } from './audit';
import type { Db } from './knex';

/** Registration (ADT^A04/A08 or a visit's intake): the patient, and the coverage when there is one. */
export async function saveRegistration(db: Db, patient: Patient, coverage?: Coverage): Promise<number | undefined> {
  return db.transaction(async (trx) => {
    await trx('patients')
      .insert({
        patient_id: patient.patientId,
        first_name: patient.firstName,
        last_name: patient.lastName,
        birth_date: patient.birthDate,
        sex: patient.sex,
        address: JSON.stringify(patient.address),
      })
      .onConflict('patient_id')
      .merge(['first_name', 'last_name', 'birth_date', 'sex', 'address', 'updated_at']);
    if (!coverage) return undefined;
    const [{ id }] = await trx('coverages')
      .insert({
        patient_id: patient.patientId,
        payer_id: coverage.payerId,
        payer_name: coverage.payerName,
        member_id: coverage.memberId,
        group_number: coverage.groupNumber ?? null,
        relationship: coverage.relationship,
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
        visit_id: v.visitId,
        patient_id: patient.patientId,
        coverage_id: coverageId,
        secondary_coverage_id: secondaryCoverageId,
        appointment_id: appointment.appointmentId ?? null,
        service_date: appointment.serviceDate,
        provider_npi: appointment.providerNpi,
        place_of_service: appointment.placeOfService,
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
  const row = await db('appointments')
    .join('patients', 'patients.patient_id', 'appointments.patient_id')
    .where({ 'appointments.visit_id': visitId })
    .first('appointments.ehr_ref as appointment_ref', 'patients.ehr_ref as patient_ref');
  return row && { patientRef: row.patient_ref ?? undefined, appointmentRef: row.appointment_ref ?? undefined };
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

export async function saveAppointmentRef(db: Db, visitId: string, appointmentRef: string): Promise<void> {
  await db('appointments').where({ visit_id: visitId }).update({ ehr_ref: appointmentRef });
}

export async function visitIdForAppointmentRef(db: Db, appointmentRef: string): Promise<string | undefined> {
  const row = await db('appointments').where({ ehr_ref: appointmentRef }).first('visit_id');
  return row?.visit_id;
}

export async function saveEligibility(
  db: Db,
  visitId: string,
  inquiryKey: string,
  result: EligibilityResult,
  x12: { request: string; response: string },
): Promise<void> {
  await db('eligibility_checks')
    .insert({
      visit_id: visitId,
      inquiry_key: inquiryKey,
      active: result.active,
      benefits: JSON.stringify(result),
      x12_request: x12.request,
      x12_response: x12.response,
    })
    .onConflict('inquiry_key')
    .ignore();
}

/** Replaces the encounter's coding (a coder's correction replaces, never appends). */
export async function saveEncounter(db: Db, visitId: string, enc: CodedEncounter): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('encounters')
      .insert({
        encounter_id: enc.encounterId,
        visit_id: visitId,
        service_date: enc.serviceDate,
        rendering_npi: enc.renderingNpi,
        rendering_name: enc.renderingName ? JSON.stringify(enc.renderingName) : null,
        rendering_taxonomy: enc.renderingTaxonomy ?? null,
      })
      .onConflict('encounter_id')
      .merge(['service_date', 'rendering_npi', 'rendering_name', 'rendering_taxonomy']);
    await trx('diagnoses').where({ encounter_id: enc.encounterId }).delete();
    await trx('procedures').where({ encounter_id: enc.encounterId }).delete();
    await trx('diagnoses').insert(enc.diagnoses.map((d) => ({ encounter_id: enc.encounterId, rank: d.rank, code: d.code })));
    await trx('procedures').insert(
      enc.procedures.map((p, i) => ({
        encounter_id: enc.encounterId,
        line_number: i + 1,
        code: p.code,
        modifiers: p.modifiers,
        units: p.units,
        diagnosis_pointers: p.diagnosisPointers,
      })),
    );
  });
}

/** The rendering practitioner recorded for an encounter, for a correction that names the same NPI without a name. */
export async function renderingOf(
  db: Db,
  encounterId: string,
): Promise<Pick<CodedEncounter, 'renderingNpi' | 'renderingName' | 'renderingTaxonomy'> | undefined> {
  const row = await db('encounters').where({ encounter_id: encounterId }).first('rendering_npi', 'rendering_name', 'rendering_taxonomy');
  if (!row) return undefined;
  return {
    renderingNpi: row.rendering_npi,
    ...(row.rendering_name ? { renderingName: row.rendering_name } : {}),
    ...(row.rendering_taxonomy ? { renderingTaxonomy: row.rendering_taxonomy } : {}),
  };
}

export async function saveCharges(db: Db, visitId: string, key: string, lines: ChargeLine[], pmsChargeIds: string[]): Promise<void> {
  await db('charges')
    .insert(
      lines.map((l, i) => ({
        visit_id: visitId,
        line_number: l.lineNumber,
        code: l.code,
        modifiers: l.modifiers,
        units: l.units,
        charge_cents: l.chargeCents,
        expected_cents: l.expectedCents ?? null,
        priced_by: l.pricedBy ?? null,
        pms_charge_id: pmsChargeIds[i] ?? null,
        idempotency_key: key,
      })),
    )
    .onConflict(['visit_id', 'line_number'])
    .ignore();
}

export async function closeAppointment(db: Db, visitId: string, outcome: string, reason?: string): Promise<void> {
  await db.transaction(async (trx) => {
    const updated = await trx('appointments').where({ visit_id: visitId }).whereNot({ status: outcome }).update({ status: outcome, updated_at: trx.fn.now() });
    if (updated) await audit(trx, 'workflow', 'visit.closed', visitId, { outcome, reason }, { source: 'workflow' });
  });
}

/** The audit trail lives in db/audit.ts; re-exported here for the callers that already import it from the billing record. */
export { audit } from './audit';
