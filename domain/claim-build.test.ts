/**
 * From the visit to the 837P: what the claim-building input decides (filing indicator,
 * prior authorization, rendering provider, REF*6R) and the secondary claim built from the
 * primary's 835. Every claim built here also goes through pyx12.
 */
import { x12valid } from '../cli/x12valid';
import { pricedLines, sampleEncounter, sampleVisit } from '../test/fixtures';
import { build835 } from './x12/remittance-build';
import { build837P } from './x12/build-837p';
import { parse837P } from './x12/parse-837p';
import { sampleEnvelope } from './x12/samples';
import { adjudicate } from '../simulators/clearinghouse/payer';
import { buildSecondaryClaim, claimBatch, claimFor, MissingRenderingNameError, SecondaryClaimError, type ClaimRequest, type Practice } from './claim-build';
import { claimMessagesFromX12 } from './claim-messages';
import type { ClaimRemittance } from './claim';
import type { StartVisit } from './visit';

const practice: Practice = {
  billingProvider: {
    name: 'NORTHSIDE FAMILY CLINIC',
    npi: '1234567893',
    taxId: '391234567',
    address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '627010001' },
    taxonomy: '207Q00000X',
  },
  submitter: { name: 'NORTHSIDE FAMILY CLINIC', id: 'NORTHSIDE01', contactName: 'BILLING OFFICE', phone: '2175551212' },
  receiver: { name: 'SIM CLEARINGHOUSE', id: 'SIMCH' },
};
const env = sampleEnvelope(77);
const encounter = sampleEncounter();
const request = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
  visit: sampleVisit('V-2001'),
  encounter,
  lines: pricedLines(encounter.procedures),
  frequency: '1',
  billingNpi: practice.billingProvider.npi,
  ...overrides,
});
const x12Of = (...claims: ReturnType<typeof claimFor>[]) => build837P(claimBatch(practice, claims), env);

describe('claimFor: the claim-building input decides the 837P', () => {
  it.each<[string, Partial<ClaimRequest>, RegExp[], RegExp[]]>([
    ["defaults: CI, no REF*G1, no 2310B when the chart's NPI is the billing NPI", {}, [/^SBR\*P\*18\*GRP001\*{6}CI~$/m], [/REF\*G1/, /NM1\*82/]],
    ['Medicare Part B', { filingIndicator: 'MB' }, [/^SBR\*P\*18\*GRP001\*{6}MB~$/m], []],
    ['Medicaid', { filingIndicator: 'MC' }, [/^SBR\*P\*18\*GRP001\*{6}MC~$/m], []],
    ['Blue Cross', { filingIndicator: 'BL' }, [/^SBR\*P\*18\*GRP001\*{6}BL~$/m], []],
    ['prior authorization', { priorAuthorization: 'AUTH-551' }, [/^CLM\*V-2001\*.*~\nREF\*G1\*AUTH-551~$/m], []],
    [
      'a rendering practitioner other than the billing provider',
      {
        encounter: { ...encounter, renderingNpi: '1497758544', renderingName: { lastName: 'KIM', firstName: 'JOY' }, renderingTaxonomy: '207Q00000X' },
      },
      [/^NM1\*82\*1\*KIM\*JOY\*{4}XX\*1497758544~\nPRV\*PE\*PXC\*207Q00000X~$/m],
      [],
    ],
    [
      'units and modifiers from the encounter',
      {
        encounter: { ...encounter, procedures: [{ code: '97110', modifiers: ['GP', '59'], units: 3, diagnosisPointers: [1] }] },
        lines: pricedLines([{ code: '97110', modifiers: ['GP', '59'], units: 3, diagnosisPointers: [1] }]),
      },
      [/^SV1\*HC:97110:GP:59\*285\*UN\*3\*\*\*1~$/m],
      [],
    ],
  ])('%s', async (_name, overrides, present, absent) => {
    const x12 = x12Of(claimFor(request(overrides)));
    for (const p of present) expect(x12).toMatch(p);
    for (const a of absent) expect(x12).not.toMatch(a);
    expect(x12.match(/^REF\*6R\*.*~$/gm)).toEqual(x12.match(/^LX\*(\d+)~$/gm)!.map((lx) => `REF*6R*V-2001-${lx.slice(3, -1)}~`));
    const verdict = await x12valid(x12);
    expect(verdict.errors).toEqual([]);
    expect(verdict.ok).toBe(true);
  });

  it('REF*6R is the same on a retry and on the replacement claim (stable, from visit id and line number)', () => {
    const first = claimFor(request());
    expect(claimFor(request()).lines).toEqual(first.lines);
    expect(claimFor(request({ frequency: '7', payerClaimNumber: 'SIM1' })).lines.map((l) => l.lineItemControlNumber)).toEqual(['V-2001-1', 'V-2001-2']);
  });

  it('refuses to name a rendering practitioner the chart gave no name (2310B NM103 is required)', () => {
    expect(() => claimFor(request({ encounter: { ...encounter, renderingNpi: '1497758544' } }))).toThrow(MissingRenderingNameError);
  });
});

describe("buildSecondaryClaim: the secondary after the primary's 835", () => {
  const medicaid = { payerId: 'SKIL0', payerName: 'ILLINOIS MEDICAID', memberId: 'MCD7788', relationship: 'self' as const };
  const visit: StartVisit = { ...sampleVisit('V-3001'), secondaryCoverage: medicaid };
  const lines = pricedLines(encounter.procedures);

  /** The primary claim goes through the simulated payer and back as the webhook reads an 835. */
  function primaryRemittance(): ClaimRemittance {
    const primary = parse837P(x12Of(claimFor({ ...request(), visit }))).batch.claims[0];
    const clp = adjudicate(primary, 'SIM000000001', { isDuplicate: () => false, remitted: () => undefined });
    const remittance = {
      payment: { handling: 'I', amountCents: clp.paidCents, creditDebit: 'C' as const, method: 'CHK', date: '2026-12-01' },
      trace: { number: 'CHK1', originatorId: '1999999999' },
      payer: { name: 'UNITEDHEALTHCARE', id: '87726' },
      payee: { name: practice.billingProvider.name, idQualifier: 'XX', id: practice.billingProvider.npi },
      claims: [clp],
      providerAdjustments: [],
    };
    return claimMessagesFromX12(build835([remittance], sampleEnvelope(78))).remittances[0].remittance;
  }

  it('bills the secondary (SBR*S, 2010BB) with the primary in 2320/2330B and each line in 2430, matched by REF*6R; pyx12 accepts it', async () => {
    const primary = primaryRemittance();
    expect(primary.lines.map((l) => [l.lineNumber, l.lineControlNumber])).toEqual([
      [1, 'V-3001-1'],
      [2, 'V-3001-2'],
    ]);
    const claim = buildSecondaryClaim({
      visit,
      encounter,
      lines,
      frequency: '1',
      billingNpi: practice.billingProvider.npi,
      filingIndicator: 'MC',
      cob: { primary },
    });
    expect(claim).toMatchObject({
      claimId: 'V-3001',
      payerResponsibility: 'S',
      payer: { id: 'SKIL0', filingIndicator: 'MC' },
      subscriber: { memberId: 'MCD7788' },
    });
    const other = claim.otherPayers![0];
    expect(other).toMatchObject({
      responsibility: 'P',
      payer: { id: '87726', filingIndicator: 'CI' },
      subscriber: { memberId: 'W123456789', relationship: 'self' },
      paidCents: primary.paidCents,
      adjudicatedOn: '2026-12-01',
      payerClaimNumber: 'SIM000000001',
    });
    expect(other.lines.map((l) => [l.lineNumber, l.paidCents + l.adjustments.reduce((t, a) => t + a.amountCents, 0)])).toEqual(
      lines.map((l) => [l.lineNumber, l.chargeCents]),
    );
    const x12 = x12Of(claim);
    expect(x12).toMatch(/^SBR\*S\*18\*{7}MC~$/m);
    expect(x12).toMatch(/^AMT\*D\*/m);
    expect(x12.match(/^SVD\*87726\*/gm)).toHaveLength(2);
    expect(x12.match(/^DTP\*573\*D8\*20261201~$/gm)).toHaveLength(2);
    expect(parse837P(x12).batch.claims[0]).toEqual(claim);
    const verdict = await x12valid(x12);
    expect(verdict.errors).toEqual([]);
    expect(verdict.ok).toBe(true);
  });

  it('is what claimFor builds when the request carries `cob`', () => {
    const primary = primaryRemittance();
    expect(claimFor({ visit, encounter, lines, frequency: '1', cob: { primary } })).toEqual(
      buildSecondaryClaim({ visit, encounter, lines, frequency: '1', cob: { primary } }),
    );
  });

  it.each<[string, (r: ClaimRemittance) => Partial<Parameters<typeof buildSecondaryClaim>[0]>, RegExp]>([
    ['no secondary coverage', () => ({ visit: sampleVisit('V-3001') }), /has no secondary coverage/],
    ['a reversal is not an adjudication', (r) => ({ cob: { primary: { ...r, claimStatusCode: '22' } } }), /reversal/],
    ['no payment date', (r) => ({ cob: { primary: { ...r, paidOn: undefined } } }), /cob.adjudicatedOn/],
    [
      'a line the primary did not answer',
      (r) => ({ cob: { primary: { ...r, lines: r.lines.slice(0, 1) } } }),
      /does not answer line 2 \(20610, REF\*6R V-3001-2\)/,
    ],
  ])('refuses: %s', (_name, change, message) => {
    const primary = primaryRemittance();
    const input = { visit, encounter, lines, frequency: '1' as const, cob: { primary }, ...change(primary) };
    expect(() => buildSecondaryClaim(input)).toThrow(SecondaryClaimError);
    expect(() => buildSecondaryClaim(input)).toThrow(message);
  });
});
