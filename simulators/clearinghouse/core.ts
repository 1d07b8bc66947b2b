/**
 * The clearinghouse simulator's batch transports.
 * - CAQH CORE vC2.2.0 over SOAP 1.2 (`POST /core/soap`) and MIME multipart (`POST /core/mime`):
 *   the same rules in both envelopes. Credentials are checked first (UnAuthorized), then the
 *   envelope's fields (…Required, …Illegal, VersionMismatch, ChecksumMismatched); a PayloadID
 *   seen before is answered with the first answer, so a resent 837P is never a second claim.
 * - The mailbox: 999, 277CA and 835 files wait here for BatchSubmissionAckRetrievalRequest and
 *   BatchResultsRetrievalRequest, each handed out once.
 * - The SFTP folder: 837 files appearing in `inbound/` (complete names only: a client writes a
 *   dot-prefixed temporary name and renames it) are taken as submissions and moved to
 *   `processed/`; answers are written to `outbound/` under a temporary name, then renamed.
 */
import express from 'express';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CORE_RULE_VERSION,
  CoreEnvelope,
  CoreEnvelopeError,
  CoreErrorCode,
  CoreMessageKind,
  coreTimeStamp,
  mimeBody,
  parseMultipart,
  parseSoap,
  PayloadType,
  requestProblem,
  sha1Hex,
  soapEnvelope,
  soapFault,
  type MimeFields,
} from '../../domain/caqh-core';
import { X12ContentError, X12SyntaxError, X12WrongTransactionError } from '../../domain/x12/errors';

export interface CoreSide {
  eligibility(x12: string): string;
  claimStatus(x12: string): string;
  submit(x12: string): { submissionId: string; duplicate: boolean };
}

export interface CoreCredentialsAccepted {
  username: string;
  password: string;
  /** The simulator's CORE ReceiverID. */
  receiverId?: string;
}

const SIM_CORE_ID = 'SIMCH';

/** Files waiting for retrieval, by kind (999, 277CA, 835), oldest first. */
export class Mailbox {
  private readonly files = new Map<string, { id: string; x12: string }[]>();
  private counter = 0;

  put(kind: string, x12: string): void {
    const list = this.files.get(kind) ?? [];
    list.push({ id: `${kind}-${++this.counter}`, x12 });
    this.files.set(kind, list);
  }

  take(kind: string): { id: string; x12: string } | undefined {
    return this.files.get(kind)?.shift();
  }

  waiting(): number {
    return [...this.files.values()].reduce((n, l) => n + l.length, 0);
  }
}

const RETRIEVAL: Record<string, { kind: string; responseType: string }> = {
  [PayloadType.ackRetrieval]: { kind: '999', responseType: PayloadType.ack },
  [PayloadType.claimAckRetrieval]: { kind: '277CA', responseType: PayloadType.claimAck },
  [PayloadType.remittanceRetrieval]: { kind: '835', responseType: PayloadType.remittance },
};

interface Answer {
  status: number;
  kind: CoreMessageKind;
  env: CoreEnvelope;
}

/** Answers one CORE request, whatever its envelope. */
export class CoreEndpoint {
  /** Every answer by PayloadID: the same PayloadID gets the same answer. */
  private readonly answered = new Map<string, Answer>();

  constructor(
    private readonly ch: CoreSide,
    private readonly mailbox: Mailbox,
    private readonly accepted: CoreCredentialsAccepted,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private reply(kind: CoreMessageKind, request: Partial<CoreEnvelope>, fields: Partial<CoreEnvelope> & { ErrorCode: string }, status = 200): Answer {
    const env: CoreEnvelope = {
      PayloadType: fields.PayloadType ?? request.PayloadType ?? '',
      ProcessingMode: (request.ProcessingMode as CoreEnvelope['ProcessingMode']) ?? 'RealTime',
      PayloadID: fields.PayloadID ?? request.PayloadID ?? '',
      TimeStamp: coreTimeStamp(this.now()),
      SenderID: this.accepted.receiverId ?? SIM_CORE_ID,
      ReceiverID: request.SenderID ?? '',
      CORERuleVersion: CORE_RULE_VERSION,
      ...fields,
    };
    if (env.Payload !== undefined) Object.assign(env, { PayloadLength: Buffer.byteLength(env.Payload), CheckSum: sha1Hex(env.Payload) });
    return { status, kind, env };
  }

  answer(requestKind: CoreMessageKind | undefined, f: MimeFields, credentials: { username?: string; password?: string } | undefined): Answer {
    const responseKind = responseKindOf(requestKind, f);
    if (credentials?.username !== this.accepted.username || credentials?.password !== this.accepted.password) {
      return this.reply(
        responseKind,
        f as Partial<CoreEnvelope>,
        { ErrorCode: CoreErrorCode.UnAuthorized, ErrorMessage: 'the user name or password is not valid' },
        401,
      );
    }
    const problem = requestProblem(f);
    if (problem) return this.reply(responseKind, f as Partial<CoreEnvelope>, { ErrorCode: problem.errorCode, ErrorMessage: problem.message }, 400);
    const request = f as Partial<CoreEnvelope>;
    const first = this.answered.get(f.PayloadID!);
    if (first) return first;
    const answer = this.dispatch(responseKind, request, f);
    // Only a settled answer is kept for the PayloadID: a refusal of the envelope may be corrected and sent again.
    if (answer.status === 200) this.answered.set(f.PayloadID!, answer);
    return answer;
  }

  private dispatch(kind: CoreMessageKind, request: Partial<CoreEnvelope>, f: MimeFields): Answer {
    const type = f.PayloadType!;
    const retrieval = RETRIEVAL[type];
    if (retrieval) {
      if (f.ProcessingMode !== 'Batch')
        return this.reply(kind, request, { ErrorCode: CoreErrorCode.ProcessingModeIllegal, ErrorMessage: 'retrieval is Batch' }, 400);
      const file = this.mailbox.take(retrieval.kind);
      if (!file) return this.reply(kind, request, { ErrorCode: CoreErrorCode.NoResultsAvailable, ErrorMessage: `no ${retrieval.kind} waiting` });
      return this.reply(kind, request, { ErrorCode: CoreErrorCode.Success, ErrorMessage: '', PayloadType: retrieval.responseType, Payload: file.x12 });
    }
    if (!f.Payload) return this.reply(kind, request, { ErrorCode: CoreErrorCode.PayloadRequired, ErrorMessage: 'Payload is required' }, 400);
    if (f.CheckSum && f.CheckSum.toLowerCase() !== sha1Hex(f.Payload))
      return this.reply(kind, request, { ErrorCode: CoreErrorCode.ChecksumMismatched, ErrorMessage: 'CheckSum is not the SHA-1 of the Payload' }, 400);
    if (f.PayloadLength && Number(f.PayloadLength) !== Buffer.byteLength(f.Payload))
      return this.reply(kind, request, { ErrorCode: CoreErrorCode.PayloadLengthIllegal, ErrorMessage: "PayloadLength is not the Payload's length" }, 400);
    try {
      if (type === PayloadType.eligibilityRequest || type === PayloadType.statusRequest) {
        if (f.ProcessingMode !== 'RealTime')
          return this.reply(kind, request, { ErrorCode: CoreErrorCode.ProcessingModeIllegal, ErrorMessage: `${type} is RealTime` }, 400);
        const eligibility = type === PayloadType.eligibilityRequest;
        const x12 = eligibility ? this.ch.eligibility(f.Payload) : this.ch.claimStatus(f.Payload);
        return this.reply(kind, request, {
          ErrorCode: CoreErrorCode.Success,
          ErrorMessage: '',
          PayloadType: eligibility ? PayloadType.eligibilityResponse : PayloadType.statusResponse,
          Payload: x12,
        });
      }
      if (type === PayloadType.claimSubmission) {
        if (f.ProcessingMode !== 'Batch')
          return this.reply(kind, request, { ErrorCode: CoreErrorCode.ProcessingModeIllegal, ErrorMessage: `${type} is Batch` }, 400);
        this.ch.submit(f.Payload);
        return this.reply(kind, request, { ErrorCode: CoreErrorCode.Success, ErrorMessage: '', PayloadType: PayloadType.submissionReceipt });
      }
    } catch (e) {
      if (e instanceof X12SyntaxError || e instanceof X12ContentError || e instanceof X12WrongTransactionError) {
        return this.reply(kind, request, { ErrorCode: e.code, ErrorMessage: e.message }, 400);
      }
      throw e;
    }
    return this.reply(kind, request, { ErrorCode: CoreErrorCode.PayloadTypeIllegal, ErrorMessage: `this clearinghouse does not take ${type}` }, 400);
  }
}

function responseKindOf(kind: CoreMessageKind | undefined, f: MimeFields): CoreMessageKind {
  if (kind)
    return kind.endsWith('Response')
      ? kind
      : kind === 'BatchSubmission'
        ? 'BatchSubmissionResponse'
        : (kind.replace(/Request$/, 'Response') as CoreMessageKind);
  if (f.PayloadType === PayloadType.ackRetrieval) return 'BatchSubmissionAckRetrievalResponse';
  if (f.PayloadType && RETRIEVAL[f.PayloadType]) return 'BatchResultsRetrievalResponse';
  return f.ProcessingMode === 'Batch' ? 'BatchSubmissionResponse' : 'RealTimeResponse';
}

const MAX_BYTES = 50 * 1024 * 1024;

/** The two CORE endpoints on the simulator's express app. */
export function coreRoutes(endpoint: CoreEndpoint): express.Router {
  const r = express.Router();
  r.post('/core/soap', express.text({ type: ['application/soap+xml', 'text/xml'], limit: MAX_BYTES }), (req, res) => {
    const xml = typeof req.body === 'string' ? req.body : '';
    let parsed: ReturnType<typeof parseSoap>;
    try {
      parsed = parseSoap(xml);
    } catch (e) {
      if (!(e instanceof CoreEnvelopeError)) throw e;
      return void res
        .status(400)
        .type('application/soap+xml')
        .send(soapFault('Sender', e.errorCode, e.message));
    }
    const a = endpoint.answer(parsed.kind, parsed.fields, parsed.credentials);
    if (a.env.ErrorCode === CoreErrorCode.UnAuthorized)
      return void res
        .status(401)
        .type('application/soap+xml')
        .send(soapFault('Sender', CoreErrorCode.UnAuthorized, a.env.ErrorMessage ?? ''));
    res.status(a.status).type('application/soap+xml').send(soapEnvelope(a.kind, a.env));
  });
  r.post('/core/mime', express.raw({ type: 'multipart/form-data', limit: MAX_BYTES }), async (req, res) => {
    let fields: MimeFields;
    try {
      if (!Buffer.isBuffer(req.body)) throw new CoreEnvelopeError('Sender', 'send multipart/form-data');
      fields = await parseMultipart(req.headers['content-type'] ?? '', req.body, MAX_BYTES);
    } catch (e) {
      if (!(e instanceof CoreEnvelopeError)) throw e;
      const { body, contentType } = mimeBody({
        PayloadType: '',
        ProcessingMode: 'RealTime',
        PayloadID: '',
        TimeStamp: coreTimeStamp(new Date()),
        SenderID: SIM_CORE_ID,
        ReceiverID: '',
        CORERuleVersion: CORE_RULE_VERSION,
        ErrorCode: 'Sender',
        ErrorMessage: e.message,
      });
      return void res.status(400).type(contentType).send(body);
    }
    const a = endpoint.answer(undefined, fields, { username: fields.UserName, password: fields.Password });
    const { body, contentType } = mimeBody(a.env);
    res.status(a.status).type(contentType).send(body);
  });
  return r;
}

/** The folders of the simulator's SFTP side, created when missing. */
export function sftpFolders(root: string): { inbound: string; outbound: string; processed: string } {
  const folders = { inbound: join(root, 'inbound'), outbound: join(root, 'outbound'), processed: join(root, 'processed') };
  for (const dir of Object.values(folders)) mkdirSync(dir, { recursive: true });
  return folders;
}

/** Writes one answer into outbound/ under its final name only once it is whole. */
export function writeOutbound(root: string, kind: string, x12: string): string {
  const { outbound } = sftpFolders(root);
  const control = x12.slice(90, 99).trim() || String(Date.now());
  const name = `${kind}_${SIM_CORE_ID}_${control}.x12`;
  writeFileSync(join(outbound, `.${name}.part`), x12);
  renameSync(join(outbound, `.${name}.part`), join(outbound, name));
  return name;
}

/** Takes every complete file in inbound/ as an 837P submission; each is moved to processed/ (an unreadable one too, with .rejected). */
export function sweepInbound(root: string, ch: Pick<CoreSide, 'submit'>): number {
  const { inbound, processed } = sftpFolders(root);
  let taken = 0;
  for (const name of readdirSync(inbound)) {
    if (name.startsWith('.')) continue; // a temporary name: still being written
    const x12 = readFileSync(join(inbound, name), 'utf8');
    let suffix = '';
    try {
      ch.submit(x12);
      taken++;
    } catch (e) {
      if (!(e instanceof X12SyntaxError || e instanceof X12ContentError || e instanceof X12WrongTransactionError)) throw e;
      suffix = '.rejected';
    }
    renameSync(join(inbound, name), join(processed, `${Date.now()}_${name}${suffix}`));
  }
  return taken;
}
