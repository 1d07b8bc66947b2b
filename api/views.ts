/**
 * Minimum necessary: what each role reads of a visit, decided in this one table.
 *
 * It lives in api/, not domain/, because it shapes an HTTP answer: its input is the workflow's
 * status (workflows/definitions.ts, which domain/ may not import), its reduced forms are the
 * API's zod schemas (api/schemas.ts), and the OpenAPI document (api/openapi.ts) is written from
 * the same table, so what the document says a role gets is what the code gives it.
 *
 * Every field of the visit's status must be named below (the type checker insists): a field
 * added to the workflow's status is seen by no one but the roles written next to it. A field a
 * role does not get is absent from its answer, never null. A caller with several roles gets the
 * union; admin gets everything.
 */
import { z } from 'zod';
import { nextStep } from '../domain/reporting/work-queues';
import { ROLES, type Role } from '../domain/roles';
import type { VisitStatus } from '../workflows/definitions';
import { AnalystAppointment, AnalystClaim, AnalystCoding, AnalystDenial } from './schemas';

/** The visit as the API answers it: the status, plus what every role is told in words and the analyst's age band. */
export type VisitAnswer = Partial<VisitStatus> & { nextStep?: string; ageBand?: string };
export type VisitField = keyof VisitStatus | 'nextStep' | 'ageBand';

export interface FieldAccess {
  /** Roles that get the field whole. */
  roles: readonly Role[];
  /** Roles that get a reduced form: only the keys the schema names (nested objects and arrays likewise). */
  reduced?: { roles: readonly Role[]; schema: z.ZodType };
}

const EVERYONE: readonly Role[] = ROLES;
const FD: Role = 'front_desk';
const CODER: Role = 'coder';
const BILLER: Role = 'biller';
const ANALYST: Role = 'analyst';
const ADMIN: Role = 'admin';
const whole = (...roles: Role[]): FieldAccess => ({ roles: [...roles, ADMIN] });
const forAnalyst = (access: FieldAccess, schema: z.ZodType): FieldAccess => ({ ...access, reduced: { roles: [ANALYST], schema } });

/**
 * Front desk: the person, coverage, appointment, where the visit stands and what to do; of
 * money only what the patient owes at the desk (the 271's copay and deductible, the estimate,
 * the patient balance). Coders: the coding, the scrubber's findings and coding review. Billers:
 * money (claims, balances, adjustments, remittance answers) and codes, and the registration a
 * claim is built from. Analysts: the visit's facts with no identifier of a person.
 */
export const VISIT_FIELDS: Record<VisitField, FieldAccess> = {
  visitId: whole(FD, CODER, BILLER),
  stage: { roles: EVERYONE },
  outcome: { roles: EVERYONE },
  awaitingAction: { roles: EVERYONE },
  nextStep: { roles: EVERYONE },
  history: { roles: EVERYONE },
  ageBand: whole(ANALYST),
  patient: whole(FD, BILLER),
  coverage: whole(FD, BILLER),
  secondaryCoverage: whole(FD, BILLER),
  appointment: forAnalyst(whole(FD, CODER, BILLER), AnalystAppointment),
  changes: whole(FD, BILLER),
  eligibility: whole(FD, BILLER),
  patientEstimate: whole(FD, BILLER, ANALYST),
  patientBalance: whole(FD, BILLER),
  failure: whole(FD, CODER, BILLER),
  lastFailure: whole(FD, CODER, BILLER),
  closeReason: whole(FD, CODER, BILLER),
  encounterId: whole(CODER, BILLER),
  coding: forAnalyst(whole(CODER, BILLER), AnalystCoding),
  codingProblems: whole(CODER, BILLER),
  findings: whole(CODER, BILLER, ANALYST),
  rulesetVersion: whole(CODER, BILLER, ANALYST),
  claim: forAnalyst(whole(BILLER), AnalystClaim),
  claims: forAnalyst(whole(BILLER), z.array(AnalystClaim)),
  claimStatus: whole(BILLER),
  balance: whole(BILLER, ANALYST),
  underpaidLines: whole(BILLER, ANALYST),
  denial: forAnalyst(whole(BILLER), AnalystDenial),
  filingDeadline: whole(BILLER, ANALYST),
  escalations: whole(BILLER, ANALYST),
  summary: whole(BILLER, ANALYST),
};

/** How a caller with these roles sees one field: whole, reduced (with its schema), or not at all. */
export function fieldView(roles: readonly Role[], field: VisitField): 'whole' | z.ZodType | undefined {
  const access = VISIT_FIELDS[field];
  if (roles.some((r) => access.roles.includes(r))) return 'whole';
  return access.reduced && roles.some((r) => access.reduced!.roles.includes(r)) ? access.reduced.schema : undefined;
}

/** The visit's answer for a caller with these roles. Pure: the same status and roles give the same answer. */
export function visitView(roles: readonly Role[], status: VisitStatus): VisitAnswer {
  const seesId = fieldView(roles, 'visitId') === 'whole';
  const full: VisitAnswer = {
    ...status,
    nextStep: nextStep(status, seesId ? status.visitId : undefined),
    ageBand: status.patient && status.appointment ? ageBand(status.patient.birthDate, status.appointment.serviceDate) : undefined,
  };
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(VISIT_FIELDS) as VisitField[]) {
    const value = full[field];
    if (value === undefined) continue;
    const view = fieldView(roles, field);
    if (view === 'whole') out[field] = value;
    else if (view) out[field] = project(view, value);
  }
  return out as VisitAnswer;
}

/** The age on a date in ten-year bands; 90 and over are one band, as HIPAA's de-identification asks. */
export function ageBand(birthDate: string, onDate: string): string | undefined {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = onDate.split('-').map(Number);
  if (![by, bm, bd, y, m, d].every(Number.isInteger)) return undefined;
  const age = y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
  if (age < 0) return undefined;
  if (age >= 90) return '90+';
  const low = Math.floor(age / 10) * 10;
  return `${low}-${low + 9}`;
}

/**
 * `value` with only the keys `schema` names, recursively through objects, arrays and
 * optionals. It validates nothing and never throws: a value the schema does not describe
 * (a new kind of field) is left out, not answered with 500.
 */
export function project(schema: z.ZodType, value: unknown): unknown {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodNullable) return project(schema.unwrap() as z.ZodType, value);
  if (schema instanceof z.ZodArray) return Array.isArray(value) ? value.map((v) => project(schema.element as z.ZodType, v)) : undefined;
  if (schema instanceof z.ZodObject) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      const p = project(child, v);
      if (p !== undefined) out[key] = p;
    }
    return out;
  }
  return value;
}

/** The fields a role gets, whole or reduced, for the OpenAPI document and docs/security.md. */
export function fieldsOf(role: Role): { whole: VisitField[]; reduced: VisitField[] } {
  const fields = Object.keys(VISIT_FIELDS) as VisitField[];
  return {
    whole: fields.filter((f) => fieldView([role], f) === 'whole'),
    reduced: fields.filter((f) => {
      const v = fieldView([role], f);
      return v !== undefined && v !== 'whole';
    }),
  };
}

/**
 * A visit in a work queue (GET /work-queues/{queue}). Billers and coders act on it (coders in
 * coding review; they already read a visit's id in GET /visits/{visitId}), so they get its id,
 * the action with that id filled in and its Temporal UI page; analysts measure the queue (its
 * stage, payer, date of service, age and deadline) and get no id that leads to the patient.
 */
export interface QueueVisit {
  visitId: string;
  awaitingAction: string | null;
  stage: string | null;
  payerId: string | null;
  serviceDate: string | null;
  awaitingSince: string;
  ageHours: number;
  deadline: string;
  overdue: boolean;
  reason: string;
  action: string;
  temporalUiUrl: string;
}
export const QUEUE_VISIT_FIELDS: Record<keyof QueueVisit, readonly Role[]> = {
  visitId: [CODER, BILLER, ADMIN],
  action: [CODER, BILLER, ADMIN],
  temporalUiUrl: [CODER, BILLER, ADMIN],
  awaitingAction: EVERYONE,
  stage: EVERYONE,
  payerId: EVERYONE,
  serviceDate: EVERYONE,
  awaitingSince: EVERYONE,
  ageHours: EVERYONE,
  deadline: EVERYONE,
  overdue: EVERYONE,
  reason: EVERYONE,
};

export function queueVisitView(roles: readonly Role[], v: QueueVisit): Partial<QueueVisit> {
  const out: Record<string, unknown> = {};
  for (const [field, allowed] of Object.entries(QUEUE_VISIT_FIELDS)) {
    if (roles.some((r) => allowed.includes(r))) out[field] = v[field as keyof QueueVisit];
  }
  return out as Partial<QueueVisit>;
}

const ROLE_SUMMARY: Record<Role, string> = {
  front_desk:
    'the person, coverage, appointment, where the visit stands and what to do; of money only what the patient owes at the desk (copay and deductible from the 271, the estimate, the patient balance); no diagnosis or procedure codes',
  coder: "the coding, the scrubber's findings and coding review, the appointment; no money",
  biller: 'money (claims, balances, adjustments, denials, remittance answers) and codes, and the registration a claim is built from',
  analyst:
    "the visit's facts without any identifier of a person (no visit id, name, birth date, member id, address, patient, encounter, appointment or payer claim number) and without free text from outside parties or staff; an age band instead of a birth date",
  admin: 'everything',
};

/** Reduced fields in words: `claims (attempt, frequency, …)`. */
const reducedKeys = (schema: z.ZodType): string[] => {
  const inner = schema instanceof z.ZodArray ? (schema.element as z.ZodType) : schema;
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
};

/** The role → fields table, in Markdown: the OpenAPI document's description of GET /visits/{visitId} and docs/security.md show it. */
export function visitViewsTable(): string {
  const rows = ROLES.map((role) => {
    const { whole, reduced } = fieldsOf(role);
    const fields =
      role === 'admin'
        ? 'every field'
        : [...whole.map((f) => `\`${f}\``), ...reduced.map((f) => `\`${f}\` (${reducedKeys(VISIT_FIELDS[f].reduced!.schema).join(', ')})`)].join(', ');
    return `| ${role} | ${ROLE_SUMMARY[role]} | ${fields} |`;
  });
  return ['| role | sees | fields |', '|---|---|---|', ...rows].join('\n');
}

/** For one field of the document: who gets it whole (`x-roles`), and who gets which of its keys (`x-roles-reduced`). */
export function fieldRolesOf(field: VisitField): { 'x-roles': Role[]; 'x-roles-reduced'?: Record<string, string[]>; description: string } {
  const access = VISIT_FIELDS[field];
  const roles = ROLES.filter((r) => access.roles.includes(r));
  const reduced = access.reduced ? Object.fromEntries(access.reduced.roles.map((r) => [r, reducedKeys(access.reduced!.schema)])) : undefined;
  const more = reduced
    ? Object.entries(reduced)
        .map(([r, keys]) => `; ${r}: only ${keys.join(', ')}`)
        .join('')
    : '';
  return { 'x-roles': roles, ...(reduced ? { 'x-roles-reduced': reduced } : {}), description: `Roles: ${roles.join(', ')}${more}.` };
}
