/**
 * The simulated PMS's two MLLP ends: a receiver of DFT^P03 charges that fails the way
 * real interfaces do (slow, AR "send again", no answer, work done but ACK lost), and a
 * sender of scheduling/registration messages that, like an interface engine, keeps one
 * connection open, waits for each ACK, and resends when none comes.
 */
import net from 'net';
import tls from 'tls';
import { type Ack, type Acknowledged, acknowledgedOf, buildAck, Hl7ErrorCode, parseAck } from '../../domain/hl7/ack';
import { chargeIdOf, parseDftP03 } from '../../domain/hl7/dft';
import { Hl7MappingError, messageType, parseHl7 } from '../../domain/hl7/message';
import { frameMllp, MllpDeframer } from '../../domain/hl7/mllp';
import { type Faults, type InboundFault, sleep } from '../faults';
import type { ChargeStore } from './store';

/** ERR-3 205, duplicate key identifier: on an AA, "already posted, nothing new". */
const DUPLICATE = '205';

type Reply = Omit<Ack, 'controlId'>;

const error = (code: 'AE' | 'AR', hl7Code: string, appCode: string, message: string): Reply => ({ code, error: { hl7Code, severity: 'E', appCode, message } });

/** Posts one DFT^P03 and says how to answer; the work is done before any fault hides the answer. */
function postDft(text: string, store: ChargeStore): { to: Acknowledged; reply: Reply } | undefined {
  let msg;
  try {
    msg = parseHl7(text);
  } catch {
    return undefined;
  }
  const to = acknowledgedOf(msg);
  if (messageType(msg) !== 'DFT^P03')
    return { to, reply: error('AR', Hl7ErrorCode.unsupportedMessageType, 'HL7_UNSUPPORTED', `this PMS takes DFT^P03, not ${messageType(msg)}`) };
  try {
    const { controlId, ...charges } = parseDftP03(msg);
    const result = store.post('hl7', controlId, charges, (line) => chargeIdOf(controlId, line));
    if (result.outcome === 'conflict') return { to, reply: error('AE', DUPLICATE, 'CONFLICT', `control id ${controlId} was posted with other charges`) };
    if (result.outcome === 'duplicate')
      return { to, reply: { code: 'AA', error: { hl7Code: DUPLICATE, severity: 'I', appCode: 'DUPLICATE', message: 'already posted' } } };
    return { to, reply: { code: 'AA' } };
  } catch (err) {
    if (err instanceof Hl7MappingError) return { to, reply: error('AE', Hl7ErrorCode.dataTypeError, err.code, err.message) };
    throw err;
  }
}

async function receive(text: string, socket: net.Socket, store: ChargeStore, faults: Faults): Promise<void> {
  const fault: InboundFault = faults.inbound();
  await sleep(faults.latencyMs());
  if (fault === 'timeout') return;
  if (fault === 'error') {
    const to = safeAcknowledged(text);
    socket.write(frameMllp(buildAck(to, error('AR', Hl7ErrorCode.internalError, 'SIMULATED_FAULT', 'simulated: busy, send again')).toString()));
    return;
  }
  const handled = postDft(text, store);
  if (fault === 'drop-ack') {
    socket.destroy();
    return;
  }
  const ack = handled
    ? buildAck(handled.to, handled.reply)
    : buildAck({ controlId: '' }, error('AR', Hl7ErrorCode.segmentSequenceError, 'HL7_PARSE', 'not an HL7 message'));
  if (!socket.destroyed) socket.write(frameMllp(ack.toString()));
}

function safeAcknowledged(text: string): Acknowledged {
  try {
    return acknowledgedOf(parseHl7(text));
  } catch {
    return { controlId: '' };
  }
}

/** PEM material for the simulator's MLLP ends: its own key and certificate, and the CA it trusts for the other side. */
export interface SimMllpTls {
  key: string | Buffer;
  cert: string | Buffer;
  ca: string | Buffer;
}

/**
 * Starts the DFT^P03 receiver; resolves with its port and a close that drops every connection.
 * With `tls` it speaks mutual TLS, as a PMS's interface engine set up for it does: a sender
 * without a certificate from `tls.ca` fails the handshake.
 */
export function serveDft(store: ChargeStore, faults: Faults, port: number, host: string, mtls?: SimMllpTls): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const deframer = new MllpDeframer();
    let queue = Promise.resolve();
    socket.on('data', (chunk) => {
      let frames: string[];
      try {
        frames = deframer.push(chunk);
      } catch {
        socket.destroy(); // an oversized or broken frame: drop the connection, as a PMS interface engine does
        return;
      }
      for (const text of frames) queue = queue.then(() => receive(text, socket, store, faults)).catch(() => undefined);
    });
  };
  const server: net.Server = mtls
    ? tls.createServer({ key: mtls.key, cert: mtls.cert, ca: mtls.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, onConnection)
    : net.createServer(onConnection);
  if (mtls) server.on('tlsClientError', (_err, socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

const asksToResend = (ack: Ack) => ack.code === 'AR' && ack.error?.hl7Code === Hl7ErrorCode.internalError;

function readAck(text: string): Ack | undefined {
  try {
    return parseAck(parseHl7(text));
  } catch {
    return undefined;
  }
}

export class NoAckError extends Error {
  readonly code = 'SIM_NO_ACK';
  constructor(controlId: string, attempts: number) {
    super(`no usable ACK for ${controlId} after ${attempts} attempts`);
    this.name = 'NoAckError';
  }
}

/**
 * One long-lived connection to revcycle's listener; messages go one at a time, each
 * waiting for its ACK. A timeout or a dropped connection closes it, and the next attempt
 * reconnects, as an interface engine does.
 */
export class MllpSender {
  private socket?: net.Socket;
  private deframer = new MllpDeframer();
  private waiting?: (ack: string | undefined) => void;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly endpoint: { host: string; port: number },
    private readonly ackTimeoutMs: number,
    /** Our client certificate and the CA revcycle's listener certificate must chain to. */
    private readonly mtls?: SimMllpTls,
  ) {}

  /** Sends, retrying up to `attempts` times while no ACK comes or the ACK asks to send again (AR 207). */
  send(text: string, attempts: number): Promise<Ack> {
    const controlId = acknowledgedOf(parseHl7(text)).controlId;
    const run = async () => {
      let last: Ack | undefined;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const ack = await this.exchange(text, controlId);
        if (ack && !asksToResend(ack)) return ack;
        last = ack ?? last;
      }
      if (last) return last;
      throw new NoAckError(controlId, attempts);
    };
    const result = this.queue.then(run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  close(): void {
    this.drop();
  }

  /** One attempt: the ACK for this control id, or undefined when none came in time or the connection failed. */
  private async exchange(text: string, controlId: string): Promise<Ack | undefined> {
    const socket = await this.connect().catch(() => undefined);
    if (!socket) return undefined;
    const reply = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.drop();
        resolve(undefined);
      }, this.ackTimeoutMs);
      this.waiting = (ack) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(ack);
      };
      socket.write(frameMllp(text));
    });
    const ack = reply === undefined ? undefined : readAck(reply);
    return ack?.controlId === controlId ? ack : undefined;
  }

  private connect(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const t = this.mtls;
      const socket = t
        ? tls.connect({
            ...this.endpoint,
            key: t.key,
            cert: t.cert,
            ca: t.ca,
            minVersion: 'TLSv1.2',
            servername: net.isIP(this.endpoint.host) ? undefined : this.endpoint.host,
          })
        : net.connect(this.endpoint);
      this.deframer = new MllpDeframer();
      socket.once(t ? 'secureConnect' : 'connect', () => resolve(socket));
      socket.on('error', reject);
      socket.on('data', (chunk) => this.deframer.push(chunk).forEach((ack) => this.waiting?.(ack)));
      socket.once('close', () => this.waiting?.(undefined));
      this.socket = socket;
    });
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
