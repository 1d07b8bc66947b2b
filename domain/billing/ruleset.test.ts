import { createHash } from 'node:crypto';
import { currentReleases, datesFromFileName, icdCoverage, icdReleaseFor, rulesetDiff, releaseWindows, rulesetVersion, type Release } from './ruleset';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const rel = (id: number, kind: Release['kind'], extra: Partial<Release> = {}): Release => ({ id, kind, name: `${kind}-${id}`, sha256: `h${id}`, ...extra });

test.each([
  ['icd10c-tabular-April-1-2026.xml', { effectiveFrom: '2026-04-01', effectiveTo: '2026-09-30' }],
  ['icd10cm-tabular-April-2025.xml (no day: not a date)', {}],
  ['icd10cm-tabular-October-1-2026.xml', { effectiveFrom: '2026-10-01', effectiveTo: '2027-09-30' }],
  ['icd10cm-tabular-FY2021-seed.xml', { effectiveFrom: '2020-10-01', effectiveTo: '2021-09-30' }],
  ['icd10cm_tabular_2027.xml', { effectiveFrom: '2026-10-01', effectiveTo: '2027-09-30' }],
  ['my-codes.xml', {}],
])('release dates from the file name %s', (name, dates) => expect(datesFromFileName(name)).toEqual(dates));

test('a release covers its dates until the next one starts or its own end, whichever is first', () => {
  const windows = releaseWindows([
    { name: 'apr2026', effectiveFrom: '2026-04-01' },
    { name: 'fy2021', effectiveFrom: '2020-10-01', effectiveTo: '2021-09-30' },
    { name: 'fy2026', effectiveFrom: '2025-10-01' },
  ]);
  expect(windows.map((w) => [w.name, w.coversFrom, w.coversTo])).toEqual([
    ['fy2021', '2020-10-01', '2021-09-30'],
    ['fy2026', '2025-10-01', '2026-03-31'],
    ['apr2026', '2026-04-01', undefined],
  ]);
});

test('a ruleset keeps every code-set release and the latest edit and rule files', () => {
  const all = [rel(1, 'icd10cm'), rel(2, 'mue'), rel(3, 'icd10cm'), rel(4, 'mue'), rel(5, 'payer_rules'), rel(6, 'cpt')];
  expect(currentReleases(all).map((r) => r.id)).toEqual([1, 3, 4, 5, 6]);
});

test('an ICD-10-CM release loaded again for the same start date replaces the earlier one; other code sets keep both', () => {
  const all = [
    rel(1, 'icd10cm', { effectiveFrom: '2020-10-01' }),
    rel(2, 'icd10cm', { effectiveFrom: '2026-04-01' }),
    rel(3, 'icd10cm', { effectiveFrom: '2020-10-01' }),
    rel(4, 'cpt'),
    rel(5, 'cpt'),
  ];
  expect(currentReleases(all).map((r) => r.id)).toEqual([2, 3, 4, 5]);
});

describe('which ICD-10-CM release judges a date of service', () => {
  const FY2021 = { release: 'FY2021', effectiveFrom: '2020-10-01', effectiveTo: '2021-09-30' };
  const APR2025 = { release: 'April 2025', effectiveFrom: '2025-04-01', effectiveTo: '2025-09-30' };
  const APR2026 = { release: 'April 2026', effectiveFrom: '2026-04-01', effectiveTo: '2026-09-30' };
  const loaded = [APR2026, FY2021, APR2025];
  test.each([
    ['inside FY2021', '2021-09-30', { how: 'exact', decides: FY2021 }],
    ['the first day after FY2021: the later release decides', '2021-10-01', { how: 'gap', decides: APR2025, earlier: FY2021 }],
    ['2023-05-10, between FY2021 and April 2025', '2023-05-10', { how: 'gap', decides: APR2025, earlier: FY2021 }],
    ['inside April 2025', '2025-04-01', { how: 'exact', decides: APR2025 }],
    ['FY2026 before its April update', '2025-12-01', { how: 'gap', decides: APR2026, earlier: APR2025 }],
    ['the last day of April 2026', '2026-09-30', { how: 'exact', decides: APR2026 }],
    ['FY2027, not loaded', '2026-12-08', { how: 'after', decides: APR2026, notLoaded: 'FY2027 (in effect from 2026-10-01)' }],
    ['the April 2027 update, not loaded', '2027-05-01', { how: 'after', decides: APR2026, notLoaded: 'April 2027 (in effect from 2027-04-01)' }],
    ['before ICD-10-CM FY2021', '2019-06-01', { how: 'none', oldest: FY2021 }],
  ])('%s', (_name, day, choice) => expect(icdReleaseFor(loaded, day)).toEqual(choice));
  test('with nothing loaded, none', () => expect(icdReleaseFor([], '2026-01-01')).toEqual({ how: 'none', oldest: undefined }));
});

test('the ruleset version changes with any file and not with load order', () => {
  const a = [rel(1, 'icd10cm'), rel(2, 'mue')];
  expect(rulesetVersion(a, sha)).toMatch(/^rs-[0-9a-f]{12}$/);
  expect(rulesetVersion([...a].reverse(), sha)).toBe(rulesetVersion(a, sha));
  expect(rulesetVersion([a[0], { ...a[1], sha256: 'other' }], sha)).not.toBe(rulesetVersion(a, sha));
});

test('the ICD-10-CM time line names each window, each gap and who decides it, and what comes after the newest', () => {
  expect(
    icdCoverage([
      { release: 'April 2026', effectiveFrom: '2026-04-01', effectiveTo: '2026-09-30' },
      { release: 'FY2021', effectiveFrom: '2020-10-01', effectiveTo: '2021-09-30' },
      { release: 'April 2025', effectiveFrom: '2025-04-01', effectiveTo: '2025-09-30' },
    ]),
  ).toEqual([
    { from: '2020-10-01', to: '2021-09-30', release: 'FY2021', how: 'exact' },
    {
      from: '2021-10-01',
      to: '2025-03-31',
      release: 'April 2025',
      how: 'gap',
      note: 'no release loaded from FY2022 (in effect from 2021-10-01) on; the later one, April 2025, decides',
    },
    { from: '2025-04-01', to: '2025-09-30', release: 'April 2025', how: 'exact' },
    {
      from: '2025-10-01',
      to: '2026-03-31',
      release: 'April 2026',
      how: 'gap',
      note: 'no release loaded from FY2026 (in effect from 2025-10-01) on; the later one, April 2026, decides',
    },
    { from: '2026-04-01', to: '2026-09-30', release: 'April 2026', how: 'exact' },
    {
      from: '2026-10-01',
      release: 'April 2026',
      how: 'after',
      note: 'FY2027 (in effect from 2026-10-01) is not loaded; the newest, April 2026, decides and says so',
    },
  ]);
});

test('two rulesets differ by the files one has and the other does not, whatever their ids', () => {
  const fy21 = rel(1, 'icd10cm', { sha256: 'a', effectiveFrom: '2020-10-01' });
  const mue1 = rel(2, 'mue', { sha256: 'm1' });
  const mue2 = rel(5, 'mue', { sha256: 'm2', source: 'MCR_MUE_PractitionerServices_Eff_10-01-2026.zip' });
  expect(rulesetDiff([fy21, mue1], [{ ...fy21, id: 9 }, mue2])).toEqual({ added: [mue2], removed: [mue1] });
  expect(rulesetDiff([fy21], [fy21])).toEqual({ added: [], removed: [] });
});
