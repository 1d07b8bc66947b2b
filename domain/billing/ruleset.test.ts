import { createHash } from 'node:crypto';
import { currentReleases, datesFromFileName, releaseWindows, rulesetVersion, type Release } from './ruleset';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const rel = (id: number, kind: Release['kind'], extra: Partial<Release> = {}): Release => ({ id, kind, name: `${kind}-${id}`, sha256: `h${id}`, ...extra });

test.each([
  ['icd10c-tabular-April-1-2026.xml', { effectiveFrom: '2026-04-01' }],
  ['icd10cm-tabular-FY2021-seed.xml', { effectiveFrom: '2020-10-01', effectiveTo: '2021-09-30' }],
  ['icd10cm_tabular_2027.xml', { effectiveFrom: '2026-10-01' }],
  ['my-codes.xml', {}],
])('release dates from the file name %s', (name, dates) => expect(datesFromFileName(name)).toEqual(dates));

test('a release covers its dates until the next one starts or its own end, whichever is first', () => {
  const windows = releaseWindows([
    { name: 'apr2026', effectiveFrom: '2026-04-01' },
    { name: 'fy2021', effectiveFrom: '2020-10-01', effectiveTo: '2021-09-30' },
    { name: 'fy2026', effectiveFrom: '2025-10-01' },
  ]);
  expect(windows.map((w) => [w.name, w.coversFrom, w.coversTo])).toEqual([
    ['fy2021', '2020-10-01', '2021-09-30'], ['fy2026', '2025-10-01', '2026-03-31'], ['apr2026', '2026-04-01', undefined],
  ]);
});

test('a ruleset keeps every code-set release and the latest edit and rule files', () => {
  const all = [rel(1, 'icd10cm'), rel(2, 'mue'), rel(3, 'icd10cm'), rel(4, 'mue'), rel(5, 'payer_rules'), rel(6, 'cpt')];
  expect(currentReleases(all).map((r) => r.id)).toEqual([1, 3, 4, 5, 6]);
});

test('the ruleset version changes with any file and not with load order', () => {
  const a = [rel(1, 'icd10cm'), rel(2, 'mue')];
  expect(rulesetVersion(a, sha)).toMatch(/^rs-[0-9a-f]{12}$/);
  expect(rulesetVersion([...a].reverse(), sha)).toBe(rulesetVersion(a, sha));
  expect(rulesetVersion([a[0], { ...a[1], sha256: 'other' }], sha)).not.toBe(rulesetVersion(a, sha));
});
