import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStatusRules, readClaimStatus } from './claim-status';

const rules = parseStatusRules(readFileSync(join(__dirname, 'data', 'claim-status-actions.csv'), 'utf8'));
const st = (category: string, code = '20', entity?: string) => ({ category, code, entity, text: `${category} words` });

describe('reading a 277 answer to a claim status inquiry', () => {
  it('waits while the claim is acknowledged, pended or finalized (the 835 is on its way)', () => {
    expect(readClaimStatus([st('A2')], rules)).toMatchObject({ finding: 'acknowledged', action: 'wait' });
    expect(readClaimStatus([st('P1')], rules)).toMatchObject({ finding: 'pended', action: 'wait' });
    expect(readClaimStatus([st('F1', '65')], rules)).toMatchObject({ finding: 'finalized', action: 'wait', codes: ['F1:65'] });
  });

  it('sends the claim again when the payer has no such claim', () => {
    expect(readClaimStatus([st('A4', '35')], rules)).toMatchObject({ finding: 'not_found', action: 'resubmit' });
  });

  it('asks a person when the claim is rejected, information is requested, or the inquiry was in error; the most careful action wins', () => {
    expect(readClaimStatus([st('A7', '164', 'IL')], rules)).toMatchObject({ finding: 'rejected', action: 'review', codes: ['A7:164:IL'] });
    expect(readClaimStatus([st('R3', '21')], rules)).toMatchObject({ finding: 'request', action: 'review' });
    expect(readClaimStatus([st('E0', '0')], rules)).toMatchObject({ finding: 'error', action: 'review' });
    expect(readClaimStatus([st('P1'), st('P3')], rules)).toMatchObject({ action: 'review' });
    expect(readClaimStatus([], rules)).toMatchObject({ finding: 'unknown', action: 'review' });
  });

  it('refuses an action it does not know, by rule', () => {
    expect(() => parseStatusRules('category,finding,action,note\nA2,x,shrug,y')).toThrow(/rule 1: action must be/);
  });
});
