/**
 * ClearinghouseClient over CAQH CORE Connectivity vC2.2.0, in either envelope the rule
 * allows: SOAP 1.2 with a WS-Security UsernameToken, or HTTP MIME multipart/form-data.
 * - 270 and 276 go RealTime and the 271/277 comes back in the same exchange;
 * - an 837P goes Batch (BatchSubmission); its PayloadID is derived from the bytes, so a
 *   resend after a lost answer is the same PayloadID, which the receiver answers with the
 *   first result and never takes as a second claim;
 * - the 999 comes back on BatchSubmissionAckRetrievalRequest, the 277CA and 835 on
 *   BatchResultsRetrievalRequest: `retrieve()` asks for each until none is waiting.
 * CORE error codes are mapped onto the two clearinghouse errors (see `failureOf`).
 * Appeals have no CORE payload type: they go to the partner's HTTP portal (`appeal`).
 */
import { randomUUID } from 'node:crypto';
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
  payloadIdOf,
  sha1Hex,
  soapEnvelope,
  type ProcessingMode,
} from '../../domain/caqh-core';
import { ClearinghouseRejectedError, ClearinghouseUnavailableError } from './errors';
import type { ClearinghouseClient, ClearinghouseMailbox, MailboxFile } from './types';

export interface CoreClearinghouseOptions {
  envelope: 'soap' | 'mime';
  /** The partner's CORE endpoint (one URL for every message). */
  endpointUrl: string;
  username: string;
  password: string;
  /** Our CORE SenderID and theirs (ReceiverID), as the partner assigned them. */
  senderId: string;
  receiverId: string;
  timeoutMs: number;
  /** How appeals travel (no CORE payload type carries one): the partner's portal. */
  appeal: ClearinghouseClient['appeal'];
  /** At most this many files per retrieval call. */
  maxRetrievals?: number;
  now?: () => Date;
}

/** Codes a resend of the same bytes may get past (the receiver, not the message, was the problem). */
const TRANSIENT = new Set<string>([CoreErrorCode.ReceiverUnavailable, CoreErrorCode.ServerError, CoreErrorCode.ChecksumMismatched, 'Receiver']);

/** A CORE error code as the failure vocabulary's clearinghouse errors: retryable or a refusal (non-retryable, the visit parks). */
export function failureOf(errorCode: string, message: string, status = 200): ClearinghouseRejectedError | ClearinghouseUnavailableError {
  if (TRANSIENT.has(errorCode) || (status >= 500 && errorCode === ''))
    return new ClearinghouseUnavailableError(`clearinghouse CORE ${errorCode || status}: ${message}`, status);
  return new ClearinghouseRejectedError(`clearinghouse refused the CORE envelope (${errorCode}): ${message}`, status, errorCode);
}

export function createCoreClearinghouseClient(opts: CoreClearinghouseOptions): ClearinghouseClient & ClearinghouseMailbox {
  const now = opts.now ?? (() => new Date());
  const credentials = { username: opts.username, password: opts.password };

  function envelopeOf(payloadType: string, mode: ProcessingMode, payloadId: string, payload?: string): CoreEnvelope {
    return {
      PayloadType: payloadType,
      ProcessingMode: mode,
      PayloadID: payloadId,
      TimeStamp: coreTimeStamp(now()),
      SenderID: opts.senderId,
      ReceiverID: opts.receiverId,
      CORERuleVersion: CORE_RULE_VERSION,
      ...(payload !== undefined ? { PayloadLength: Buffer.byteLength(payload, 'utf8'), CheckSum: sha1Hex(payload), Payload: payload } : {}),
    };
  }

  /** One exchange; answers the response's fields, or throws the mapped error. */
  async function exchange(kind: CoreMessageKind, env: CoreEnvelope): Promise<Partial<CoreEnvelope> & { ErrorCode: string }> {
    const request =
      opts.envelope === 'soap'
        ? {
            body: soapEnvelope(kind, env, credentials),
            contentType: `application/soap+xml; charset=utf-8; action="${kind.startsWith('RealTime') ? 'RealTimeTransaction' : kind.replace(/Request$/, '')}"`,
          }
        : mimeBody(env, credentials);
    let res: Response;
    let bytes: Buffer;
    try {
      res = await fetch(opts.endpointUrl, {
        method: 'POST',
        headers: { 'content-type': request.contentType },
        body: request.body,
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      bytes = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      throw new ClearinghouseUnavailableError(`clearinghouse CORE ${opts.endpointUrl}: ${(err as Error).message}`, undefined, { cause: err });
    }
    let fields: Record<string, string | undefined>;
    try {
      if (opts.envelope === 'soap') {
        const parsed = parseSoap(bytes.toString('utf8'));
        if (parsed.fault) throw failureOf(parsed.fault.errorCode ?? (res.status >= 500 ? '' : 'Sender'), parsed.fault.reason, res.status);
        fields = parsed.fields;
      } else {
        fields = await parseMultipart(res.headers.get('content-type') ?? '', bytes);
      }
    } catch (err) {
      if (err instanceof ClearinghouseRejectedError || err instanceof ClearinghouseUnavailableError) throw err;
      if (res.status === 401 || res.status === 403) throw failureOf(CoreErrorCode.UnAuthorized, `HTTP ${res.status}`, res.status);
      // An answer we cannot read: the exchange may or may not have happened, and the same PayloadID makes asking again safe.
      throw new ClearinghouseUnavailableError(
        `clearinghouse CORE answered ${res.status} without a readable envelope: ${err instanceof CoreEnvelopeError ? err.message : String(err)}`,
        res.status,
      );
    }
    const errorCode = fields.ErrorCode ?? '';
    if (errorCode !== CoreErrorCode.Success) {
      if (errorCode === CoreErrorCode.NoResultsAvailable) return { ...fields, ErrorCode: errorCode };
      throw failureOf(errorCode, fields.ErrorMessage ?? `HTTP ${res.status}`, res.status);
    }
    if (fields.PayloadID && fields.PayloadID !== env.PayloadID && !kind.startsWith('Batch')) {
      throw new ClearinghouseUnavailableError(`clearinghouse CORE answered PayloadID ${fields.PayloadID} to ${env.PayloadID}`);
    }
    return { ...(fields as Partial<CoreEnvelope>), ErrorCode: errorCode };
  }

  async function realTime(x12: string, requestType: string, responseType: string): Promise<string> {
    const answer = await exchange('RealTimeRequest', envelopeOf(requestType, 'RealTime', randomUUID(), x12));
    if (answer.PayloadType !== responseType || !answer.Payload?.trimStart().startsWith('ISA')) {
      throw new ClearinghouseUnavailableError(`clearinghouse CORE answered ${answer.PayloadType ?? 'no payload type'} without the ${responseType} interchange`);
    }
    return answer.Payload;
  }

  /** Asks for the waiting files of one kind until none is left (or the per-call limit). */
  async function drain(
    kind: 'BatchSubmissionAckRetrievalRequest' | 'BatchResultsRetrievalRequest',
    requestType: string,
    responseType: string,
  ): Promise<MailboxFile[]> {
    const files: MailboxFile[] = [];
    for (let i = 0; i < (opts.maxRetrievals ?? 100); i++) {
      const answer = await exchange(kind, envelopeOf(requestType, 'Batch', randomUUID()));
      if (answer.ErrorCode === CoreErrorCode.NoResultsAvailable || !answer.Payload) break;
      if (answer.PayloadType !== responseType) throw new ClearinghouseUnavailableError(`clearinghouse CORE answered ${answer.PayloadType} to a ${requestType}`);
      files.push({ name: answer.PayloadID ?? randomUUID(), body: answer.Payload });
    }
    return files;
  }

  return {
    eligibility: (x12) => realTime(x12, PayloadType.eligibilityRequest, PayloadType.eligibilityResponse),
    claimStatus: (x12) => realTime(x12, PayloadType.statusRequest, PayloadType.statusResponse),
    async submit(x12) {
      const payloadId = payloadIdOf(x12);
      const answer = await exchange('BatchSubmission', envelopeOf(PayloadType.claimSubmission, 'Batch', payloadId, x12));
      if (answer.PayloadID !== payloadId)
        throw new ClearinghouseUnavailableError(`clearinghouse CORE answered PayloadID ${answer.PayloadID} to the submission ${payloadId}`);
      // The rule answers a repeated PayloadID with the first result; it does not say it was a repeat.
      return { submissionId: payloadId, duplicate: false };
    },
    appeal: (packet) => opts.appeal(packet),
    async retrieve() {
      return [
        ...(await drain('BatchSubmissionAckRetrievalRequest', PayloadType.ackRetrieval, PayloadType.ack)),
        ...(await drain('BatchResultsRetrievalRequest', PayloadType.claimAckRetrieval, PayloadType.claimAck)),
        ...(await drain('BatchResultsRetrievalRequest', PayloadType.remittanceRetrieval, PayloadType.remittance)),
      ];
    },
    // Retrieval hands a file over once; there is nothing to move.
    archive: async () => {},
  };
}
