/**
 * HL7 v2 plumbing shared by the message mappers: tolerant parsing, the escape rules
 * (HL7 v2.5.1 ch. 2.7), MSH building, and the typed errors that become AE/AR ACKs.
 * Parsing and serialising is @medplum/core's `Hl7Message`; it splits on separators
 * only, so decoding escape sequences and reading calendar dates is done here.
 */
import { Hl7Context, Hl7Message, Hl7Segment } from '@medplum/core';

/** The message could not be read as HL7 v2 at all: answered with AR. */
export class Hl7ParseError extends Error {
  readonly code = 'HL7_PARSE';
  constructor(message: string) {
    super(message);
    this.name = 'Hl7ParseError';
  }
}

/** A message type or trigger event we do not handle: answered with AR (HL7 table 0357 code 200/201). */
export class UnsupportedHl7MessageError extends Error {
  readonly code = 'HL7_UNSUPPORTED';
  constructor(readonly messageType: string) {
    super(`unsupported message type ${messageType}`);
    this.name = 'UnsupportedHl7MessageError';
  }
}

/**
 * Fields we need are missing or malformed. Each issue names the field as the standard
 * numbers it (`PID-7: not a date`), so the sender's ACK says exactly what to fix.
 * Answered with AE: the message was understood, its content cannot be used.
 */
export class Hl7MappingError extends Error {
  readonly code = 'HL7_MAPPING';
  constructor(readonly issues: string[]) {
    super(issues.join('; '));
    this.name = 'Hl7MappingError';
  }
}

/**
 * Parses an HL7 v2 message. Real feeds end segments with CR, files and some engines with
 * LF or CRLF; all are accepted, and a trailing separator does not become an empty segment.
 */
export function parseHl7(text: string): Hl7Message {
  const normalized = text.replace(/\r\n|\n/g, '\r').replace(/^[\r\s]+|[\r\s]+$/g, '');
  if (!/^MSH[^A-Za-z0-9\r]/.test(normalized)) throw new Hl7ParseError('message does not start with an MSH segment');
  return Hl7Message.parse(normalized);
}

const ESCAPES: Array<[string, string]> = [
  ['\\', 'E'],
  ['|', 'F'],
  ['^', 'S'],
  ['&', 'T'],
  ['~', 'R'],
];

/**
 * Escapes a value for the default encoding characters (`|^~\&`). Line breaks, which would
 * end the segment, go as hex escapes (`\X0D\`).
 */
export function escapeHl7(value: string): string {
  return value
    .replace(/[\\|^&~]/g, (c) => `\\${ESCAPES.find(([ch]) => ch === c)![1]}\\`)
    .replace(/[\r\n]/g, (c) => `\\X${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}\\`);
}

/** Decodes the separator and hex escapes; other escape sequences (highlighting, character sets) are dropped. */
export function unescapeHl7(value: string): string {
  return value.replace(/\\([^\\]*)\\/g, (_, code: string) => {
    if (/^X([0-9A-Fa-f]{2})+$/.test(code)) return code.slice(1).replace(/../g, (hex) => String.fromCharCode(parseInt(hex, 16)));
    return ESCAPES.find(([, c]) => c === code)?.[0] ?? '';
  });
}

/** Component `c` (1-based) of repetition `r` (0-based) of field `n`, unescaped and trimmed; '' when absent. */
export function component(seg: Hl7Segment | undefined, n: number, c = 1, r = 0): string {
  const field = seg?.getField(n);
  const value = field?.components[r]?.[c - 1] ?? '';
  return unescapeHl7(value).trim();
}

/** Subcomponent `s` (1-based) of a component, unescaped and trimmed. */
export function subcomponent(seg: Hl7Segment | undefined, n: number, c: number, s: number, r = 0): string {
  const raw = seg?.getField(n)?.components[r]?.[c - 1] ?? '';
  return unescapeHl7(raw.split(seg?.context.subcomponentSeparator ?? '&')[s - 1] ?? '').trim();
}

/** How many repetitions a field holds (0 when empty). */
export function repetitions(seg: Hl7Segment | undefined, n: number): number {
  const field = seg?.getField(n);
  if (!field || field.toString() === '') return 0;
  return field.components.length;
}

/**
 * The calendar date at the start of an HL7 DT/DTM value (YYYYMMDD[HHMM[SS]][+ZZZZ]).
 * The offset is the sender's local zone, which is the zone the date of service is in,
 * so the date is taken as written, never shifted to UTC. Undefined when not a real date.
 */
export function hl7Date(value: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{0,10}(\.\d{1,4})?([+-]\d{4})?)$/.exec(value);
  if (!m) return undefined;
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date) ? date : undefined;
}

/** YYYY-MM-DD → HL7 DT (YYYYMMDD). */
export function toHl7Date(date: string): string {
  return date.replace(/-/g, '');
}

/** An instant as HL7 DTM in UTC (YYYYMMDDHHMMSS+0000). */
export function toHl7Timestamp(at: Date): string {
  return `${at.toISOString().replace(/[-:T]/g, '').slice(0, 14)}+0000`;
}

export interface MessageHeader {
  /** MSH-10: unique per message; a resend of the same message keeps it. */
  controlId: string;
  /** MSH-7; defaults to now. Callers that must be deterministic pass it. */
  at?: Date;
  sendingApplication?: string;
  sendingFacility?: string;
  receivingApplication?: string;
  receivingFacility?: string;
}

export const HL7_VERSION = '2.5.1';
const context = new Hl7Context();

/** A segment from its fields, 1-based as the standard numbers them; values must already be escaped. */
export function segment(name: string, fields: Array<string | undefined>): Hl7Segment {
  return Hl7Segment.parse([name, ...fields.map((f) => f ?? '')].join('|').replace(/\|+$/, ''), context);
}

/** MSH for an outbound message: `type` is MSH-9 (e.g. `DFT^P03^DFT_P03`), processing id P, version 2.5.1. */
export function buildMsh(type: string, header: MessageHeader): Hl7Segment {
  const e = (v?: string) => escapeHl7(v ?? '');
  return Hl7Segment.parse(
    [
      'MSH',
      '^~\\&',
      e(header.sendingApplication ?? 'REVCYCLE'),
      e(header.sendingFacility),
      e(header.receivingApplication),
      e(header.receivingFacility),
      toHl7Timestamp(header.at ?? new Date()),
      '',
      type,
      e(header.controlId),
      'P',
      HL7_VERSION,
    ].join('|'),
    context,
  );
}

/** A message from segments, serialised with CR segment terminators as the standard requires. */
export function buildMessage(segments: Hl7Segment[]): Hl7Message {
  return new Hl7Message(segments, context);
}

/** MSH-9 as `TYPE^EVENT` (structure dropped), and MSH-10. */
export function messageType(msg: Hl7Message): string {
  return `${component(msg.header, 9, 1)}^${component(msg.header, 9, 2)}`;
}

export function controlId(msg: Hl7Message): string {
  return component(msg.header, 10);
}
