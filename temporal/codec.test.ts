import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, CodecKeyError, ENCRYPTED_ENCODING, KEY_ID_METADATA, parseKeyRing } from './codec';

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
  const after = new AesGcmCodec({ keys: new Map([['k2', k2], ['k1', k1]]), currentKeyId: 'k2' });
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

test.each([
  ['k1:' + Buffer.alloc(16).toString('base64'), 'decodes to 16 bytes; AES-256 needs 32'],
  ['k1=' + k1.toString('base64'), 'is not id:base64key'],
  [`k1:${k1.toString('base64')},k1:${k2.toString('base64')}`, 'appears twice'],
  ['', 'no keys'],
])('a bad key ring is refused with the reason: %s', (spec, reason) => {
  expect(() => parseKeyRing(spec)).toThrow(reason);
});
