/**
 * fast-check arbitraries shared by the property tests of the wire formats: what a broken
 * sender, a flaky link or an attacker makes of a valid message. Each arbitrary starts
 * from a valid sample and mutates it (truncate, replace, delete, duplicate, shuffle
 * segments, swap delimiters, blow up an element, inject NUL/control characters), or is
 * plain binary.
 */
import fc from 'fast-check';

/** Characters that break parsers: NUL and controls, every X12/HL7 delimiter, line breaks, non-ASCII. */
export const NASTY_CHARS = [
  '\0',
  '\x01',
  '\x07',
  '\x0b',
  '\x1c',
  '\x1f',
  '\x7f',
  '\r',
  '\n',
  '*',
  '~',
  ':',
  '^',
  '|',
  '&',
  '\\',
  '>',
  '+',
  '\uFFFD',
  '\u00e9',
  '\u{1F600}',
  ' ',
  '0',
  '9',
  'A',
  'Z',
  '-',
  '.',
];

export const nastyChar = fc.constantFrom(...NASTY_CHARS);

type Mutation = (text: string) => string;

/** One mutation of a text made of segments ended by `terminator`. */
function mutation(terminator: string): fc.Arbitrary<Mutation> {
  const split = (t: string) => t.split(terminator);
  const join = (s: string[]) => s.join(terminator);
  return fc.oneof(
    fc.nat().map(
      (n): Mutation =>
        (t) =>
          t.slice(0, n % (t.length + 1)),
    ),
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
    fc.tuple(fc.constantFrom('*', '~', ':', '^', '|', '&', '\r', '\n'), fc.constantFrom('*', '~', ':', '^', '|', '&', '\r', '\n', '\0', '')).map(
      ([from, to]): Mutation =>
        (t) =>
          t.split(from).join(to),
    ),
    fc.tuple(fc.nat(), fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom('A', '9', '\0', '*')).map(([n, len, c]): Mutation => (t) => {
      const i = n % (t.length + 1);
      return t.slice(0, i) + c.repeat(len) + t.slice(i);
    }),
  );
}

/** A valid sample with one to three mutations applied. */
export function mutated(samples: string[], terminator: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...samples), fc.array(mutation(terminator), { minLength: 1, maxLength: 3 }))
    .map(([sample, ms]) => ms.reduce((t, m) => m(t), sample));
}

/** Bytes off the wire, read as the receiver would (UTF-8 or Latin-1). */
export const binary: fc.Arbitrary<string> = fc
  .tuple(fc.uint8Array({ maxLength: 2048 }), fc.boolean())
  .map(([bytes, utf8]) => Buffer.from(bytes).toString(utf8 ? 'utf8' : 'latin1'));

/** A prefix that looks like the format followed by garbage: gets past the first check. */
export const prefixedGarbage = (prefix: string) => fc.string({ maxLength: 400 }).map((s) => prefix + s);

/**
 * The parsers' property: each reader returns a value for `text` or throws a refusal `typed`
 * accepts. Anything else (a TypeError, a RangeError, a library's own error) is a bug: an
 * input that would answer 500, or AR "try again" forever.
 */
export function readsOrRefuses(readers: Record<string, (text: string) => unknown>, typed: (err: unknown) => boolean, what: string) {
  return (text: string): void => {
    for (const [name, read] of Object.entries(readers)) {
      try {
        read(text);
      } catch (err) {
        if (typed(err)) continue;
        throw new Error(`${name} threw ${(err as Error)?.name}: ${(err as Error)?.message} (not a typed ${what} refusal)`, { cause: err });
      }
    }
  };
}

/** Runs bounded so the suite stays fast; FUZZ_RUNS raises it for a longer local hunt. */
export const runs = (n: number) => ({ numRuns: Number(process.env.FUZZ_RUNS ?? n) });

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path (list of keys and indexes) in a JSON value, the root included. */
function pathsOf(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const here = [at];
  if (Array.isArray(v)) return here.concat(...v.map((x, i) => pathsOf(x, [...at, i])));
  if (v && typeof v === 'object') return here.concat(...Object.entries(v).map(([k, x]) => pathsOf(x, [...at, k])));
  return here;
}

/** A copy of `v` with the node at `path` replaced (or, with `remove`, deleted). */
function replaceAt(v: Json, path: (string | number)[], next: Json | undefined): Json {
  if (path.length === 0) return next === undefined ? null : next;
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    const copy = [...v];
    if (rest.length === 0 && next === undefined) copy.splice(head as number, 1);
    else copy[head as number] = replaceAt(copy[head as number], rest, next);
    return copy;
  }
  const copy = { ...(v as Record<string, Json>) };
  if (rest.length === 0 && next === undefined) delete copy[head as string];
  else copy[head as string] = replaceAt(copy[head as string], rest, next);
  return copy;
}

/** Values that break JSON readers: wrong types, NUL and controls, huge strings, deep nesting. */
const nastyJson: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined), // the key or entry removed
  fc.constantFrom<Json>(
    null,
    true,
    0,
    -1,
    1e308,
    '',
    '\0',
    'x'.repeat(100_000),
    [],
    {},
    [[[[[[]]]]]],
    { resourceType: 'Encounter' },
    { resourceType: 'Bundle', type: 'history', entry: [] },
  ),
  fc.string({ unit: nastyChar, maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** A valid JSON sample with one to four of its nodes replaced, removed or retyped. */
export function mutatedJson(samples: object[]): fc.Arbitrary<unknown> {
  return fc.tuple(fc.constantFrom(...samples), fc.array(fc.tuple(fc.nat(), nastyJson), { minLength: 1, maxLength: 4 })).map(([sample, edits]) =>
    edits.reduce<Json>((v, [n, next]) => {
      const paths = pathsOf(v);
      return replaceAt(v, paths[n % paths.length], next);
    }, sample as Json),
  );
}
