/**
 * Scheduling messages (HL7 v2.5.1 ch. 10): SIU^S12 a new appointment starts a visit,
 * SIU^S14 a modification (rescheduled: another day, provider or place) changes it, and
 * SIU^S15 a cancellation ends it. Read into StartVisit, and built from it for the PMS
 * simulator, with the same field choices both ways.
 */
import type { Hl7Message, Hl7Segment } from '@medplum/core';
import { Appointment, StartVisit } from '../visit';
import { DATE, dateField, present, readNpi, validateAs, writeNpi } from './fields';
import { buildMessage, buildMsh, component, escapeHl7, Hl7MappingError, type MessageHeader, segment, toHl7Date } from './message';
import { readCoverages, readPatient, writeIn1, writePid } from './patient';

/** Coding system we give AIL-4 for a CMS place-of-service code; HL7 has no field for one. */
const POS_SYSTEM = 'CMSPOS';
const DEFAULT_POS = '11';

/** An appointment id as a VisitId: 1-30 letters, digits or dashes; anything else becomes a dash. */
export function toVisitId(appointmentId: string): string {
  return appointmentId
    .replace(/[^A-Za-z0-9-]/g, '-')
    .replace(/^-+/, '')
    .slice(0, 30);
}

/**
 * The visit is keyed by the placer appointment id (SCH-1), the id the booking side gave it,
 * or the filler's (SCH-2) when there is none. The same rule serves S12 and S15, so a
 * cancellation finds its visit.
 */
export function readVisitId(sch: Hl7Segment | undefined, issues: string[]): string | undefined {
  const id = toVisitId(component(sch, 1) || component(sch, 2));
  if (id === '') issues.push('SCH-1: missing (and no SCH-2)');
  return id || undefined;
}

/**
 * Date of service: the service's own start (AIS-4), else the timing (TQ1-7), else the
 * deprecated SCH-11.4, which older senders still fill.
 */
export function readServiceDate(msg: Hl7Message): string | undefined {
  const ais = msg.getAllSegments('AIS').find((s) => component(s, 4) !== '');
  if (ais) return dateField(ais, 4);
  const tq1 = msg.getSegment('TQ1');
  if (component(tq1, 7) !== '') return dateField(tq1, 7);
  return dateField(msg.getSegment('SCH'), 11, 4);
}

/** The rendering provider: an AIP personnel resource with an NPI, else the PV1-7 attending doctor. */
export function readProviderNpi(msg: Hl7Message): string | undefined {
  for (const aip of msg.getAllSegments('AIP')) {
    const npi = readNpi(aip, 3);
    if (npi) return npi;
  }
  return readNpi(msg.getSegment('PV1'), 7);
}

function readPlaceOfService(msg: Hl7Message): string {
  const ail = msg.getAllSegments('AIL').find((s) => component(s, 4, 3) === POS_SYSTEM);
  return ail ? component(ail, 4) : DEFAULT_POS;
}

function readAppointment(msg: Hl7Message, issues: string[]): Appointment | undefined {
  const raw = {
    appointmentId: present(component(msg.getSegment('SCH'), 2)),
    serviceDate: readServiceDate(msg),
    providerNpi: readProviderNpi(msg),
    placeOfService: readPlaceOfService(msg),
  };
  const sources = {
    appointmentId: { field: 'SCH-2' },
    serviceDate: { field: 'AIS-4', ...DATE },
    providerNpi: { field: 'AIP-3/PV1-7', missing: 'no provider with an NPI' },
    placeOfService: { field: 'AIL-4' },
  };
  return validateAs(Appointment, raw, sources, issues);
}

/**
 * SIU^S12 → StartVisit. Coverage comes from the first IN1, a segment many PMSs add to SIU;
 * a second IN1 is the secondary coverage (billed after the primary's 835).
 */
export function mapSiuS12(msg: Hl7Message): StartVisit {
  const issues: string[] = [];
  const visitId = readVisitId(msg.getSegment('SCH'), issues);
  const patient = readPatient(msg.getSegment('PID'), issues);
  const in1s = msg.getAllSegments('IN1');
  if (in1s.length === 0) issues.push('IN1: missing (no coverage)');
  const { coverage, secondaryCoverage } = readCoverages(in1s, issues);
  const appointment = readAppointment(msg, issues);
  if (issues.length > 0) throw new Hl7MappingError(issues);
  // The rules across fields (e.g. a second IN1 that repeats the first) are the visit's own: refused as AE, not thrown as a crash.
  const parsed = StartVisit.safeParse({ visitId, patient, coverage, ...(secondaryCoverage ? { secondaryCoverage } : {}), appointment });
  if (!parsed.success) throw new Hl7MappingError(parsed.error.issues.map((i) => `${FIELD_OF[String(i.path[0])] ?? i.path.join('.')}: ${i.message}`));
  return parsed.data;
}

/** SIU^S14: the visit's appointment as it now stands (the whole appointment, as S14 carries it). */
export interface Reschedule {
  visitId: string;
  appointment: Appointment;
}

/** SIU^S14 → the visit and its appointment as modified; the same fields as S12, no PID or IN1 needed. */
export function mapSiuS14(msg: Hl7Message): Reschedule {
  const issues: string[] = [];
  const visitId = readVisitId(msg.getSegment('SCH'), issues);
  const appointment = readAppointment(msg, issues);
  if (issues.length > 0 || !visitId || !appointment) throw new Hl7MappingError(issues);
  return { visitId, appointment };
}
/** Where each part of StartVisit comes from in an SIU^S12, for AE messages. */
const FIELD_OF: Record<string, string> = { visitId: 'SCH-1', patient: 'PID', coverage: 'IN1', secondaryCoverage: 'IN1 (second)', appointment: 'SCH/AIS/AIP' };

export interface Cancellation {
  visitId: string;
  reason?: string;
}

/** SIU^S15 → the visit to cancel, with the event reason (SCH-6) when given. */
export function mapSiuS15(msg: Hl7Message): Cancellation {
  const issues: string[] = [];
  const sch = msg.getSegment('SCH');
  const visitId = readVisitId(sch, issues);
  if (!visitId) throw new Hl7MappingError(issues);
  const reason = present(component(sch, 6, 2) || component(sch, 6, 1));
  return reason ? { visitId, reason } : { visitId };
}

function writeSch(visitId: string, appointmentId: string, extra: { reason?: string; serviceDate?: string }): Hl7Segment {
  const fields: string[] = [escapeHl7(visitId), escapeHl7(appointmentId), '', '', ''];
  fields[5] = extra.reason ? `^${escapeHl7(extra.reason)}` : '';
  fields[10] = extra.serviceDate ? `^^^${toHl7Date(extra.serviceDate)}` : '';
  return segment(
    'SCH',
    Array.from(fields, (f) => f ?? ''),
  );
}

/** StartVisit → SIU^S12, the way a PMS books an appointment. */
export function buildSiuS12(v: StartVisit, header: MessageHeader): Hl7Message {
  const { appointment: a } = v;
  return buildMessage([
    buildMsh('SIU^S12^SIU_S12', header),
    writeSch(v.visitId, a.appointmentId ?? v.visitId, { serviceDate: a.serviceDate }),
    writePid(v.patient),
    segment('PV1', ['1', 'O', '', '', '', '', writeNpi(a.providerNpi)]),
    writeIn1(v.coverage),
    ...(v.secondaryCoverage ? [writeIn1(v.secondaryCoverage, 2)] : []),
    ...writeResources(a),
  ]);
}

/** Reschedule → SIU^S14, the way a PMS moves an appointment: the schedule and its resources as they now stand. */
export function buildSiuS14(r: Reschedule, header: MessageHeader): Hl7Message {
  const { appointment: a } = r;
  return buildMessage([
    buildMsh('SIU^S14^SIU_S12', header),
    writeSch(r.visitId, a.appointmentId ?? r.visitId, { serviceDate: a.serviceDate }),
    segment('PV1', ['1', 'O', '', '', '', '', writeNpi(a.providerNpi)]),
    ...writeResources(a),
  ]);
}

/** The RGS group: the service on its day (AIS), the place of service (AIL), the rendering provider (AIP). */
function writeResources(a: Appointment): Hl7Segment[] {
  const date = toHl7Date(a.serviceDate);
  return [
    segment('RGS', ['1']),
    segment('AIS', ['1', '', 'VISIT^Office visit^L', date]),
    segment('AIL', ['1', '', '', `${a.placeOfService}^^${POS_SYSTEM}`, '', date]),
    segment('AIP', ['1', '', writeNpi(a.providerNpi), '', '', date]),
  ];
}

/** A cancellation of a visit, SIU^S15. */
export function buildSiuS15(c: Cancellation, header: MessageHeader): Hl7Message {
  return buildMessage([buildMsh('SIU^S15^SIU_S15', header), writeSch(c.visitId, c.visitId, { reason: c.reason })]);
}
