/** The visit's request schema: a secondary coverage has the shape of the primary's and is a different plan. */
import { sampleVisit } from '../test/fixtures';
import { StartVisit } from './visit';

const medicaid = { payerId: 'SKIL0', payerName: 'ILLINOIS MEDICAID', memberId: 'MCD7788' };

describe('StartVisit.secondaryCoverage', () => {
  it.each<[string, unknown, { path: string; message: RegExp }[]]>([
    ['absent', undefined, []],
    ['a second plan, relationship defaulting to self', medicaid, []],
    [
      'a plan where the patient is a dependent, with the subscriber',
      { ...medicaid, relationship: 'child', subscriber: { firstName: 'JOHN', lastName: 'DOE', birthDate: '1970-01-01', sex: 'M' } },
      [],
    ],
    [
      'a dependent without the subscriber',
      { ...medicaid, relationship: 'child' },
      [{ path: 'secondaryCoverage.subscriber', message: /required when relationship is not self/ }],
    ],
    ['a member id with a delimiter', { ...medicaid, memberId: 'MCD*1' }, [{ path: 'secondaryCoverage.memberId', message: /letters, digits or dashes/ }]],
    [
      'the primary plan again',
      { payerId: '87726', payerName: 'UNITEDHEALTHCARE', memberId: 'W123456789' },
      [{ path: 'secondaryCoverage', message: /same plan and member as coverage/ }],
    ],
  ])('%s', (_name, secondaryCoverage, issues) => {
    const parsed = StartVisit.safeParse({ ...sampleVisit('V-1'), secondaryCoverage });
    const found = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    expect(found).toEqual(issues.map((i) => ({ path: i.path, message: expect.stringMatching(i.message) })));
    if (parsed.success && secondaryCoverage)
      expect(parsed.data.secondaryCoverage).toMatchObject({
        ...(secondaryCoverage as object),
        relationship: (secondaryCoverage as { relationship?: string }).relationship ?? 'self',
      });
  });
});
