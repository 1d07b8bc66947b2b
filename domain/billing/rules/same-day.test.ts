import { cleanClaim, lines, scrubData } from '../scrub-fixture';
import { sameDay } from './same-day';

describe('lines that cannot stand together on one day', () => {
  test.each([
    ['one E/M and a procedure', lines('99214', '20610'), []],
    ['99213 and 99214 the same day', lines('99213', '99214'), ['EM_SAME_DAY@procedures[1].code']],
    ['three E/M codes', lines('99213', '99214', '99215'), ['EM_SAME_DAY@procedures[1].code', 'EM_SAME_DAY@procedures[2].code']],
    ['the same line twice', lines('97110', '97110'), ['DUPLICATE_LINE@procedures[1]']],
    [
      'the same code on two sides (RT, LT)',
      [
        { ...lines('20610')[0], modifiers: ['RT'] },
        { ...lines('20610')[0], modifiers: ['LT'] },
      ],
      [],
    ],
    [
      'the same modifiers in another order',
      [
        { ...lines('20610')[0], modifiers: ['RT', '59'] },
        { ...lines('20610')[0], modifiers: ['59', 'RT'] },
      ],
      ['DUPLICATE_LINE@procedures[1]'],
    ],
    ['a non-office code next to an E/M', lines('99214', '36415'), []],
  ])('%s', (_name, procedures, ids) => {
    expect(sameDay(cleanClaim({ procedures }), scrubData()).map((f) => f.id)).toEqual(ids);
  });

  test('the E/M finding names both codes and the day', () => {
    const [f] = sameDay(cleanClaim({ procedures: lines('99213', '99214') }), scrubData());
    expect(f).toMatchObject({
      severity: 'error',
      line: 2,
      message: expect.stringMatching(/99213 \(line 1\) and 99214 \(line 2\) are two E\/M visits on 2026-11-20/),
    });
  });
});
