import { scrubClaim } from './scrub';
import { applySuggestion, SuggestionError } from './suggestions';
import { cleanClaim, lines, scrubData } from './scrub-fixture';

describe('the scrubber runs every rule family', () => {
  test('a clean claim passes with the payer filing indicator and the ruleset version', () => {
    expect(scrubClaim(cleanClaim({ priorAuthorization: ' A1 ' }), scrubData())).toEqual({
      rulesetVersion: 'test-ruleset',
      findings: [],
      blocked: false,
      filingIndicator: 'CI',
      priorAuthorization: 'A1',
    });
  });

  test('M54.5 on a 2026 date of service blocks the claim and suggests M54.50', () => {
    const result = scrubClaim(
      cleanClaim({
        diagnoses: [
          { code: 'M54.5', rank: 1 },
          { code: 'E119', rank: 2 },
        ],
      }),
      scrubData(),
    );
    expect(result.blocked).toBe(true);
    expect(result.findings).toEqual([
      expect.objectContaining({
        ruleId: 'ICD10_HEADER',
        message: expect.stringContaining('M54.5'),
        suggestion: expect.objectContaining({ options: expect.arrayContaining(['M5450']) }),
      }),
    ]);
  });

  test('the same claim on 2021-09-30 is allowed by the FY2021 release', () => {
    const claim = cleanClaim({
      serviceDate: '2021-09-30',
      diagnoses: [
        { code: 'M545', rank: 1 },
        { code: 'E119', rank: 2 },
      ],
    });
    expect(scrubClaim(claim, scrubData({ asOf: '2021-10-15' })).findings).toEqual([]);
  });

  test('a warning alone does not block', () => {
    const result = scrubClaim(cleanClaim({ procedures: [{ code: '99214', modifiers: [], units: 1, diagnosisPointers: [1] }] }), scrubData());
    expect(result.findings.map((f) => [f.ruleId, f.severity])).toEqual([['DX_UNREFERENCED', 'warning']]);
    expect(result.blocked).toBe(false);
  });

  test('finding ids are unique within a scrub', () => {
    const { findings } = scrubClaim(cleanClaim({ procedures: lines('99213', '99214', '99215', '99215') }), scrubData());
    expect(new Set(findings.map((f) => f.id)).size).toBe(findings.length);
  });
});

describe('accepting a suggested fix', () => {
  const enc = {
    ...cleanClaim({
      diagnoses: [
        { code: 'M545', rank: 1 },
        { code: 'E119', rank: 2 },
      ],
    }),
    encounterId: 'e1',
  };
  const { findings } = scrubClaim(enc, scrubData());
  const id = findings[0].id;

  test.each([
    ['M54.51', 'M5451'],
    ['m5459', 'M5459'],
    ['M5450', 'M5450'],
  ])('choosing %s replaces the code', (choice, code) => {
    const next = applySuggestion(enc, findings, id, choice);
    expect(next.diagnoses[0].code).toBe(code);
    expect(next.encounterId).toBe('e1');
    expect(enc.diagnoses[0].code).toBe('M545'); // the original is untouched
    expect(scrubClaim(next, scrubData()).blocked).toBe(false);
  });

  test.each([
    ['an option not offered', id, 'M5452', /not one of the suggested codes/],
    ['an unknown finding', 'NOPE@x', 'M5450', /no finding NOPE@x/],
  ])('%s is refused', (_name, findingId, choice, message) => {
    expect(() => applySuggestion(enc, findings, findingId, choice)).toThrow(SuggestionError);
    expect(() => applySuggestion(enc, findings, findingId, choice)).toThrow(message);
  });

  test('a modifier suggestion adds the modifier; a units suggestion sets the units', () => {
    const ptp = {
      ...cleanClaim({
        procedures: [
          { code: '97530', modifiers: [], units: 1, diagnosisPointers: [1, 2] },
          { code: '97110', modifiers: ['GP'], units: 1, diagnosisPointers: [1] },
        ],
      }),
      encounterId: 'e2',
    };
    const f = scrubClaim(ptp, scrubData()).findings.find((x) => x.ruleId === 'NCCI_PTP')!;
    expect(applySuggestion(ptp, [f], f.id, 'xu').procedures[1].modifiers).toEqual(['GP', 'XU']);
    const mue = { ...cleanClaim({ procedures: [{ code: '99213', modifiers: [], units: 5, diagnosisPointers: [1, 2] }] }), encounterId: 'e3' };
    const m = scrubClaim(mue, scrubData()).findings.find((x) => x.ruleId === 'MUE_DAY')!;
    expect(applySuggestion(mue, [m], m.id, '1').procedures[0].units).toBe(1);
  });
});
