import type { ScrubClaim } from '../findings';
import { cleanClaim, lines, scrubData } from '../scrub-fixture';
import { mueLimits, ptpEdits } from './ncci';

const line = (code: string, modifiers: string[] = [], units = 1) => ({ code, modifiers, units, diagnosisPointers: [1] });

describe('NCCI procedure-to-procedure edits', () => {
  test.each<[string, ScrubClaim['procedures'], string, string[]]>([
    ['E/M with 25 and a joint injection (indicator 1, bypassed)', [line('99214', ['25']), line('20610', ['RT'])], '2026-11-20', []],
    ['E/M without 25 and a joint injection', [line('99214'), line('20610')], '2026-11-20', ['NCCI_PTP']],
    ['97110 with 59 next to 97530', [line('97530'), line('97110', ['59'])], '2026-11-20', []],
    ['97110 with XU', [line('97530'), line('97110', ['XU'])], '2026-11-20', []],
    ['97110 with XS, XE or XP', [line('97530'), line('97110', ['XE'])], '2026-11-20', []],
    ['97110 with a modifier that is not NCCI-associated', [line('97530'), line('97110', ['GP'])], '2026-11-20', ['NCCI_PTP']],
    ['59 on the column 1 line does not count', [line('97530', ['59']), line('97110')], '2026-11-20', ['NCCI_PTP']],
    ['indicator 0: no modifier helps', [line('93000'), line('93005', ['59'])], '2026-11-20', ['NCCI_PTP']],
    ['an edit deleted before the date of service', [line('36415'), line('99213')], '2026-11-20', []],
    ['the same edit while it was in effect', [line('36415'), line('99213')], '2014-12-31', ['NCCI_PTP']],
    ['an edit not yet in effect', [line('97530'), line('97110')], '2019-12-31', []],
    ['indicator 9: not applicable', [line('20610'), line('36415')], '2026-11-20', []],
    ['column 2 alone', [line('97110')], '2026-11-20', []],
    ['99213 with a modifier-indicator-0 partner and 59 still stops', [line('99495'), line('99213', ['59'])], '2026-11-20', ['NCCI_PTP']],
    ['25 on an E/M that is the column 1 code bypasses nothing', [line('99214', ['25']), line('99213')], '2026-11-20', ['NCCI_PTP']],
  ])('%s', (_name, procedures, serviceDate, expected) => {
    expect(ptpEdits(cleanClaim({ serviceDate, procedures }), scrubData()).map((f) => f.ruleId)).toEqual(expected);
  });

  test('indicator 1 suggests the modifiers that would bypass it, on the column 2 line', () => {
    const [f] = ptpEdits(cleanClaim({ procedures: [line('97530'), line('97110')] }), scrubData());
    expect(f).toMatchObject({
      severity: 'error',
      line: 2,
      suggestion: { field: 'modifier', path: 'procedures[1].modifiers', options: ['59', 'XE', 'XS', 'XP', 'XU'] },
    });
    const [em] = ptpEdits(cleanClaim({ procedures: [line('99214'), line('20610')] }), scrubData());
    expect(em).toMatchObject({ suggestion: { options: ['25'], path: 'procedures[0].modifiers' } });
  });

  test('indicator 0 has no suggestion', () => {
    const [f] = ptpEdits(cleanClaim({ procedures: [line('93000'), line('93005')] }), scrubData());
    expect(f.suggestion).toBeUndefined();
    expect(f.message).toMatch(/93005 \(line 2\) is part of 93000 \(line 1\).*indicator 0/);
  });
});

describe('medically unlikely edits (MUE)', () => {
  test.each<[string, ScrubClaim['procedures'], string[]]>([
    ['99213 at 1 unit', [line('99213')], []],
    ['99213 at 5 units (per day, indicator 2)', [line('99213', [], 5)], ['MUE_DAY']],
    ['20610 at 2 units per line (indicator 1)', [line('20610', ['RT'], 2)], []],
    ['20610 at 3 units on one line', [line('20610', ['RT'], 3)], ['MUE_LINE']],
    ['20610 at 2 + 2 units on two lines (per line only)', [line('20610', ['RT'], 2), line('20610', ['LT'], 2)], []],
    ['97110 at 4 + 3 units on two lines (per day, indicator 3)', [line('97110', [], 4), line('97110', ['59'], 3)], ['MUE_DAY']],
    ['a code without an MUE', [line('36415', [], 9)], []],
  ])('%s', (_name, procedures, expected) => {
    expect(mueLimits(cleanClaim({ procedures }), scrubData()).map((f) => f.ruleId)).toEqual(expected);
  });

  test('the MUE finding says how many units are allowed and offers that number', () => {
    const [f] = mueLimits(cleanClaim({ procedures: [line('99213', [], 5)] }), scrubData());
    expect(f).toMatchObject({
      line: 1,
      message: '5 units of 99213 on 2026-11-20; the MUE allows 1 per day (adjudication indicator 2, policy: no modifier or appeal raises it)',
      suggestion: { field: 'units', options: ['1'] },
    });
  });
});

test('lines() builds one-unit lines', () => expect(lines('99213')).toEqual([line('99213')]));
