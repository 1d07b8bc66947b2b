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
 *
 * Bound to its workflow: when the SDK says whose payload it seals (its serialization
 * context: the workflow, or the workflow that scheduled the activity), the namespace and
 * workflow id go into the metadata (`encryption-namespace`, `encryption-workflow-id`) and,
 * with the key id, into GCM's associated data. Changing them breaks the tag; and a payload
 * opened for another workflow than the one it is bound to is refused (CodecBindingError),
 * so ciphertext copied from one visit's history into another's signal, update or start does
 * not open there. Payloads sealed before binding (no workflow id in the metadata) still
 * open, anywhere; a bound payload stripped of its binding does not authenticate.
 */
import type { DataConverter, Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const NAMESPACE_METADATA = 'encryption-namespace';
export const WORKFLOW_ID_METADATA = 'encryption-workflow-id';
/** Labels the associated data, so it can never mean something else in a later format. */
const AAD_LABEL = 'revcycle-codec/bound-1';
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

/** A payload that authenticates, but belongs to another workflow than the one it is opened for. */
export class CodecBindingError extends Error {
  readonly code = 'CODEC_BINDING';
  constructor(
    message: string,
    /** Index of the refused payload in the batch. */
    readonly index: number,
  ) {
    super(message);
  }
}

/** The workflow a sealed payload belongs to. */
export interface Binding {
  namespace: string;
  workflowId: string;
}

export interface CodecOptions {
  /**
   * Workflow ids named by Temporal Schedules' actions. The SDK seals a schedule's arguments
   * for the action's workflow id, but each run is named `<id>-<nominal time>`; payloads
   * bound to a listed id open in those runs, and only there.
   */
  scheduledWorkflowIds?: readonly string[];
}

/** `-2026-12-08T03:00:00Z`: the suffix a Temporal Schedule gives each run's workflow id. */
const SCHEDULED_RUN_SUFFIX = /^-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Whose payload the SDK is converting; none when it does not say (or for an activity outside a workflow). */
export function bindingOf(context: SerializationContext | undefined): Binding | undefined {
  if (!context?.workflowId) return undefined;
  return { namespace: context.namespace, workflowId: context.workflowId };
}

/** The binding a sealed payload declares in its metadata (authenticated only once it opened). */
export function declaredBinding(payload: Payload): Binding | undefined {
  const workflowId = text(payload.metadata?.[WORKFLOW_ID_METADATA]);
  if (workflowId === undefined) return undefined;
  return { namespace: text(payload.metadata?.[NAMESPACE_METADATA]) ?? '', workflowId };
}

const associatedData = (keyId: string, b: Binding) => Buffer.from([AAD_LABEL, keyId, b.namespace, b.workflowId].join('\0'), 'utf8');

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export class AesGcmCodec implements PayloadCodec {
  private readonly current: Buffer;

  private readonly scheduledWorkflowIds: ReadonlySet<string>;

  constructor(
    private readonly ring: CodecKeys,
    options: CodecOptions = {},
  ) {
    this.scheduledWorkflowIds = new Set(options.scheduledWorkflowIds ?? []);
    const key = ring.keys.get(ring.currentKeyId);
    if (!key) throw new CodecKeyError(`the current key "${ring.currentKeyId}" is not in the key ring`);
    for (const [id, k] of ring.keys) if (k.length !== 32) throw new CodecKeyError(`key "${id}" is ${k.length} bytes, AES-256 needs 32`);
    this.current = key;
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const binding = bindingOf(context);
    return payloads.map((p) => this.seal(p, binding));
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const expected = bindingOf(context);
    return payloads.map((p, i) => this.open(p, expected, i));
  }

  /** Seals one payload, bound to `binding` when given (unbound: as before binding existed). */
  seal(payload: Payload, binding?: Binding): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current, iv);
    if (binding) cipher.setAAD(associatedData(this.ring.currentKeyId, binding));
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        encoding: utf8(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: utf8(this.ring.currentKeyId),
        ...(binding && { [NAMESPACE_METADATA]: utf8(binding.namespace), [WORKFLOW_ID_METADATA]: utf8(binding.workflowId) }),
      },
      data: new Uint8Array(data),
    };
  }

  /** Whether a payload bound to `bound` may be opened for the workflow `expected`. */
  belongsTo(bound: Binding, expected: Binding): boolean {
    if (bound.namespace !== expected.namespace) return false;
    if (bound.workflowId === expected.workflowId) return true;
    return (
      this.scheduledWorkflowIds.has(bound.workflowId) &&
      expected.workflowId.startsWith(bound.workflowId) &&
      SCHEDULED_RUN_SUFFIX.test(expected.workflowId.slice(bound.workflowId.length))
    );
  }

  /**
   * Opens one payload. A bound payload authenticates only with the binding it declares; when
   * `expected` says whose payload is being read, a payload bound to another workflow is refused.
   * An unbound one (sealed before binding) opens for anyone.
   */
  open(payload: Payload, expected?: Binding, index = 0): Payload {
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    const key = keyId === undefined ? undefined : this.ring.keys.get(keyId);
    if (keyId === undefined || !key)
      throw new CodecKeyError(`payload sealed with key "${keyId ?? '(none)'}", which is not in the key ring (TEMPORAL_CODEC_KEYS)`);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new CodecKeyError('encrypted payload too short');
    const bound = declaredBinding(payload);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      if (bound) decipher.setAAD(associatedData(keyId, bound));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new CodecKeyError(`payload does not authenticate with key "${keyId}"`);
    }
    if (bound && expected && !this.belongsTo(bound, expected)) {
      throw new CodecBindingError(`payload ${index} belongs to workflow "${bound.workflowId}", not "${expected.workflowId}"`, index);
    }
    return temporal.api.common.v1.Payload.decode(plain) as Payload;
  }
}

/** Where the failure converter lives (temporal/failure-converter.ts): workers, clients and the workflow bundle load it by path. */
export const failureConverterPath = require.resolve('./failure-converter');

/**
 * The data converter every Temporal client and worker of revcycle uses: failure messages and
 * stack traces encoded as payloads, and, with keys, every payload sealed.
 */
export function phiDataConverter(keys: CodecKeys | undefined, options: CodecOptions = {}): DataConverter {
  return { failureConverterPath, ...(keys && { payloadCodecs: [new AesGcmCodec(keys, options)] }) };
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
