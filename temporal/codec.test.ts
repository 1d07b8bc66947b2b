import { defaultPayloadConverter } from '@temporalio/common';
import type { SerializationContext } from '@temporalio/common';
import {
  AesGcmCodec,
  CodecBindingError,
  CodecKeyError,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  NAMESPACE_METADATA,
  WORKFLOW_ID_METADATA,
  parseKeyRing,
} from './codec';

const k1 = Buffer.alloc(32, 1);
const k2 = Buffer.alloc(32, 2);
const patient = { firstName: 'JANE', lastName: 'DOE', birthDate: '1980-02-14', memberId: 'W123456789', address: { line1: '12 ELM ST' } };
const text = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString('utf8');

test('a sealed payload holds none of the clear text, names its key, and opens to the same value', async () => {
  const codec = new AesGcmCodec({ keys: new Map([['k1', k1]]), currentKeyId: 'k1' });
  const plain = defaultPayloadConverter.toPayload(patient);
  const [sealed] = await codec.encode([plain]);
  expect(text(sealed.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
  expect(text(sealed.metadata?.[KEY_ID_METADATA])).toBe('k1');
  for (const s of ['JANE', 'DOE', '1980-02-14', 'W123456789', 'ELM', 'json/plain']) expect(text(sealed.data)).not.toContain(s);
  const [opened] = await codec.decode([sealed]);
  expect(defaultPayloadConverter.fromPayload(opened)).toEqual(patient);
});

test('after rotation new payloads use the new key and payloads sealed with the old key still open', async () => {
  const before = new AesGcmCodec({ keys: new Map([['k1', k1]]), currentKeyId: 'k1' });
  const [old] = await before.encode([defaultPayloadConverter.toPayload(patient)]);
  const after = new AesGcmCodec({
    keys: new Map([
      ['k2', k2],
      ['k1', k1],
    ]),
    currentKeyId: 'k2',
  });
  const [fresh] = await after.encode([defaultPayloadConverter.toPayload(patient)]);
  expect(text(fresh.metadata?.[KEY_ID_METADATA])).toBe('k2');
  const opened = await after.decode([old, fresh]);
  expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([patient, patient]);
});

test('a payload whose key was removed, or that was tampered with, is refused, never passed on sealed', async () => {
  const [sealed] = await new AesGcmCodec({ keys: new Map([['k1', k1]]), currentKeyId: 'k1' }).encode([defaultPayloadConverter.toPayload(patient)]);
  const withoutK1 = new AesGcmCodec({ keys: new Map([['k2', k2]]), currentKeyId: 'k2' });
  await expect(withoutK1.decode([sealed])).rejects.toThrow(CodecKeyError);
  const tampered = { ...sealed, data: Uint8Array.from(sealed.data!, (b, i) => (i === 20 ? b ^ 1 : b)) };
  await expect(new AesGcmCodec({ keys: new Map([['k1', k1]]), currentKeyId: 'k1' }).decode([tampered])).rejects.toThrow(/does not authenticate/);
});

test('payloads that were never sealed (histories from before the codec) pass through', async () => {
  const plain = defaultPayloadConverter.toPayload({ visitId: 'v-1' });
  const [out] = await new AesGcmCodec({ keys: new Map([['k1', k1]]), currentKeyId: 'k1' }).decode([plain]);
  expect(out).toBe(plain);
});

const ofWorkflow = (workflowId: string, namespace = 'revcycle'): SerializationContext => ({ type: 'workflow', namespace, workflowId });
const ofActivity = (workflowId: string): SerializationContext => ({ type: 'activity', namespace: 'revcycle', workflowId, activityId: '3', isLocal: false });
const ring = () => new AesGcmCodec({ keys: new Map([['k1', k1]]), currentKeyId: 'k1' });

test('a payload sealed for one workflow opens for that workflow and its activities, and names it in the metadata', async () => {
  const codec = ring();
  const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(patient)], ofWorkflow('visit-A'));
  expect(text(sealed.metadata?.[WORKFLOW_ID_METADATA])).toBe('visit-A');
  expect(text(sealed.metadata?.[NAMESPACE_METADATA])).toBe('revcycle');
  for (const ctx of [ofWorkflow('visit-A'), ofActivity('visit-A'), undefined]) {
    const [opened] = await codec.decode([sealed], ctx);
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual(patient);
  }
});

test('a payload copied into another workflow (or namespace) does not open there', async () => {
  const codec = ring();
  const [fromA] = await codec.encode([defaultPayloadConverter.toPayload(patient)], ofWorkflow('visit-A'));
  await expect(codec.decode([fromA], ofWorkflow('visit-B'))).rejects.toThrow(CodecBindingError);
  await expect(codec.decode([fromA], ofActivity('visit-B'))).rejects.toThrow('belongs to workflow "visit-A", not "visit-B"');
  await expect(codec.decode([fromA], ofWorkflow('visit-A', 'other'))).rejects.toThrow(CodecBindingError);
});

test('rewriting the binding in the metadata, or stripping it, breaks authentication', async () => {
  const codec = ring();
  const [fromA] = await codec.encode([defaultPayloadConverter.toPayload(patient)], ofWorkflow('visit-A'));
  const relabelled = { ...fromA, metadata: { ...fromA.metadata, [WORKFLOW_ID_METADATA]: new TextEncoder().encode('visit-B') } };
  await expect(codec.decode([relabelled], ofWorkflow('visit-B'))).rejects.toThrow(/does not authenticate/);
  const { [WORKFLOW_ID_METADATA]: _id, [NAMESPACE_METADATA]: _ns, ...unbound } = fromA.metadata!;
  await expect(codec.decode([{ ...fromA, metadata: unbound }], ofWorkflow('visit-B'))).rejects.toThrow(/does not authenticate/);
});

test('payloads sealed before binding (no workflow in the metadata) still open for any workflow', async () => {
  const codec = ring();
  const old = codec.seal(defaultPayloadConverter.toPayload(patient));
  expect(old.metadata?.[WORKFLOW_ID_METADATA]).toBeUndefined();
  const [opened] = await codec.decode([old], ofWorkflow('visit-B'));
  expect(defaultPayloadConverter.fromPayload(opened)).toEqual(patient);
});

test("a listed schedule's payloads open in its runs (<id>-<nominal time>) and nowhere else", async () => {
  const codec = new AesGcmCodec({ keys: new Map([['k1', k1]]), currentKeyId: 'k1' }, { scheduledWorkflowIds: ['encounter-sweep-workflow'] });
  const [args] = await codec.encode([defaultPayloadConverter.toPayload({ lookbackMs: 1 })], ofWorkflow('encounter-sweep-workflow'));
  await expect(codec.decode([args], ofWorkflow('encounter-sweep-workflow-2026-12-08T03:00:00Z'))).resolves.toHaveLength(1);
  for (const other of ['encounter-sweep-workflow-x', 'encounter-sweep-workflow2026-12-08T03:00:00Z', 'visit-A-2026-12-08T03:00:00Z']) {
    await expect(codec.decode([args], ofWorkflow(other))).rejects.toThrow(CodecBindingError);
  }
  const [visitA] = await codec.encode([defaultPayloadConverter.toPayload(patient)], ofWorkflow('visit-A'));
  await expect(codec.decode([visitA], ofWorkflow('visit-A-2026-12-08T03:00:00Z'))).rejects.toThrow(CodecBindingError);
});

test.each([
  ['k1:' + Buffer.alloc(16).toString('base64'), 'decodes to 16 bytes; AES-256 needs 32'],
  ['k1=' + k1.toString('base64'), 'is not id:base64key'],
  [`k1:${k1.toString('base64')},k1:${k2.toString('base64')}`, 'appears twice'],
  ['', 'no keys'],
])('a bad key ring is refused with the reason: %s', (spec, reason) => {
  expect(() => parseKeyRing(spec)).toThrow(reason);
});
