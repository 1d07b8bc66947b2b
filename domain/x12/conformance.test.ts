/**
 * Conformance: every 837P the builder makes goes through pyx12 (x12valid, installed by
 * scripts/tools.sh) and must come back OK with no ERROR line. 270 has no pyx12 map: it is
 * checked against the guide's segment order by our own structural check.
 */
import { x12valid } from '../../cli/x12valid';
import { build837P } from './build-837p';
import { build270 } from './eligibility';
import { build835 } from './remittance-build';
import { build999 } from './acknowledgment';
import { build277CA } from './claim-status';
import {
  sampleBatch,
  sampleClaim,
  sampleDependentClaim,
  sampleEligibilityRequest,
  sampleEnvelope,
  sampleMultiLineClaim,
  sampleRemittance,
  sampleSecondaryClaim,
} from './samples';
import { check270Structure } from './structure';
import type { ProfessionalClaim } from './professional-claim';

const env = sampleEnvelope(900);
const claims: Record<string, ProfessionalClaim[]> = {
  original: [sampleClaim('C-1')],
  'replacement (7)': [sampleClaim('C-1', { frequency: '7', payerClaimNumber: 'SIM000123' })],
  'void (8)': [sampleClaim('C-1', { frequency: '8', payerClaimNumber: 'SIM000123' })],
  'multi-line with modifiers': [sampleMultiLineClaim('C-2')],
  'dependent patient': [sampleDependentClaim('C-3')],
  'secondary (COB): 2320/2330A/2330B, 2430 SVD/CAS/DTP*573': [sampleSecondaryClaim('C-4')],
  'secondary with claim-level adjudication only (2330B DTP*573)': [
    {
      ...sampleSecondaryClaim('C-5'),
      otherPayers: [{ ...sampleSecondaryClaim('C-5').otherPayers![0], lines: [], adjustments: [{ group: 'CO', carc: '45', amountCents: 16214 }] }],
    },
  ],
  'Medicare secondary (MB + SBR05)': [
    { ...sampleSecondaryClaim('C-6'), payer: { name: 'MEDICARE PART B', id: '00952', filingIndicator: 'MB', insuranceType: '12' } },
  ],
  ...Object.fromEntries(
    ['MB', 'MC', 'BL', 'HM', '12', 'CH'].map((f) => [
      `filing indicator ${f}`,
      [sampleClaim('C-7', { payer: { name: 'A PAYER', id: '12345', filingIndicator: f } })],
    ]),
  ),
  'prior authorization REF*G1': [sampleClaim('C-8', { priorAuthorization: 'AUTH-20260310-77' })],
  'rendering provider with taxonomy (2310B NM1*82 + PRV*PE)': [
    sampleClaim('C-9', { renderingProvider: { npi: '1497758544', lastName: 'KIM', firstName: 'JOY', taxonomy: '207Q00000X' } }),
  ],
  'derived REF*6R (long visit id)': [
    sampleClaim('V-ABCDEFGHIJKLMNOPQRSTUVWXYZ123', { lines: [{ ...sampleClaim('x').lines[0], lineItemControlNumber: undefined }] }),
  ],
  'mixed batch: primary, secondary and dependent claims': [
    sampleClaim('M-1'),
    sampleSecondaryClaim('M-2'),
    sampleDependentClaim('M-3'),
    sampleMultiLineClaim('M-4'),
  ],
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

// pyx12 4.0 has no map for the 276 and does not index its 277 X212 map ("Map not found"): those two
// are checked by their round trips in transactions.test.ts.
describe('pyx12 accepts the acknowledgments the clearinghouse simulator sends', () => {
  const answer = {
    payer: { name: 'ACME HEALTH PLAN', id: '87726' },
    submitter: { name: 'NORTHSIDE', id: 'NORTHSIDE01' },
    provider: { name: 'NORTHSIDE', npi: '1234567893' },
    date: '2026-03-12',
    batchTrace: '900',
    claims: [
      {
        patientControlNumber: 'C-1',
        payerClaimNumber: 'SIM1',
        status: { category: 'A2', code: '20' },
        chargeCents: 15000,
        serviceDate: '2026-03-10',
        subscriber: { memberId: 'M1', firstName: 'A', lastName: 'B' },
      },
    ],
  };
  it.each([
    ['277CA from the payer', build277CA(answer, env)],
    [
      '277CA from the clearinghouse (two-stage, NM1*AY)',
      build277CA(
        {
          ...answer,
          clearinghouse: { name: 'SIM CLEARINGHOUSE', id: 'SIMCH' },
          claims: [{ ...answer.claims[0], payerClaimNumber: undefined, status: { category: 'A1', code: '19' } }],
        },
        env,
      ),
    ],
    [
      '999 rejecting 2010BA NM109',
      build999(
        {
          functionalId: 'HC',
          groupControlNumber: '900',
          status: 'rejected',
          counts: { included: 1, received: 1, accepted: 0 },
          transactions: [
            {
              type: '837',
              controlNumber: '0001',
              status: 'rejected',
              codes: ['5'],
              errors: [{ segment: 'NM1', position: 12, loop: '2010', code: '8', element: { position: 9, code: '6' } }],
            },
          ],
        },
        '005010X222A1',
        env,
      ),
    ],
  ])('%s', async (_name, x12) => {
    const verdict = await x12valid(x12);
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
