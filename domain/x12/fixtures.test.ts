/**
 * Every public sample in ../shared/fixtures/x12 parses (see its README for what each
 * is). They are read in place; when the folder is missing the suite says so and skips.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse999 } from './acknowledgment';
import { parse277 } from './claim-status';
import { detectTransaction } from './detect';
import { eligibilityResultFrom271, parse271 } from './eligibility';
import { X12SyntaxError } from './errors';
import { parse837P } from './parse-837p';
import { sharedFixtures } from '../../test/fixtures';
import { parseX12 } from './read';
import { claimBalanceProblems, parse835, remittanceBalance } from './remittance';

const { dir: DIR, present } = sharedFixtures('x12');
const suite = present ? describe : describe.skip;
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');

suite('public X12 samples', () => {
  it.each(present ? readdirSync(DIR).filter((f) => f.endsWith('.x12')) : [])('%s parses (wrong counts read as warnings)', (name) => {
    expect(() => parseX12(read(name), { tolerateCounts: true })).not.toThrow();
  });

  it('271: active coverage, plan and in/out of network copays', () => {
    const { response } = parse271(read('271-subscriber-benefits.lfh.x12'));
    expect(response.subscriber).toEqual({ memberId: '123456789', firstName: 'JOHN', lastName: 'SMITH' });
    expect(response.traceNumber).toBe('93175-012547');
    expect(response.benefits.filter((b) => b.code === 'B').map((b) => [b.amountCents, b.inNetwork, b.serviceTypes.length])).toEqual([
      [1000, true, 10],
      [3000, false, 10],
    ]);
    expect(eligibilityResultFrom271(response)).toEqual({ active: true, planName: 'GOLD 123 PLAN', copayCents: 1000, messages: [] });
  });

  it('999 accepted (whose IEA02 does not echo ISA13: a warning, not a refusal)', () => {
    const { acks, warnings } = parse999(read('999-accepted.ims.x12'));
    expect(warnings).toEqual(['line 10: IEA02 000000001 does not match ISA13 000000286']);
    expect(acks[0]).toMatchObject({
      status: 'accepted',
      groupControlNumber: '17456',
      transactions: [{ type: '837', controlNumber: '0001', status: 'accepted', errors: [] }],
    });
  });

  it('999 rejected with the segment of the error', () => {
    const { acks } = parse999(read('999-rejected.ims.x12'));
    expect(acks[0].status).toBe('rejected');
    expect(acks[0].transactions[0]).toEqual({
      type: '837',
      controlNumber: '0028',
      status: 'rejected',
      codes: ['5'],
      errors: [{ segment: 'NM', position: 17, code: '1' }],
    });
  });

  it('277CA accepted: per-claim category, payer claim number', () => {
    const { report } = parse277(read('277ca-accepted.ims.x12'));
    expect(report.kind).toBe('277CA');
    expect(report.claims).toEqual([
      expect.objectContaining({ patientControlNumber: '5781', payerClaimNumber: '1107000000014420', rejected: false, chargeCents: 12500 }),
    ]);
  });

  it("277CA rejected, with '|' as its component separator", () => {
    const { report } = parse277(read('277ca-rejected.ims.x12'));
    expect(report.claims[0]).toMatchObject({ patientControlNumber: '3920394930203', rejected: true });
    expect(report.claims[0].statuses[0]).toEqual({
      category: 'A7',
      code: '562',
      entity: '85',
      text: "Acknowledgement/Rejected for Invalid Information: Entity's National Provider Identifier (NPI) (billing provider)",
    });
  });

  it.each(['835-managed-care.lfh.x12', '835-medicare-part-a.lfh.x12', '835-secondary-payment.lfh.x12'])('%s parses and balances', (name) => {
    const { remittances } = parse835(read(name));
    expect(remittances[0].claims.length).toBeGreaterThan(0);
    expect(remittanceBalance(remittances[0]).balanced).toBe(true);
  });

  it('835 managed care: claims, CAS by group and CARC, lines', () => {
    const [r] = parse835(read('835-managed-care.lfh.x12')).remittances;
    // BPR16 reads 20002316 in the published sample: read as written, not corrected.
    expect(r.payment).toEqual({ handling: 'I', amountCents: 94500, creditDebit: 'C', method: 'ACH', date: '2000-23-16' });
    expect(r.claims[1]).toMatchObject({
      patientControlNumber: '8765432112',
      statusCode: '1',
      chargeCents: 120000,
      paidCents: 49500,
      patientResponsibilityCents: 60000,
      payerClaimNumber: '94077799230000',
    });
    expect(r.claims[1].lines[0].adjustments).toEqual([
      { group: 'PR', carc: '1', amountCents: 60000 },
      { group: 'CO', carc: '45', amountCents: 5000 },
    ]);
    expect(claimBalanceProblems(r)).toEqual([]);
  });

  it('835 Medicare Part A: PLB provider adjustment enters the balance', () => {
    const [r] = parse835(read('835-medicare-part-a.lfh.x12')).remittances;
    expect(r.providerAdjustments).toEqual([{ providerId: '6543210903', fiscalPeriodDate: '2002-12-31', reasonCode: 'CV', reference: 'CP', amountCents: -127 }]);
    expect(remittanceBalance(r)).toMatchObject({ balanced: true, paymentCents: 15000000, claimsPaidCents: 14999873 });
  });

  it.each(['837p-example1.lfh.x12', '837p-cob-example4.lfh.x12'])('%s parses', (name) => {
    const { batch, warnings } = parse837P(read(name));
    expect(warnings).toEqual([]);
    expect(batch.claims.length).toBe(1);
  });

  it('837P example 1: dependent patient, four lines', () => {
    const [claim] = parse837P(read('837p-example1.lfh.x12')).batch.claims;
    expect(claim).toMatchObject({ claimId: '26463774', placeOfService: '11', frequency: '1', diagnoses: ['0340', 'V7389'] });
    expect(claim.patient).toMatchObject({ relationship: 'child', firstName: 'TED', lastName: 'SMITH', birthDate: '1973-05-01' });
    expect(claim.lines.map((l) => [l.code, l.chargeCents, l.diagnosisPointers, l.serviceDate])).toEqual([
      ['99213', 4000, [1], '2006-10-03'],
      ['87070', 1500, [1], '2006-10-03'],
      ['99214', 3500, [2], '2006-10-10'],
      ['86663', 1000, [2], '2006-10-10'],
    ]);
  });

  it('837P COB example: the other subscriber loops (2320/2330) do not replace the claim subscriber', () => {
    const [claim] = parse837P(read('837p-cob-example4.lfh.x12')).batch.claims;
    expect(claim.subscriber.memberId).toBe('102200221B1');
    expect(claim.payer.id).toBe('10234');
    expect(claim.lines[0]).toMatchObject({ code: '99203', modifiers: ['25'], chargeCents: 12000 });
  });

  it('837P ims sample: its SE01 is wrong, so it is refused by default and read with a warning when counts are tolerated', () => {
    const text = read('837p-valid.ims.x12');
    expect(() => parse837P(text)).toThrow(X12SyntaxError);
    expect(() => parse837P(text)).toThrow('line 36, SE01: SE01 says 25, the transaction set has 34 segments (ST to SE)');
    const { batch, warnings } = parse837P(text, { tolerateCounts: true });
    expect(batch.claims.map((c) => c.claimId)).toEqual(['A37YH556', 'A37YH667']);
    expect(warnings).toContain('line 36, SE01: SE01 says 25, the transaction set has 34 segments (ST to SE)');
  });

  it('routes each sample by its transaction', () => {
    const kinds = [
      '271-subscriber-benefits.lfh.x12',
      '277ca-accepted.ims.x12',
      '835-managed-care.lfh.x12',
      '837p-example1.lfh.x12',
      '999-rejected.ims.x12',
    ].map((n) => detectTransaction(read(n)).kind);
    expect(kinds).toEqual(['271', '277CA', '835', '837P', '999']);
  });
});
