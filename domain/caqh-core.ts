/**
 * CAQH CORE Connectivity Rule vC2.2.0: the envelope metadata a trading partner exchanges
 * X12 in, written and read in both of the rule's envelopes — SOAP 1.2 (WS-Security
 * UsernameToken in the header, the COREEnvelope… element in the body) and HTTP MIME
 * multipart/form-data (one form field per envelope element, plus UserName/Password).
 * Pure: no I/O. XML is written and read by fast-xml-parser (no DOM, no external entities:
 * it never fetches a DTD); the multipart body is built here and read by busboy in the
 * caller, which has the stream.
 */
import { createHash } from 'node:crypto';
import busboy from 'busboy';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export const CORE_RULE_VERSION = '2.2.0';
export const CORE_NS = 'http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd';
const SOAP_NS = 'http://www.w3.org/2003/05/soap-envelope';
const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

/** The payload types this practice exchanges (the rule's table of X12 5010 payload types). */
export const PayloadType = {
  eligibilityRequest: 'X12_270_Request_005010X279A1',
  eligibilityResponse: 'X12_271_Response_005010X279A1',
  statusRequest: 'X12_276_Request_005010X212',
  statusResponse: 'X12_277_Response_005010X212',
  claimSubmission: 'X12_837_Request_005010X222A1',
  submissionReceipt: 'X12_BatchReceiptConfirmation',
  ackRetrieval: 'X12_999_RetrievalRequest_005010X231A1',
  ack: 'X12_999_Response_005010X231A1',
  claimAckRetrieval: 'X12_277CA_RetrievalRequest_005010X214',
  claimAck: 'X12_277CA_Response_005010X214',
  remittanceRetrieval: 'X12_835_RetrievalRequest_005010X221A1',
  remittance: 'X12_835_Response_005010X221A1',
} as const;

/** The rule's envelope error codes this side sends or understands. */
export const CoreErrorCode = {
  Success: 'Success',
  PayloadTypeRequired: 'PayloadTypeRequired',
  PayloadTypeIllegal: 'PayloadTypeIllegal',
  ProcessingModeRequired: 'ProcessingModeRequired',
  ProcessingModeIllegal: 'ProcessingModeIllegal',
  PayloadIDRequired: 'PayloadIDRequired',
  PayloadIDIllegal: 'PayloadIDIllegal',
  TimeStampRequired: 'TimeStampRequired',
  TimeStampIllegal: 'TimeStampIllegal',
  SenderIDRequired: 'SenderIDRequired',
  ReceiverIDRequired: 'ReceiverIDRequired',
  CORERuleVersionRequired: 'CORERuleVersionRequired',
  VersionMismatch: 'VersionMismatch',
  PayloadRequired: 'PayloadRequired',
  PayloadLengthIllegal: 'PayloadLengthIllegal',
  ChecksumMismatched: 'ChecksumMismatched',
  UnAuthorized: 'UnAuthorized',
  ReceiverUnavailable: 'Receiver.Unavailable',
  ServerError: 'Receiver.ServerError',
  NoResultsAvailable: 'NoBatchResultsAvailable',
} as const;

export type ProcessingMode = 'RealTime' | 'Batch';

/** Which COREEnvelope… element (SOAP) a message is. */
export type CoreMessageKind =
  | 'RealTimeRequest'
  | 'RealTimeResponse'
  | 'BatchSubmission'
  | 'BatchSubmissionResponse'
  | 'BatchSubmissionAckRetrievalRequest'
  | 'BatchSubmissionAckRetrievalResponse'
  | 'BatchResultsRetrievalRequest'
  | 'BatchResultsRetrievalResponse';

export interface CoreEnvelope {
  PayloadType: string;
  ProcessingMode: ProcessingMode;
  /** A UUID; the receiver answers the same PayloadID with the same result. */
  PayloadID: string;
  PayloadLength?: number;
  /** XML dateTime, UTC. */
  TimeStamp: string;
  SenderID: string;
  ReceiverID: string;
  CORERuleVersion: string;
  /** SHA-1 of the payload, hex (batch). */
  CheckSum?: string;
  Payload?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface CoreCredentials {
  username: string;
  password: string;
}

/** Field order the rule lists them in. */
const FIELDS = [
  'PayloadType',
  'ProcessingMode',
  'PayloadID',
  'PayloadLength',
  'TimeStamp',
  'SenderID',
  'ReceiverID',
  'CORERuleVersion',
  'CheckSum',
  'Payload',
  'ErrorCode',
  'ErrorMessage',
] as const;

export const sha1Hex = (payload: string) => createHash('sha1').update(payload, 'utf8').digest('hex');

/**
 * A UUID (RFC 9562 version 8 layout) derived from the bytes: the same interchange sent again
 * after a lost answer carries the same PayloadID, which is what makes the resend safe.
 */
export function payloadIdOf(bytes: string): string {
  const h = createHash('sha256').update(bytes, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The CORE TimeStamp (xsd:dateTime, UTC, no fraction). */
export const coreTimeStamp = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

// ---------------------------------------------------------------- SOAP 1.2

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
  processEntities: true,
});
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  allowBooleanAttributes: false,
});

export function soapEnvelope(kind: CoreMessageKind, env: CoreEnvelope, credentials?: CoreCredentials): string {
  const body: Record<string, unknown> = { '@_xmlns:cor': CORE_NS };
  for (const f of FIELDS) if (env[f] !== undefined) body[`cor:${f}`] = String(env[f]);
  const header = credentials
    ? {
        'wsse:Security': {
          '@_xmlns:wsse': WSSE_NS,
          '@_soapenv:mustUnderstand': 'true',
          'wsse:UsernameToken': { 'wsse:Username': credentials.username, 'wsse:Password': { '@_Type': PASSWORD_TEXT, '#text': credentials.password } },
        },
      }
    : '';
  const xml = builder.build({
    'soapenv:Envelope': { '@_xmlns:soapenv': SOAP_NS, 'soapenv:Header': header, 'soapenv:Body': { [`cor:COREEnvelope${kind}`]: body } },
  });
  return `<?xml version="1.0" encoding="UTF-8"?>${xml}`;
}

/** A SOAP 1.2 Fault carrying a CORE error code (how a receiver refuses the envelope itself, e.g. UnAuthorized). */
export function soapFault(code: 'Sender' | 'Receiver', errorCode: string, reason: string): string {
  const xml = builder.build({
    'soapenv:Envelope': {
      '@_xmlns:soapenv': SOAP_NS,
      'soapenv:Body': {
        'soapenv:Fault': {
          'soapenv:Code': { 'soapenv:Value': `soapenv:${code}` },
          'soapenv:Reason': { 'soapenv:Text': { '@_xml:lang': 'en', '#text': reason } },
          'soapenv:Detail': { 'cor:ErrorCode': { '@_xmlns:cor': CORE_NS, '#text': errorCode } },
        },
      },
    },
  });
  return `<?xml version="1.0" encoding="UTF-8"?>${xml}`;
}

export class CoreEnvelopeError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'CoreEnvelopeError';
  }
}

export interface ParsedSoap {
  kind?: CoreMessageKind;
  fields: Partial<Record<(typeof FIELDS)[number], string>>;
  credentials?: CoreCredentials;
  fault?: { errorCode?: string; reason: string };
}

/** Reads a SOAP 1.2 CORE envelope (or Fault). A document that is not one is a CoreEnvelopeError. */
export function parseSoap(xml: string): ParsedSoap {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new CoreEnvelopeError('Sender', 'a DOCTYPE is not allowed in a SOAP message');
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml, true) as Record<string, unknown>;
  } catch (err) {
    throw new CoreEnvelopeError('Sender', `not well-formed XML: ${(err as Error).message}`);
  }
  const envelope = obj(doc.Envelope);
  const body = obj(envelope?.Body);
  if (!envelope || !body) throw new CoreEnvelopeError('Sender', 'not a SOAP 1.2 envelope: Envelope/Body missing');
  const fault = obj(body.Fault);
  if (fault) {
    const reason = text(obj(fault.Reason)?.Text) ?? 'SOAP fault';
    return { fields: {}, fault: { errorCode: text(obj(fault.Detail)?.ErrorCode), reason } };
  }
  const name = Object.keys(body).find((k) => k.startsWith('COREEnvelope'));
  if (!name) throw new CoreEnvelopeError('Sender', 'the SOAP body holds no COREEnvelope element');
  const element = obj(body[name]) ?? {};
  const fields: ParsedSoap['fields'] = {};
  for (const f of FIELDS) {
    const v = text(element[f]);
    if (v !== undefined) fields[f] = v;
  }
  const token = obj(obj(obj(envelope.Header)?.Security)?.UsernameToken);
  const credentials = token ? { username: text(token.Username) ?? '', password: text(token.Password) ?? '' } : undefined;
  return { kind: name.slice('COREEnvelope'.length) as CoreMessageKind, fields, credentials };
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  const o = obj(v);
  if (o && typeof o['#text'] === 'string') return o['#text'];
  if (o && Object.keys(o).every((k) => k.startsWith('@_'))) return '';
  return undefined;
}

// ---------------------------------------------------------------- MIME multipart/form-data

/** The multipart/form-data body of a CORE MIME message; returns the body and its content type. */
export function mimeBody(
  env: CoreEnvelope,
  credentials?: CoreCredentials,
  boundary = `CORE-${createHash('sha1').update(`${env.PayloadID}${Math.random()}`).digest('hex')}`,
): { body: string; contentType: string } {
  const parts: [string, string][] = [];
  for (const f of FIELDS) if (env[f] !== undefined && f !== 'Payload') parts.push([f, String(env[f])]);
  if (credentials) parts.push(['UserName', credentials.username], ['Password', credentials.password]);
  if (env.Payload !== undefined) parts.push(['Payload', env.Payload]);
  let body = '';
  for (const [name, value] of parts) {
    if (value.includes(`--${boundary}`)) throw new Error('a field contains the multipart boundary');
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

export type MimeFields = Partial<Record<(typeof FIELDS)[number] | 'UserName' | 'Password', string>>;

export const MIME_FIELD_NAMES: readonly string[] = [...FIELDS, 'UserName', 'Password'];

/** Checks the fields every CORE request must carry; the first missing one is the error code. */
export function requestProblem(f: MimeFields | ParsedSoap['fields']): { errorCode: string; message: string } | undefined {
  const required: [keyof typeof f, string][] = [
    ['PayloadType', CoreErrorCode.PayloadTypeRequired],
    ['ProcessingMode', CoreErrorCode.ProcessingModeRequired],
    ['PayloadID', CoreErrorCode.PayloadIDRequired],
    ['TimeStamp', CoreErrorCode.TimeStampRequired],
    ['SenderID', CoreErrorCode.SenderIDRequired],
    ['ReceiverID', CoreErrorCode.ReceiverIDRequired],
    ['CORERuleVersion', CoreErrorCode.CORERuleVersionRequired],
  ];
  for (const [field, errorCode] of required) if (!f[field]) return { errorCode, message: `${String(field)} is required` };
  if (f.ProcessingMode !== 'RealTime' && f.ProcessingMode !== 'Batch')
    return { errorCode: CoreErrorCode.ProcessingModeIllegal, message: 'ProcessingMode must be RealTime or Batch' };
  if (!UUID.test(f.PayloadID!)) return { errorCode: CoreErrorCode.PayloadIDIllegal, message: 'PayloadID must be a UUID' };
  if (Number.isNaN(Date.parse(f.TimeStamp!))) return { errorCode: CoreErrorCode.TimeStampIllegal, message: 'TimeStamp must be an xsd:dateTime' };
  if (f.CORERuleVersion !== CORE_RULE_VERSION) return { errorCode: CoreErrorCode.VersionMismatch, message: `CORERuleVersion must be ${CORE_RULE_VERSION}` };
  return undefined;
}

/**
 * Reads a multipart/form-data CORE message (busboy parses the parts; bytes in memory, no
 * I/O). Only the rule's field names are kept; a file part is read as a field; too many or
 * too large parts are refused.
 */
export function parseMultipart(contentType: string, body: Buffer, maxPayloadBytes = 50 * 1024 * 1024): Promise<MimeFields> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: { 'content-type': contentType },
        limits: { fields: 20, files: 1, parts: 21, fieldSize: maxPayloadBytes, fileSize: maxPayloadBytes },
      });
    } catch (err) {
      return reject(new CoreEnvelopeError('Sender', `not a multipart/form-data body: ${(err as Error).message}`));
    }
    const fields: MimeFields = {};
    let problem: string | undefined;
    const keep = (name: string, value: string) => {
      if (MIME_FIELD_NAMES.includes(name)) fields[name as keyof MimeFields] = value;
    };
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) problem = `field ${name} is too large`;
      keep(name, value);
    });
    bb.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => (problem = `part ${name} is too large`));
      stream.on('end', () => keep(name, Buffer.concat(chunks).toString('utf8')));
    });
    bb.on('partsLimit', () => (problem = 'too many parts'));
    bb.on('fieldsLimit', () => (problem = 'too many fields'));
    bb.on('error', (err: Error) => reject(new CoreEnvelopeError('Sender', `unreadable multipart body: ${err.message}`)));
    bb.on('close', () => (problem ? reject(new CoreEnvelopeError('Sender', problem)) : resolve(fields)));
    bb.end(body);
  });
}
