/**
 * The MLLP listener the PMS sends scheduling and registration messages to. Each message
 * is acknowledged only after its handler resolved (the visit workflow started, the record
 * written) and its control id was recorded, so an AA means "durably handled". A message
 * whose control id was already handled is acknowledged AA again without a second effect.
 *
 * ACK codes (HL7 v2.5.1 2.9.2): AA handled; AE the content cannot be used (a field is
 * missing or malformed, or the handler rejected it), do not resend unchanged; AR the
 * message is unreadable or of a type we do not take, or we could not process it now
 * (ERR-3 207), in which case resending the same message is the right thing to do.
 */
import net from 'net';
import tls from 'tls';
import { type Ack, type Acknowledged, buildAck, Hl7ErrorCode } from '../../domain/hl7/ack';
import { InboundRejectedError, type InboundEvent, type InboundHandlers, readAcknowledged, readInbound, type SeenControlIds } from '../../domain/hl7/inbound';
import { Hl7MappingError, Hl7ParseError, UnsupportedHl7MessageError } from '../../domain/hl7/message';
import { MllpDeframer, frameMllp } from '../../domain/hl7/mllp';

export { InboundRejectedError, type InboundHandlers, type SeenControlIds } from '../../domain/hl7/inbound';

export interface MllpListenerOptions {
  port?: number;
  host?: string;
  handlers: InboundHandlers;
  seen: SeenControlIds;
  /** Told about failures answered AR 207 (ours, not the sender's); receives no message content. */
  onError?: (err: unknown, controlId: string) => void;
  /** Peer IP addresses allowed to connect (IPv4-mapped IPv6 is matched as IPv4); default loopback only. */
  allowedPeers?: string[];
  /**
   * PEM key and certificate: the feed speaks MLLP over TLS. With `ca` it is mutual TLS:
   * a sender must present a certificate issued by that CA, or the handshake fails before
   * a byte of HL7 is read.
   */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
  /** Connections beyond this are closed at once. */
  maxConnections?: number;
  /** A connection silent this long is closed. */
  idleTimeoutMs?: number;
  /** A frame larger than this closes the connection. */
  maxMessageBytes?: number;
  /** Told about refused peers and socket/server errors; none of them stops the listener. */
  onEvent?: (event: string, detail: object) => void;
}

export interface MllpListener {
  port: number;
  close(): Promise<void>;
}

type AckReply = Omit<Ack, 'controlId'>;

const rejected = (hl7Code: string, appCode: string, message: string, code: 'AE' | 'AR' = 'AR'): AckReply => ({
  code,
  error: { hl7Code, severity: 'E', appCode, message },
});

function dispatch(event: InboundEvent, handlers: InboundHandlers, controlId: string): Promise<void> {
  switch (event.kind) {
    case 'appointmentBooked':
      return handlers.appointmentBooked(event.visit, controlId);
    case 'appointmentRescheduled':
      return handlers.appointmentRescheduled(event.reschedule, controlId);
    case 'appointmentCancelled':
      return handlers.appointmentCancelled(event.cancellation, controlId);
    case 'registration':
      return handlers.registration(event.registration, controlId);
  }
}

/** Reads, dedupes and hands one message to its handler; the reply says how it went. */
async function handle(text: string, to: Acknowledged, opts: MllpListenerOptions): Promise<AckReply> {
  if (to.controlId === '') return rejected(Hl7ErrorCode.requiredFieldMissing, 'HL7_MAPPING', 'MSH-10: missing');
  if (await opts.seen.has(to.controlId)) return { code: 'AA', text: 'duplicate: already handled' };
  try {
    await dispatch(readInbound(text), opts.handlers, to.controlId);
  } catch (err) {
    return replyToFailure(err, to.controlId, opts);
  }
  await opts.seen.add(to.controlId);
  return { code: 'AA' };
}

function replyToFailure(err: unknown, controlId: string, opts: MllpListenerOptions): AckReply {
  if (err instanceof UnsupportedHl7MessageError) return rejected(Hl7ErrorCode.unsupportedMessageType, err.code, err.message);
  if (err instanceof Hl7MappingError) {
    const allMissing = err.issues.every((i) => /: missing/.test(i));
    return rejected(allMissing ? Hl7ErrorCode.requiredFieldMissing : Hl7ErrorCode.dataTypeError, err.code, err.message, 'AE');
  }
  if (err instanceof InboundRejectedError) return rejected(Hl7ErrorCode.internalError, err.code, err.message, 'AE');
  opts.onError?.(err, controlId);
  return rejected(Hl7ErrorCode.internalError, 'TRY_AGAIN', 'not processed; send the message again');
}

/**
 * Concurrent deliveries of one control id (two connections) share one handling, so the
 * handler runs once even before the first has been recorded as seen.
 */
function createProcessor(opts: MllpListenerOptions) {
  const inFlight = new Map<string, Promise<AckReply>>();
  return async (text: string): Promise<string> => {
    let to: Acknowledged;
    try {
      to = readAcknowledged(text);
    } catch (err) {
      const reason = err instanceof Hl7ParseError ? err.message : 'unreadable message';
      return buildAck({ controlId: '' }, rejected(Hl7ErrorCode.segmentSequenceError, 'HL7_PARSE', reason)).toString();
    }
    let reply = inFlight.get(to.controlId);
    if (!reply) {
      reply = handle(text, to, opts).catch((err) => replyToFailure(err, to.controlId, opts));
      inFlight.set(to.controlId, reply);
      reply.finally(() => inFlight.delete(to.controlId)).catch(() => undefined);
    }
    return buildAck(to, await reply).toString();
  };
}

/** One connection: messages are handled in the order they arrive, each ACK sent before the next is read. */
function serveConnection(socket: net.Socket, process: (text: string) => Promise<string>, maxMessageBytes?: number): void {
  const deframer = new MllpDeframer(maxMessageBytes);
  let queue = Promise.resolve();
  socket.on('data', (chunk) => {
    let messages: string[];
    try {
      messages = deframer.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    for (const text of messages) {
      queue = queue
        .then(async () => {
          const ack = await process(text);
          if (!socket.destroyed) socket.write(frameMllp(ack));
        })
        .catch(() => {
          socket.destroy();
        });
    }
  });
  socket.on('error', () => socket.destroy());
}

/** Server TLS options; with a CA the client must present a certificate it issued (mutual TLS). */
export function tlsServerOptions(t: NonNullable<MllpListenerOptions['tls']>): tls.TlsOptions {
  const base: tls.TlsOptions = { key: t.key, cert: t.cert, minVersion: 'TLSv1.2' };
  return t.ca ? { ...base, ca: t.ca, requestCert: true, rejectUnauthorized: true } : base;
}

export const LOOPBACK_PEERS = ['127.0.0.1', '::1'];
const peerAddress = (socket: net.Socket) => (socket.remoteAddress ?? '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');

export function startMllpListener(opts: MllpListenerOptions): Promise<MllpListener> {
  const process = createProcessor(opts);
  const sockets = new Set<net.Socket>();
  const allowed = new Set(opts.allowedPeers ?? LOOPBACK_PEERS);
  const maxConnections = opts.maxConnections ?? 32;
  const event = opts.onEvent ?? (() => undefined);
  const onConnection = (socket: net.Socket) => {
    socket.on('error', () => socket.destroy());
    const peer = peerAddress(socket);
    if (!allowed.has(peer)) {
      event('mllp.peer_refused', { peer });
      socket.destroy();
      return;
    }
    if (sockets.size >= maxConnections) {
      event('mllp.connection_limit', { peer, maxConnections });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setTimeout(opts.idleTimeoutMs ?? 60_000, () => socket.destroy());
    serveConnection(socket, process, opts.maxMessageBytes);
  };
  // With TLS the peer is checked once the handshake is done, before a byte of HL7 is read.
  const server: net.Server = opts.tls ? tls.createServer(tlsServerOptions(opts.tls), onConnection) : net.createServer(onConnection);
  if (opts.tls)
    server.on('tlsClientError', (err, socket) => {
      event('mllp.tls_error', { error: err.message });
      socket.destroy();
    });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      server.on('error', (err) => event('mllp.server_error', { error: err.message })); // never an uncaught 'error'
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
