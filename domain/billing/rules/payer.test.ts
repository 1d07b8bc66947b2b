import type { ScrubData } from '../findings';
import { cleanClaim, lines, scrubData } from '../scrub-fixture';
import { feeSchedule, payerRules } from './payer';

describe('payer rules', () => {
  test.each<[string, Parameters<typeof cleanClaim>[0], Partial<ScrubData>, string[]]>([
    ['a clean claim for a configured payer', {}, {}, []],
    ['prior authorization required and missing', { procedures: lines('72148') }, {}, ['PRIOR_AUTH_MISSING']],
    ['prior authorization required and present', { procedures: lines('72148'), priorAuthorization: 'AUTH123' }, {}, []],
    ['a blank authorization is missing', { procedures: lines('72148'), priorAuthorization: '  ' }, {}, ['PRIOR_AUTH_MISSING']],
    ['on the last day of the filing limit', { serviceDate: '2026-08-23' }, {}, []],
    ['one day past the filing limit', { serviceDate: '2026-08-22' }, {}, ['TIMELY_FILING']],
    [
      'a payer without rules: defaults, with a warning',
      {},
      { payer: { configured: false, filingIndicator: 'CI', timelyFilingDays: 365, priorAuthCodes: [] } },
      ['PAYER_DEFAULTS'],
    ],
  ])('%s', (_name, claim, data, expected) => {
    expect(payerRules(cleanClaim(claim), scrubData(data)).map((f) => f.ruleId)).toEqual(expected);
  });

  test('timely filing names the limit and the last day', () => {
    const [f] = payerRules(cleanClaim({ serviceDate: '2026-08-01' }), scrubData());
    expect(f).toMatchObject({
      severity: 'error',
      message: 'the date of service 2026-08-01 is 112 days before 2026-11-21; payer 87726 accepts claims for 90 days (until 2026-10-30)',
    });
  });

  test('the default rules are a warning only', () => {
    const [f] = payerRules(cleanClaim(), scrubData({ payer: { configured: false, filingIndicator: 'CI', timelyFilingDays: 365, priorAuthCodes: [] } }));
    expect(f.severity).toBe('warning');
  });
});

test.each([
  [[], []],
  [[2], ['FEE_MISSING@procedures[1].code']],
])('lines without a fee are errors (%j)', (unpricedLines, ids) => {
  expect(feeSchedule(cleanClaim(), scrubData({ unpricedLines })).map((f) => f.id)).toEqual(ids);
});
