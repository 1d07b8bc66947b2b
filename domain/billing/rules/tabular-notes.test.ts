import { readIcdTabular, noteTargets, targetCovers } from '../icd10cm-tabular';
import type { IcdPeriod } from '../findings';
import { cleanClaim, scrubData } from '../scrub-fixture';
import { tabularNotes } from './tabular-notes';

/** A slice of the April 2026 tabular as CDC writes it: E10/E11 with their notes, G63 (a manifestation) and M54.5. */
const TABULAR = `<?xml version="1.0" encoding="utf-8"?><ICD10CM.tabular><version>2026</version>
<chapter><name>4</name><desc>Endocrine</desc><section id="E08-E13"><desc>Diabetes mellitus</desc>
<diag><name>E10</name><desc>Type 1 diabetes mellitus</desc>
  <excludes1><note>type 2 diabetes mellitus (E11.-)</note></excludes1>
  <diag><name>E10.9</name><desc>Type 1 diabetes mellitus without complications</desc></diag></diag>
<diag><name>E11</name><desc>Type 2 diabetes mellitus</desc>
  <useAdditionalCode><note>code to identify control using:</note><note>insulin (Z79.4)</note><note>oral antidiabetic drugs (Z79.84)</note></useAdditionalCode>
  <excludes1><note>diabetes mellitus due to underlying condition (E08.-)</note><note>type 1 diabetes mellitus (E10.-)</note></excludes1>
  <diag><name>E11.9</name><desc>Type 2 diabetes mellitus without complications</desc></diag>
  <diag><name>E11.42</name><desc>Type 2 diabetes mellitus with diabetic polyneuropathy</desc></diag></diag>
</section></chapter>
<chapter><name>6</name><desc>Nervous system</desc><section id="G60-G65"><desc>Polyneuropathies</desc>
<diag><name>G63</name><desc>Polyneuropathy in diseases classified elsewhere</desc>
  <codeFirst><note>underlying disease, such as:</note><note>amyloidosis (E85.-)</note><note>endocrine disease, except diabetes (E00-E07, E15-E16, E20-E34)</note></codeFirst>
  <excludes1><note>polyneuropathy (in):</note><note>diabetes mellitus (E08-E13 with .42)</note></excludes1></diag>
</section></chapter></ICD10CM.tabular>`;

const APR2026 = { release: 'April-1-2026', effectiveFrom: '2026-04-01' };

/** The scrubber's view of the slice: each code's period with the notes of it and the codes above it, as db/codesets.ts builds it. */
function periods(): Record<string, IcdPeriod[]> {
  const { entries } = readIcdTabular(TABULAR);
  const byCode = new Map(entries.map((e) => [e.code, e]));
  return Object.fromEntries(
    entries.map((e) => {
      const above = entries.filter((a) => e.code.startsWith(a.code));
      const notes = above.flatMap((a) => (a.notes ?? []).map((n) => ({ ...n, at: a.code })));
      const manifestation =
        notes.some((n) => n.kind === 'code_first') && above.some((a) => /in diseases classified elsewhere/i.test(byCode.get(a.code)!.description));
      return [e.code, [{ ...APR2026, billable: e.billable, description: e.description, billableChildren: [], notes, manifestation }]];
    }),
  );
}

const scrub = (...codes: string[]) =>
  tabularNotes(cleanClaim({ diagnoses: codes.map((code, i) => ({ code, rank: i + 1 })) }), scrubData({ icdReleases: [APR2026], icd: periods() }));

test('the reader keeps each Excludes1 line and each code-first / use-additional block, with the codes and ranges they name', () => {
  const { entries } = readIcdTabular(TABULAR);
  expect(entries.find((e) => e.code === 'E11')?.notes).toEqual([
    { kind: 'use_additional', note: 'code to identify control using: insulin (Z79.4); oral antidiabetic drugs (Z79.84)', targets: ['Z794', 'Z7984'] },
    { kind: 'excludes1', note: 'diabetes mellitus due to underlying condition (E08.-)', targets: ['E08'] },
    { kind: 'excludes1', note: 'type 1 diabetes mellitus (E10.-)', targets: ['E10'] },
  ]);
  expect(entries.find((e) => e.code === 'G63')?.notes?.[0]).toEqual({
    kind: 'code_first',
    note: 'underlying disease, such as: amyloidosis (E85.-); endocrine disease, except diabetes (E00-E07, E15-E16, E20-E34)',
    targets: ['E85', 'E00-E07', 'E15-E16', 'E20-E34'],
  });
  expect(entries.find((e) => e.code === 'E119')?.notes).toBeUndefined();
});

test.each([
  ['(E10.-)', ['E10']],
  ['(M54.4-)', ['M544']],
  ['(O00-O9A)', ['O00-O9A']],
  ['(E08.-, E09.-)', ['E08', 'E09']],
  ['(E08-E13 with .42)', []],
  ['(Z79.4)', ['Z794']],
])('note targets %s', (note, targets) => expect(noteTargets(`x ${note}`)).toEqual(targets));

test.each([
  ['E10', 'E109', true],
  ['E10', 'E119', false],
  ['O00-O9A', 'O80', true],
  ['O00-O9A', 'P00', false],
  ['E00-E07', 'E079', true],
  ['E00-E07', 'E08', false],
])('target %s covers %s: %s', (target, code, covers) => expect(targetCovers(target, code)).toBe(covers));

test('E11.9 with E10.9 stops as Excludes1, both codes named, from the note at E11 or E10', () => {
  const found = scrub('E119', 'E109').filter((f) => f.ruleId === 'ICD10_EXCLUDES1');
  expect(found).toEqual([
    expect.objectContaining({
      severity: 'error',
      path: 'diagnoses[1].code',
      message: 'E11.9 and E10.9 may not be reported together: ICD-10-CM April-1-2026 lists "type 1 diabetes mellitus (E10.-)" under Excludes1 at E11',
    }),
  ]);
  expect(scrub('E109', 'E119').filter((f) => f.ruleId === 'ICD10_EXCLUDES1')[0].message).toMatch(
    /^E10\.9 and E11\.9 may not be reported together: .*"type 2 diabetes mellitus \(E11\.-\)" under Excludes1 at E10$/,
  );
});

test('a manifestation code ("in diseases classified elsewhere", with a code-first note) may not be listed first; after its cause it may', () => {
  expect(scrub('G63', 'E119').filter((f) => f.ruleId === 'ICD10_MANIFESTATION_FIRST')).toEqual([
    expect.objectContaining({
      severity: 'error',
      path: 'diagnoses[0].code',
      message: expect.stringMatching(
        /^G63 \(Polyneuropathy in diseases classified elsewhere\) is a manifestation code and may not be the first-listed diagnosis: code first underlying disease, such as: amyloidosis/,
      ),
    }),
  ]);
  expect(scrub('E119', 'G63').filter((f) => f.ruleId === 'ICD10_MANIFESTATION_FIRST')).toEqual([]);
  // A code-first note alone does not make a manifestation code: E11.42 has none and is not one.
  expect(scrub('E1142').filter((f) => f.ruleId === 'ICD10_MANIFESTATION_FIRST')).toEqual([]);
});

test('"use additional code" is a warning until one of the codes it names is on the claim', () => {
  expect(scrub('E119')).toEqual([
    expect.objectContaining({
      ruleId: 'ICD10_USE_ADDITIONAL',
      severity: 'warning',
      message:
        'E11.9: ICD-10-CM April-1-2026 says at E11 "use additional code to identify control using: insulin (Z79.4); oral antidiabetic drugs (Z79.84)", and none of Z79.4, Z79.84 is on the claim',
    }),
  ]);
  expect(scrub('E119', 'Z794')).toEqual([]);
});

test('notes are read from the release that judges the date of service', () => {
  const data = scrubData({ icdReleases: [APR2026], icd: periods() });
  expect(
    tabularNotes(
      cleanClaim({
        serviceDate: '2019-01-01',
        diagnoses: [
          { code: 'E119', rank: 1 },
          { code: 'E109', rank: 2 },
        ],
      }),
      data,
    ),
  ).toEqual([]);
});
