import { cleanClaim, lines, scrubData } from '../scrub-fixture';
import type { ScrubClaim } from '../findings';
import { structure } from './structure';

const dx = (n: number) => Array.from({ length: n }, (_, i) => ({ code: 'E119', rank: i + 1 }));

describe('claim structure: diagnoses, pointers, modifiers, units', () => {
  test.each<[string, Partial<ScrubClaim>, string[]]>([
    ['a clean claim', {}, []],
    ['no principal diagnosis', { diagnoses: [{ code: 'M5450', rank: 2 }], procedures: [{ ...lines('99213')[0] }] }, ['DX_NO_PRINCIPAL']],
    [
      'two diagnoses share a rank',
      {
        diagnoses: [
          { code: 'M5450', rank: 1 },
          { code: 'E119', rank: 1 },
        ],
      },
      ['DX_RANK_REPEATED'],
    ],
    [
      '13 diagnoses',
      { diagnoses: dx(13).map((d, i) => ({ ...d, code: `E11${i}` })), procedures: [{ ...lines('99213')[0], diagnosisPointers: [1, 2, 3, 4] }] },
      ['DX_TOO_MANY', ...Array(9).fill('DX_UNREFERENCED')],
    ],
    [
      'the same diagnosis twice',
      {
        diagnoses: [
          { code: 'M5450', rank: 1 },
          { code: 'M5450', rank: 2 },
        ],
        procedures: [{ ...lines('99213')[0], diagnosisPointers: [1, 2] }],
      },
      ['DX_REPEATED'],
    ],
    ['a pointer past the last diagnosis', { procedures: [{ ...lines('99213')[0], diagnosisPointers: [1, 2, 3] }] }, ['POINTER_OUT_OF_RANGE']],
    [
      'five pointers',
      { diagnoses: dx(5).map((d, i) => ({ ...d, code: `E11${i}` })), procedures: [{ ...lines('99213')[0], diagnosisPointers: [1, 2, 3, 4, 5] }] },
      ['POINTER_TOO_MANY'],
    ],
    ['no pointer', { procedures: [{ ...lines('99213')[0], diagnosisPointers: [] }] }, ['POINTER_MISSING', 'DX_UNREFERENCED', 'DX_UNREFERENCED']],
    ['a repeated pointer', { procedures: [{ ...lines('99213')[0], diagnosisPointers: [1, 1, 2] }] }, ['POINTER_REPEATED']],
    ['five modifiers', { procedures: [{ ...lines('20610')[0], modifiers: ['RT', 'LT', '59', 'XU', '76'], diagnosisPointers: [1, 2] }] }, ['MODIFIER_TOO_MANY']],
    ['a repeated modifier', { procedures: [{ ...lines('20610')[0], modifiers: ['RT', 'RT'], diagnosisPointers: [1, 2] }] }, ['MODIFIER_REPEATED']],
    ['zero units', { procedures: [{ ...lines('20610')[0], units: 0, diagnosisPointers: [1, 2] }] }, ['UNITS_INVALID']],
    ['fractional units', { procedures: [{ ...lines('20610')[0], units: 1.5, diagnosisPointers: [1, 2] }] }, ['UNITS_INVALID']],
    ['a diagnosis no line points at (warning)', { procedures: lines('99213') }, ['DX_UNREFERENCED']],
  ])('%s', (_name, change, expected) => {
    expect(structure(cleanClaim(change), scrubData()).map((f) => f.ruleId)).toEqual(expected);
  });

  test('an unreferenced diagnosis is a warning, not an error, and names the code', () => {
    const [f] = structure(cleanClaim({ procedures: lines('99213') }), scrubData());
    expect(f).toMatchObject({ severity: 'warning', path: 'diagnoses[1]', message: 'E11.9 is on the claim but no line points at it' });
  });
});
