import { cleanClaim, lines, scrubData } from '../scrub-fixture';
import { diagnosisValidity, procedureValidity } from './code-validity';

describe('diagnosis codes are judged for the date of service', () => {
  test.each([
    ['M54.5 on 2021-09-30 (FY2021 release, billable)', 'M545', '2021-09-30', []],
    ['M54.50 on 2026-11-20', 'M5450', '2026-11-20', []],
    [
      'M54.5 on 2026-11-20 is a header',
      'M545',
      '2026-11-20',
      [{ ruleId: 'ICD10_HEADER', message: expect.stringMatching(/M54\.5 .*header.*M54\.50, M54\.51, M54\.59/) }],
    ],
    ['E11 (category) on 2026-11-20', 'E11', '2026-11-20', [{ ruleId: 'ICD10_HEADER', suggestion: undefined }]],
    ['M54.50 before it existed', 'M5450', '2021-05-01', [{ ruleId: 'ICD10_UNKNOWN', message: expect.stringContaining('FY2021') }]],
    [
      'J06.9 before the oldest loaded release',
      'J069',
      '2019-06-01',
      [{ ruleId: 'ICD10_NO_RELEASE', message: expect.stringContaining('the oldest loaded, FY2021, starts 2020-10-01') }],
    ],
    [
      'M54.5 on 2023-05-10: the later release decides, and the change is named with both releases',
      'M545',
      '2023-05-10',
      [
        {
          ruleId: 'ICD10_HEADER',
          message: expect.stringContaining('M54.5: billable in FY2021, a header by April-1-2026: use M54.50, M54.51 or M54.59'),
          suggestion: { field: 'code', path: 'diagnoses[0].code', options: ['M5450', 'M5451', 'M5459'] },
        },
      ],
    ],
    ['E11.9, billable in both releases, passes in the gap', 'E119', '2023-05-10', []],
    ['a code no release knows', 'Z9999', '2026-11-20', [{ ruleId: 'ICD10_UNKNOWN', message: expect.stringContaining('Z99.99') }]],
  ])('%s', (_name, code, serviceDate, expected) => {
    const found = diagnosisValidity(cleanClaim({ serviceDate, diagnoses: [{ code, rank: 1 }] }), scrubData());
    expect(found).toEqual(expected.map((e) => expect.objectContaining({ severity: 'error', ...e })));
  });

  test('a header code suggests its billable children as one replace-the-code fix', () => {
    const [f] = diagnosisValidity(
      cleanClaim({
        diagnoses: [
          { code: 'E119', rank: 1 },
          { code: 'M545', rank: 2 },
        ],
      }),
      scrubData(),
    );
    expect(f).toMatchObject({
      id: 'ICD10_HEADER@diagnoses[1].code',
      suggestion: { field: 'code', path: 'diagnoses[1].code', options: ['M5450', 'M5451', 'M5459'] },
    });
  });

  test('a code billable by the later release but not a code in the earlier one passes, with a warning naming both', () => {
    const found = diagnosisValidity(cleanClaim({ serviceDate: '2023-05-10', diagnoses: [{ code: 'M5450', rank: 1 }] }), scrubData());
    expect(found).toEqual([
      expect.objectContaining({
        ruleId: 'ICD10_CHANGED_BETWEEN_RELEASES',
        severity: 'warning',
        message: expect.stringMatching(
          /^M54\.50: not a code in FY2021, billable by April-1-2026 \(checked against ICD-10-CM April-1-2026, which decides 2023-05-10: no release is loaded between FY2021 \(to 2021-09-30\) and April-1-2026/,
        ),
      }),
    ]);
  });

  test('after the newest loaded release the claim is told which release is not loaded, and judged by the newest', () => {
    const data = scrubData({
      icdReleases: [
        { release: 'FY2021', effectiveFrom: '2020-10-01', effectiveTo: '2021-09-30' },
        { release: 'April-1-2026', effectiveFrom: '2026-04-01', effectiveTo: '2026-09-30' },
      ],
    });
    const found = diagnosisValidity(
      cleanClaim({
        serviceDate: '2026-12-08',
        diagnoses: [
          { code: 'M5450', rank: 1 },
          { code: 'M545', rank: 2 },
        ],
      }),
      data,
    );
    expect(found).toEqual([
      expect.objectContaining({
        ruleId: 'ICD10_RELEASE_NOT_LOADED',
        severity: 'warning',
        message: expect.stringContaining(
          'ICD-10-CM FY2027 (in effect from 2026-10-01) is in force on 2026-12-08 and is not loaded: the diagnoses were checked against April-1-2026 (2026-04-01 to 2026-09-30)',
        ),
      }),
      expect.objectContaining({
        ruleId: 'ICD10_HEADER',
        severity: 'error',
        path: 'diagnoses[1].code',
        message: expect.stringContaining('the newest loaded (FY2027 (in effect from 2026-10-01) is not loaded)'),
      }),
    ]);
  });

  test('a code that ended says when', () => {
    const data = scrubData({
      icdReleases: [
        { release: 'FY2021', effectiveFrom: '2020-10-01', effectiveTo: '2021-09-30' },
        { release: 'FY2022', effectiveFrom: '2021-10-01' },
      ],
    });
    const [f] = diagnosisValidity(cleanClaim({ serviceDate: '2021-10-01', diagnoses: [{ code: 'M545', rank: 1 }] }), {
      ...data,
      icd: { M545: [data.icd.M545[0]] },
    });
    expect(f).toMatchObject({ ruleId: 'ICD10_ENDED', message: 'M54.5 was valid until 2021-09-30 and is not in ICD-10-CM FY2022, in effect on 2021-10-01' });
  });
});

describe('procedure codes are judged for the date of service', () => {
  test.each([
    ['a CPT code in the practice list', '99213', '2026-11-20', undefined],
    ['a HCPCS code in effect', 'J1100', '2026-11-20', undefined],
    ['a HCPCS code terminated before the visit', 'G0101', '2026-11-20', 'PROCEDURE_NOT_EFFECTIVE'],
    ['a HCPCS code in effect on its last day', 'G0101', '2024-12-31', undefined],
    ['a code before it took effect', 'J1100', '1999-06-01', 'PROCEDURE_NOT_EFFECTIVE'],
    ['an unknown code', '99499', '2026-11-20', 'PROCEDURE_UNKNOWN'],
  ])('%s', (_name, code, serviceDate, ruleId) => {
    const found = procedureValidity(cleanClaim({ serviceDate, procedures: lines(code) }), scrubData());
    expect(found.map((f) => f.ruleId)).toEqual(ruleId ? [ruleId] : []);
    if (ruleId) expect(found[0]).toMatchObject({ line: 1, path: 'procedures[0].code', message: expect.stringContaining(code) });
  });
});
