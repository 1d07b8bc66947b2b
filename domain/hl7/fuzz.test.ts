/**
 * Property tests (fast-check) of the HL7 v2 reader and the MLLP framer: whatever a PMS sends
 * (mutated public samples, truncated, wrong separators, shuffled segments, binary, NUL and
 * control characters), reading either gives an event or throws the typed errors the
 * listener turns into AE/AR; valid messages round trip through build and read; any framing
 * of any messages into chunks gives back the same messages.
 */
import fc from 'fast-check';
import { binary, mutated, prefixedGarbage, readsOrRefuses as readsOrRefusesOf, runs } from '../../test/fuzz/mutations';
import { hl7Samples } from '../../test/fuzz/hl7-samples';
import type { StartVisit } from '../visit';
import { acknowledgedOf } from './ack';
import { readAcknowledged, readInbound } from './inbound';
import { escapeHl7, Hl7MappingError, Hl7ParseError, parseHl7, unescapeHl7, UnsupportedHl7MessageError } from './message';
import { frameMllp, MllpDeframer, MllpFrameTooLargeError } from './mllp';
import { buildSiuS12 } from './siu';

const { visit, at, ownSamples, samples } = hl7Samples();

/** The errors the MLLP listener answers with AR (parse, unsupported) or AE (mapping). */
const typed = (err: unknown) => err instanceof Hl7ParseError || err instanceof UnsupportedHl7MessageError || err instanceof Hl7MappingError;

const readsOrRefuses = readsOrRefusesOf({ readInbound, readAcknowledged }, typed, 'HL7');

describe('HL7 v2 reading under malformed input', () => {
  test('mutated samples: an event or a typed refusal', () => {
    fc.assert(fc.property(mutated(samples, '\r'), readsOrRefuses), runs(400));
  });

  test('binary and NUL/control bytes: an event or a typed refusal', () => {
    fc.assert(fc.property(binary, readsOrRefuses), runs(200));
  });

  test('an MSH followed by anything: an event or a typed refusal', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('MSH|^~\\&|', 'MSH|', 'MSH^~\\&|', 'MSH|^~\\&|PMS||REVCYCLE||20260101||SIU^S12|1|P|2.5.1\r').chain(prefixedGarbage),
        readsOrRefuses,
      ),
      runs(300),
    );
  });
});

describe('regressions the properties found', () => {
  test('seed -1280640762: an SIU^S12 whose second IN1 repeats the first was a ZodError (answered AR 207 "try again" forever); now an AE naming IN1', () => {
    const s12 = ownSamples[0];
    const in1 = s12.split('\r').find((seg) => seg.startsWith('IN1|'))!;
    const twice = s12.replace(in1, `${in1}\r${in1}`);
    expect(() => readInbound(twice)).toThrow(Hl7MappingError);
    expect(() => readInbound(twice)).toThrow(/IN1 \(second\): is the same plan and member as coverage/);
  });
});

describe('valid HL7 still reads, and round trips', () => {
  test.each(samples.map((s, i) => [i, s]))('sample %i: the control id to acknowledge is read', (_i, s) => {
    expect(acknowledgedOf(parseHl7(s)).controlId).not.toBe('');
  });

  // Names and addresses may hold HL7's own delimiters (| & \), which must be escaped; X12's (* : ~ ^) are refused at the door.
  const text = fc.string({ unit: fc.constantFrom(..."abcXYZ019 .,-'|\\&".split('')), maxLength: 30 });
  test('escape then unescape gives the value back, for any text with delimiters in it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (v) => expect(unescapeHl7(escapeHl7(v))).toBe(v)),
      runs(300),
    );
  });

  test('SIU^S12: read(build(visit)) = visit for names and addresses with HL7 delimiters in them', () => {
    const id = fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{1,15}$/);
    fc.assert(
      fc.property(text, text, text, id, id, (firstName, lastName, line1, memberId, appointmentId) => {
        fc.pre(firstName.trim() === firstName && lastName.trim() === lastName && line1.trim() === line1 && !!firstName && !!lastName && !!line1);
        const v: StartVisit = {
          ...visit,
          visitId: `A-${appointmentId}`,
          patient: { ...visit.patient, firstName, lastName, address: { ...visit.patient.address, line1 } },
          coverage: { ...visit.coverage, memberId },
          appointment: { ...visit.appointment, appointmentId },
        };
        const event = readInbound(buildSiuS12(v, { controlId: 'C1', at }).toString());
        expect(event.kind).toBe('appointmentBooked');
        if (event.kind === 'appointmentBooked') expect(event.visit.patient).toEqual(v.patient);
      }),
      runs(150),
    );
  });
});

describe('MLLP framing', () => {
  const message = fc.string({ maxLength: 200 }).map((s) => s.replace(/[\x0b\x1c]/g, ''));
  test('any messages, cut into any chunks, come out whole and in order', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (messages, cuts) => {
        const bytes = Buffer.concat(messages.map(frameMllp));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((from, i) => bytes.subarray(from, [...points, bytes.length][i]));
        const d = new MllpDeframer();
        expect(chunks.flatMap((c) => d.push(c))).toEqual(messages);
      }),
      runs(300),
    );
  });

  test('random bytes never throw anything but a frame-too-large refusal', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 512 }), { maxLength: 8 }), (chunks) => {
        const d = new MllpDeframer(1024);
        try {
          for (const c of chunks) d.push(Buffer.from(c));
        } catch (err) {
          expect(err).toBeInstanceOf(MllpFrameTooLargeError);
        }
      }),
      runs(300),
    );
  });
});
