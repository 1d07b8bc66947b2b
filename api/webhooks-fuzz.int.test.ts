/**
 * Property tests (fast-check) of the inbound webhooks through the real app and a real
 * database (test/api-under-test.ts): correctly signed bodies that are anything but correct
 * (mutated public X12 samples, binary, NUL and control characters, mutated FHIR
 * notifications) are answered 2xx, or 4xx with { code, message, issues }; never 5xx; and a
 * refused request leaves nothing behind (no stored file, no signal).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { build999, type FunctionalAck } from '../domain/x12/acknowledgment';
import { build835 } from '../domain/x12/remittance-build';
import { sampleEnvelope, sampleRemittance } from '../domain/x12/samples';
import { startApiUnderTest } from '../test/api-under-test';
import { sharedFixtures } from '../test/fixtures';
import { binary, mutated, mutatedJson, runs } from '../test/fuzz/mutations';
import { signedBody } from '../test/secrets';

jest.setTimeout(180_000);

let api: Awaited<ReturnType<typeof startApiUnderTest>>;
beforeAll(async () => {
  api = await startApiUnderTest('tq-fuzz');
});
afterAll(async () => {
  await api.stop();
});

const { dir, present } = sharedFixtures('x12');
const ack: FunctionalAck = {
  functionalId: 'HC',
  groupControlNumber: '42',
  status: 'accepted',
  counts: { included: 1, received: 1, accepted: 1 },
  transactions: [{ type: '837', controlNumber: '0001', status: 'accepted', errors: [], codes: [] }],
};
const x12Samples = [
  ...(present
    ? readdirSync(dir)
        .filter((f) => /^(999|277ca|835)/.test(f))
        .map((f) => readFileSync(join(dir, f), 'utf8'))
    : []),
  build835([sampleRemittance()], sampleEnvelope(5)),
  build999(ack, '005010X222A1', sampleEnvelope(6)),
];

const stored = async () => Number((await api.db('inbound_messages').count('* as n').first())!.n);

type Answer = { status: number; body: { code?: string; message?: string; issues?: { path: string; message: string }[] } };

/**
 * 2xx, or a 4xx with the one error body; and for a 4xx, nothing stored, but for an 835 that does
 * not balance (422 REMITTANCE_UNBALANCED), which is kept, at most once, for a biller.
 */
async function answeredWithoutHarm(send: () => Promise<Answer>): Promise<void> {
  const before = await stored();
  const res = await send();
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.body).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
    expect(Array.isArray(res.body.issues) ? res.body.issues.length : 0).toBeGreaterThan(0);
    if (res.body.code === 'REMITTANCE_UNBALANCED') expect(await stored()).toBeLessThanOrEqual(before + 1);
    else expect(await stored()).toBe(before);
  }
}

const postX12 = (body: string) => {
  const s = signedBody('clearinghouse', body);
  return request(api.app).post('/webhooks/clearinghouse').set(s.headers).set('content-type', 'application/edi-x12').send(s.body);
};
const postFhir = (body: unknown) => {
  const s = signedBody('ehr', JSON.stringify(body));
  return request(api.app).post('/webhooks/ehr/encounter-signed').set(s.headers).set('content-type', 'application/fhir+json').send(s.body);
};

test('clearinghouse webhook: mutated 999/277CA/835 files are 2xx or a 4xx with issues, never 5xx, nothing stored when refused', async () => {
  await fc.assert(
    fc.asyncProperty(mutated(x12Samples, '~'), (body) => answeredWithoutHarm(() => postX12(body))),
    runs(120),
  );
});

test('clearinghouse webhook: binary bodies, NUL and control characters', async () => {
  await fc.assert(
    fc.asyncProperty(binary, (body) => answeredWithoutHarm(() => postX12(body))),
    runs(60),
  );
});

const status = { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'event-notification' }] };
const notification = {
  resourceType: 'Bundle',
  type: 'history',
  entry: [
    { resource: status },
    { resource: { resourceType: 'Encounter', id: 'e7', appointment: [{ reference: 'Appointment/a3' }] } },
    { resource: { resourceType: 'Appointment', id: 'a3', identifier: [{ system: 'urn:revcycle:visit', value: 'V-1001' }] } },
  ],
};

test('EHR webhook: mutated FHIR notifications are 2xx or a 4xx with issues, never 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(mutatedJson([notification, { visitId: 'V-1001', encounterId: 'e7' }]), (body) => answeredWithoutHarm(() => postFhir(body))),
    runs(120),
  );
});

test('regression (seed -1276091420): an 835 that no longer balances is a 422 whose issues name BPR02 (and is kept: api/remittances.int.test.ts)', async () => {
  const r = sampleRemittance();
  r.claims[0].paidCents += 100;
  const res = await postX12(build835([r], sampleEnvelope(11)));
  expect(res.status).toBe(422);
  expect(res.body).toMatchObject({ code: 'REMITTANCE_UNBALANCED', issues: [{ path: 'BPR02' }] });
});

test('nothing in this file was a 500', () => {
  expect(api.logged).toEqual([]);
});
