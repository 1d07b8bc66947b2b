/**
 * A practice management system stand-in: takes charges as DFT^P03 over MLLP and as JSON
 * over HTTP, posting each exactly once per control id / idempotency key, and sends
 * SIU^S12/S14/S15 and ADT^A04/A08 to revcycle's MLLP listener. Faults from `faults`
 * (deterministic under its seed) apply to both inbound channels and, as duplicate
 * deliveries, to what it sends.
 */
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import type { Ack } from '../../domain/hl7/ack';
import { buildAdt, type Registration } from '../../domain/hl7/adt';
import type { MessageHeader } from '../../domain/hl7/message';
import { buildSiuS12, buildSiuS14, buildSiuS15, type Cancellation, type Reschedule } from '../../domain/hl7/siu';
import type { StartVisit } from '../../domain/visit';
import { Faults } from '../faults';
import { openPersisted } from '../persist';
import { pmsHttpApp } from './http';
import { MllpSender, serveDft, type SimMllpTls } from './mllp';
import { ChargeStore, LedgerSnapshot, type PostedCharge } from './store';

export type { PostedCharge } from './store';
export { NoAckError, type SimMllpTls } from './mllp';

export interface PmsSimulatorOptions {
  mllpPort?: number;
  httpPort?: number;
  host?: string;
  faults?: Faults;
  /** Where revcycle's MLLP listener is; needed only to send messages. */
  revcycleMllp?: { host: string; port: number };
  /** How long to wait for revcycle's ACK before sending again (default 5000). */
  ackTimeoutMs?: number;
  /** Sends per message before giving up (default 5). */
  maxAttempts?: number;
  /** Mutual TLS on both MLLP ends: the same key, certificate and trusted CA for the receiver and the sender. */
  mllpTls?: SimMllpTls;
  /** JSON file the ledger is kept in across restarts (loaded at start, saved after each post); in memory only without it. */
  dataFile?: string;
}

export interface PmsSimulator {
  url: string;
  mllpPort: number;
  close(): Promise<void>;
  charges(visitId?: string): PostedCharge[];
  /** Sends one HL7 message to revcycle, resending until an ACK comes; sent twice when the faults say so. */
  sendMessage(hl7: string): Promise<Ack>;
  bookAppointment(visit: StartVisit): Promise<Ack>;
  rescheduleAppointment(reschedule: Reschedule): Promise<Ack>;
  cancelAppointment(cancellation: Cancellation): Promise<Ack>;
  register(registration: Registration, event?: 'A04' | 'A08'): Promise<Ack>;
}

export class NoRevcycleEndpointError extends Error {
  readonly code = 'SIM_NO_REVCYCLE_ENDPOINT';
  constructor() {
    super('startPmsSimulator: revcycleMllp is not configured, nothing to send messages to');
    this.name = 'NoRevcycleEndpointError';
  }
}

const SIM_APPLICATION = { sendingApplication: 'PMS-SIM', sendingFacility: 'CLINIC', receivingApplication: 'REVCYCLE' };

function listen(app: ReturnType<typeof pmsHttpApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}

export async function startPmsSimulator(opts: PmsSimulatorOptions = {}): Promise<PmsSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const faults = opts.faults ?? Faults.none();
  const { state: store, flush } = openPersisted(opts.dataFile, LedgerSnapshot, (changed) => new ChargeStore(changed));
  const mllp = await serveDft(store, faults, opts.mllpPort ?? 0, host, opts.mllpTls);
  const http = await listen(pmsHttpApp(store, faults), opts.httpPort ?? 0, host);
  const sender = opts.revcycleMllp && new MllpSender(opts.revcycleMllp, opts.ackTimeoutMs ?? 5000, opts.mllpTls);
  const started = Date.now().toString(36);
  let sequence = 0;
  // Unique across restarts (revcycle remembers control ids durably), at most 20 characters.
  const header = (): MessageHeader => ({ ...SIM_APPLICATION, controlId: `P${started}${(++sequence).toString(36)}`.slice(0, 20) });

  const sendMessage = async (hl7: string): Promise<Ack> => {
    if (!sender) throw new NoRevcycleEndpointError();
    const ack = await sender.send(hl7, opts.maxAttempts ?? 5);
    if (faults.duplicate()) await sender.send(hl7, opts.maxAttempts ?? 5);
    return ack;
  };

  return {
    url: `http://${host}:${(http.address() as AddressInfo).port}`,
    mllpPort: mllp.port,
    charges: (visitId) => store.list(visitId),
    sendMessage,
    bookAppointment: (visit) => sendMessage(buildSiuS12(visit, header()).toString()),
    rescheduleAppointment: (r) => sendMessage(buildSiuS14(r, header()).toString()),
    cancelAppointment: (c) => sendMessage(buildSiuS15(c, header()).toString()),
    register: (r, event) => sendMessage(buildAdt(r, header(), event).toString()),
    async close() {
      sender?.close();
      http.closeAllConnections();
      await Promise.all([mllp.close(), new Promise<void>((resolve) => http.close(() => resolve()))]);
      flush();
    },
  };
}
