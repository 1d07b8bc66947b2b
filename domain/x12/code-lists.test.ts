import { build999, parse999, type FunctionalAck } from './acknowledgment';
import { build277CA, parse277 } from './claim-status';
import fc from 'fast-check';

import { CARC_FORMAT, carc, RARC_FORMAT, rarc } from './code-lists';
import { X12ContentError } from './errors';
import { parse835 } from './remittance';
import { build835 } from './remittance-build';
import { sampleEnvelope, sampleRemittance } from './samples';
import { tokenize } from './syntax';

const era = build835([sampleRemittance()], sampleEnvelope(7));
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
const nine99 = build999(ack, '005010X222A1', sampleEnvelope(8));
const ca = build277CA(
  {
    payer: { name: 'ACME', id: '87726' },
    submitter: { name: 'CLINIC', id: 'NORTHSIDE01' },
    provider: { name: 'CLINIC', npi: '1234567893' },
    date: '2026-03-11',
    claims: [
      {
        patientControlNumber: 'C-1',
        status: { category: 'A2', code: '20' },
        chargeCents: 15000,
        serviceDate: '2026-03-10',
        subscriber: { lastName: 'RIVERA', firstName: 'ANA', memberId: 'W1' },
      },
    ],
  },
  sampleEnvelope(9),
);

/** The refusal a parser gives for `text`, or undefined when it reads. */
function refusal(parse: (t: string) => unknown, text: string): X12ContentError | undefined {
  try {
    parse(text);
    return undefined;
  } catch (err) {
    if (err instanceof X12ContentError) return err;
    throw err;
  }
}

describe('inbound status and group codes are checked against their code lists', () => {
  it.each([
    ['CAS01 group XX', parse835, era, 'CAS*CO*', 'CAS*XX*', 'CAS01', /"XX" is not a claim adjustment group code/],
    ['CAS02 CARC of the wrong shape', parse835, era, 'CAS*CO*45*', 'CAS*CO*4-5*', 'CAS02', /is not a claim adjustment reason code \(CARC\)/],
    ['CLP02 status 9', parse835, era, 'CLP*C-1*1*', 'CLP*C-1*9*', 'CLP02', /"9" is not a claim status code/],
    ['LQ02 RARC ZZ9', parse835, era, 'LQ*HE*N130', 'LQ*HE*ZZ9', 'LQ02', /"ZZ9" is not a remark code \(RARC\)/],
    ['IK501 Q', parse999, nine99, 'IK5*R', 'IK5*Q', 'IK501', /"Q" is not a transaction set acknowledgment code/],
    ['IK502 error 99', parse999, nine99, 'IK5*R*5', 'IK5*R*99', 'IK502', /"99" is not a transaction set syntax error code/],
    ['AK901 Z', parse999, nine99, 'AK9*R', 'AK9*Z', 'AK901', /"Z" is not a functional group acknowledge code/],
    ['AK902 not a number', parse999, nine99, 'AK9*R*1', 'AK9*R*ONE', 'AK902', /"ONE" is not a transaction set count/],
    ['IK304 code Q', parse999, nine99, '*2010BA*8', '*2010BA*Q', 'IK304', /"Q" is not a segment syntax error code/],
    ['STC01 category Z9', parse277, ca, 'STC*A2:20', 'STC*Z9:20', 'STC01', /"Z9" is not a claim status category code/],
    ['STC01 status code not digits', parse277, ca, 'STC*A2:20', 'STC*A2:2X', 'STC01', /"2X" is not a claim status code/],
  ])('%s: a content refusal at its segment and element', (_name, parse, valid, from, to, where, message) => {
    expect(valid).toContain(from);
    expect(refusal(parse as (t: string) => unknown, valid)).toBeUndefined();
    const err = refusal(parse as (t: string) => unknown, valid.replace(from, to));
    expect(err).toBeInstanceOf(X12ContentError);
    expect(err!.message).toMatch(message);
    expect(err!.message).toContain(where);
    expect(err!.location.line).toBeGreaterThan(0);
  });

  it('every valid code of each list reads (CAS groups, CLP statuses)', () => {
    for (const group of ['CO', 'CR', 'OA', 'PI', 'PR']) expect(refusal(parse835, era.replace('CAS*CO*', `CAS*${group}*`))).toBeUndefined();
    for (const status of ['1', '2', '3', '4', '19', '20', '21', '22', '23', '25'])
      expect(refusal(parse835, era.replace('CLP*C-1*1*', `CLP*C-1*${status}*`))).toBeUndefined();
  });

  it('a NUL byte anywhere is a syntax refusal naming its line, not a value Postgres would choke on', () => {
    expect(() => parse835(era.replace('CAS*CO*45*', 'CAS*CO*4\u00005*'))).toThrow(/line \d+: a NUL byte is not allowed in X12/);
  });

  it('a huge bad value is shown cut short, with control characters escaped', () => {
    const err = refusal(parse835, era.replace('CAS*CO*', `CAS*${'\u0001'.repeat(100_000)}*`))!;
    expect(err.message.length).toBeLessThan(300);
    expect(err.message).toContain('\\u0001');
  });
});

describe('the CARC and RARC checks by character codes accept what their formats accept', () => {
  const s = tokenize(era)[3];
  const accepts = (check: typeof carc, value: string) => {
    try {
      return check(s, 2, value) === value;
    } catch (err) {
      if (err instanceof X12ContentError) return false;
      throw err;
    }
  };
  const codeLike = fc.stringMatching(/^[0-9A-Z]{0,6}$/);

  it.each([
    ['CARC', carc, CARC_FORMAT, ['1', '45', '253', 'A1', 'P14', '0', '1000', 'A', 'AB1', 'a1', 'A123', '', '4-5']],
    ['RARC', rarc, RARC_FORMAT, ['N130', 'MA01', 'M15', 'N1', 'M', 'MA', 'N12345', 'MB1', 'X1', 'ma01', '']],
  ] as const)('%s', (_name, check, format, examples) => {
    for (const v of examples) expect([v, accepts(check, v)]).toEqual([v, format.test(v)]);
    fc.assert(
      fc.property(codeLike, (v) => accepts(check, v) === format.test(v)),
      { numRuns: 2000 },
    );
  });
});
