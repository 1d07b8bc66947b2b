/** The MLLP feed's guards: who may connect, how many, how long, how big, and TLS. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { buildSiuS15 } from '../../domain/hl7/siu';
import { frameMllp, MllpDeframer, MllpFrameTooLargeError } from '../../domain/hl7/mllp';
import { startMllpListener, type InboundHandlers, type MllpListener } from './listener';
import { sendMllp } from './mllp';

const calls: string[] = [];
const handlers: InboundHandlers = {
  appointmentBooked: async (_v, id) => void calls.push(id),
  appointmentRescheduled: async (_r, id) => void calls.push(id),
  appointmentCancelled: async (_c, id) => void calls.push(id),
  registration: async (_r, id) => void calls.push(id),
};
const seen = () => {
  const ids = new Set<string>();
  return { has: async (id: string) => ids.has(id), add: async (id: string) => void ids.add(id) };
};
const cancel = (controlId: string) => buildSiuS15({ visitId: 'V-1', reason: 'ill' }, { controlId, at: new Date('2026-03-01T00:00:00Z') }).toString();

/** Resolves with what the server sent before it closed the connection. */
function exchange(socket: net.Socket, payload?: Buffer): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(got));
    if (payload) socket.write(payload);
  });
}

let listener: MllpListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

test('a peer not on the allow-list is disconnected without an answer and nothing is handled', async () => {
  const events: string[] = [];
  listener = await startMllpListener({ host: '127.0.0.1', handlers, seen: seen(), allowedPeers: ['10.9.9.9'], onEvent: (e) => void events.push(e) });
  const got = await exchange(net.connect(listener.port, '127.0.0.1'), frameMllp(cancel('P-1')));
  expect(got).toBe('');
  expect(calls).not.toContain('P-1');
  expect(events).toEqual(['mllp.peer_refused']);
});

test('a connection beyond the cap is closed at once', async () => {
  listener = await startMllpListener({ host: '127.0.0.1', handlers, seen: seen(), maxConnections: 1 });
  const first = net.connect(listener.port, '127.0.0.1');
  await new Promise((r) => first.once('connect', r));
  const second = await exchange(net.connect(listener.port, '127.0.0.1'));
  expect(second).toBe('');
  first.destroy();
});

test('an oversized frame closes its connection; the listener keeps serving others', async () => {
  listener = await startMllpListener({ host: '127.0.0.1', handlers, seen: seen(), maxMessageBytes: 2048 });
  const huge = Buffer.concat([Buffer.of(0x0b), Buffer.alloc(10_000, 0x41)]);
  expect(await exchange(net.connect(listener.port, '127.0.0.1'), huge)).toBe('');
  const ack = await sendMllp({ host: '127.0.0.1', port: listener.port, timeoutMs: 5000 }, cancel('C-2'));
  expect(ack.code).toBe('AA');
});

test('a silent connection is closed after the idle timeout', async () => {
  listener = await startMllpListener({ host: '127.0.0.1', handlers, seen: seen(), idleTimeoutMs: 50 });
  expect(await exchange(net.connect(listener.port, '127.0.0.1'))).toBe(''); // resolves only because the server closed it
});

test('the deframer reads a message delivered one byte at a time, and refuses a frame over its limit', () => {
  const d = new MllpDeframer(4096);
  const frame = frameMllp(cancel('B-1'));
  const out: string[] = [];
  for (const byte of frame) out.push(...d.push(Buffer.of(byte)));
  expect(out).toEqual([cancel('B-1')]);
  expect(() => d.push(Buffer.concat([Buffer.of(0x0b), Buffer.alloc(5000, 0x41)]))).toThrow(MllpFrameTooLargeError);
});

const openssl = (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();

(openssl ? test : test.skip)('over TLS (a self-signed certificate made here with openssl) an SIU is acknowledged AA', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mllp-tls-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'],
    { stdio: 'ignore' },
  );
  listener = await startMllpListener({
    host: '127.0.0.1',
    handlers,
    seen: seen(),
    tls: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
  });
  const socket = tls.connect({ host: '127.0.0.1', port: listener.port, ca: readFileSync(join(dir, 'cert.pem')), checkServerIdentity: () => undefined });
  const answer = await new Promise<string>((resolve) => {
    const d = new MllpDeframer();
    socket.on('data', (chunk) => {
      const [ack] = d.push(chunk);
      if (ack) {
        socket.end();
        resolve(ack);
      }
    });
    socket.once('secureConnect', () => socket.write(frameMllp(cancel('T-1'))));
  });
  expect(answer).toMatch(/MSA\|AA\|T-1/);
  const plain = await exchange(net.connect(listener.port, '127.0.0.1'), frameMllp(cancel('T-2'))); // plain MLLP to a TLS feed gets nothing
  expect(plain).toBe('');
  expect(calls).not.toContain('T-2');
});
