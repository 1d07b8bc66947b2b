/**
 * MLLP client: one connection per message, which is what most PMS interfaces expect of
 * a low-volume sender and keeps a lost ACK from confusing the next message. Framing is
 * domain/hl7/mllp.ts (see docs/pms.md for why not @medplum/hl7's connection).
 */
import net from 'net';
import tls from 'tls';
import { type Ack, parseAck } from '../../domain/hl7/ack';
import { controlId, parseHl7 } from '../../domain/hl7/message';
import { frameMllp, MllpDeframer } from '../../domain/hl7/mllp';
import { PmsUnavailableError } from './errors';

export interface MllpEndpoint {
  host: string;
  port: number;
  /** How long to wait for the connection and the ACK together. */
  timeoutMs: number;
  /** MLLP over TLS: the receiver is checked against `ca`; with `key` and `cert` we present a client certificate (mutual TLS). */
  tls?: MllpClientTls;
}

export interface MllpClientTls {
  /** PEM CA certificate(s) the receiver's certificate must chain to. */
  ca: string | Buffer;
  key?: string | Buffer;
  cert?: string | Buffer;
  /** Name the receiver's certificate must carry, when it is not the host we connect to. */
  servername?: string;
}

/** A plain or TLS connection; `ready` is the event after which we may write. */
export function connectMllp(endpoint: Pick<MllpEndpoint, 'host' | 'port' | 'tls'>): { socket: net.Socket; ready: 'connect' | 'secureConnect' } {
  const t = endpoint.tls;
  if (!t) return { socket: net.connect({ host: endpoint.host, port: endpoint.port }), ready: 'connect' };
  const servername = t.servername ?? (net.isIP(endpoint.host) ? undefined : endpoint.host);
  const socket = tls.connect({
    host: endpoint.host,
    port: endpoint.port,
    ca: t.ca,
    key: t.key,
    cert: t.cert,
    servername,
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
  });
  return { socket, ready: 'secureConnect' };
}

/**
 * Sends one message and resolves with its ACK (MSA-2 must echo the message's MSH-10).
 * No ACK in time, a refused or dropped connection, or an answer that is not an ACK for
 * this message → PmsUnavailableError: whether the message was processed is unknown, so
 * the caller sends it again with the same control id and the receiver dedupes.
 */
export function sendMllp(endpoint: MllpEndpoint, message: string): Promise<Ack> {
  const expected = controlId(parseHl7(message));
  return new Promise<Ack>((resolve, reject) => {
    const { socket, ready } = connectMllp(endpoint);
    const deframer = new MllpDeframer();
    const fail = (reason: string, cause?: unknown) => {
      socket.destroy();
      reject(new PmsUnavailableError(`MLLP ${endpoint.host}:${endpoint.port}: ${reason}`, { cause }));
    };
    const timer = setTimeout(() => fail(`no ACK within ${endpoint.timeoutMs} ms`), endpoint.timeoutMs);
    socket.once(ready, () => socket.write(frameMllp(message)));
    socket.on('data', (chunk) => {
      const [reply] = deframer.push(chunk);
      if (reply === undefined) return;
      clearTimeout(timer);
      const ack = readAck(reply);
      if (!ack || ack.controlId !== expected) return fail(`answer is not an ACK for ${expected}`);
      socket.end();
      resolve(ack);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      fail(err.message, err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      fail('connection closed before an ACK');
    });
  });
}

function readAck(text: string): Ack | undefined {
  try {
    return parseAck(parseHl7(text));
  } catch {
    return undefined;
  }
}
