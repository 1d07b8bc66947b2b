import { sampleClaim, sampleEligibilityRequest, sampleMultiLineClaim, sampleSecondaryClaim } from '../../domain/x12/samples';
import { adjudicate, correction, eligibilityAnswer, frontEndStatus, PayerHistory, reversesLater } from './payer';

const fresh: PayerHistory = { isDuplicate: () => false, remitted: () => undefined };
const member = (memberId: string) => ({ subscriber: { ...sampleClaim('x').subscriber, memberId } });
const lineCarcs = (claim: ReturnType<typeof adjudicate>) => claim.lines.map((l) => l.adjustments.map((a) => `${a.group}-${a.carc}`));

describe('simulated payer rules', () => {
  it('answers eligibility for a dependent at the dependent level', () => {
    const answer = eligibilityAnswer(sampleEligibilityRequest({ dependent: { firstName: 'LIA', lastName: 'RIVERA' } }));
    expect(answer.dependent).toEqual({ firstName: 'LIA', lastName: 'RIVERA' });
    expect(answer.benefits.every((b) => b.level === 'dependent')).toBe(true);
  });

  it('rejects REJ members at the front end with A7:164 about the subscriber', () => {
    expect(frontEndStatus(sampleClaim('C', member('rej-1')))).toEqual({ category: 'A7', code: '164', entity: 'IL' });
    expect(frontEndStatus(sampleClaim('C'))).toEqual({ category: 'A2', code: '20' });
  });

  it.each([
    ['NOAUTH1', {}, [['CO-197']], ['N54']],
    ['NMN1', {}, [['CO-50']], ['N115']],
    ['INACT1', {}, [['CO-27']], []],
    ['UNKNOWN1', {}, [['CO-31']], []],
    ['NOAUTH1', { priorAuthorization: 'PA-1' }, [['CO-45', 'PR-3', 'PR-1']], []],
  ])('member %s %p → %p', (memberId, extra, carcs, remarks) => {
    const clp = adjudicate(sampleClaim('C', { ...member(memberId), ...extra }), 'SIM1', fresh);
    expect(lineCarcs(clp)).toEqual(carcs);
    expect(clp.lines[0].remarks).toEqual(remarks);
  });

  it('denies an exact duplicate CO-18 and marks a claim with every line denied as CLP02 4', () => {
    const clp = adjudicate(sampleClaim('C'), 'SIM2', { ...fresh, isDuplicate: () => true });
    expect(clp).toMatchObject({ statusCode: '4', paidCents: 0, patientResponsibilityCents: 0 });
    expect(lineCarcs(clp)).toEqual([['CO-18']]);
  });

  it('SHORT members are allowed less than the contract; REVERSE members are taken back and paid again at the contracted rate', () => {
    const big = { lines: [{ ...sampleClaim('x').lines[0], chargeCents: 100000 }] };
    const allowed = (clp: ReturnType<typeof adjudicate>) => clp.lines[0].allowedCents;
    expect(allowed(adjudicate(sampleClaim('C', { ...big, ...member('SHORT1') }), 'S1', fresh))).toBe(65000);
    const claim = sampleClaim('C', { ...big, ...member('REVERSE1') });
    expect(reversesLater(claim)).toBe(true);
    expect(reversesLater(sampleClaim('C', { ...big, ...member('REVERSE1'), frequency: '7' }))).toBe(false);
    const paid = adjudicate(claim, 'S2', fresh);
    const [reversal, corrected] = correction(claim, paid, 'S3', fresh);
    expect(reversal).toMatchObject({ statusCode: '22', payerClaimNumber: 'S2', chargeCents: -100000, paidCents: -paid.paidCents });
    expect(corrected).toMatchObject({ statusCode: '1', payerClaimNumber: 'S3', chargeCents: 100000 });
    expect(allowed(corrected)).toBe(75000);
  });

  it('reverses the claim a void names, negating every amount', () => {
    const paid = adjudicate(sampleClaim('C', { lines: [{ ...sampleClaim('x').lines[0], chargeCents: 100000 }] }), 'SIM3', fresh);
    const history: PayerHistory = { ...fresh, remitted: (n) => (n === 'SIM3' ? paid : undefined) };
    const voided = adjudicate(sampleClaim('C', { frequency: '8', payerClaimNumber: 'SIM3' }), 'SIM4', history);
    expect(voided).toMatchObject({
      statusCode: '22',
      frequency: '8',
      chargeCents: -100000,
      paidCents: -paid.paidCents,
      patientResponsibilityCents: -paid.patientResponsibilityCents,
    });
    expect(voided.lines[0].adjustments.map((a) => a.amountCents)).toEqual(paid.lines[0].adjustments.map((a) => -a.amountCents));
  });

  it('denies a void of a claim it never paid with CO-16 + N227', () => {
    const voided = adjudicate(sampleClaim('C', { frequency: '8', payerClaimNumber: 'NOPE' }), 'SIM5', fresh);
    expect(voided).toMatchObject({ statusCode: '4', frequency: '8', paidCents: 0 });
    expect(voided.lines[0]).toMatchObject({ adjustments: [{ group: 'CO', carc: '16', amountCents: 15000 }], remarks: ['N227'] });
  });

  it("echoes each line's REF*6R on its SVC line, as real payers do", () => {
    const clp = adjudicate(sampleMultiLineClaim('V-9'), 'SIM6', fresh);
    expect(clp.lines.map((l) => l.lineControlNumber)).toEqual(['V-9-1', 'V-9-2', 'V-9-3']);
  });

  it("pays a secondary claim the patient's share the primary left, OA-23 for the rest, as CLP02 2", () => {
    const clp = adjudicate(sampleSecondaryClaim('V-10'), 'SIM7', fresh);
    expect(clp).toMatchObject({ statusCode: '2', chargeCents: 48254, paidCents: 5500, patientResponsibilityCents: 0 });
    expect(clp.lines.map((l) => [l.paidCents, ...l.adjustments.map((a) => `${a.group}-${a.carc} ${a.amountCents}`)])).toEqual([
      [5500, 'OA-23 9500'],
      [0, 'OA-23 32050'],
      [0, 'OA-23 1204'],
    ]);
  });

  it("denies a secondary claim sent without the primary's answer (2320) CO-16 + MA04", () => {
    const clp = adjudicate({ ...sampleSecondaryClaim('V-11'), otherPayers: [] }, 'SIM8', fresh);
    expect(clp.statusCode).toBe('4');
    expect(clp.lines[0]).toMatchObject({ adjustments: [{ group: 'CO', carc: '16' }], remarks: ['MA04'] });
  });
});
