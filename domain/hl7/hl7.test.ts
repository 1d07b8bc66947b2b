import type { ChargePost } from '../../integrations/pms/types';
import type { StartVisit } from '../visit';
import { buildAck, Hl7ErrorCode, parseAck } from './ack';
import { buildAdt } from './adt';
import { amountToCents, buildDftP03, centsToAmount, parseDftP03 } from './dft';
import { readInbound } from './inbound';
import { escapeHl7, hl7Date, Hl7MappingError, Hl7ParseError, parseHl7, UnsupportedHl7MessageError, unescapeHl7 } from './message';
import { buildSiuS12, buildSiuS14, buildSiuS15 } from './siu';

const at = new Date('2026-03-02T15:04:05Z');

const visit: StartVisit = {
  visitId: 'V-1001',
  patient: {
    patientId: 'MRN-77',
    firstName: 'Ana',
    lastName: "O'Neil&Smith",
    birthDate: '1980-02-29',
    sex: 'F',
    address: { line1: '12 Elm St & Co', city: 'Madison', state: 'WI', postalCode: '537031234' },
  },
  coverage: {
    payerId: '87726',
    payerName: 'United|Health',
    memberId: 'W123-456',
    groupNumber: 'G-9',
    relationship: 'spouse',
    subscriber: {
      firstName: 'Ben',
      lastName: "O'Neil",
      birthDate: '1978-07-01',
      sex: 'M',
      address: { line1: '12 Elm St', city: 'Madison', state: 'WI', postalCode: '53703' },
    },
  },
  appointment: { appointmentId: 'APT~5', serviceDate: '2026-03-10', providerNpi: '1234567893', placeOfService: '22' },
};

const post: ChargePost = {
  visitId: 'V-1001',
  idempotencyKey: 'visit-V-1001-charges-1',
  patientId: 'MRN-77',
  serviceDate: '2026-03-10',
  renderingNpi: '1234567893',
  diagnoses: [
    { code: 'E119', rank: 2 },
    { code: 'M5450', rank: 1 },
  ],
  lines: [
    { lineNumber: 1, code: '99214', modifiers: ['25'], units: 1, chargeCents: 15005, diagnosisPointers: [1, 2] },
    { lineNumber: 2, code: 'G0439', modifiers: [], units: 2, chargeCents: 7, diagnosisPointers: [2] },
  ],
};

describe('HL7 text', () => {
  it('accepts CR, LF and CRLF segment endings alike', () => {
    const cr = 'MSH|^~\\&|A|B|C|D|20260101||ADT^A08|1|P|2.5.1\rPID|1||X^^^^MR\r';
    for (const text of [cr, cr.replace(/\r/g, '\n'), cr.replace(/\r/g, '\r\n')]) {
      const msg = parseHl7(text);
      expect(msg.segments.map((s) => s.name)).toEqual(['MSH', 'PID']);
    }
  });

  it('refuses text that is not an HL7 message', () => {
    expect(() => parseHl7('hello')).toThrow(Hl7ParseError);
  });

  it('escapes and unescapes the separators', () => {
    const value = 'a|b^c&d~e\\f';
    expect(escapeHl7(value)).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f');
    expect(unescapeHl7(escapeHl7(value))).toBe(value);
  });

  it('keeps a line break inside a value from ending the segment', () => {
    expect(escapeHl7('Suite 4\r\nBack door')).toBe('Suite 4\\X0D\\\\X0A\\Back door');
    expect(unescapeHl7('Suite 4\\X0D\\\\X0A\\Back door')).toBe('Suite 4\r\nBack door');
  });

  it.each([
    ['19880818', '1988-08-18'],
    ['198808181126+0215', '1988-08-18'],
    ['20240229093000.1234-0500', '2024-02-29'],
    ['20230229', undefined],
    ['1988', undefined],
    ['yesterday', undefined],
  ])('reads %s as the calendar date %s', (value, date) => {
    expect(hl7Date(value)).toBe(date);
  });

  it.each([
    [0, '0.00'],
    [7, '0.07'],
    [15005, '150.05'],
    [123456789, '1234567.89'],
  ])('writes %i cents as %s and reads it back', (cents, amount) => {
    expect(centsToAmount(cents)).toBe(amount);
    expect(amountToCents(amount)).toBe(cents);
  });

  it('reads amounts with one or no decimals and refuses others', () => {
    expect(amountToCents('100')).toBe(10000);
    expect(amountToCents('12.5')).toBe(1250);
    expect(amountToCents('-1.00')).toBeUndefined();
    expect(amountToCents('1,000.00')).toBeUndefined();
  });
});

describe('SIU^S12 and S15', () => {
  it('round-trips a StartVisit through SIU^S12 text, escapes included', () => {
    const text = buildSiuS12(visit, { controlId: 'C1', at }).toString();
    expect(text.split('\r')[0]).toBe('MSH|^~\\&|REVCYCLE||||20260302150405+0000||SIU^S12^SIU_S12|C1|P|2.5.1');
    expect(readInbound(text)).toEqual({ kind: 'appointmentBooked', visit: { ...visit, visitId: 'V-1001' } });
  });

  const medicaid = { payerId: 'SKWI0', payerName: 'Wisconsin Medicaid', memberId: 'MCD-55', relationship: 'self' as const };

  it('reads a second IN1 as the secondary coverage (IN1-1 = 2) and writes it back', () => {
    const withSecondary = { ...visit, secondaryCoverage: medicaid };
    const text = buildSiuS12(withSecondary, { controlId: 'C7', at }).toString();
    expect(
      text
        .split('\r')
        .filter((s) => s.startsWith('IN1|'))
        .map((s) => s.slice(0, 6)),
    ).toEqual(['IN1|1|', 'IN1|2|']);
    expect(readInbound(text)).toEqual({ kind: 'appointmentBooked', visit: withSecondary });
  });

  it('names the second IN1 in the issues of a bad secondary coverage', () => {
    const text = buildSiuS12({ ...visit, secondaryCoverage: medicaid }, { controlId: 'C8', at })
      .toString()
      .replace('|SKWI0|', '|S*|');
    expect(() => readInbound(text)).toThrow(expect.objectContaining({ issues: ['IN1[2]-3: must be 2-10 letters or digits'] }));
  });

  it('lists every unusable field of an S12 by its HL7 name', () => {
    const text = buildSiuS12(visit, { controlId: 'C1', at })
      .toString()
      .replace('|19800229|', '|19801340|')
      .replace(/\rIN1\|[^\r]*/, '')
      .replace(/1234567893\^\^\^\^\^\^\^\^NPI&[^|]*\^\^\^\^NPI/g, '42^Doe^John');
    expect(() => readInbound(text)).toThrow(Hl7MappingError);
    expect(() => readInbound(text)).toThrow(
      expect.objectContaining({ issues: ['PID-7: not a date', 'IN1: missing (no coverage)', 'AIP-3/PV1-7: no provider with an NPI'] }),
    );
  });

  it('round-trips a reschedule (S14): another day, provider and place, the same visit', () => {
    const moved = { ...visit.appointment, serviceDate: '2026-04-09', providerNpi: '1245319599', placeOfService: '02' };
    const text = buildSiuS14({ visitId: visit.visitId, appointment: moved }, { controlId: 'C4', at }).toString();
    expect(text).toContain('SIU^S14^SIU_S12');
    expect(readInbound(text)).toEqual({ kind: 'appointmentRescheduled', reschedule: { visitId: visit.visitId, appointment: moved } });
  });

  it('refuses a reschedule that lost its date of service, by field name', () => {
    const text = buildSiuS14({ visitId: 'V-1', appointment: visit.appointment }, { controlId: 'C5', at })
      .toString()
      .replace(/\rAIS\|[^\r]*/, '')
      .replace(/\^\^\^\d{8}/, '');
    expect(() => readInbound(text)).toThrow(Hl7MappingError);
  });

  it('reads a cancellation with its reason', () => {
    const text = buildSiuS15({ visitId: 'V-1001', reason: 'Patient ill' }, { controlId: 'C2', at }).toString();
    expect(readInbound(text)).toEqual({ kind: 'appointmentCancelled', cancellation: { visitId: 'V-1001', reason: 'Patient ill' } });
  });

  it('turns an appointment id into a usable visit id', () => {
    const text = buildSiuS15({ visitId: 'APT 12/3' }, { controlId: 'C3', at }).toString();
    expect(readInbound(text)).toEqual({ kind: 'appointmentCancelled', cancellation: { visitId: 'APT-12-3' } });
  });
});

describe('ADT^A04/A08', () => {
  it('round-trips a registration with and without coverage', () => {
    const withCoverage = { patient: visit.patient, coverage: visit.coverage };
    expect(readInbound(buildAdt(withCoverage, { controlId: 'C4', at }).toString())).toEqual({ kind: 'registration', registration: withCoverage });
    expect(readInbound(buildAdt({ patient: visit.patient }, { controlId: 'C5', at }, 'A08').toString())).toEqual({
      kind: 'registration',
      registration: { patient: visit.patient },
    });
    const withSecondary = {
      ...withCoverage,
      secondaryCoverage: { payerId: 'SKWI0', payerName: 'Wisconsin Medicaid', memberId: 'MCD-55', relationship: 'self' as const },
    };
    expect(readInbound(buildAdt(withSecondary, { controlId: 'C9', at }, 'A08').toString())).toEqual({ kind: 'registration', registration: withSecondary });
  });

  it('reports a coverage whose subscriber is missing when the patient is not the subscriber', () => {
    const text = buildAdt({ patient: visit.patient, coverage: visit.coverage }, { controlId: 'C6', at })
      .toString()
      .replace(/\|O'Neil\^Ben\|SPO\|19780701\|/, '||SPO||');
    expect(() => readInbound(text)).toThrow(expect.objectContaining({ issues: ['IN1-16.2: missing', 'IN1-16.1: missing', 'IN1-18: missing'] }));
  });

  it('refuses message types it does not handle', () => {
    expect(() => readInbound('MSH|^~\\&|A|B|C|D|20260101||ORU^R01|1|P|2.5.1\r')).toThrow(UnsupportedHl7MessageError);
  });
});

describe('DFT^P03', () => {
  it('writes the fields the PMS bills from', () => {
    const segments = buildDftP03(post, { controlId: 'K1', at }).toString().split('\r');
    expect(segments.find((s) => s.startsWith('FT1|1|'))).toBe(
      'FT1|1|1||20260310||CG|99214^^C4|||1|150.05&USD||||||||M54.50^^I10~E11.9^^I10|1234567893^^^^^^^^NPI&2.16.840.1.113883.4.6&ISO^^^^NPI|||||99214^^C4|25',
    );
    expect(segments.filter((s) => s.startsWith('DG1'))).toEqual(['DG1|1|I10|M54.50^^I10|||F|||||||||1', 'DG1|2|I10|E11.9^^I10|||F|||||||||2']);
    expect(segments.find((s) => s.startsWith('PV1'))).toBe('PV1|1|O|||||||||||||||||V-1001');
  });

  it('round-trips a ChargePost, diagnoses in rank order and pointers into that order', () => {
    const parsed = parseDftP03(parseHl7(buildDftP03(post, { controlId: 'K1', at }).toString()));
    const { idempotencyKey: _key, ...rest } = post;
    expect(parsed).toEqual({
      ...rest,
      controlId: 'K1',
      diagnoses: [
        { code: 'M5450', rank: 1 },
        { code: 'E119', rank: 2 },
      ],
      lines: [post.lines[0], { ...post.lines[1], diagnosisPointers: [2] }],
    });
  });
});

describe('ACK', () => {
  const original = { controlId: 'MSG1', event: 'S12', sendingApplication: 'PMS', receivingApplication: 'REVCYCLE' };

  it('echoes the control id and swaps the applications', () => {
    const ack = buildAck(original, { code: 'AA' }, at).toString();
    expect(ack).toBe('MSH|^~\\&|REVCYCLE||PMS||20260302150405+0000||ACK^S12^ACK|AMSG1|P|2.5.1\rMSA|AA|MSG1');
    expect(parseAck(parseHl7(ack))).toEqual({ code: 'AA', controlId: 'MSG1' });
  });

  it('carries the reason of an AE in ERR', () => {
    const error = { hl7Code: Hl7ErrorCode.dataTypeError, severity: 'E' as const, appCode: 'HL7_MAPPING', message: 'PID-7: not a date' };
    const ack = buildAck(original, { code: 'AE', text: 'rejected', error }, at);
    expect(parseAck(parseHl7(ack.toString()))).toEqual({ code: 'AE', controlId: 'MSG1', text: 'rejected', error });
  });

  it('is not an ACK without an MSA', () => {
    expect(parseAck(parseHl7('MSH|^~\\&|A|B|C|D|20260101||ACK|1|P|2.5.1'))).toBeUndefined();
  });
});
