/**
 * Registration (HL7 v2.5.1 ch. 3): ADT^A04 registers a patient, ADT^A08 updates one.
 * Both carry PID and, when the patient is insured, IN1; coverage is optional here because
 * a registration without insurance is still a registration (self-pay).
 */
import type { Hl7Message } from '@medplum/core';
import type { Coverage, Patient } from '../visit';
import { buildMessage, buildMsh, Hl7MappingError, type MessageHeader, segment, toHl7Timestamp } from './message';
import { readCoverages, readPatient, writeIn1, writePid } from './patient';

export interface Registration {
  patient: Patient;
  coverage?: Coverage;
  /** From a second IN1. */
  secondaryCoverage?: Coverage;
}

/** ADT^A04/A08 → the patient and, from the first (primary) IN1, the coverage; a second IN1 is the secondary. */
export function mapAdtRegistration(msg: Hl7Message): Registration {
  const issues: string[] = [];
  const patient = readPatient(msg.getSegment('PID'), issues);
  const { coverage, secondaryCoverage } = readCoverages(msg.getAllSegments('IN1'), issues);
  if (issues.length > 0 || !patient) throw new Hl7MappingError(issues);
  return { patient, ...(coverage ? { coverage } : {}), ...(coverage && secondaryCoverage ? { secondaryCoverage } : {}) };
}

/** Registration → ADT^A04 (or A08 for an update), as a PMS sends it. */
export function buildAdt(r: Registration, header: MessageHeader, event: 'A04' | 'A08' = 'A04'): Hl7Message {
  return buildMessage([
    buildMsh(`ADT^${event}^ADT_A01`, header),
    segment('EVN', [event, toHl7Timestamp(header.at ?? new Date())]),
    writePid(r.patient),
    segment('PV1', ['1', 'O']),
    ...(r.coverage ? [writeIn1(r.coverage)] : []),
    ...(r.coverage && r.secondaryCoverage ? [writeIn1(r.secondaryCoverage, 2)] : []),
  ]);
}
