/**
 * Property tests (fast-check) of the X12 readers: whatever bytes arrive (mutated public
 * samples, truncated, wrong delimiters, shuffled segments, huge elements, binary, NUL and
 * control characters), a parser returns a value or throws one of the typed X12 refusals,
 * never a TypeError or RangeError; and the valid samples still parse, with a round trip
 * where a builder exists.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { binary, mutated, prefixedGarbage, readsOrRefuses as readsOrRefusesOf, runs } from '../../test/fuzz/mutations';
import { sharedFixtures } from '../../test/fixtures';
import { build999, parse999, type FunctionalAck } from './acknowledgment';
import { build837P } from './build-837p';
import { parse276, parse277 } from './claim-status';
import { parse270, parse271 } from './eligibility';
import { X12ContentError, X12SyntaxError, X12WrongTransactionError } from './errors';
import { parse837P } from './parse-837p';
import { parseX12 } from './read';
import { parse835 } from './remittance';
import { build835 } from './remittance-build';
import { sampleBatch, sampleClaim, sampleEnvelope, sampleRemittance } from './samples';

const { dir, present } = sharedFixtures('x12');
const publicSamples = present
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.x12'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
  : [];
const rejected999: FunctionalAck = {
  functionalId: 'HC',
  groupControlNumber: '42',
  status: 'rejected',
  counts: { included: 1, received: 1, accepted: 0 },
  transactions: [
    {
      type: '837',
      controlNumber: '0001',
      status: 'rejected',
      codes: ['5'],
      errors: [{ segment: 'NM1', position: 17, loop: '2010BA', code: '8', element: { position: 9, code: '7', value: 'XX' } }],
    },
  ],
};
const ownSamples = [
  build837P(sampleBatch([sampleClaim('C-1')]), sampleEnvelope(1)),
  build835([sampleRemittance()], sampleEnvelope(2)),
  build999(rejected999, '005010X222A1', sampleEnvelope(3)),
];
const samples = [...publicSamples, ...ownSamples];

const PARSERS = { parseX12, parse837P, parse835, parse999, parse277, parse276, parse270, parse271 };
/** Each parser as it reads inbound traffic, and as it reads archives (counts tolerated). */
const READERS = Object.fromEntries(
  Object.entries(PARSERS).flatMap(([name, parse]) => [
    [name, (t: string) => parse(t)],
    [`${name} (tolerateCounts)`, (t: string) => parse(t, { tolerateCounts: true })],
  ]),
);
const readsOrRefuses = readsOrRefusesOf(
  READERS,
  (err) => err instanceof X12SyntaxError || err instanceof X12ContentError || err instanceof X12WrongTransactionError,
  'X12',
);

describe('X12 readers under malformed input', () => {
  test('mutated samples: a value or a typed refusal', () => {
    fc.assert(fc.property(mutated(samples, '~'), readsOrRefuses), runs(300));
  });

  test('binary and NUL/control bytes: a value or a typed refusal', () => {
    fc.assert(fc.property(binary, readsOrRefuses), runs(200));
  });

  test('something that starts like an ISA and goes wrong: a value or a typed refusal', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples).chain((s) => prefixedGarbage(s.slice(0, 106 + Math.floor(s.length / 3)))),
        readsOrRefuses,
      ),
      runs(200),
    );
  });

  test('a very large file (5 MB of repeated segments) is read or refused, not a crash', () => {
    const [head, ...rest] = ownSamples[1].split('~');
    readsOrRefuses([head, ...Array.from({ length: 40_000 }, () => rest[5]), ...rest].join('~'));
  });
});

describe('valid input still reads, and round trips', () => {
  test.each(samples.map((s, i) => [i, s]))('sample %i parses', (_i, s) => {
    expect(() => parseX12(s, { tolerateCounts: true })).not.toThrow();
  });

  const id = fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{0,19}$/);
  const cents = fc.integer({ min: 1, max: 99_999_99 });

  test('837P: parse(build(claim)) = claim for claims with random ids, amounts and units', () => {
    fc.assert(
      fc.property(id, cents, fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 999_999_999 }), (claimId, chargeCents, units, control) => {
        const claim = sampleClaim(claimId, { lines: [{ ...sampleClaim(claimId).lines[0], chargeCents, units, lineItemControlNumber: `${claimId}-1` }] });
        const batch = sampleBatch([claim]);
        expect(parse837P(build837P(batch, sampleEnvelope(control))).batch).toEqual(batch);
      }),
      runs(100),
    );
  });

  test("835: parse(build(remittance)) keeps every claim's control number, status and amounts", () => {
    fc.assert(
      fc.property(id, id, fc.constantFrom('1', '2', '3', '4', '22'), fc.integer({ min: 1, max: 999_999_999 }), (pcn, trace, statusCode, control) => {
        const r = sampleRemittance();
        r.trace.number = trace;
        r.claims[0].patientControlNumber = pcn;
        r.claims[0].statusCode = statusCode as (typeof r.claims)[0]['statusCode'];
        const parsed = parse835(build835([r], sampleEnvelope(control)));
        expect(parsed.remittances[0].trace).toEqual(r.trace);
        expect(parsed.remittances[0].claims.map((c) => [c.patientControlNumber, c.statusCode, c.chargeCents, c.paidCents])).toEqual([
          [pcn, statusCode, 15000, 9100],
        ]);
      }),
      runs(100),
    );
  });
});
