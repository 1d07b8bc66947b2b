/**
 * Webhook signatures, one scheme for every sender: HMAC-SHA256 over `timestamp.body`
 * (the raw bytes as sent), sent as
 *   x-revcycle-timestamp: <unix seconds>
 *   x-revcycle-signature: v1=<hex>
 * A signature is checked in constant time, and a timestamp further than the tolerance
 * from now is refused, so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-revcycle-timestamp';
export const SIGNATURE_HEADER = 'x-revcycle-signature';

export function signatureOf(secret: string, timestamp: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The headers a sender adds to a POST of `body`. */
export function signedHeaders(secret: string, body: string | Buffer, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const timestamp = String(nowSeconds);
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v1=${signatureOf(secret, timestamp, body)}` };
}

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

/**
 * What can be known before the body is read: both headers present and well formed (`v1=` and 64
 * hex digits), the timestamp within the window. A request that fails here is refused without
 * its body being read at all.
 */
export function checkSignatureHeaders(opts: {
  timestamp: string | undefined;
  signature: string | undefined;
  toleranceSeconds: number;
  nowSeconds?: number;
}): SignatureVerdict {
  const { timestamp, signature } = opts;
  if (!timestamp || !signature) return { ok: false, reason: `the ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers are required` };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} must be unix seconds` };
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > opts.toleranceSeconds) {
    return { ok: false, reason: `the timestamp is more than ${opts.toleranceSeconds} s from now (a replay, or a clock out of step)` };
  }
  if (!offeredSignatures(signature).length) return { ok: false, reason: `${SIGNATURE_HEADER} must be v1=<64 hex digits>` };
  return { ok: true };
}

const offeredSignatures = (header: string) =>
  header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => s.slice(3))
    .filter((hex) => /^[0-9a-f]{64}$/i.test(hex));

export function verifySignature(opts: {
  secret: string;
  body: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  toleranceSeconds: number;
  nowSeconds?: number;
}): SignatureVerdict {
  const headers = checkSignatureHeaders(opts);
  if (!headers.ok) return headers;
  const expected = Buffer.from(signatureOf(opts.secret, opts.timestamp!, opts.body), 'hex');
  const matches = offeredSignatures(opts.signature!).some((hex) => timingSafeEqual(Buffer.from(hex, 'hex'), expected));
  return matches ? { ok: true } : { ok: false, reason: 'the signature does not match the body' };
}
