/**
 * The signed encounter, as FHIR R4 holds it, mapped to what we bill. One pure function:
 * it reads codes, never guesses them. Whatever a claim needs and the chart does not
 * say is collected as a problem with a path, and all problems come back at once in
 * `EncounterNotBillableError`, which sends the visit to coding review.
 */
import { FailureType } from '../failures';
import type { ChargeItem, CodeableConcept, Condition, Encounter, Extension, Practitioner, Procedure, Reference } from '@medplum/fhirtypes';
import { z } from 'zod';
import { CalendarDate, CodedEncounter, Icd10Code, Modifier, Npi, ProcedureCode, type ProcedureLine } from '../visit';
import { referenceTo, refersTo } from './references';
import { EXTENSION, SYSTEM, icd10ForClaim } from './systems';

export interface BillingProblem {
  /** Where in the chart: "Condition/12.code", "Encounter.period.start". */
  path: string;
  reason: string;
}

/** The chart lacks something a claim needs. A retry cannot fix it; a coder can. */
export class EncounterNotBillableError extends Error {
  readonly code = FailureType.EncounterNotBillable;
  readonly retryable = false;
  constructor(
    readonly encounterId: string,
    readonly problems: BillingProblem[],
  ) {
    super(`Encounter ${encounterId} cannot be billed: ${problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`);
    this.name = 'EncounterNotBillableError';
  }
}

/** Everything the EHR returned about one encounter. */
export interface EncounterResources {
  encounter: Encounter;
  /** The encounter's Conditions; when Encounter.diagnosis is empty, all of them are its diagnoses. */
  conditions: Condition[];
  procedures: Procedure[];
  /** When present, ChargeItems are the billed lines and Procedures are not read. */
  chargeItems: ChargeItem[];
  /** Practitioners the encounter's participants reference; the rendering one is chosen among them. */
  practitioners: Practitioner[];
}

type Problems = BillingProblem[];

export function mapCodedEncounter(res: EncounterResources): CodedEncounter {
  const problems: Problems = [];
  const encounterId = res.encounter.id ?? '(no id)';
  if (res.encounter.status !== 'finished') {
    problems.push({ path: 'Encounter.status', reason: `is ${res.encounter.status ?? 'missing'}, not finished (signed)` });
  }
  const serviceDate = readServiceDate(res.encounter, problems);
  const renderingNpi = readRenderingNpi(res.encounter, res.practitioners, problems);
  const rendering = readRenderingPerson(res.encounter, res.practitioners);
  const diagnoses = rankDiagnoses(res.encounter, res.conditions, problems);
  const procedures = readProcedureLines(res, diagnoses, problems);
  if (problems.length > 0) throw new EncounterNotBillableError(encounterId, problems);

  const parsed = CodedEncounter.safeParse({
    encounterId,
    serviceDate,
    renderingNpi,
    ...rendering,
    diagnoses: diagnoses.map((d, i) => ({ code: d.code, rank: i + 1 })),
    procedures,
  });
  if (!parsed.success) {
    throw new EncounterNotBillableError(
      encounterId,
      parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'encounter', reason: i.message })),
    );
  }
  return parsed.data;
}

/** The date of service is the local calendar date the encounter started on, as the chart wrote it. */
function readServiceDate(enc: Encounter, problems: Problems): string | undefined {
  const date = enc.period?.start?.slice(0, 10);
  if (!date) problems.push({ path: 'Encounter.period.start', reason: 'missing: no date of service' });
  else if (!CalendarDate.safeParse(date).success) problems.push({ path: 'Encounter.period.start', reason: `${date} is not a calendar date` });
  return date;
}

/** Primary performer first, then attender, then the only participant there is. */
export function renderingPractitioner(enc: Encounter): Reference | undefined {
  const people = (enc.participant ?? []).filter((p) => p.individual);
  const withRole = (role: string) => people.find((p) => p.type?.some((t) => t.coding?.some((c) => c.system === SYSTEM.participationType && c.code === role)));
  const chosen = withRole('PPRF') ?? withRole('ATND') ?? (people.length === 1 ? people[0] : undefined);
  return chosen?.individual;
}

function readRenderingNpi(enc: Encounter, practitioners: Practitioner[], problems: Problems): string | undefined {
  const ref = renderingPractitioner(enc);
  if (!ref) {
    problems.push({ path: 'Encounter.participant', reason: 'no rendering practitioner (primary performer, attender or a single participant)' });
    return undefined;
  }
  const practitioner = practitioners.find((p) => refersTo(ref, p));
  const identifiers = [...(practitioner?.identifier ?? []), ...(ref.identifier ? [ref.identifier] : [])];
  const npi = identifiers.find((i) => i.system === SYSTEM.npi)?.value;
  const path = practitioner ? `${referenceTo(practitioner)}.identifier` : 'Encounter.participant.individual';
  if (!npi) problems.push({ path, reason: `no NPI (${SYSTEM.npi}) for the rendering practitioner` });
  else if (!Npi.safeParse(npi).success) problems.push({ path, reason: `NPI ${npi} is not 10 digits` });
  return npi;
}

/**
 * The rendering practitioner's name (Practitioner.name: the `official` one, else the first;
 * family → last name, first given → first name) and taxonomy (a Practitioner.qualification
 * coded in the NUCC provider taxonomy), for 2310B. Absent when the chart does not say.
 */
function readRenderingPerson(enc: Encounter, practitioners: Practitioner[]): Pick<CodedEncounter, 'renderingName' | 'renderingTaxonomy'> {
  const ref = renderingPractitioner(enc);
  const practitioner = ref && practitioners.find((p) => refersTo(ref, p));
  if (!practitioner) return {};
  const names = practitioner.name ?? [];
  const name = names.find((n) => n.use === 'official') ?? names[0];
  const taxonomy = (practitioner.qualification ?? []).flatMap((q) => q.code?.coding ?? []).find((c) => c.system === SYSTEM.taxonomy)?.code;
  const lastName = name?.family?.trim().toUpperCase();
  const firstName = name?.given?.[0]?.trim().toUpperCase();
  return {
    ...(lastName ? { renderingName: { lastName, ...(firstName ? { firstName } : {}) } } : {}),
    ...(taxonomy ? { renderingTaxonomy: taxonomy } : {}),
  };
}

interface RankedDiagnosis {
  condition: Condition;
  /** Undotted, as billed. */
  code: string;
}

interface DiagnosisEntry {
  condition: Condition;
  rank?: number;
  path: string;
}

/** The encounter's diagnoses in claim order; their positions (1-based) are what pointers point at. */
function rankDiagnoses(enc: Encounter, conditions: Condition[], problems: Problems): RankedDiagnosis[] {
  const entries = diagnosisEntries(enc, conditions, problems);
  if (entries.length === 0) {
    problems.push({ path: 'Encounter.diagnosis', reason: 'no diagnosis: neither Encounter.diagnosis nor a Condition for this encounter' });
    return [];
  }
  checkRanks(entries, problems);
  const ordered = entries.length === 1 ? entries : [...entries].sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  return ordered.map((e) => ({ condition: e.condition, code: billedCode(e.condition.code, ICD10, `${referenceTo(e.condition)}.code`, problems) ?? '' }));
}

/** Encounter.diagnosis when the chart fills it (billing-role entries if any), else every Condition of the encounter. */
function diagnosisEntries(enc: Encounter, conditions: Condition[], problems: Problems): DiagnosisEntry[] {
  const listed = enc.diagnosis ?? [];
  if (listed.length === 0) return conditions.map((c) => ({ condition: c, path: referenceTo(c) }));
  const isBilling = (d: (typeof listed)[number]) => d.use?.coding?.some((c) => c.system === SYSTEM.diagnosisRole && c.code === 'billing');
  const chosen = listed.some(isBilling) ? listed.filter(isBilling) : listed;
  return chosen.flatMap((d) => {
    const path = `Encounter.diagnosis[${listed.indexOf(d)}]`;
    const condition = conditions.find((c) => refersTo(d.condition, c));
    if (!condition) {
      problems.push({ path: `${path}.condition`, reason: `${d.condition?.reference ?? 'missing reference'} was not returned with the encounter` });
      return [];
    }
    return [{ condition, rank: d.rank, path }];
  });
}

/** With one diagnosis it is the principal; with several, the chart must rank them. */
function checkRanks(entries: DiagnosisEntry[], problems: Problems): void {
  if (entries.length === 1) return;
  for (const e of entries.filter((e) => e.rank === undefined)) {
    problems.push({ path: `${e.path}.rank`, reason: 'missing: with several diagnoses, Encounter.diagnosis.rank must say which is principal' });
  }
  const ranks = entries.flatMap((e) => (e.rank === undefined ? [] : [e.rank]));
  const shared = ranks.filter((r, i) => ranks.indexOf(r) !== i);
  for (const r of new Set(shared)) problems.push({ path: 'Encounter.diagnosis.rank', reason: `rank ${r} is given to more than one diagnosis` });
}

interface CodeSet {
  label: string;
  systems: string[];
  normalize: (code: string) => string;
  schema: z.ZodType<string>;
}

const ICD10: CodeSet = { label: 'ICD-10-CM', systems: [SYSTEM.icd10cm], normalize: icd10ForClaim, schema: Icd10Code };
const CPT_HCPCS: CodeSet = { label: 'CPT/HCPCS', systems: [SYSTEM.cpt, SYSTEM.hcpcs], normalize: (c) => c.trim().toUpperCase(), schema: ProcedureCode };

const SYSTEM_NAMES: Record<string, string> = { [SYSTEM.snomed]: 'SNOMED CT', [SYSTEM.icd10cm]: 'ICD-10-CM', [SYSTEM.cpt]: 'CPT', [SYSTEM.hcpcs]: 'HCPCS' };

/** The one billable code in a concept; anything else (none, several, another code system only) is a problem. */
function billedCode(concept: CodeableConcept | undefined, set: CodeSet, path: string, problems: Problems): string | undefined {
  const codings = concept?.coding ?? [];
  const codes = [...new Set(codings.filter((c) => c.code && set.systems.includes(c.system ?? '')).map((c) => set.normalize(c.code as string)))];
  if (codes.length === 1) {
    if (set.schema.safeParse(codes[0]).success) return codes[0];
    problems.push({ path, reason: `${codes[0]} is not a valid ${set.label} code` });
  } else if (codes.length > 1) {
    problems.push({ path, reason: `several ${set.label} codes (${codes.join(', ')}): which one is billed is a coder's call` });
  } else {
    const others = codings.map((c) => `${SYSTEM_NAMES[c.system ?? ''] ?? c.system ?? 'no system'} ${c.code ?? ''}`.trim());
    problems.push({ path, reason: others.length ? `only ${others.join(', ')}; no ${set.label} code` : `no ${set.label} code` });
  }
  return undefined;
}

const NOT_CHARGED: ChargeItem['status'][] = ['not-billable', 'aborted', 'entered-in-error'];

/** ChargeItems when the EHR keeps charges, else completed Procedures (one performance = one unit). */
function readProcedureLines(res: EncounterResources, diagnoses: RankedDiagnosis[], problems: Problems): ProcedureLine[] {
  const charges = res.chargeItems.filter((c) => !NOT_CHARGED.includes(c.status));
  const procedures = res.procedures.filter((p) => p.status === 'completed');
  if (charges.length === 0 && procedures.length === 0) {
    problems.push({ path: 'Procedure', reason: 'no completed Procedure or billable ChargeItem for this encounter' });
    return [];
  }
  return charges.length > 0 ? charges.map((c) => chargeItemLine(c, diagnoses, problems)) : procedures.map((p) => procedureLine(p, diagnoses, problems));
}

function chargeItemLine(item: ChargeItem, diagnoses: RankedDiagnosis[], problems: Problems): ProcedureLine {
  const path = referenceTo(item);
  const reasonCodes = (item.reason ?? []).map((r, i) => billedCode(r, ICD10, `${path}.reason[${i}]`, problems));
  return {
    code: billedCode(item.code, CPT_HCPCS, `${path}.code`, problems) ?? '',
    modifiers: readModifiers(item.extension, path, problems),
    units: readUnits(item, problems),
    diagnosisPointers: pointers(
      reasonCodes.map((code) => diagnoses.findIndex((d) => d.code === code)),
      path,
      problems,
    ),
  };
}

function procedureLine(proc: Procedure, diagnoses: RankedDiagnosis[], problems: Problems): ProcedureLine {
  const path = referenceTo(proc);
  const byReference = (proc.reasonReference ?? []).map((ref) => diagnoses.findIndex((d) => refersTo(ref, d.condition)));
  const byCode = (proc.reasonCode ?? []).map((r, i) => {
    const code = billedCode(r, ICD10, `${path}.reasonCode[${i}]`, problems);
    return diagnoses.findIndex((d) => d.code === code);
  });
  return {
    code: billedCode(proc.code, CPT_HCPCS, `${path}.code`, problems) ?? '',
    modifiers: readModifiers(proc.extension, path, problems),
    units: 1,
    diagnosisPointers: pointers([...byReference, ...byCode], path, problems),
  };
}

/** Zero-based diagnosis indexes (-1 = not one of the encounter's diagnoses) to 1-based claim pointers. */
function pointers(indexes: number[], path: string, problems: Problems): number[] {
  if (indexes.length === 0) problems.push({ path, reason: 'no reason given: which diagnoses this line is for is not stated' });
  if (indexes.includes(-1)) problems.push({ path, reason: "a reason is not one of the encounter's billed diagnoses" });
  const result = [...new Set(indexes.filter((i) => i >= 0).map((i) => i + 1))];
  if (result.length > 4) problems.push({ path, reason: `${result.length} diagnoses; a claim line points at no more than 4` });
  return result;
}

function readModifiers(extensions: Extension[] | undefined, path: string, problems: Problems): string[] {
  const codes = (extensions ?? []).filter((e) => e.url === EXTENSION.modifier).map((e) => e.valueCoding?.code ?? e.valueCode ?? '');
  for (const code of codes.filter((c) => !Modifier.safeParse(c).success)) {
    problems.push({ path: `${path}.extension`, reason: `modifier "${code}" is not 2 letters or digits` });
  }
  if (codes.length > 4) problems.push({ path: `${path}.extension`, reason: `${codes.length} modifiers; a claim line carries no more than 4` });
  return codes;
}

/** ChargeItem.quantity.value is the unit count; an absent quantity is one unit. */
function readUnits(item: ChargeItem, problems: Problems): number {
  const value = item.quantity?.value ?? 1;
  if (!Number.isInteger(value) || value < 1) problems.push({ path: `${referenceTo(item)}.quantity.value`, reason: `${value} is not a whole number of units` });
  return value;
}
