/**
 * PID (patient identification) and IN1 (insurance), HL7 v2.5.1 ch. 3.4.2 and 6.5.6:
 * read into our Patient and Coverage, and written back for the messages we build.
 */
import type { Hl7Segment } from '@medplum/core';
import { Coverage, Patient } from '../visit';

type Relationship = Coverage['relationship'];
import { addressSources, DATE, dateField, present, readAddress, readName, validateAs, writeAddress, writeName } from './fields';
import { component, escapeHl7, repetitions, segment, toHl7Date } from './message';

/**
 * PID-3 is a list of identifiers; the medical record number is the one typed MR. A single
 * untyped identifier is taken as the MRN; among several untyped ones none is guessed.
 */
function readMrn(pid: Hl7Segment | undefined): string | undefined {
  const count = repetitions(pid, 3);
  for (let r = 0; r < count; r++) {
    if (component(pid, 3, 5, r) === 'MR') return present(component(pid, 3, 1, r));
  }
  return count === 1 && component(pid, 3, 5) === '' ? present(component(pid, 3, 1)) : undefined;
}

/** HL7 table 0001 has more values than X12 carries (M, F, U): other, ambiguous, not applicable become U. */
function readSex(seg: Hl7Segment | undefined, n: number): string | undefined {
  const code = component(seg, n);
  if (code === '') return undefined;
  return ['M', 'F', 'U'].includes(code) ? code : ['O', 'A', 'N', 'X'].includes(code) ? 'U' : code;
}

export function readPatient(pid: Hl7Segment | undefined, issues: string[]): Patient | undefined {
  if (!pid) {
    issues.push('PID: missing');
    return undefined;
  }
  const raw = {
    patientId: readMrn(pid),
    ...readName(pid, 5),
    birthDate: dateField(pid, 7),
    sex: readSex(pid, 8),
    address: readAddress(pid, 11),
  };
  return validateAs(Patient, raw, PATIENT_SOURCES, issues);
}

const PATIENT_SOURCES = {
  patientId: { field: 'PID-3' },
  lastName: { field: 'PID-5.1' },
  firstName: { field: 'PID-5.2' },
  birthDate: { field: 'PID-7', ...DATE },
  sex: { field: 'PID-8' },
  address: { field: 'PID-11' },
  ...addressSources('address', 'PID-11'),
};

export function writePid(p: Patient): Hl7Segment {
  return segment('PID', ['1', '', `${escapeHl7(p.patientId)}^^^^MR`, '', writeName(p), '', toHl7Date(p.birthDate), p.sex, '', '', writeAddress(p.address)]);
}

/** HL7 table 0063 (relationship to insured) → the relationships a claim carries. */
const RELATIONSHIPS: Record<string, Relationship> = { SEL: 'self', SPO: 'spouse', CHD: 'child', NCH: 'child', SCH: 'child', FCH: 'child' };

function readRelationship(in1: Hl7Segment): string | undefined {
  const code = component(in1, 17);
  if (code === '') return component(in1, 16) === '' ? 'self' : undefined;
  return RELATIONSHIPS[code] ?? 'other';
}

function readSubscriber(in1: Hl7Segment) {
  return { ...readName(in1, 16), birthDate: dateField(in1, 18), sex: readSex(in1, 43), address: readAddress(in1, 19) };
}

/**
 * The member id is IN1-36 (policy number); when that is empty, IN1-49 (insured's id number).
 * IN1-2 is the plan id, not the member's, and is never taken for one.
 */
export function readCoverage(in1: Hl7Segment, issues: string[]): Coverage | undefined {
  const relationship = readRelationship(in1);
  const raw = {
    payerId: present(component(in1, 3)),
    payerName: present(component(in1, 4)),
    memberId: present(component(in1, 36)) ?? present(component(in1, 49)),
    groupNumber: present(component(in1, 8)),
    relationship,
    subscriber: relationship === 'self' ? undefined : readSubscriber(in1),
  };
  return validateAs(Coverage, raw, COVERAGE_SOURCES, issues);
}

const COVERAGE_SOURCES = {
  payerId: { field: 'IN1-3' },
  payerName: { field: 'IN1-4' },
  memberId: { field: 'IN1-36' },
  groupNumber: { field: 'IN1-8' },
  relationship: { field: 'IN1-17' },
  subscriber: { field: 'IN1-16' },
  'subscriber.lastName': { field: 'IN1-16.1' },
  'subscriber.firstName': { field: 'IN1-16.2' },
  'subscriber.birthDate': { field: 'IN1-18', ...DATE },
  'subscriber.sex': { field: 'IN1-43' },
  ...addressSources('subscriber.address', 'IN1-19'),
};

const RELATIONSHIP_CODES: Record<Relationship, string> = { self: 'SEL', spouse: 'SPO', child: 'CHD', other: 'OTH' };

/** IN1-1 is the set id: 1 the primary plan, 2 the secondary (coordination of benefits). */
export function writeIn1(c: Coverage, setId = 1): Hl7Segment {
  const s = c.subscriber;
  const fields: string[] = [];
  const set = (n: number, v: string | undefined) => (fields[n - 1] = v ?? '');
  set(1, String(setId));
  set(3, escapeHl7(c.payerId));
  set(4, escapeHl7(c.payerName));
  set(8, c.groupNumber && escapeHl7(c.groupNumber));
  set(16, s && writeName(s));
  set(17, RELATIONSHIP_CODES[c.relationship]);
  set(18, s && toHl7Date(s.birthDate));
  set(19, s?.address && writeAddress(s.address));
  set(36, escapeHl7(c.memberId));
  set(43, s?.sex);
  return segment(
    'IN1',
    Array.from(fields, (f) => f ?? ''),
  );
}

/**
 * The primary and secondary coverage from a message's IN1 segments, in the order the PMS
 * lists them (HL7 v2.5.1 6.5.6: IN1-1 numbers them 1, 2...; the first is the primary).
 * A third IN1 (tertiary) is not billed by revcycle and is ignored. Issues are prefixed
 * with the segment's position when it is not the first (IN1[2]-3).
 */
export function readCoverages(segments: Hl7Segment[], issues: string[]): { coverage?: Coverage; secondaryCoverage?: Coverage } {
  const [first, second] = segments;
  const coverage = first && readCoverage(first, issues);
  if (!second) return { coverage };
  const own: string[] = [];
  const secondaryCoverage = readCoverage(second, own);
  issues.push(...own.map((i) => i.replace(/^IN1-/, 'IN1[2]-')));
  return { coverage, secondaryCoverage };
}
