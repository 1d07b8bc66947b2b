import { build999, parse999, FunctionalAck } from './acknowledgment';
import { build837P } from './build-837p';
import { build276, build277, build277CA, parse276, parse277, ClaimStatusAnswer } from './claim-status';
import { detectTransaction } from './detect';
import { build270, build271, eligibilityResultFrom271, parse270, parse271, EligibilityResponse } from './eligibility';
import { X12BuildError, X12WrongTransactionError } from './errors';
import { parse837P } from './parse-837p';
import { claimBalanceProblems, parse835, remittanceBalance } from './remittance';
import { build835 } from './remittance-build';
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
import { lineItemControlNumber } from './professional-claim';

const env = sampleEnvelope(42);

describe('837P round trip: parse(build(x)) = x', () => {
  const dependent = sampleDependentClaim('C-DEP');
  const multiLine = sampleMultiLineClaim('C-MULTI');
  const cases = {
    original: sampleClaim('C-1'),
    replacement: sampleClaim('C-1', { frequency: '7', payerClaimNumber: 'SIM000123' }),
    void: sampleClaim('C-1', { frequency: '8', payerClaimNumber: 'SIM000123' }),
    'multi-line with modifiers': multiLine,
    'dependent patient': dependent,
    'secondary (COB) with 2320/2330A/2330B and 2430': sampleSecondaryClaim('C-SEC'),
    'secondary, claim-level adjudication only': {
      ...sampleSecondaryClaim('C-SEC'),
      otherPayers: [{ ...sampleSecondaryClaim('C-SEC').otherPayers![0], lines: [], adjustments: [{ group: 'CO' as const, carc: '45', amountCents: 16214 }] }],
    },
    'Medicare secondary with SBR05': { ...sampleSecondaryClaim('C-SEC'), payer: { name: 'MEDICARE', id: '00952', filingIndicator: 'MB', insuranceType: '12' } },
    'rendering provider with taxonomy': sampleClaim('C-R', { renderingProvider: { npi: '1497758544', lastName: 'KIM', taxonomy: '207Q00000X' } }),
  };

  it.each(Object.entries(cases))('%s', (_name, claim) => {
    const batch = sampleBatch([claim]);
    expect(parse837P(build837P(batch, env))).toEqual({ envelope: env, batch, warnings: [] });
  });

  it('a batch of 100 claims in one interchange', () => {
    const batch = sampleBatch(Array.from({ length: 100 }, (_, i) => (i % 2 ? sampleClaim(`C-${i}`) : { ...dependent, claimId: `C-${i}` })));
    const x12 = build837P(batch, env);
    expect(x12.match(/^CLM\*/gm)).toHaveLength(100);
    expect(parse837P(x12).batch).toEqual(batch);
  });

  it('writes HI without decimal points, ABK first, and SV1 pointers as components', () => {
    const x12 = build837P(sampleBatch([multiLine]), env);
    expect(x12).toContain('HI*ABK:M5450*ABF:E119*ABF:I10*ABF:Z0000');
    expect(x12).toContain('SV1*HC:20610:RT:59:XS:76*320.5*UN*2***1~');
    expect(x12).toContain('REF*G1*PA-7788~');
  });

  it.each([
    [{ frequency: '7' as const }, /REF\*F8/],
    [{ diagnoses: ['M54.50'] }, /decimal point/],
    [{ diagnoses: Array.from({ length: 13 }, () => 'I10') }, /1 to 12 diagnoses/],
    [{ lines: [{ ...sampleClaim('x').lines[0], diagnosisPointers: [3] }] }, /pointers into the 2 diagnoses/],
    [{ lines: [{ ...sampleClaim('x').lines[0], modifiers: ['25', '59', 'RT', 'LT', 'XS'] }] }, /at most 4 modifiers/],
    [{ lines: [sampleClaim('x').lines[0], sampleClaim('x').lines[0]] }, /"x-1" is already line 1's: unique within the claim/],
    [{ lines: [{ ...sampleClaim('x').lines[0], lineItemControlNumber: 'L'.repeat(31) }] }, /1-30 characters \(REF\*6R\)/],
    [{ payer: { name: 'P', id: '1', filingIndicator: 'XX' } }, /"XX" is not a claim filing indicator/],
    [{ priorAuthorization: 'PA*1' }, /REF\*G1/],
    [{ otherPayers: sampleSecondaryClaim('x').otherPayers }, /secondary or tertiary payer \(SBR01 S or T\)/],
    [{ ...sampleSecondaryClaim('x'), payer: { name: 'MEDICARE', id: '00952', filingIndicator: 'MB' } }, /insurance type code \(SBR05\)/],
    [
      { ...sampleSecondaryClaim('x'), otherPayers: [{ ...sampleSecondaryClaim('x').otherPayers![0], paidCents: 1 }] },
      /charge 482.54 less adjustments 162.14 is not the paid amount 0.01 \(AMT\*D\)/,
    ],
    [
      {
        ...sampleSecondaryClaim('x'),
        otherPayers: [
          { ...sampleSecondaryClaim('x').otherPayers![0], lines: [{ lineNumber: 1, code: '99214', modifiers: [], units: 1, paidCents: 1, adjustments: [] }] },
        ],
      },
      /line 1 does not balance/,
    ],
    [{ ...sampleSecondaryClaim('x'), payer: sampleSecondaryClaim('x').otherPayers![0].payer }, /is the payer this claim is billed to/],
  ])('refuses a claim the guide would reject: %p', (overrides, message) => {
    expect(() => build837P(sampleBatch([sampleClaim('C-1', overrides)]), env)).toThrow(X12BuildError);
    expect(() => build837P(sampleBatch([sampleClaim('C-1', overrides)]), env)).toThrow(message);
  });
});

describe('837P REF*6R line item control numbers', () => {
  it.each([
    ['V-1001', 1, 'V-1001-1'],
    ['V-1001', 12, 'V-1001-12'],
    ['A'.repeat(28), 1, `${'A'.repeat(28)}-1`],
    ['A'.repeat(29), 1, 'A'.repeat(20)],
  ])('lineItemControlNumber(%s, %d) fits 30 characters and is deterministic', (key, n, readable) => {
    const value = lineItemControlNumber(key, n);
    expect(value.length).toBeLessThanOrEqual(30);
    expect(lineItemControlNumber(key, n)).toBe(value);
    if (`${key}-${n}`.length <= 30) expect(value).toBe(readable);
    else expect(value).toMatch(new RegExp(`^${readable}[0-9A-F]{8}-${n}$`));
  });

  it('long keys that share their first characters still differ', () => {
    const a = lineItemControlNumber(`${'A'.repeat(29)}1`, 1);
    const b = lineItemControlNumber(`${'A'.repeat(29)}2`, 1);
    expect(a).not.toBe(b);
  });

  it('every line carries REF*6R after its DTP*472, derived from CLM01 when the line has none', () => {
    const claim = sampleMultiLineClaim('V-77');
    const x12 = build837P(sampleBatch([{ ...claim, lines: claim.lines.map(({ lineItemControlNumber: _, ...l }) => l) }]), env);
    expect(x12.match(/^REF\*6R\*.*~$/gm)).toEqual(['REF*6R*V-77-1~', 'REF*6R*V-77-2~', 'REF*6R*V-77-3~']);
    expect(x12).toMatch(/DTP\*472\*D8\*20260310~\nREF\*6R\*V-77-1~/);
    expect(parse837P(x12).batch.claims[0].lines.map((l) => l.lineItemControlNumber)).toEqual(['V-77-1', 'V-77-2', 'V-77-3']);
  });

  it('writes the filing indicator in SBR09, the rendering provider in 2310B and the secondary in SBR01', () => {
    const x12 = build837P(sampleBatch([sampleSecondaryClaim('C-S')]), env);
    expect(x12).toContain('SBR*S*18*******MC~');
    expect(x12).toContain('SBR*P*18*GRP-7******CI~\nCAS*OA*23*1~\nAMT*D*320.4~\nAMT*EAF*55~\nOI***Y***Y~');
    expect(x12).toContain('SVD*87726*65*HC:99214:25**1~\nCAS*CO*45*30~\nCAS*PR*3*25**2*30~\nDTP*573*D8*20260320~');
    expect(x12).toContain('NM1*82*1*KIM*JOY****XX*1497758544~');
  });
});

describe('270 round trip', () => {
  it.each([
    ['subscriber', sampleEligibilityRequest()],
    [
      'dependent',
      sampleEligibilityRequest({ dependent: { firstName: 'LIA', lastName: 'RIVERA', birthDate: '2015-06-01', sex: 'F' }, serviceTypes: ['30', '98'] }),
    ],
  ])('%s', (_name, request) => {
    expect(parse270(build270(request, env))).toEqual({ envelope: env, request, warnings: [] });
  });
});

const benefits: EligibilityResponse = {
  payer: { name: 'ACME HEALTH PLAN', id: '87726' },
  provider: { name: 'NORTHSIDE FAMILY CLINIC', id: '1234567893' },
  subscriber: { memberId: 'W100200300', firstName: 'ANA', lastName: 'RIVERA', groupNumber: 'GRP-7' },
  traceNumber: 'V-1001-1',
  traceOriginatorId: '1391234567',
  benefits: [
    { code: '1', coverageLevel: 'IND', serviceTypes: ['30'], insuranceType: 'PR', planName: 'SIM GOLD PPO', level: 'subscriber' },
    { code: 'B', serviceTypes: ['98'], timePeriod: '27', amountCents: 2500, inNetwork: true, level: 'subscriber' },
    { code: 'B', serviceTypes: ['98'], timePeriod: '27', amountCents: 5000, inNetwork: false, level: 'subscriber' },
    { code: 'C', coverageLevel: 'IND', serviceTypes: ['30'], timePeriod: '23', amountCents: 50000, inNetwork: true, level: 'subscriber' },
    { code: 'C', coverageLevel: 'IND', serviceTypes: ['30'], timePeriod: '29', amountCents: 20000, inNetwork: true, level: 'subscriber' },
    { code: 'A', coverageLevel: 'IND', serviceTypes: ['30'], percent: 20, inNetwork: true, level: 'subscriber' },
    { code: 'G', coverageLevel: 'IND', serviceTypes: ['30'], timePeriod: '29', amountCents: 250000, inNetwork: true, level: 'subscriber' },
  ],
  errors: [],
  messages: [],
};

describe('271', () => {
  it('round trips and maps to what the visit needs', () => {
    const { response } = parse271(build271(benefits, env));
    expect(response).toEqual(benefits);
    expect(eligibilityResultFrom271(response)).toEqual({
      active: true,
      planName: 'SIM GOLD PPO',
      copayCents: 2500,
      deductibleCents: 50000,
      deductibleRemainingCents: 20000,
      coinsurancePercent: 20,
      outOfPocketRemainingCents: 250000,
      messages: [],
    });
  });

  it('reads inactive coverage and AAA rejections as not active, with the reason', () => {
    const inactive = { ...benefits, benefits: [{ code: '6', serviceTypes: ['30'], level: 'subscriber' as const }] };
    expect(eligibilityResultFrom271(parse271(build271(inactive, env)).response).active).toBe(false);
    const rejected = {
      ...benefits,
      benefits: [],
      errors: [{ level: 'subscriber' as const, reasonCode: '72', reason: 'Invalid/missing subscriber/insured id', followUp: 'C' }],
    };
    expect(eligibilityResultFrom271(parse271(build271(rejected, env)).response)).toEqual({
      active: false,
      messages: ['Invalid/missing subscriber/insured id (AAA 72)'],
    });
  });
});

describe('999', () => {
  const ack: FunctionalAck = {
    functionalId: 'HC',
    groupControlNumber: '42',
    status: 'rejected',
    counts: { included: 1, received: 1, accepted: 0 },
    transactions: [
      {
        type: '837',
        controlNumber: '0001',
        status: 'rejected',
        codes: ['5'],
        errors: [{ segment: 'NM1', position: 17, loop: '2010BA', code: '8', element: { position: 9, code: '7', value: 'XX' } }],
      },
    ],
  };
  it('round trips with the segment and element of each error', () => {
    expect(parse999(build999(ack, '005010X222A1', env)).acks).toEqual([ack]);
  });
});

describe('276/277', () => {
  const answer: ClaimStatusAnswer = {
    payer: { name: 'ACME HEALTH PLAN', id: '87726' },
    submitter: { name: 'NORTHSIDE', id: 'NORTHSIDE01' },
    provider: { name: 'NORTHSIDE', npi: '1234567893' },
    date: '2026-03-12',
    claims: [
      {
        patientControlNumber: 'C-1',
        payerClaimNumber: 'SIM1',
        status: { category: 'A2', code: '20' },
        chargeCents: 15000,
        serviceDate: '2026-03-10',
        subscriber: { memberId: 'M1', firstName: 'A', lastName: 'B' },
      },
      {
        patientControlNumber: 'C-2',
        status: { category: 'A7', code: '164', entity: 'IL' },
        chargeCents: 9000,
        serviceDate: '2026-03-10',
        subscriber: { memberId: 'REJ1', firstName: 'A', lastName: 'B' },
      },
    ],
  };

  it('reads a 277CA per claim: category, code, payer claim number, reason in words', () => {
    const { report } = parse277(build277CA(answer, env));
    expect(report.kind).toBe('277CA');
    expect(report.batch).toEqual([{ category: 'A1', code: '19', text: 'Acknowledgement/Receipt: Entity acknowledges receipt of claim/encounter' }]);
    expect(report.claims.map((c) => [c.patientControlNumber, c.rejected, c.payerClaimNumber, c.statuses[0].text])).toEqual([
      ['C-1', false, 'SIM1', 'Acknowledgement/Acceptance into adjudication system: Accepted for processing'],
      ['C-2', true, undefined, "Acknowledgement/Rejected for Invalid Information: Entity's contract/member number (subscriber)"],
    ]);
  });

  it("tells the clearinghouse's 277CA from the payer's, and reads the 837 BHT03 it echoes", () => {
    const payer = parse277(build277CA({ ...answer, batchTrace: '4711' }, env)).report;
    expect([payer.source, payer.batchTrace]).toEqual(['payer', '4711']);
    const clearinghouse = parse277(build277CA({ ...answer, batchTrace: '4711', clearinghouse: { name: 'SIM CLEARINGHOUSE', id: 'SIMCH' } }, env)).report;
    expect([clearinghouse.source, clearinghouse.batchTrace, clearinghouse.payer.id]).toEqual(['clearinghouse', '4711', 'SIMCH']);
  });

  it('builds a 276 that parses back, and reads the 277 answer', () => {
    const req = {
      payer: answer.payer,
      submitter: answer.submitter,
      provider: answer.provider,
      subscriber: { memberId: 'M1', firstName: 'A', lastName: 'B' },
      patientControlNumber: 'C-1',
      payerClaimNumber: 'SIM1',
      chargeCents: 15000,
      serviceDate: '2026-03-10',
    };
    expect(parse276(build276(req, env)).request).toEqual(req);
    const paid = { ...answer, claims: [{ ...answer.claims[0], status: { category: 'F1', code: '65' }, paidCents: 12000 }] };
    const { report } = parse277(build277(paid, env));
    expect(report.kind).toBe('277');
    expect(report.claims[0]).toMatchObject({ patientControlNumber: 'C-1', paidCents: 12000, chargeCents: 15000, rejected: false });
  });
});

const remittance = sampleRemittance();

describe('835', () => {
  it('round trips, balances, and each claim balances', () => {
    const { remittances } = parse835(build835([remittance], env));
    expect(remittances).toEqual([remittance]);
    expect(remittanceBalance(remittances[0])).toEqual({ balanced: true, paymentCents: 9000, claimsPaidCents: 9100, providerAdjustmentCents: 100 });
    expect(claimBalanceProblems(remittances[0])).toEqual([]);
  });

  it('says clearly when a remittance does not balance', () => {
    const off = { ...remittance, payment: { ...remittance.payment, amountCents: 9500 } };
    expect(remittanceBalance(off).message).toBe(
      'remittance EFT0001 does not balance: BPR02 pays 95.00, but claims paid 91.00 minus provider adjustments 1.00 is 90.00 (off by 5.00)',
    );
  });
});

describe('routing', () => {
  it.each([
    [build837P(sampleBatch([sampleClaim('C-1')]), env), '837P'],
    [build270(sampleEligibilityRequest(), env), '270'],
    [build271(benefits, env), '271'],
    [build835([remittance], env), '835'],
  ])('tells which transaction a file holds', (x12, kind) => {
    expect(detectTransaction(x12)).toMatchObject({ kind, controlNumber: '000000042', senderId: 'NORTHSIDE01' });
  });

  it('refuses to read one transaction with another parser', () => {
    expect(() => parse835(build270(sampleEligibilityRequest(), env))).toThrow(X12WrongTransactionError);
  });
});

describe('what real senders send', () => {
  /** The ST..SE of a file, as a companion guide prints it: no ISA, GS, GE or IEA. */
  const bare = (text: string) =>
    text
      .split('\n')
      .filter((l) => !/^(ISA|GS|GE|IEA)\*/.test(l))
      .join('\n');

  it('reads a bare 835 transaction set (ST..SE, no ISA/GS) with a warning, the same remittance as the full file', () => {
    const full = build835([sampleRemittance()], env);
    const parsed = parse835(bare(full));
    expect(parsed.remittances).toEqual(parse835(full).remittances);
    expect(parsed.warnings[0]).toMatch(/bare transaction set .* control numbers are unknown/);
    expect(detectTransaction(bare(full))).toMatchObject({ kind: '835', transactionSet: '835' });
  });

  it('reads a bare 837P pasted on one line (no line breaks) and knows it is an 837P from ST03', () => {
    const full = build837P(sampleBatch([sampleClaim('C-1')]), env);
    const oneLine = bare(full).replace(/\n/g, '');
    expect(oneLine.startsWith('ST*837*0001*005010X222A1~')).toBe(true);
    expect(detectTransaction(oneLine).kind).toBe('837P');
    expect(parse837P(oneLine).batch.claims).toEqual(parse837P(full).batch.claims);
  });

  it('reads a GS08 that disagrees with ST03 with a warning, as the ST03 guide says', () => {
    const full = build837P(sampleBatch([sampleClaim('C-1')]), env);
    const odd = full.replace('*X*005010X222A1~', '*X*005010X221A1~');
    expect(odd).not.toBe(full);
    expect(detectTransaction(odd).kind).toBe('837P');
    const parsed = parse837P(odd);
    expect(parsed.batch.claims).toEqual(parse837P(full).batch.claims);
    expect(parsed.warnings.join('\n')).toMatch(/ST03 005010X222A1 disagrees with GS08 005010X221A1; read as 005010X222A1/);
  });

  it('reads a GS08 written for another transaction set than ST01 with a warning', () => {
    const full = build835([sampleRemittance()], env);
    const odd = full.replace('*X*005010X221A1~', '*X*005010X222A1~');
    expect(odd).not.toBe(full);
    const parsed = parse835(odd);
    expect(parsed.remittances).toEqual(parse835(full).remittances);
    expect(parsed.warnings.join('\n')).toMatch(/guide 005010X222A1 is not written for transaction set 835; read as 835/);
  });

  it('still refuses a bare transaction set whose SE does not close it', () => {
    const full = build835([sampleRemittance()], env);
    const cut = bare(full).replace(/\nSE\*.*$/m, '');
    expect(() => parse835(cut)).toThrow(/without its SE|truncated/);
  });
});
