/**
 * Reading HL7 data types into our model and writing them back: names (XPN), addresses
 * (XAD), extended persons with an NPI (XCN), and validation that reports problems by
 * HL7 field number rather than by our property names.
 */
import type { Hl7Segment } from '@medplum/core';
import type { z } from 'zod';
import { component, escapeHl7, hl7Date, subcomponent } from './message';

/** How one property of our model maps to the HL7 field it came from. */
export interface FieldSource {
  field: string;
  /** What to say when the field is empty (default "missing"). */
  missing?: string;
  /** What to say when it holds something unusable, instead of our schema's wording (e.g. "not a date"). */
  invalid?: string;
}

export const DATE: Pick<FieldSource, 'invalid'> = { invalid: 'not a date' };

/**
 * Validates a value read from a message with one of our zod schemas. Each problem is
 * reported against the HL7 field it came from (`PID-7: not a date`), a missing value as
 * "missing"; nothing is defaulted or guessed beyond what the schema itself defaults.
 * A field already reported (by a reader that knew better) is not reported twice.
 */
export function validateAs<T>(schema: z.ZodType<T>, raw: Record<string, unknown>, sources: Record<string, FieldSource>, issues: string[]): T | undefined {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = issue.path.join('.');
    const source = sources[path] ?? { field: path };
    if (issues.some((i) => i.startsWith(`${source.field}:`))) continue;
    issues.push(`${source.field}: ${describe(valueAt(raw, issue.path), issue.message, source)}`);
  }
  return undefined;
}

function describe(value: unknown, message: string, source: FieldSource): string {
  if (value === undefined) return source.missing ?? 'missing';
  return source.invalid ?? message;
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), raw);
}

/** '' → undefined, so zod reports an empty field as missing rather than as too short. */
export const present = (value: string): string | undefined => (value === '' ? undefined : value);

/** A DT/DTM field as YYYY-MM-DD; a malformed value is passed on as is so validation names it. */
export function dateField(seg: Hl7Segment | undefined, n: number, c = 1): string | undefined {
  const raw = component(seg, n, c);
  return raw === '' ? undefined : (hl7Date(raw) ?? raw);
}

/** XPN: family name is component 1 (its first subcomponent, the surname), given name component 2. */
export function readName(seg: Hl7Segment | undefined, n: number): { firstName?: string; lastName?: string } {
  return { lastName: present(subcomponent(seg, n, 1, 1)), firstName: present(component(seg, n, 2)) };
}

export function writeName(p: { firstName: string; lastName: string }): string {
  return `${escapeHl7(p.lastName)}^${escapeHl7(p.firstName)}`;
}

/**
 * XAD: component 1 is a SAD whose first subcomponent is the street line; senders that split
 * it into number (1) and street name (2) get them joined. City 3, state 4, ZIP 5 (ZIP+4 hyphen removed).
 * Component 2 (other designation, e.g. a suite) has no place in our model and is not read.
 */
export function readAddress(seg: Hl7Segment | undefined, n: number): Record<string, string | undefined> | undefined {
  if (component(seg, n) === '' && component(seg, n, 3) === '') return undefined;
  const [first, second] = [subcomponent(seg, n, 1, 1), subcomponent(seg, n, 1, 2)];
  const line1 = second && !first.includes(second) ? `${first} ${second}`.trim() : first;
  return {
    line1: present(line1),
    city: present(component(seg, n, 3)),
    state: present(component(seg, n, 4)),
    postalCode: present(component(seg, n, 5).replace(/-/g, '')),
  };
}

export function writeAddress(a: { line1: string; city: string; state: string; postalCode: string }): string {
  return [a.line1, '', a.city, a.state, a.postalCode].map(escapeHl7).join('^');
}

/** The FieldSource map for an address read from field `f`, under a property prefix. */
export function addressSources(prefix: string, f: string): Record<string, FieldSource> {
  return {
    [`${prefix}.line1`]: { field: `${f}.1` },
    [`${prefix}.city`]: { field: `${f}.3` },
    [`${prefix}.state`]: { field: `${f}.4` },
    [`${prefix}.postalCode`]: { field: `${f}.5` },
  };
}

/** The NPI registry's OID, the assigning authority HL7 uses for NPIs. */
export const NPI_OID = '2.16.840.1.113883.4.6';

/**
 * The NPI in an XCN field, from any repetition whose identifier type (component 13) is NPI
 * or whose assigning authority (component 9) is the NPI registry. Undefined when the field
 * names a provider only by a local id: a local id is never taken for an NPI.
 */
export function readNpi(seg: Hl7Segment | undefined, n: number): string | undefined {
  const count = seg?.getField(n)?.components.length ?? 0;
  for (let r = 0; r < count; r++) {
    const id = component(seg, n, 1, r);
    const typed = component(seg, n, 13, r) === 'NPI';
    const authority = subcomponent(seg, n, 9, 1, r) === 'NPI' || subcomponent(seg, n, 9, 2, r) === NPI_OID;
    if (id !== '' && (typed || authority)) return id;
  }
  return undefined;
}

/** An XCN carrying an NPI as HL7 expects it: id, authority NPI registry (ISO OID), type NPI. */
export function writeNpi(npi: string): string {
  return `${escapeHl7(npi)}^^^^^^^^NPI&${NPI_OID}&ISO^^^^NPI`;
}
