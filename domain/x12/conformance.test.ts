/**
 * Conformance: every 837P the builder makes goes through pyx12 (x12valid, installed by
 * scripts/tools.sh) and must come back OK with no ERROR line. 270 has no pyx12 map: it is
 * checked against the guide's segment order by our own structural check.
 */
import { x12valid } from '../../cli/x12valid';
import { build837P } from './build-837p';
import { build270 } from './eligibility';
import { build835 } from './remittance';
import { sampleBatch, sampleClaim, sampleDependentClaim, sampleEligibilityRequest, sampleEnvelope, sampleMultiLineClaim, sampleRemittance } from './samples';
import { check270Structure } from './structure';

const env = sampleEnvelope(900);
const claims = {
  original: [sampleClaim('C-1')],
  'replacement (7)': [sampleClaim('C-1', { frequency: '7', payerClaimNumber: 'SIM000123' })],
  'void (8)': [sampleClaim('C-1', { frequency: '8', payerClaimNumber: 'SIM000123' })],
  'multi-line with modifiers': [sampleMultiLineClaim('C-2')],
  'dependent patient': [sampleDependentClaim('C-3')],
  'batch of 100': Array.from({ length: 100 }, (_, i) => [sampleDependentClaim, sampleMultiLineClaim, sampleClaim][i % 3](`B-${i}`)),
};

describe('pyx12 accepts every 837P we build', () => {
  it.each(Object.entries(claims))('%s', async (_name, list) => {
    const verdict = await x12valid(build837P(sampleBatch(list), env));
    expect(verdict.errors).toEqual([]);
    expect(verdict.ok).toBe(true);
  });
});

describe('pyx12 accepts the 835s we build', () => {
  it('a paid claim with CO-45, PR-3 and PR-2, PLB', async () => {
    const verdict = await x12valid(build835([sampleRemittance()], env));
    expect(verdict.errors).toEqual([]);
    expect(verdict.ok).toBe(true);
  });
});

describe('270 follows the guide segment order (no pyx12 map)', () => {
  it.each([
    ['subscriber', sampleEligibilityRequest()],
    ['dependent', sampleEligibilityRequest({ dependent: { firstName: 'LIA', lastName: 'RIVERA', birthDate: '2015-06-01', sex: 'F' } })],
  ])('%s', (_name, request) => {
    expect(check270Structure(build270(request, env))).toEqual([]);
  });

  it('catches loops out of order and a wrong HL parent', () => {
    const x12 = build270(sampleEligibilityRequest(), env);
    const swapped = x12.replace(/(NM1\*PR[^~]*~\n)(HL\*2[^~]*~\n)/, '$2$1');
    expect(check270Structure(swapped)[0]).toMatch(/segments out of the guide's order/);
    expect(check270Structure(x12.replace('HL*3*2*22', 'HL*3*9*22'))).toEqual(['line 9: HL02 9 names no earlier HL']);
  });
});
