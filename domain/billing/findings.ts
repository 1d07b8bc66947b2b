/**
 * What the scrubber says about a claim, and the data it judges it with. The activity
 * `scrubClaim` loads `ScrubData` for one claim (code-set lookups, edits, payer rules,
 * fees); the rules themselves are pure functions of `(ScrubClaim, ScrubData)`.
 */
import type { IcdNote } from './icd10cm-tabular';
import type { MceEditRow, MueRow, PayerRule, PtpEditRow, ScrubRulesFile } from './layouts';

export type Severity = 'error' | 'warning';

/** A fix the data offers: replace a code, add a modifier, or set the units; the coder picks one option. */
export interface Suggestion {
  field: 'code' | 'modifier' | 'units';
  /** Where in the encounter, e.g. `diagnoses[0].code`, `procedures[1].modifiers`. */
  path: string;
  options: string[];
}

export interface Finding {
  /** Unique within one scrub: the rule id and where it fired. Used to accept a suggestion. */
  id: string;
  ruleId: string;
  severity: Severity;
  /** 1-based service line, when the finding is about one. */
  line?: number;
  path: string;
  message: string;
  suggestion?: Suggestion;
}

/** The claim as the scrubber sees it: the coded encounter plus what the claim adds. */
export interface ScrubClaim {
  payerId: string;
  serviceDate: string;
  priorAuthorization?: string;
  /** For the sex and age edits; without it they are not applied. */
  patient?: { sex: 'M' | 'F' | 'U'; birthDate: string };
  diagnoses: { code: string; rank: number }[];
  procedures: { code: string; modifiers: string[]; units: number; diagnosisPointers: number[] }[];
}

export interface IcdPeriod {
  release: string;
  effectiveFrom: string;
  effectiveTo?: string;
  billable: boolean;
  description: string;
  /** Billable codes under it in the same release (what to use instead of a header). */
  billableChildren: string[];
  /** The tabular's notes that apply to the code in this release: written at it or at a code above it (`at`). */
  notes?: (IcdNote & { at: string })[];
  /** A manifestation code ("... in diseases classified elsewhere", with a code-first note): never listed first. */
  manifestation?: boolean;
}

export interface ProcedurePeriod {
  system: 'CPT' | 'HCPCS';
  effectiveFrom?: string;
  effectiveTo?: string;
  description: string;
}

export interface ScrubData {
  rulesetVersion: string;
  /** The day the claim would go out (timely filing counts to it). */
  asOf: string;
  rules: ScrubRulesFile;
  /** The loaded ICD-10-CM releases and the dates each one covers. */
  icdReleases: { release: string; effectiveFrom: string; effectiveTo?: string }[];
  /** Every period of every diagnosis code on the claim (billed form, no point). */
  icd: Record<string, IcdPeriod[]>;
  procedures: Record<string, ProcedurePeriod[]>;
  /** PTP edits whose two codes are both on the claim (any dates: the rule checks them). */
  ptp: PtpEditRow[];
  mue: Record<string, MueRow>;
  /** The Medicare Code Editor's sex and age list entries of the claim's diagnosis codes, and the MCE release they come from. */
  mce?: MceEditRow[];
  mceRelease?: string;
  payer: PayerRule & { configured: boolean };
  /** Codes (with the line's modifiers) the fee schedule has no fee for on the date of service. */
  unpricedLines: number[];
}

export interface ScrubResult {
  rulesetVersion: string;
  findings: Finding[];
  /** True when any finding is an error: the claim does not go out. */
  blocked: boolean;
  /** SBR09 for the 837P, from the payer rules. */
  filingIndicator: string;
  priorAuthorization?: string;
}

export const finding = (f: Omit<Finding, 'id'> & { id?: string }): Finding => ({ id: f.id ?? `${f.ruleId}@${f.path}`, ...f });

/** `12-13` inclusive ranges or single codes, as the rules file lists E/M codes. */
export function inRanges(code: string, ranges: string[]): boolean {
  return ranges.some((r) => {
    const [lo, hi = lo] = r.split('-');
    return /^\d{5}$/.test(code) && code >= lo && code <= hi;
  });
}

export const lineOf = (index: number) => index + 1;
