/**
 * Scrub data for unit tests and the benchmark, written by hand after the seed files in
 * data/: two ICD-10-CM releases (FY2021, where M54.5 is billable until 2021-09-30, and
 * April 2026, where it is a header over M54.50/M54.51/M54.59), a few CPT/HCPCS codes,
 * PTP edits, MUEs and payer rules.
 */
import type { ScrubClaim, ScrubData } from './findings';

export const RULES = {
  evaluationAndManagement: ['99202-99205', '99211-99215'],
  ptpBypassModifiers: ['59', 'XE', 'XS', 'XP', 'XU'],
  emBypassModifiers: ['25'],
  maxDiagnoses: 12,
  maxModifiersPerLine: 4,
  maxPointersPerLine: 4,
};

const FY2021 = { release: 'FY2021', effectiveFrom: '2020-10-01', effectiveTo: '2021-09-30' };
const APR2026 = { release: 'April-1-2026', effectiveFrom: '2026-04-01' };
const leaf = (r: typeof FY2021 | typeof APR2026, description: string) => ({ ...r, billable: true, description, billableChildren: [] });

export function scrubData(overrides: Partial<ScrubData> = {}): ScrubData {
  return {
    rulesetVersion: 'test-ruleset',
    asOf: '2026-11-21',
    rules: RULES,
    icdReleases: [APR2026, FY2021],
    icd: {
      M545: [leaf(FY2021, 'Low back pain'), { ...APR2026, billable: false, description: 'Low back pain', billableChildren: ['M5450', 'M5451', 'M5459'] }],
      M5450: [leaf(APR2026, 'Low back pain, unspecified')],
      M5451: [leaf(APR2026, 'Vertebrogenic low back pain')],
      M5459: [leaf(APR2026, 'Other low back pain')],
      E119: [leaf(FY2021, 'Type 2 diabetes mellitus without complications'), leaf(APR2026, 'Type 2 diabetes mellitus without complications')],
      J069: [leaf(APR2026, 'Acute upper respiratory infection, unspecified')],
      E11: [{ ...APR2026, billable: false, description: 'Type 2 diabetes mellitus', billableChildren: [] }],
    },
    procedures: Object.fromEntries([
      ...['99495', '99212', '99213', '99214', '99215', '20610', '36415', '97110', '97530', '93000', '93005', '72148'].map((c) => [
        c,
        [{ system: 'CPT' as const, description: `demo ${c}` }],
      ]),
      ['J1100', [{ system: 'HCPCS' as const, effectiveFrom: '2000-01-01', description: 'Dexamethasone sodium phosphate, 1 mg' }]],
      ['G0101', [{ system: 'HCPCS' as const, effectiveFrom: '2001-07-01', effectiveTo: '2024-12-31', description: 'Cervical or vaginal cancer screening' }]],
    ]),
    ptp: [
      { column1: '20610', column2: '99214', effectiveFrom: '2002-01-01', modifierIndicator: '1' },
      { column1: '97530', column2: '97110', effectiveFrom: '2020-01-01', modifierIndicator: '1' },
      { column1: '93000', column2: '93005', effectiveFrom: '1996-01-01', modifierIndicator: '0' },
      { column1: '36415', column2: '99213', effectiveFrom: '2010-01-01', deletedOn: '2015-01-01', modifierIndicator: '1' },
      { column1: '20610', column2: '36415', effectiveFrom: '2010-01-01', modifierIndicator: '9' },
      { column1: '99495', column2: '99213', effectiveFrom: '2013-01-01', modifierIndicator: '0' },
      { column1: '99214', column2: '99213', effectiveFrom: '2013-01-01', modifierIndicator: '1' },
    ],
    mue: {
      '99213': { code: '99213', maxUnits: 1, adjudicationIndicator: '2', rationale: 'Code Descriptor / CPT Instruction' },
      '99214': { code: '99214', maxUnits: 1, adjudicationIndicator: '2', rationale: 'Code Descriptor / CPT Instruction' },
      '20610': { code: '20610', maxUnits: 2, adjudicationIndicator: '1', rationale: 'Anatomic Consideration' },
      '97110': { code: '97110', maxUnits: 6, adjudicationIndicator: '3', rationale: 'Clinical: Data' },
    },
    payer: { configured: true, filingIndicator: 'CI', timelyFilingDays: 90, priorAuthCodes: ['72148'] },
    unpricedLines: [],
    ...overrides,
  };
}

/** A clean claim: every rule family passes. */
export function cleanClaim(overrides: Partial<ScrubClaim> = {}): ScrubClaim {
  return {
    payerId: '87726',
    serviceDate: '2026-11-20',
    diagnoses: [
      { code: 'M5450', rank: 1 },
      { code: 'E119', rank: 2 },
    ],
    procedures: [
      { code: '99214', modifiers: ['25'], units: 1, diagnosisPointers: [1, 2] },
      { code: '20610', modifiers: ['RT'], units: 1, diagnosisPointers: [1] },
    ],
    ...overrides,
  };
}

export const lines = (...codes: string[]): ScrubClaim['procedures'] => codes.map((code) => ({ code, modifiers: [], units: 1, diagnosisPointers: [1] }));
