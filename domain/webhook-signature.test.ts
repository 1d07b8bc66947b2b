import { SIGNATURE_HEADER, TIMESTAMP_HEADER, checkSignatureHeaders, signedHeaders, verifySignature } from './webhook-signature';

const secret = 'a-shared-secret-of-at-least-32-characters';
const body = Buffer.from('ISA*00*...~');

function verify(headers: Record<string, string>, b = body, nowSeconds = 1_800_000_000, s = secret) {
  return verifySignature({ secret: s, body: b, timestamp: headers[TIMESTAMP_HEADER], signature: headers[SIGNATURE_HEADER], toleranceSeconds: 300, nowSeconds });
}

test('a body signed with the shared secret verifies', () => {
  expect(verify(signedHeaders(secret, body, 1_800_000_000))).toEqual({ ok: true });
  expect(signedHeaders(secret, body, 1_800_000_000)[SIGNATURE_HEADER]).toMatch(/^v1=[0-9a-f]{64}$/);
});

test.each([
  ['a changed body', (h: Record<string, string>) => verify(h, Buffer.from('ISA*00*..!~'))],
  ['another secret', (h: Record<string, string>) => verify(h, body, 1_800_000_000, 'another-secret-of-at-least-32-characters!')],
  ['a replay 6 minutes later', (h: Record<string, string>) => verify(h, body, 1_800_000_360)],
  ['a timestamp from the future', (h: Record<string, string>) => verify(h, body, 1_799_999_000)],
  ['a missing signature', (h: Record<string, string>) => verify({ [TIMESTAMP_HEADER]: h[TIMESTAMP_HEADER] })],
  ['a non-numeric timestamp', (h: Record<string, string>) => verify({ ...h, [TIMESTAMP_HEADER]: 'yesterday' })],
  ['a truncated signature', (h: Record<string, string>) => verify({ ...h, [SIGNATURE_HEADER]: h[SIGNATURE_HEADER].slice(0, 20) })],
])('%s is refused with a reason', (_name, check) => {
  const verdict = check(signedHeaders(secret, body, 1_800_000_000));
  expect(verdict.ok).toBe(false);
  expect((verdict as { reason: string }).reason).toMatch(/\w/);
});

test.each([
  ['no headers', {}, /headers are required/],
  ['a signature that is not v1=<64 hex>', { [TIMESTAMP_HEADER]: '1800000000', [SIGNATURE_HEADER]: 'v1=xyz' }, /must be v1=<64 hex digits>/],
  ['a stale timestamp', { [TIMESTAMP_HEADER]: '1799990000', [SIGNATURE_HEADER]: `v1=${'a'.repeat(64)}` }, /replay/],
])('before the body is read, %s is refused', (_name, headers: Record<string, string>, why) => {
  expect(
    checkSignatureHeaders({ timestamp: headers[TIMESTAMP_HEADER], signature: headers[SIGNATURE_HEADER], toleranceSeconds: 300, nowSeconds: 1_800_000_000 }),
  ).toEqual({ ok: false, reason: expect.stringMatching(why) });
});

test('well-formed headers within the window pass the check before reading, whatever the body turns out to be', () => {
  const h = signedHeaders(secret, body, 1_800_000_000);
  expect(checkSignatureHeaders({ timestamp: h[TIMESTAMP_HEADER], signature: h[SIGNATURE_HEADER], toleranceSeconds: 300, nowSeconds: 1_800_000_000 })).toEqual({
    ok: true,
  });
});
