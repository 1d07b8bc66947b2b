/**
 * Readers for the rule data files, in the layouts their publishers use (docs/scrubber.md
 * lists every column). Pure: text in, typed rows out; a bad row is a `DataFileError`
 * naming its line, never a silently skipped charge rule.
 */
import { z } from 'zod';
import { cmsDate } from './codes';

export class DataFileError extends Error {
  readonly code = 'DATA_FILE';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(`${file}${line ? ` line ${line}` : ''}: ${message}`);
  }
}

/** RFC 4180 CSV (quoted fields, doubled quotes) or tab-separated text; returns rows with their 1-based line numbers. */
export function parseDelimited(text: string, delimiter = ','): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) (cells.push(cell), (cell = ''));
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((x) => x.trim() !== '')) rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      rowLine = ++line;
    } else cell += c;
  }
  cells.push(cell);
  if (cells.some((x) => x.trim() !== '')) rows.push({ line: rowLine, cells });
  return rows;
}

/** Rows of a headed CSV as records keyed by lower-cased header; the named columns must exist. */
function headed(file: string, text: string, required: string[], delimiter = ','): { line: number; get: (col: string) => string }[] {
  const [header, ...rows] = parseDelimited(text, delimiter);
  if (!header) throw new DataFileError(file, undefined, 'is empty');
  const index = new Map(header.cells.map((h, i) => [h.trim().toLowerCase(), i]));
  const missing = required.filter((c) => !index.has(c));
  if (missing.length) throw new DataFileError(file, header.line, `missing column(s) ${missing.join(', ')} (has ${header.cells.join(', ')})`);
  return rows.map((r) => ({ line: r.line, get: (col: string) => (r.cells[index.get(col) ?? -1] ?? '').trim() }));
}

function date(file: string, line: number, raw: string): string | undefined {
  try {
    return cmsDate(raw);
  } catch (e) {
    throw new DataFileError(file, line, (e as Error).message);
  }
}

const PROCEDURE_CODE = /^(\d{4}[0-9FTU]|[A-V]\d{4})$/;

export interface ProcedureCodeRow {
  code: string;
  description: string;
  effectiveFrom?: string;
  effectiveTo?: string;
}

/**
 * CMS's annual HCPCS Level II file (the `HCPC<year>_<month>_ANWEB` record layout),
 * saved as CSV with its column headers. Record id 3 starts a procedure, 4 continues its
 * long description; modifier records (7, 8) are not procedures and are skipped.
 */
export function readHcpcs(file: string, text: string): ProcedureCodeRow[] {
  const rows = headed(file, text, ['hcpc', 'recid', 'long description', 'short description', 'add dt', 'act eff dt', 'term dt']);
  const out: ProcedureCodeRow[] = [];
  for (const r of rows) {
    const recid = r.get('recid');
    const code = r.get('hcpc').toUpperCase();
    if (recid === '4' && out.length && out[out.length - 1].code === code) {
      out[out.length - 1].description += ` ${r.get('long description')}`;
      continue;
    }
    if (recid !== '3') continue;
    if (!PROCEDURE_CODE.test(code)) throw new DataFileError(file, r.line, `"${code}" is not a HCPCS code`);
    out.push({
      code,
      description: r.get('long description') || r.get('short description'),
      effectiveFrom: date(file, r.line, r.get('add dt')) ?? date(file, r.line, r.get('act eff dt')),
      effectiveTo: date(file, r.line, r.get('term dt')),
    });
  }
  return out;
}

/**
 * A practice's licensed CPT list as CSV: `code,label,effective_from,effective_to`
 * (dates optional; the label is the practice's own short text, since AMA descriptors
 * are licensed and are not kept here).
 */
export function readCpt(file: string, text: string): ProcedureCodeRow[] {
  return headed(file, text, ['code', 'label']).map((r) => {
    const code = r.get('code').toUpperCase();
    if (!PROCEDURE_CODE.test(code)) throw new DataFileError(file, r.line, `"${code}" is not a CPT code`);
    return {
      code,
      description: r.get('label'),
      effectiveFrom: date(file, r.line, r.get('effective_from')),
      effectiveTo: date(file, r.line, r.get('effective_to')),
    };
  });
}

export interface PtpEditRow {
  column1: string;
  column2: string;
  effectiveFrom: string;
  /** The edit no longer applies from this date on. */
  deletedOn?: string;
  /** 0 = never billable together, 1 = allowed with an NCCI-associated modifier, 9 = not applicable. */
  modifierIndicator: '0' | '1' | '9';
}

/**
 * CMS's NCCI practitioner PTP edit file (tab-separated text, or CSV): Column 1, Column 2,
 * "* = in existence prior to 1996", Effective Date (YYYYMMDD), Deletion Date (YYYYMMDD,
 * `*` = none), Modifier indicator (0/1/9), PTP Edit Rationale. Title and notice lines
 * (anything whose first two cells are not codes) are skipped.
 */
export function readNcciPtp(file: string, text: string): PtpEditRow[] {
  const delimiter = text.includes('\t') ? '\t' : ',';
  const out: PtpEditRow[] = [];
  for (const r of parseDelimited(text, delimiter)) {
    const [c1, c2, , eff, del, mod] = r.cells.map((c) => c.trim());
    if (!PROCEDURE_CODE.test(c1 ?? '') || !PROCEDURE_CODE.test(c2 ?? '')) continue;
    if (mod !== '0' && mod !== '1' && mod !== '9') throw new DataFileError(file, r.line, `modifier indicator "${mod}" is not 0, 1 or 9`);
    const effectiveFrom = date(file, r.line, eff);
    if (!effectiveFrom) throw new DataFileError(file, r.line, 'has no effective date');
    out.push({ column1: c1, column2: c2, effectiveFrom, deletedOn: date(file, r.line, del), modifierIndicator: mod });
  }
  return out;
}

export interface MueRow {
  code: string;
  /** Most units of service one practitioner bills for the code per line or per day. */
  maxUnits: number;
  /** MUE adjudication indicator: 1 = per claim line, 2 = per day (policy), 3 = per day (clinical). */
  adjudicationIndicator: '1' | '2' | '3';
  rationale: string;
}

/**
 * CMS's practitioner services MUE table (CSV): HCPCS/CPT Code, Practitioner Services
 * MUE Values, MUE Adjudication Indicator ("1 Line Edit", "2 Date of Service Edit:
 * Policy", "3 Date of Service Edit: Clinical"), MUE Rationale. Notice rows are skipped.
 */
export function readMue(file: string, text: string): MueRow[] {
  const out: MueRow[] = [];
  for (const r of parseDelimited(text, text.includes('\t') ? '\t' : ',')) {
    const [code, value, mai, rationale] = r.cells.map((c) => c.trim());
    if (!PROCEDURE_CODE.test(code ?? '')) continue;
    const indicator = (mai ?? '').charAt(0);
    if (!/^\d+$/.test(value ?? '')) throw new DataFileError(file, r.line, `MUE value "${value}" is not a number`);
    if (indicator !== '1' && indicator !== '2' && indicator !== '3') throw new DataFileError(file, r.line, `adjudication indicator "${mai}" is not 1, 2 or 3`);
    out.push({ code, maxUnits: Number(value), adjudicationIndicator: indicator, rationale: rationale ?? '' });
  }
  return out;
}

const FilingIndicator = z.enum([
  '11',
  '12',
  '13',
  '14',
  '15',
  '16',
  '17',
  'AM',
  'BL',
  'CH',
  'CI',
  'DS',
  'FI',
  'HM',
  'LM',
  'MA',
  'MB',
  'MC',
  'OF',
  'TV',
  'VA',
  'WC',
  'ZZ',
]);
const PayerRule = z.object({
  /** SBR09 claim filing indicator (CI commercial, MB Medicare Part B, MC Medicaid, BL Blue Cross...). */
  filingIndicator: FilingIndicator,
  /** Days from the date of service within which the payer must receive the claim. */
  timelyFilingDays: z.number().int().min(1).max(3650),
  /** Procedure codes that need a prior authorization number (REF*G1) on the claim. */
  priorAuthCodes: z.array(z.string().regex(PROCEDURE_CODE)).default([]),
});
export const PayerRulesFile = z.object({
  default: PayerRule,
  payers: z.array(PayerRule.extend({ payerId: z.string().min(1), name: z.string().optional() })),
});
export type PayerRule = z.infer<typeof PayerRule>;
export type PayerRulesFile = z.infer<typeof PayerRulesFile>;

export function readPayerRules(file: string, text: string): PayerRulesFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DataFileError(file, undefined, `is not JSON: ${(e as Error).message}`);
  }
  const parsed = PayerRulesFile.safeParse(raw);
  if (!parsed.success) throw new DataFileError(file, undefined, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** The scrubber's own rule file: which codes are office E/M visits, which modifiers bypass a PTP edit, the claim's limits. */
export const ScrubRulesFile = z.object({
  /** Inclusive code ranges, e.g. "99202-99215". */
  evaluationAndManagement: z.array(z.string().regex(/^\d{5}(-\d{5})?$/)),
  /** Modifiers that let a column 2 code with modifier indicator 1 be billed. */
  ptpBypassModifiers: z.array(z.string().regex(/^[A-Z0-9]{2}$/)),
  /** Modifier 25 bypasses only on the E/M line of the pair. */
  emBypassModifiers: z.array(z.string().regex(/^[A-Z0-9]{2}$/)),
  maxDiagnoses: z.number().int().min(1),
  maxModifiersPerLine: z.number().int().min(1),
  maxPointersPerLine: z.number().int().min(1),
});
export type ScrubRulesFile = z.infer<typeof ScrubRulesFile>;

export function readScrubRules(file: string, text: string): ScrubRulesFile {
  const parsed = ScrubRulesFile.safeParse(JSON.parse(text));
  if (!parsed.success) throw new DataFileError(file, undefined, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

export interface FeeRow {
  /** `*` = the default schedule for any payer without its own fee for the code. */
  payerId: string;
  providerNpi?: string;
  code: string;
  modifier?: string;
  effectiveFrom: string;
  effectiveTo?: string;
  chargeCents: number;
  expectedCents: number;
}

/** `135`, `135.5`, `135.50` → cents, exactly (no floating point). */
export function dollarsToCents(raw: string): number | undefined {
  const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(raw.trim());
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : undefined;
}

/**
 * A fee schedule CSV: `payer_id,provider_npi,code,modifier,effective_from,effective_to,charge,expected`.
 * payer_id `*` is the default; provider_npi and modifier may be blank (any); amounts in dollars.
 */
export function readFeeSchedule(file: string, text: string): FeeRow[] {
  return headed(file, text, ['payer_id', 'provider_npi', 'code', 'modifier', 'effective_from', 'effective_to', 'charge', 'expected']).map((r) => {
    const code = r.get('code').toUpperCase();
    if (!PROCEDURE_CODE.test(code)) throw new DataFileError(file, r.line, `"${code}" is not a CPT or HCPCS code`);
    const npi = r.get('provider_npi');
    if (npi && !/^\d{10}$/.test(npi)) throw new DataFileError(file, r.line, `provider_npi "${npi}" is not a 10-digit NPI`);
    const modifier = r.get('modifier').toUpperCase();
    if (modifier && !/^[A-Z0-9]{2}$/.test(modifier)) throw new DataFileError(file, r.line, `modifier "${modifier}" is not 2 characters`);
    const chargeCents = dollarsToCents(r.get('charge'));
    const expectedCents = dollarsToCents(r.get('expected'));
    if (chargeCents === undefined || expectedCents === undefined)
      throw new DataFileError(file, r.line, 'charge and expected must be dollar amounts like 135.00');
    const effectiveFrom = date(file, r.line, r.get('effective_from'));
    if (!effectiveFrom) throw new DataFileError(file, r.line, 'has no effective_from');
    return {
      payerId: r.get('payer_id') || '*',
      providerNpi: npi || undefined,
      code,
      modifier: modifier || undefined,
      effectiveFrom,
      effectiveTo: date(file, r.line, r.get('effective_to')),
      chargeCents,
      expectedCents,
    };
  });
}

export type MceEdit = 'newborn' | 'pediatric' | 'maternity' | 'adult' | 'female' | 'male';

export interface MceEditRow {
  edit: MceEdit;
  /** ICD-10-CM, billed form (no point). */
  code: string;
  /** For the age edits: the ages (in years on the date of service) the code is for, inclusive. */
  minAge?: number;
  maxAge?: number;
}

/** The age ranges CMS gives each age edit when its heading does not say ("Newborn" = age 0). */
const MCE_AGES: Record<'newborn' | 'pediatric' | 'maternity' | 'adult', [number, number]> = {
  newborn: [0, 0],
  pediatric: [0, 17],
  maternity: [9, 64],
  adult: [15, 124],
};

/**
 * The sex and age lists of CMS's "Definitions of Medicare Code Edits" (the Medicare Code
 * Editor's text edition, one per MCE version): under "4. Age conflict" the headings
 * "Newborn diagnoses", "Pediatric diagnoses (age 0 through 17)", "Maternity diagnoses
 * (age 9 through 64)", "Adult diagnoses (age 15 through 124)"; under "5. Sex conflict"
 * "Diagnoses for females only" and "Diagnoses for males only"; each followed by lines of
 * an ICD-10-CM code (no point) and its title. Ages come from the heading when it gives
 * them. Procedure lists (ICD-10-PCS), other edits, page headers and blank lines are skipped.
 */
export function readMceEdits(file: string, text: string): MceEditRow[] {
  const out: MceEditRow[] = [];
  let edit: MceEdit | undefined;
  let ages: [number, number] | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const heading =
      /^(newborn|pediatric|maternity|adult) diagnoses(?:\s*\(age (\d+) through (\d+)\))?/i.exec(line) ?? /^diagnoses for (females|males) only/i.exec(line);
    if (heading) {
      const name = heading[1].toLowerCase();
      edit = name === 'females' ? 'female' : name === 'males' ? 'male' : (name as MceEdit);
      ages = edit === 'female' || edit === 'male' ? undefined : heading[2] ? [Number(heading[2]), Number(heading[3])] : MCE_AGES[edit as keyof typeof MCE_AGES];
      return;
    }
    // Any other heading ("Procedures for females only", "6. Manifestation code as principal diagnosis") ends a list.
    if (/^(\d+\.\s|procedures\b)/i.test(line)) {
      edit = undefined;
      return;
    }
    const row = /^([A-Z]\d[0-9A-Z]{1,5})\s+\S/.exec(line);
    if (!edit || !row) return;
    if (ages && ages[0] > ages[1]) throw new DataFileError(file, i + 1, `age range ${ages[0]} through ${ages[1]} is empty`);
    out.push({ edit, code: row[1], ...(ages ? { minAge: ages[0], maxAge: ages[1] } : {}) });
  });
  if (!out.length) throw new DataFileError(file, undefined, 'holds no sex or age edit lists ("Newborn diagnoses", "Diagnoses for males only", ...)');
  return out;
}
