/**
 * fast-check arbitraries shared by the property tests of the wire formats: what a broken
 * sender, a flaky link or an attacker makes of a valid message. Each arbitrary starts
 * from a valid sample and mutates it (truncate, replace, delete, duplicate, shuffle
 * segments, swap delimiters, blow up an element, inject NUL/control characters), or is
 * plain binary.
 */
import fc from 'fast-check';

/** Characters that break parsers: NUL and controls, every X12/HL7 delimiter, line breaks, non-ASCII. */
export const NASTY_CHARS = ['\0', '\x01', '\x07', '\x0b', '\x1c', '\x1f', '\x7f', '\r', '\n', '*', '~', ':', '^', '|', '&', '\\', '>', '+', '\uFFFD', '\u00e9', '\u{1F600}', ' ', '0', '9', 'A', 'Z', '-', '.'];

export const nastyChar = fc.constantFrom(...NASTY_CHARS);

type Mutation = (text: string) => string;

/** One mutation of a text made of segments ended by `terminator`. */
function mutation(terminator: string): fc.Arbitrary<Mutation> {
  const split = (t: string) => t.split(terminator);
  const join = (s: string[]) => s.join(terminator);
  return fc.oneof(
    fc.nat().map((n): Mutation => (t) => t.slice(0, n % (t.length + 1))),
    fc.tuple(fc.nat(), nastyChar).map(([n, c]): Mutation => (t) => {
      const i = n % Math.max(t.length, 1);
      return t.slice(0, i) + c + t.slice(i + 1);
    }),
    fc.tuple(fc.nat(), fc.string({ unit: nastyChar, maxLength: 8 })).map(([n, s]): Mutation => (t) => {
      const i = n % (t.length + 1);
      return t.slice(0, i) + s + t.slice(i);
    }),
    fc.nat().map((n): Mutation => (t) => {
      const s = split(t);
      s.splice(n % s.length, 1);
      return join(s);
    }),
    fc.nat().map((n): Mutation => (t) => {
      const s = split(t);
      const i = n % s.length;
      s.splice(i, 0, s[i]);
      return join(s);
    }),
    fc.array(fc.nat(), { minLength: 2, maxLength: 6 }).map((swaps): Mutation => (t) => {
      const s = split(t);
      for (let k = 0; k + 1 < swaps.length; k += 2) {
        const a = swaps[k] % s.length;
        const b = swaps[k + 1] % s.length;
        [s[a], s[b]] = [s[b], s[a]];
      }
      return join(s);
    }),
    fc.tuple(fc.constantFrom('*', '~', ':', '^', '|', '&', '\r', '\n'), fc.constantFrom('*', '~', ':', '^', '|', '&', '\r', '\n', '\0', '')).map(([from, to]): Mutation => (t) => t.split(from).join(to)),
    fc.tuple(fc.nat(), fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom('A', '9', '\0', '*')).map(([n, len, c]): Mutation => (t) => {
      const i = n % (t.length + 1);
      return t.slice(0, i) + c.repeat(len) + t.slice(i);
    }),
  );
}

/** A valid sample with one to three mutations applied. */
export function mutated(samples: string[], terminator: string): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...samples), fc.array(mutation(terminator), { minLength: 1, maxLength: 3 }))
    .map(([sample, ms]) => ms.reduce((t, m) => m(t), sample));
}

/** Bytes off the wire, read as the receiver would (UTF-8 or Latin-1). */
export const binary: fc.Arbitrary<string> = fc.tuple(fc.uint8Array({ maxLength: 2048 }), fc.boolean())
  .map(([bytes, utf8]) => Buffer.from(bytes).toString(utf8 ? 'utf8' : 'latin1'));

/** A prefix that looks like the format followed by garbage: gets past the first check. */
export const prefixedGarbage = (prefix: string) => fc.string({ maxLength: 400 }).map((s) => prefix + s);

/** Runs bounded so the suite stays fast; FUZZ_RUNS raises it for a longer local hunt. */
export const runs = (n: number) => ({ numRuns: Number(process.env.FUZZ_RUNS ?? n) });
