/**
 * Charges to the PMS as DFT^P03 (HL7 v2.5.1 ch. 6.4.3): one FT1 per priced line and one
 * DG1 per diagnosis. Built by revcycle, parsed by the PMS simulator, with the same field
 * choices both ways:
 *   FT1-1 line number, FT1-4 date of service, FT1-6 CG (charge), FT1-7 and FT1-25 the
 *   procedure code (C4 = CPT, HCPCS), FT1-10 units, FT1-11 extended amount in dollars,
 *   FT1-19 the line's diagnoses (I10), FT1-20 performing provider NPI, FT1-26 modifiers,
 *   PV1-19 the visit number, DG1-3 the code, DG1-15 its rank.
 */
import type { Hl7Message, Hl7Segment } from '@medplum/core';
import { z } from 'zod';
import type { ChargePost } from '../charges';
import { type ChargeLine, Diagnosis, Modifier, ProcedureCode } from '../visit';
import { dateField, present, readNpi, validateAs, writeNpi } from './fields';
import {
  buildMessage,
  buildMsh,
  component,
  escapeHl7,
  Hl7MappingError,
  type MessageHeader,
  repetitions,
  segment,
  subcomponent,
  toHl7Date,
  toHl7Timestamp,
} from './message';

/** A DFT^P03 as the PMS reads it: the post without its idempotency key, which travels as MSH-10. */
export type DftCharges = Omit<ChargePost, 'idempotencyKey'> & { controlId: string };

/**
 * HL7 ACKs carry no ids for what was posted, so a charge is known by the message that
 * posted it and its line: MSH-10 plus FT1-1. Both sides derive it the same way.
 */
export function chargeIdOf(controlId: string, lineNumber: number): string {
  return `${controlId}-${lineNumber}`;
}

/** HL7 table 0396 names for the code systems we bill with. */
const CPT = 'C4';
const HCPCS = 'HCPCS';
const ICD10 = 'I10';
const ICD10_NAMES = [ICD10, 'ICD10CM', 'I10C'];
const PROCEDURE_SYSTEMS = [CPT, 'CPT', 'C5', HCPCS, 'HCPT'];

/** Integer cents → HL7 MO amount ("123.45"); string arithmetic, never floating point. */
export function centsToAmount(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** HL7 MO amount → integer cents; undefined when not a plain non-negative decimal. */
export function amountToCents(amount: string): number | undefined {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')) : undefined;
}

/** ICD-10-CM is written with its decimal point on HL7 (M54.50) and held without it (M5450). */
const dotted = (code: string) => (code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code);
const undotted = (code: string) => code.replace('.', '');

const procedureSystem = (code: string) => (/^[A-Z]/.test(code) ? HCPCS : CPT);

function writeFt1(post: ChargePost, line: ChargeLine, ranked: Diagnosis[]): Hl7Segment {
  const procedure = `${escapeHl7(line.code)}^^${procedureSystem(line.code)}`;
  const fields: string[] = [];
  const set = (n: number, v: string) => (fields[n - 1] = v);
  set(1, String(line.lineNumber));
  set(2, String(line.lineNumber));
  set(4, toHl7Date(post.serviceDate));
  set(6, 'CG');
  set(7, procedure);
  set(10, String(line.units));
  set(11, `${centsToAmount(line.chargeCents)}&USD`);
  set(19, line.diagnosisPointers.map((p) => `${dotted(ranked[p - 1].code)}^^${ICD10}`).join('~'));
  set(20, writeNpi(post.renderingNpi));
  set(25, procedure);
  set(26, line.modifiers.map(escapeHl7).join('~'));
  return segment(
    'FT1',
    Array.from(fields, (f) => f ?? ''),
  );
}

function writeDg1(d: Diagnosis, index: number): Hl7Segment {
  const fields = [String(index + 1), ICD10, `${dotted(d.code)}^^${ICD10}`, '', '', 'F'];
  fields[14] = String(d.rank);
  return segment(
    'DG1',
    Array.from(fields, (f) => f ?? ''),
  );
}

const byRank = (diagnoses: Diagnosis[]) => [...diagnoses].sort((a, b) => a.rank - b.rank);

/** ChargePost → DFT^P03. `header.controlId` must be stable across retries of the same post. */
export function buildDftP03(post: ChargePost, header: MessageHeader): Hl7Message {
  const ranked = byRank(post.diagnoses);
  const dangling = post.lines.flatMap((l) =>
    l.diagnosisPointers.filter((p) => !ranked[p - 1]).map((p) => `line ${l.lineNumber}: diagnosis pointer ${p} has no diagnosis`),
  );
  if (dangling.length > 0) throw new Hl7MappingError(dangling);
  const pv1 = Array<string>(19).fill('');
  pv1[0] = '1';
  pv1[1] = 'O';
  pv1[18] = escapeHl7(post.visitId);
  return buildMessage([
    buildMsh('DFT^P03^DFT_P03', header),
    segment('EVN', ['P03', toHl7Timestamp(header.at ?? new Date())]),
    segment('PID', ['1', '', `${escapeHl7(post.patientId)}^^^^MR`]),
    segment('PV1', pv1),
    ...post.lines.map((line) => writeFt1(post, line, ranked)),
    ...ranked.map(writeDg1),
  ]);
}

/** A coded element we bill from: its code, or an issue naming the field and the system it was in. */
function readCoded(seg: Hl7Segment, n: number, r: number, systems: string[], field: string, issues: string[]): string | undefined {
  const code = component(seg, n, 1, r);
  const system = component(seg, n, 3, r);
  if (code === '') return undefined;
  if (!systems.includes(system)) {
    issues.push(`${field}: ${code} is ${system || 'in no coding system'}, not ${systems[0]}`);
    return undefined;
  }
  return code;
}

function readDiagnoses(msg: Hl7Message, issues: string[]): Diagnosis[] {
  const diagnoses: Diagnosis[] = [];
  msg.getAllSegments('DG1').forEach((dg1, i) => {
    const code = readCoded(dg1, 3, 0, ICD10_NAMES, `DG1-3 (${i + 1})`, issues);
    const rank = Number(component(dg1, 15) || i + 1);
    const d =
      code && validateAs(Diagnosis, { code: undotted(code), rank }, { code: { field: `DG1-3 (${i + 1})` }, rank: { field: `DG1-15 (${i + 1})` } }, issues);
    if (d && diagnoses.some((other) => other.rank === d.rank)) issues.push(`DG1-15 (${i + 1}): priority ${d.rank} given twice`);
    else if (d) diagnoses.push(d);
  });
  return byRank(diagnoses);
}

/** A priced line as a PMS takes it (the REST body of the simulator validates with it too). */
export const ChargeLineSchema = z.object({
  lineNumber: z.number().int().min(1),
  code: ProcedureCode,
  modifiers: z.array(Modifier).max(4),
  units: z.number().int().min(1).max(999),
  chargeCents: z.number().int().min(0),
  diagnosisPointers: z.array(z.number().int().min(1).max(12)).min(1).max(4),
});

/** FT1-19 codes → 1-based positions in the ranked DG1 list; a code with no DG1 is an issue. */
function readPointers(ft1: Hl7Segment, ranked: Diagnosis[], field: string, issues: string[]): number[] {
  const pointers: number[] = [];
  for (let r = 0; r < repetitions(ft1, 19); r++) {
    const code = readCoded(ft1, 19, r, ICD10_NAMES, field, issues);
    if (!code) continue;
    const at = ranked.findIndex((d) => d.code === undotted(code));
    if (at < 0) issues.push(`${field}: ${code} has no DG1`);
    else pointers.push(at + 1);
  }
  return pointers;
}

/** CP: the price is component 1, itself a MO whose first subcomponent is the amount (second the currency). */
function readAmount(ft1: Hl7Segment, n: number): number | string | undefined {
  const amount = subcomponent(ft1, n, 1, 1);
  return amountToCents(amount) ?? present(amount);
}

function readLine(ft1: Hl7Segment, ranked: Diagnosis[], issues: string[]): ChargeLine | undefined {
  const n = component(ft1, 1);
  const at = (f: number) => `FT1-${f} (line ${n})`;
  const procedureField = component(ft1, 25) !== '' ? 25 : 7;
  const raw = {
    lineNumber: Number(n),
    code: readCoded(ft1, procedureField, 0, PROCEDURE_SYSTEMS, at(procedureField), issues),
    modifiers: Array.from({ length: repetitions(ft1, 26) }, (_, r) => component(ft1, 26, 1, r)),
    units: Number(component(ft1, 10) || 1),
    chargeCents: readAmount(ft1, 11),
    diagnosisPointers: readPointers(ft1, ranked, at(19), issues),
  };
  const sources = {
    lineNumber: { field: at(1) },
    code: { field: at(procedureField) },
    modifiers: { field: at(26) },
    units: { field: at(10) },
    chargeCents: { field: at(11), invalid: 'not an amount' },
    diagnosisPointers: { field: at(19) },
  };
  return validateAs(ChargeLineSchema, raw, sources, issues);
}

/** DFT^P03 → the charges it posts; every field billed from is checked, problems listed by field. */
export function parseDftP03(msg: Hl7Message): DftCharges {
  const issues: string[] = [];
  const ranked = readDiagnoses(msg, issues);
  const ft1s = msg.getAllSegments('FT1');
  if (ft1s.length === 0) issues.push('FT1: missing (no charges)');
  const lines = ft1s.map((ft1) => readLine(ft1, ranked, issues)).filter((l): l is ChargeLine => l !== undefined);
  const visitId = present(component(msg.getSegment('PV1'), 19));
  const patientId = present(component(msg.getSegment('PID'), 3));
  const serviceDate = dateField(ft1s[0], 4);
  const renderingNpi = ft1s.map((ft1) => readNpi(ft1, 20)).find((npi) => npi !== undefined);
  if (!visitId) issues.push('PV1-19: missing');
  if (!patientId) issues.push('PID-3: missing');
  if (!serviceDate) issues.push('FT1-4: missing');
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(serviceDate)) issues.push('FT1-4: not a date');
  if (!renderingNpi) issues.push('FT1-20: no NPI');
  if (issues.length > 0) throw new Hl7MappingError(issues);
  return {
    controlId: component(msg.header, 10),
    visitId: visitId!,
    patientId: patientId!,
    serviceDate: serviceDate!,
    renderingNpi: renderingNpi!,
    diagnoses: ranked,
    lines,
  };
}
