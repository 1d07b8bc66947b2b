/**
 * The FHIR R4 search parameters the simulator understands: what revcycle's client
 * sends and what a test needs, spelled as the R4 spec names them. An unknown
 * parameter is refused (400), not ignored, so a typo cannot turn a conditional
 * create into "matches everything".
 */
import type { Identifier, Reference, Resource } from '@medplum/fhirtypes';

type AnyResource = Resource & Record<string, unknown> & { identifier?: Identifier[]; status?: string };
type RefsOf = (r: AnyResource) => (Reference | undefined)[];

const one =
  (field: string): RefsOf =>
  (r) => [r[field] as Reference | undefined];
const many =
  (field: string): RefsOf =>
  (r) =>
    (r[field] as Reference[] | undefined) ?? [];
const within =
  (list: string, field: string): RefsOf =>
  (r) =>
    ((r[list] as Record<string, Reference>[] | undefined) ?? []).map((x) => x[field]);

/** Reference search parameters per resource type; also what _include and _revinclude follow. */
export const REFERENCE_PARAMS: Record<string, Record<string, RefsOf>> = {
  Patient: {},
  Practitioner: {},
  Organization: {},
  Coverage: { beneficiary: one('beneficiary'), patient: one('beneficiary'), subscriber: one('subscriber') },
  Appointment: { actor: within('participant', 'actor'), patient: within('participant', 'actor') },
  Encounter: {
    subject: one('subject'),
    patient: one('subject'),
    appointment: many('appointment'),
    practitioner: within('participant', 'individual'),
    participant: within('participant', 'individual'),
    diagnosis: within('diagnosis', 'condition'),
  },
  Condition: { subject: one('subject'), patient: one('subject'), encounter: one('encounter') },
  Procedure: { subject: one('subject'), patient: one('subject'), encounter: one('encounter') },
  ChargeItem: { subject: one('subject'), patient: one('subject'), context: one('context') },
  DocumentReference: {
    subject: one('subject'),
    patient: one('subject'),
    encounter: (r) => (r.context as { encounter?: Reference[] } | undefined)?.encounter ?? [],
  },
};

export const SUPPORTED_TYPES = Object.keys(REFERENCE_PARAMS);
/** Parameters that shape the result rather than filter it. */
const RESULT_PARAMS = ['_include', '_revinclude', '_count'];

/** Splits on a separator not escaped with a backslash, keeping the escapes (FHIR search escaping: \\| \\, \\$ \\\\). */
function splitRaw(s: string, sep: string): string[] {
  const parts: string[] = [''];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) parts[parts.length - 1] += s[i] + s[++i];
    else if (s[i] === sep) parts.push('');
    else parts[parts.length - 1] += s[i];
  }
  return parts;
}

const unescape = (s: string) => s.replace(/\\(.)/g, '$1');

/** "Type/id", "id" or an absolute reference, against what a resource points at. */
export function pointsAt(ref: Reference | undefined, target: string): boolean {
  const r = ref?.reference;
  if (!r) return false;
  return r === target || r.endsWith(`/${target}`);
}

function matchesToken(r: AnyResource, name: string, value: string): boolean {
  const alternatives = splitRaw(value, ',');
  if (name === 'status') return alternatives.map(unescape).includes(r.status ?? '');
  // identifier: system|value, |value (no system) or value (any system)
  return alternatives.some((alt) => {
    const parts = splitRaw(alt, '|');
    const system = parts.length > 1 ? unescape(parts[0]) : undefined;
    const code = unescape(parts.length > 1 ? parts.slice(1).join('|') : parts[0]);
    return (r.identifier ?? []).some((i) => (system === undefined || (i.system ?? '') === system) && i.value === code);
  });
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b,
  ge: (a, b) => a >= b,
  gt: (a, b) => a > b,
  le: (a, b) => a <= b,
  lt: (a, b) => a < b,
};

function matchesLastUpdated(r: AnyResource, value: string): boolean {
  const prefix = /^[a-z]{2}/.test(value) ? value.slice(0, 2) : 'eq';
  const at = Date.parse(prefix === value.slice(0, 2) ? value.slice(2) : value);
  const compare = COMPARE[prefix];
  if (!compare || Number.isNaN(at)) throw new SearchError(`_lastUpdated=${value} is not a prefixed instant`);
  return compare(Date.parse(r.meta?.lastUpdated ?? ''), at);
}

export class SearchError extends Error {}

/** One filter parameter as a predicate; throws SearchError for one this server does not support. */
export function filterFor(type: string, name: string, value: string): (r: AnyResource) => boolean {
  if (name === '_id')
    return (r) =>
      splitRaw(value, ',')
        .map(unescape)
        .includes(r.id ?? '');
  if (name === '_lastUpdated') return (r) => matchesLastUpdated(r, value);
  if (name === 'identifier' || name === 'status') return (r) => matchesToken(r, name, value);
  const refs = REFERENCE_PARAMS[type]?.[name];
  if (!refs) throw new SearchError(`search parameter ${name} is not supported for ${type}`);
  return (r) => refs(r).some((ref) => pointsAt(ref, value));
}

export const isResultParam = (name: string) => RESULT_PARAMS.includes(name);

/** "Encounter:practitioner" or "Encounter:participant:Practitioner" → the source type, parameter and target type filter. */
export function parseInclude(spec: string): { source: string; param: string; target?: string; refs: RefsOf } {
  const [source, param, target] = spec.split(':');
  const refs = REFERENCE_PARAMS[source]?.[param];
  if (!refs) throw new SearchError(`${spec} is not a supported include`);
  return { source, param, target, refs };
}
