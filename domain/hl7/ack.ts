/**
 * General acknowledgment, original mode (HL7 v2.5.1 ch. 2.9.2 and 2.15.8): MSA-1 AA
 * (accepted), AE (error: understood but not usable), AR (rejected: not understood, or
 * not processed and worth sending again); MSA-2 echoes the message's control id; ERR says why.
 */
import type { Hl7Message } from '@medplum/core';
import { buildMessage, buildMsh, component, escapeHl7, messageType, type MessageHeader, segment } from './message';

export type AckCode = 'AA' | 'AE' | 'AR';

/** HL7 table 0357 codes we use in ERR-3 (100: the message does not start with MSH). */
export const Hl7ErrorCode = {
  segmentSequenceError: '100',
  requiredFieldMissing: '101',
  dataTypeError: '102',
  unsupportedMessageType: '200',
  internalError: '207',
} as const;

export interface AckError {
  /** ERR-3, HL7 table 0357. */
  hl7Code: string;
  /** ERR-4: E error, W warning, I information. */
  severity: 'E' | 'W' | 'I';
  /** ERR-5: our own code (e.g. HL7_MAPPING, DUPLICATE). */
  appCode?: string;
  /** ERR-8: what a person should read. Never carries PHI. */
  message?: string;
}

export interface Ack {
  code: AckCode;
  /** MSA-2: the control id of the message acknowledged. */
  controlId: string;
  /** MSA-3. */
  text?: string;
  error?: AckError;
}

/** The acknowledged message's identity: enough to answer even a message we could not parse. */
export interface Acknowledged {
  controlId: string;
  /** Trigger event (MSH-9.2), mirrored in the ACK's MSH-9. */
  event?: string;
  sendingApplication?: string;
  sendingFacility?: string;
  receivingApplication?: string;
  receivingFacility?: string;
}

export function acknowledgedOf(msg: Hl7Message): Acknowledged {
  return {
    controlId: component(msg.header, 10),
    event: messageType(msg).split('^')[1] || undefined,
    sendingApplication: component(msg.header, 3),
    sendingFacility: component(msg.header, 4),
    receivingApplication: component(msg.header, 5),
    receivingFacility: component(msg.header, 6),
  };
}

/** Builds an ACK from the receiver to the sender: applications swap places, MSH-10 is derived from the original's. */
export function buildAck(to: Acknowledged, ack: Omit<Ack, 'controlId'>, at?: Date): Hl7Message {
  const header: MessageHeader = {
    controlId: `A${to.controlId}`.slice(0, 20),
    at,
    sendingApplication: to.receivingApplication,
    sendingFacility: to.receivingFacility,
    receivingApplication: to.sendingApplication,
    receivingFacility: to.sendingFacility,
  };
  const e = ack.error;
  return buildMessage([
    buildMsh(to.event ? `ACK^${to.event}^ACK` : 'ACK', header),
    segment('MSA', [ack.code, escapeHl7(to.controlId), ack.text && escapeHl7(ack.text)]),
    ...(e ? [segment('ERR', ['', '', `${e.hl7Code}^^HL70357`, e.severity, e.appCode && escapeHl7(e.appCode), '', '', e.message && escapeHl7(e.message)])] : []),
  ]);
}

/** An ACK message → Ack; undefined when it has no MSA with a known code. */
export function parseAck(msg: Hl7Message): Ack | undefined {
  const msa = msg.getSegment('MSA');
  const code = component(msa, 1);
  if (code !== 'AA' && code !== 'AE' && code !== 'AR') return undefined;
  const err = msg.getSegment('ERR');
  const text = component(msa, 3);
  return {
    code,
    controlId: component(msa, 2),
    ...(text ? { text } : {}),
    ...(err ? { error: readErr(msg) } : {}),
  };
}

function readErr(msg: Hl7Message): AckError {
  const err = msg.getSegment('ERR');
  const severity = component(err, 4);
  const appCode = component(err, 5);
  const message = component(err, 8);
  return {
    hl7Code: component(err, 3),
    severity: severity === 'W' || severity === 'I' ? severity : 'E',
    ...(appCode ? { appCode } : {}),
    ...(message ? { message } : {}),
  };
}
