/**
 * PmsClient over HL7 v2.5.1: charges go as DFT^P03 over MLLP and the PMS's ACK decides.
 * MSH-10 is derived from the idempotency key, so every retry of a post sends the same
 * control id and the PMS can refuse a second effect.
 *
 * ACK contract (docs/pms.md): AA → posted; AA with ERR-3 205 (duplicate key identifier) →
 * already posted earlier, nothing new; AE, or AR for any other reason → PmsRejectedError;
 * AR with ERR-3 207 (application internal error) or no ACK → PmsUnavailableError (retry).
 */
import { createHash } from 'crypto';
import type { Ack } from '../../domain/hl7/ack';
import { Hl7ErrorCode } from '../../domain/hl7/ack';
import { buildDftP03, chargeIdOf } from '../../domain/hl7/dft';
import { Hl7MappingError, type MessageHeader } from '../../domain/hl7/message';
import { PmsRejectedError, PmsUnavailableError } from './errors';
import { remoteCode } from '../errors';
import { type MllpClientTls, sendMllp } from './mllp';
import type { ChargePost, ChargePostResult, PmsClient } from './types';

export interface Hl7PmsClientOptions {
  host: string;
  port: number;
  timeoutMs: number;
  /** MLLP over (mutual) TLS to the PMS. */
  tls?: MllpClientTls;
  sendingApplication?: string;
  sendingFacility?: string;
  receivingApplication?: string;
  receivingFacility?: string;
}

/** ERR-3 205 on an AA: the PMS had already posted this control id. */
export const DUPLICATE_ERROR_CODE = '205';

/** MSH-10 (at most 20 characters) for an idempotency key: "RC" and 18 base-36 digits of its SHA-256. */
export function controlIdFor(idempotencyKey: string): string {
  const digest = createHash('sha256').update(idempotencyKey).digest('hex');
  return `RC${BigInt(`0x${digest.slice(0, 24)}`)
    .toString(36)
    .padStart(18, '0')
    .slice(-18)
    .toUpperCase()}`;
}

function resultOf(ack: Ack, post: ChargePost, controlId: string): ChargePostResult {
  // The ACK's words (ERR-8, MSA-3) are the PMS's free text: kept apart from the message.
  const remote = ack.error?.message ?? ack.text;
  const codes = [remoteCode(ack.error?.hl7Code), remoteCode(ack.error?.appCode)].filter(Boolean).join(', ');
  const said = `${ack.code}${codes ? ` (${codes})` : ''}`;
  if (ack.code === 'AR' && ack.error?.hl7Code === Hl7ErrorCode.internalError)
    throw new PmsUnavailableError(`PMS asked to resend ${controlId}: ${said}`, { remote });
  if (ack.code !== 'AA') throw new PmsRejectedError(`PMS answered ${said} to ${controlId}`, ack.error?.appCode, remote);
  return {
    pmsChargeIds: post.lines.map((l) => chargeIdOf(controlId, l.lineNumber)),
    duplicate: ack.error?.hl7Code === DUPLICATE_ERROR_CODE,
  };
}

/** A post that cannot even be written as a DFT is refused here, as the PMS would refuse it. */
function buildDft(post: ChargePost, header: MessageHeader): string {
  try {
    return buildDftP03(post, header).toString();
  } catch (err) {
    if (err instanceof Hl7MappingError) throw new PmsRejectedError(`charges cannot be sent: ${err.message}`, err.code);
    throw err;
  }
}

export function createHl7PmsClient(opts: Hl7PmsClientOptions): PmsClient {
  return {
    async postCharges(post) {
      const controlId = controlIdFor(post.idempotencyKey);
      const message = buildDft(post, {
        controlId,
        sendingApplication: opts.sendingApplication,
        sendingFacility: opts.sendingFacility,
        receivingApplication: opts.receivingApplication,
        receivingFacility: opts.receivingFacility,
      });
      const ack = await sendMllp({ host: opts.host, port: opts.port, timeoutMs: opts.timeoutMs, tls: opts.tls }, message);
      return resultOf(ack, post, controlId);
    },
  };
}
