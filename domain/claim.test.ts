import { isDenied, remittanceStatus, type ClaimRemittance } from './claim';

describe('remittanceStatus: what an 835 CLP says of its claim', () => {
  it.each([
    ['a reversal (CLP02 22), whatever it pays', { statusCode: '22', paidCents: -9000, patientResponsibilityCents: 0 }, false, 'reversed'],
    ['a denial (CLP02 4)', { statusCode: '4', paidCents: 0, patientResponsibilityCents: 0 }, false, 'denied'],
    ['processed but nothing paid and nothing left to the patient', { statusCode: '1', paidCents: 0, patientResponsibilityCents: 0 }, false, 'denied'],
    ["nothing paid, all of it the patient's (deductible)", { statusCode: '1', paidCents: 0, patientResponsibilityCents: 13500 }, false, 'paid'],
    ['paid', { statusCode: '1', paidCents: 10000, patientResponsibilityCents: 3500 }, false, 'paid'],
    ['paid, but short of what was owed', { statusCode: '1', paidCents: 8000, patientResponsibilityCents: 3500 }, true, 'partially_paid'],
    ['a shortfall does not turn a denial into a partial payment', { statusCode: '4', paidCents: 0, patientResponsibilityCents: 0 }, true, 'denied'],
  ] as const)('%s', (_name, clp, shortPaid, expected) => {
    expect(remittanceStatus(clp, shortPaid)).toBe(expected);
  });

  it('isDenied reads the same rule from a remittance summary', () => {
    const r = { claimStatusCode: '4', paidCents: 0, patientResponsibilityCents: 0 } as ClaimRemittance;
    expect(isDenied(r)).toBe(true);
    expect(isDenied({ ...r, claimStatusCode: '22' })).toBe(false);
    expect(isDenied({ ...r, claimStatusCode: '1', paidCents: 100 })).toBe(false);
  });
});
