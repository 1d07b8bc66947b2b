/**
 * Changes from the PMS reach everything: an ADT^A08 updates the EHR's
 * Patient and Coverage in place and every open visit of the patient, whose changed
 * coverage is checked again before the claim goes out; an SIU^S14 moves a visit's
 * appointment in the billing record and the EHR, and is refused (AE) once it is billed.
 * Over real MLLP, FHIR and X12, as a PMS and a biller would see it.
 */
import type { Bundle, Appointment, Coverage, Patient } from '@medplum/fhirtypes';
import { findClaim } from '../db/claims';
import { IDENTIFIER } from '../domain/fhir/systems';
import { parse837P } from '../domain/x12/parse-837p';
import { sampleVisit, signedEncounter } from './fixtures';
import { reach, startTestStack, type TestStack } from './stack';
import { eventually, uniqueId } from './support';

jest.setTimeout(120_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ pmsMode: 'hl7' });
});
afterAll(() => stack.stop());

async function ehrSearch<T>(type: string, system: string, value: string): Promise<T[]> {
  const res = await fetch(`${stack.ehr.url}/${type}?identifier=${encodeURIComponent(`${system}|${value}`)}`, { headers: { accept: 'application/fhir+json' } });
  const bundle = (await res.json()) as Bundle;
  return (bundle.entry ?? []).map((e) => e.resource as T);
}

test('ADT^A08: a new address and member id reach the EHR (updated in place) and the open visit, which re-checks eligibility and bills the new member id', async () => {
  const visit = sampleVisit(uniqueId('v'), 'W5550001');
  expect((await stack.pms.bookAppointment(visit)).code).toBe('AA');
  await reach(stack, visit.visitId, 'awaiting_encounter');
  const patientsBefore = await ehrSearch<Patient>('Patient', IDENTIFIER.patient, visit.patient.patientId);
  expect(patientsBefore).toHaveLength(1);

  const moved = { ...visit.patient, address: { ...visit.patient.address, line1: '77 OAK AVE' } };
  const coverage = { ...visit.coverage, memberId: 'W5550002' };
  expect((await stack.pms.register({ patient: moved, coverage }, 'A08')).code).toBe('AA');

  // The visit shows what changed (parts, not values); the EHR holds one Patient, updated, and the new Coverage.
  const changed = await eventually(
    async () => {
      const s = (await stack.api.get(`/visits/${visit.visitId}`)).body;
      return s.changes?.length ? s : undefined;
    },
    { what: 'the visit to show the PMS change' },
  );
  expect(changed.changes[0].changes).toEqual(['demographics', 'coverage']);
  const patients = await eventually(
    async () => {
      const found = await ehrSearch<Patient>('Patient', IDENTIFIER.patient, visit.patient.patientId);
      return found[0]?.address?.[0]?.line?.[0] === '77 OAK AVE' && found;
    },
    { what: "the EHR's Patient to carry the new address" },
  );
  expect(patients).toHaveLength(1);
  expect(patients[0].id).toBe(patientsBefore[0].id);
  expect(Number(patients[0].meta?.versionId)).toBeGreaterThan(1);
  const coverages = await ehrSearch<Coverage>('Coverage', IDENTIFIER.coverage, `87726-W5550002-${visit.patient.patientId}`);
  expect(coverages.map((c) => c.subscriberId)).toEqual(['W5550002']);
  // The same A08 again (a PMS resend with a new control id) changes nothing more.
  expect((await stack.pms.register({ patient: moved, coverage }, 'A08')).code).toBe('AA');

  await stack.ehr.signEncounter(signedEncounter(visit.visitId));
  const closed = await reach(stack, visit.visitId, 'closed');
  expect(closed.outcome).toBe('paid');
  expect(closed.changes).toHaveLength(1);
  // Eligibility ran for the booked coverage and again for the PMS's new one, before the claim went out.
  expect(closed.history.filter((h: { stage: string }) => h.stage === 'eligibility')).toHaveLength(2);
  const checks = await stack.db('eligibility_checks').where({ visit_id: visit.visitId }).orderBy('id');
  expect(checks).toHaveLength(2);
  const claim = await findClaim(stack.db, visit.visitId, 1);
  const sent = parse837P(claim!.x12).batch.claims[0];
  expect(sent.subscriber.memberId).toBe('W5550002');
  expect(sent.subscriber.address?.line1 ?? sent.patient?.address?.line1).toBe('77 OAK AVE');
  const events = await stack.db('visit_events').where({ visit_id: visit.visitId, event_type: 'registration_changed' });
  expect(events.map((e) => e.detail.changes)).toEqual([['demographics', 'coverage']]);
});

test("SIU^S14 moves an open visit's appointment in the billing record and the EHR; once billed, a move is refused with AE", async () => {
  const visit = sampleVisit(uniqueId('v'), 'W5550003');
  expect((await stack.pms.bookAppointment(visit)).code).toBe('AA');
  await reach(stack, visit.visitId, 'awaiting_encounter');
  const moved = { ...visit.appointment, serviceDate: '2026-11-23', providerNpi: '1245319599' };
  expect((await stack.pms.rescheduleAppointment({ visitId: visit.visitId, appointment: moved })).code).toBe('AA');

  const row = await stack.db('appointments').where({ visit_id: visit.visitId }).first();
  expect([row.service_date instanceof Date ? row.service_date.toISOString().slice(0, 10) : row.service_date, row.provider_npi]).toEqual([
    '2026-11-23',
    '1245319599',
  ]);
  const [appointment] = await ehrSearch<Appointment>('Appointment', IDENTIFIER.visit, visit.visitId);
  expect(appointment.requestedPeriod?.[0].start).toBe('2026-11-23');
  expect(appointment.participant.map((p) => p.actor?.identifier?.value).filter(Boolean)).toEqual(['1245319599']);
  expect(await ehrSearch<Appointment>('Appointment', IDENTIFIER.visit, visit.visitId)).toHaveLength(1);
  const status = (await stack.api.get(`/visits/${visit.visitId}`)).body;
  expect(status.changes.map((c: { changes: string[] }) => c.changes)).toEqual([['appointment']]);
  // Visibility is eventually consistent: the biller's list query finds the visit on its new date.
  const listed = await eventually(
    async () => {
      const ids = [];
      const day = `ServiceDate >= '2026-11-23T00:00:00Z' AND ServiceDate < '2026-11-24T00:00:00Z'`;
      for await (const w of stack.temporal.workflow.list({ query: `VisitId = '${visit.visitId}' AND ${day}` })) ids.push(w.workflowId);
      return ids.length > 0 && ids;
    },
    { what: 'the visibility list to find the visit on its new date' },
  );
  expect(listed).toEqual([`visit-${visit.visitId}`]);

  await stack.ehr.signEncounter(signedEncounter(visit.visitId));
  await reach(stack, visit.visitId, 'closed');
  const late = await stack.pms.rescheduleAppointment({ visitId: visit.visitId, appointment: { ...moved, serviceDate: '2026-11-30' } });
  expect(late.code).toBe('AE');
  expect(late.error?.message).toMatch(/cannot be rescheduled/);
});
