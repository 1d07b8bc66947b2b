import { readMceEdits } from '../layouts';
import { cleanClaim, scrubData } from '../scrub-fixture';
import { ageOn, sexAgeEdits } from './sex-age';

/** CMS's "Definitions of Medicare Code Edits" text, as a few of its pages look: a page header, the age and sex headings, code lines. */
const DEFINITIONS = `Definitions of Medicare Code Edits                                  v43.0 October 2025
Chapter 1: Edit code lists
4. Age conflict
Newborn diagnoses
     P0700   Extremely low birth weight newborn, unspecified weight
Pediatric diagnoses (age 0 through 17)
     Z00129  Encounter for routine child health examination without abnormal findings
Maternity diagnoses (age 9 through 64)
     O80     Encounter for full-term uncomplicated delivery
Adult diagnoses (age 15 through 124)
     H2510   Age-related nuclear cataract, unspecified eye
5. Sex conflict
Diagnoses for females only
     O80     Encounter for full-term uncomplicated delivery
Procedures for females only
     0UT90ZZ Resection of Uterus, Open Approach
Diagnoses for males only
     N400    Benign prostatic hyperplasia without lower urinary tract symptoms
6. Manifestation code as principal diagnosis
     G63     Polyneuropathy in diseases classified elsewhere
`;

test('the reader takes each list with its ages, skips procedure lists, other edits and page headers', () => {
  expect(readMceEdits('mce.txt', DEFINITIONS)).toEqual([
    { edit: 'newborn', code: 'P0700', minAge: 0, maxAge: 0 },
    { edit: 'pediatric', code: 'Z00129', minAge: 0, maxAge: 17 },
    { edit: 'maternity', code: 'O80', minAge: 9, maxAge: 64 },
    { edit: 'adult', code: 'H2510', minAge: 15, maxAge: 124 },
    { edit: 'female', code: 'O80' },
    { edit: 'male', code: 'N400' },
  ]);
  expect(() => readMceEdits('other.txt', 'Chapter 1\n  A000 Cholera\n')).toThrow('other.txt: holds no sex or age edit lists');
});

test.each([
  ['1980-02-14', '2026-02-13', 45],
  ['1980-02-14', '2026-02-14', 46],
  ['2026-11-01', '2026-11-20', 0],
  ['2008-11-21', '2026-11-20', 17],
])('born %s, on %s the patient is %i', (born, day, age) => expect(ageOn(born, day)).toBe(age));

const data = scrubData({ mce: readMceEdits('mce.txt', DEFINITIONS), mceRelease: 'v43' });
const scrub = (code: string, sex: 'M' | 'F' | 'U', birthDate: string) =>
  sexAgeEdits(cleanClaim({ patient: { sex, birthDate }, diagnoses: [{ code, rank: 1 }] }), data).map((f) => [f.ruleId, f.message]);

test.each([
  [
    'O80 for a male patient stops as a sex edit',
    'O80',
    'M',
    '1990-01-01',
    [['SEX_EDIT', "O80 is on the Medicare Code Editor v43 list of diagnoses for females only; the patient's sex is M"]],
  ],
  ['O80 for a female of 36 passes', 'O80', 'F', '1990-01-01', []],
  [
    'O80 for a female of 70 stops as a maternity age edit',
    'O80',
    'F',
    '1956-01-01',
    [['AGE_EDIT', 'O80 is on the Medicare Code Editor v43 maternity list (age 9 through 64); the patient is 70 on 2026-11-20']],
  ],
  ['N40.0 for a female stops', 'N400', 'F', '1950-01-01', [['SEX_EDIT', expect.stringContaining('males only')]]],
  ['N40.0 for a patient of unknown sex is not judged on sex', 'N400', 'U', '1950-01-01', []],
  [
    'a newborn code on an adult stops',
    'P0700',
    'F',
    '1980-02-14',
    [['AGE_EDIT', expect.stringContaining('newborn list (age 0 through 0); the patient is 46')]],
  ],
  ['a newborn code on a newborn passes', 'P0700', 'M', '2026-11-18', []],
  ['a cataract code on a child stops', 'H2510', 'M', '2020-01-01', [['AGE_EDIT', expect.stringContaining('adult list')]]],
  ['a code on no list passes', 'M5450', 'M', '1980-01-01', []],
])('%s', (_name, code, sex, born, expected) => expect(scrub(code, sex as 'M', born)).toEqual(expected));

test('without the patient or without MCE data nothing is judged', () => {
  expect(sexAgeEdits(cleanClaim({ diagnoses: [{ code: 'O80', rank: 1 }] }), data)).toEqual([]);
  expect(sexAgeEdits(cleanClaim({ patient: { sex: 'M', birthDate: '1990-01-01' }, diagnoses: [{ code: 'O80', rank: 1 }] }), scrubData())).toEqual([]);
});
