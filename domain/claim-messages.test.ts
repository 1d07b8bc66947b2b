/** Which claim line an 835 SVC answers, read from the REF*6R the payer echoed. */
import { claimLineNumber } from './claim-messages';
import { lineItemControlNumber } from './x12/professional-claim';

const longVisit = 'V-ABCDEFGHIJKLMNOPQRSTUVWXYZ12';

describe('claimLineNumber', () => {
  it.each<[string, string | undefined, number | undefined]>([
    ['ours', 'V-1001-2', 2],
    ['ours, two digits', 'V-1001-12', 12],
    ['ours, hashed for a long visit id', lineItemControlNumber(longVisit, 3), 3],
    ['a bare number (claims sent before REF*6R carried the visit id)', '4', 4],
    ['absent: the payer dropped it', undefined, undefined],
    ["another claim's", 'V-1002-2', undefined],
    ['not ours at all', 'ABC', undefined],
    ['zero', '0', undefined],
  ])('%s: %p → %p', (_name, sixR, expected) => {
    const clm01 = _name.includes('long') ? longVisit : 'V-1001';
    expect(claimLineNumber(clm01, sixR)).toBe(expected);
  });
});
