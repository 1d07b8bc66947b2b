/**
 * PHI never reaches the Temporal server in clear text: every payload (workflow inputs,
 * signals, updates, activity arguments and results, queries, memos) is sealed with
 * AES-256-GCM before it leaves this process and opened when it comes back.
 *
 * A sealed payload carries `encoding: binary/encrypted` and the id of the key that sealed
 * it (`encryption-key-id`); its data is `iv (12 bytes) ‖ ciphertext ‖ tag (16 bytes)` of the
 * original payload's protobuf encoding. New payloads use the current key; any key in the
 * key ring opens old ones, so a rotated key keeps old histories readable until it is removed.
 * A payload without the encrypted encoding passes through untouched (histories recorded
 * before the codec, search attributes).
 */
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface CodecKeys {
  /** key id → 32-byte AES key */
  keys: ReadonlyMap<string, Buffer>;
  /** the id new payloads are sealed with */
  currentKeyId: string;
}

/** A payload that names a key we do not hold, or fails authentication: never silently passed on. */
export class CodecKeyError extends Error {
  readonly code = 'CODEC_KEY';
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export class AesGcmCodec implements PayloadCodec {
  private readonly current: Buffer;

  constructor(private readonly ring: CodecKeys) {
    const key = ring.keys.get(ring.currentKeyId);
    if (!key) throw new CodecKeyError(`the current key "${ring.currentKeyId}" is not in the key ring`);
    for (const [id, k] of ring.keys) if (k.length !== 32) throw new CodecKeyError(`key "${id}" is ${k.length} bytes, AES-256 needs 32`);
    this.current = key;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.seal(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.open(p));
  }

  seal(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current, iv);
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(this.ring.currentKeyId) },
      data: new Uint8Array(data),
    };
  }

  open(payload: Payload): Payload {
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    const key = keyId === undefined ? undefined : this.ring.keys.get(keyId);
    if (!key) throw new CodecKeyError(`payload sealed with key "${keyId ?? '(none)'}", which is not in the key ring (TEMPORAL_CODEC_KEYS)`);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new CodecKeyError('encrypted payload too short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    } catch {
      throw new CodecKeyError(`payload does not authenticate with key "${keyId}"`);
    }
  }
}

/** The data converter every Temporal client and worker of revcycle uses. */
export function phiDataConverter(keys: CodecKeys): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keys)] };
}

/**
 * Parses a key ring written as `id:base64key[,id:base64key…]` (ids: letters, digits, `-`,
 * `_`, `.`; each key exactly 32 bytes once base64-decoded). Throws a message naming the problem.
 */
export function parseKeyRing(spec: string): Map<string, Buffer> {
  const ring = new Map<string, Buffer>();
  for (const entry of spec.split(/[,\s]+/).filter(Boolean)) {
    const m = /^([A-Za-z0-9._-]{1,64}):([A-Za-z0-9+/]+={0,2})$/.exec(entry);
    if (!m) throw new Error(`"${entry.slice(0, 12)}…" is not id:base64key`);
    const key = Buffer.from(m[2], 'base64');
    if (key.length !== 32) throw new Error(`key "${m[1]}" decodes to ${key.length} bytes; AES-256 needs 32 (openssl rand -base64 32)`);
    if (ring.has(m[1])) throw new Error(`key id "${m[1]}" appears twice`);
    ring.set(m[1], key);
  }
  if (!ring.size) throw new Error('no keys');
  return ring;
}

/** A fresh key ring with one key, in the `id:base64key` form `parseKeyRing` reads. */
export function newKeyRingSpec(id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
