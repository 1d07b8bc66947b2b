import net from 'net';
import type { Ack } from '../../domain/hl7/ack';
import { buildAdt } from '../../domain/hl7/adt';
import { frameMllp, MllpDeframer } from '../../domain/hl7/mllp';
import { buildSiuS12, buildSiuS15 } from '../../domain/hl7/siu';
import type { StartVisit } from '../../domain/visit';
import { InboundRejectedError, type InboundHandlers, type MllpListener, startMllpListener } from './listener';
import { sendMllp } from './mllp';

const visit: StartVisit = {
  visitId: 'V-2001',
  patient: {
    patientId: 'MRN-1',
    firstName: 'Ana',
    lastName: 'Lee',
    birthDate: '1980-01-02',
    sex: 'F',
    address: { line1: '1 Main St', city: 'Madison', state: 'WI', postalCode: '53703' },
  },
  coverage: { payerId: '87726', payerName: 'UHC', memberId: 'M-1', relationship: 'self' },
  appointment: { appointmentId: 'A-1', serviceDate: '2026-04-01', providerNpi: '1234567893', placeOfService: '11' },
};

/** Records every handler call; `fail` makes the next call throw. */
function recordingHandlers() {
  const calls: Array<[string, unknown, string]> = [];
  const order: string[] = [];
  let fail: Error | undefined;
  const record = (kind: string) => async (value: unknown, controlId: string) => {
    const err = fail;
    fail = undefined;
    if (err) throw err;
    calls.push([kind, value, controlId]);
    order.push(`handled ${controlId}`);
  };
  const handlers: InboundHandlers = {
    appointmentBooked: record('booked'),
    appointmentRescheduled: record('rescheduled'),
    appointmentCancelled: record('cancelled'),
    registration: record('registration'),
  };
  return { handlers, calls, order, failNext: (err: Error) => (fail = err) };
}

function memorySeen(order: string[]) {
  const ids = new Set<string>();
  return {
    ids,
    has: async (id: string) => ids.has(id),
    add: async (id: string) => {
      order.push(`seen ${id}`);
      ids.add(id);
    },
  };
}

/** Writes raw bytes and collects `count` ACK frames: for what sendMllp would never send. */
function exchangeRaw(port: number, bytes: Buffer, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const deframer = new MllpDeframer();
    const acks: string[] = [];
    socket.on('data', (chunk) => {
      acks.push(...deframer.push(chunk));
      if (acks.length >= count) {
        socket.destroy();
        resolve(acks);
      }
    });
    socket.on('error', reject);
  });
}

describe('MLLP listener', () => {
  let listener: MllpListener;
  let rec: ReturnType<typeof recordingHandlers>;
  let seen: ReturnType<typeof memorySeen>;
  const at = new Date('2026-03-01T00:00:00Z');
  const send = (text: string): Promise<Ack> => sendMllp({ host: '127.0.0.1', port: listener.port, timeoutMs: 5000 }, text);

  beforeEach(async () => {
    rec = recordingHandlers();
    seen = memorySeen(rec.order);
    listener = await startMllpListener({ host: '127.0.0.1', handlers: rec.handlers, seen });
  });
  afterEach(() => listener.close());

  it('starts a visit from an SIU^S12 and acknowledges AA only after the handler and the seen record', async () => {
    const ack = await send(buildSiuS12(visit, { controlId: 'S12-1', at }).toString());
    expect(ack).toEqual({ code: 'AA', controlId: 'S12-1' });
    expect(rec.calls).toEqual([['booked', visit, 'S12-1']]);
    expect(rec.order).toEqual(['handled S12-1', 'seen S12-1']);
  });

  it('acknowledges a second delivery of the same control id without handling it again', async () => {
    const text = buildSiuS12(visit, { controlId: 'S12-2', at }).toString();
    await send(text);
    const again = await send(text);
    expect(again).toEqual({ code: 'AA', controlId: 'S12-2', text: 'duplicate: already handled' });
    expect(rec.calls).toHaveLength(1);
  });

  it('handles simultaneous deliveries of one control id once', async () => {
    const text = buildSiuS15({ visitId: 'V-2001', reason: 'ill' }, { controlId: 'S15-1', at }).toString();
    const acks = await Promise.all([send(text), send(text), send(text)]);
    expect(acks.map((a) => a.code)).toEqual(['AA', 'AA', 'AA']);
    expect(rec.calls).toEqual([['cancelled', { visitId: 'V-2001', reason: 'ill' }, 'S15-1']]);
  });

  it('registers from an ADT^A04', async () => {
    const ack = await send(buildAdt({ patient: visit.patient, coverage: visit.coverage }, { controlId: 'A04-1', at }).toString());
    expect(ack.code).toBe('AA');
    expect(rec.calls).toEqual([['registration', { patient: visit.patient, coverage: visit.coverage }, 'A04-1']]);
  });

  it('answers AE listing the unusable fields, and does not call the handler', async () => {
    const text = buildSiuS12(visit, { controlId: 'S12-3', at }).toString().replace('|19800102|', '|1980|');
    const ack = await send(text);
    expect(ack).toEqual({ code: 'AE', controlId: 'S12-3', error: { hl7Code: '102', severity: 'E', appCode: 'HL7_MAPPING', message: 'PID-7: not a date' } });
    expect(rec.calls).toEqual([]);
    expect(seen.ids.has('S12-3')).toBe(false);
  });

  it('answers AE with the reason when the handler rejects the message', async () => {
    rec.failNext(new InboundRejectedError('VISIT_CLOSED', 'visit V-2001 is already closed'));
    const ack = await send(buildSiuS15({ visitId: 'V-2001' }, { controlId: 'S15-2', at }).toString());
    expect(ack).toEqual({
      code: 'AE',
      controlId: 'S15-2',
      error: { hl7Code: '207', severity: 'E', appCode: 'VISIT_CLOSED', message: 'visit V-2001 is already closed' },
    });
  });

  it('answers AR 207 when the handler fails for another reason, and handles the resend', async () => {
    const text = buildSiuS12(visit, { controlId: 'S12-4', at }).toString();
    rec.failNext(new Error('temporal unavailable'));
    expect(await send(text)).toMatchObject({ code: 'AR', error: { hl7Code: '207', appCode: 'TRY_AGAIN' } });
    expect(seen.ids.has('S12-4')).toBe(false);
    expect(await send(text)).toEqual({ code: 'AA', controlId: 'S12-4' });
    expect(rec.calls).toHaveLength(1);
  });

  it('answers AR to a message type it does not take', async () => {
    const ack = await send('MSH|^~\\&|PMS||REVCYCLE||20260101||ORU^R01^ORU_R01|R1|P|2.5.1\rPID|1');
    expect(ack).toEqual({
      code: 'AR',
      controlId: 'R1',
      error: { hl7Code: '200', severity: 'E', appCode: 'HL7_UNSUPPORTED', message: 'unsupported message type ORU^R01' },
    });
  });

  it('answers AR to text that is not HL7, and each of two messages written at once', async () => {
    const s15 = buildSiuS15({ visitId: 'V-9' }, { controlId: 'S15-3', at }).toString();
    const acks = await exchangeRaw(listener.port, Buffer.concat([frameMllp('hello'), frameMllp(s15)]), 2);
    expect(acks[0]).toMatch(/\rMSA\|AR\rERR\|\|\|100\^\^HL70357\|E\|HL7_PARSE\|\|\|message does not start with an MSH segment$/);
    expect(acks[1]).toMatch(/\rMSA\|AA\|S15-3$/);
  });
});
