/**
 * What a change from the PMS (ADT^A08 registration update, SIU^S14 reschedule) does to an
 * open visit. Pure, so the visit workflow applies it and a test can read it: the parts that
 * changed (named without PHI, for the visit's status and the Temporal UI) and the visit as
 * it now stands.
 */
import type { Appointment, Coverage, Patient, StartVisit } from './visit';

/** The parts of a visit the PMS can change; a coverage change re-checks eligibility before the claim goes out. */
export type VisitChange = 'demographics' | 'coverage' | 'secondary_coverage' | 'appointment';

export interface RegistrationChange {
  /** The PMS message it came from (MSH-10): the same change delivered twice is applied once. */
  changeKey: string;
  patient: Patient;
  coverage?: Coverage;
  secondaryCoverage?: Coverage;
}

const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Key order must not make two equal values differ. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/**
 * The parts of the visit a registration changes. A registration without an IN1 says nothing
 * about insurance (self-pay is not a reason to drop the visit's coverage), so only what it
 * carries is compared; a secondary coverage it no longer lists is dropped with the primary's IN1 present.
 */
export function registrationChanges(visit: StartVisit, change: RegistrationChange): VisitChange[] {
  if (change.patient.patientId !== visit.patient.patientId) return [];
  const changes: VisitChange[] = [];
  if (!same(change.patient, visit.patient)) changes.push('demographics');
  if (change.coverage && !same(change.coverage, visit.coverage)) changes.push('coverage');
  if (change.coverage && !same(change.secondaryCoverage, visit.secondaryCoverage)) changes.push('secondary_coverage');
  return changes;
}

/** The visit with the registration applied (only the parts `registrationChanges` names). */
export function applyRegistration(visit: StartVisit, change: RegistrationChange): StartVisit {
  const changes = registrationChanges(visit, change);
  const next: StartVisit = { ...visit };
  if (changes.includes('demographics')) next.patient = change.patient;
  if (changes.includes('coverage')) next.coverage = change.coverage!;
  if (changes.includes('secondary_coverage')) {
    if (change.secondaryCoverage) next.secondaryCoverage = change.secondaryCoverage;
    else delete next.secondaryCoverage;
  }
  return next;
}

/** SIU^S14: whether the appointment as the PMS now has it differs from the visit's. */
export function appointmentChanged(visit: StartVisit, appointment: Appointment): boolean {
  return !same({ ...appointment, priorAuthorization: appointment.priorAuthorization ?? visit.appointment.priorAuthorization }, visit.appointment);
}
