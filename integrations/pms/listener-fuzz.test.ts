/**
 * Property test (fast-check) of the MLLP listener over a real socket: every message a PMS
 * could send, however broken (mutated valid samples, binary, NUL and control characters),
 * gets exactly one ACK that is AA, AE or AR; a failure of ours (AR 207, `onError`) never
 * happens for bad input; and nothing is half-written: a handler runs, and the control id
 * is recorded as seen, only for a message answered AA.
 */
import fc from 'fast-check';
import net from 'node:net';
import { parseAck } from '../../domain/hl7/ack';
import { parseHl7 } from '../../domain/hl7/message';
import { frameMllp, MllpDeframer } from '../../domain/hl7/mllp';
import { hl7Samples } from '../../test/fuzz/hl7-samples';
import { binary, mutated, runs } from '../../test/fuzz/mutations';
import { startMllpListener, type InboundHandlers, type MllpListener } from './listener';

const { samples } = hl7Samples();

let listener: MllpListener;
const handled: string[] = [];
const seenIds = new Set<string>();
const ours: unknown[] = [];
const handlers: InboundHandlers = {
  appointmentBooked: async (_v, id) => void handled.push(id),
  appointmentRescheduled: async (_r, id) => void handled.push(id),
  appointmentCancelled: async (_c, id) => void handled.push(id),
  registration: async (_r, id) => void handled.push(id),
};

beforeAll(async () => {
  listener = await startMllpListener({
    host: '127.0.0.1',
    handlers,
    seen: { has: async (id) => seenIds.has(id), add: async (id) => void seenIds.add(id) },
    onError: (err) => void ours.push(err),
  });
});
afterAll(() => listener.close());

/** Sends one frame on its own connection and returns the one ACK it gets. */
function exchange(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(listener.port, '127.0.0.1', () => socket.write(frameMllp(text)));
    const deframer = new MllpDeframer();
    socket.on('data', (chunk) => {
      const [ack] = deframer.push(chunk);
      if (ack === undefined) return;
      socket.destroy();
      resolve(ack);
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('closed without an ACK')));
  });
}

// VT and FS are framing bytes: inside a message they would make two frames (the framer's own property test covers them).
const unframed = (s: string) => s.replace(/[\x0b\x1c]/g, '');

async function answeredWithoutHarm(text: string): Promise<void> {
  seenIds.clear(); // each run a first delivery: a control id seen in an earlier run would be answered "duplicate" unread
  const before = { handled: handled.length, seen: seenIds.size };
  const ack = parseAck(parseHl7(await exchange(text)));
  expect(ack).toBeDefined();
  expect(['AA', 'AE', 'AR']).toContain(ack!.code);
  expect(ours).toEqual([]); // never "our failure, send it again" for a bad message
  if (ack!.code !== 'AA') {
    expect(handled.length).toBe(before.handled);
    expect(seenIds.size).toBe(before.seen);
  }
}

jest.setTimeout(60_000);

test('mutated valid messages: one ACK each, AA/AE/AR, nothing handled unless AA', async () => {
  await fc.assert(fc.asyncProperty(mutated(samples, '\r').map(unframed), answeredWithoutHarm), runs(150));
});

test('binary and control characters: one ACK each, never a failure of ours', async () => {
  await fc.assert(fc.asyncProperty(binary.map(unframed), answeredWithoutHarm), runs(100));
});
