/**
 * What a PMS sends us, read from one message: the dispatch table of the MLLP listener.
 * Throws Hl7ParseError / UnsupportedHl7MessageError (answered AR) or Hl7MappingError (AE).
 */
import type { StartVisit } from '../visit';
import { mapAdtRegistration, type Registration } from './adt';
import { type Acknowledged, acknowledgedOf } from './ack';
import { messageType, parseHl7, UnsupportedHl7MessageError } from './message';
import { type Cancellation, mapSiuS12, mapSiuS14, mapSiuS15, type Reschedule } from './siu';

export type InboundEvent =
  | { kind: 'appointmentBooked'; visit: StartVisit }
  | { kind: 'appointmentRescheduled'; reschedule: Reschedule }
  | { kind: 'appointmentCancelled'; cancellation: Cancellation }
  | { kind: 'registration'; registration: Registration };

/** Parses a message only far enough to know who to acknowledge; a mapping error must not lose that. */
export function readAcknowledged(text: string): Acknowledged {
  return acknowledgedOf(parseHl7(text));
}

export function readInbound(text: string): InboundEvent {
  const msg = parseHl7(text);
  const type = messageType(msg);
  switch (type) {
    case 'SIU^S12':
      return { kind: 'appointmentBooked', visit: mapSiuS12(msg) };
    case 'SIU^S14':
      return { kind: 'appointmentRescheduled', reschedule: mapSiuS14(msg) };
    case 'SIU^S15':
      return { kind: 'appointmentCancelled', cancellation: mapSiuS15(msg) };
    case 'ADT^A04':
    case 'ADT^A08':
      return { kind: 'registration', registration: mapAdtRegistration(msg) };
    default:
      throw new UnsupportedHl7MessageError(type);
  }
}

/** A handler's way to say "this message cannot be used" (answered AE) rather than "not now" (AR). */
export class InboundRejectedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'InboundRejectedError';
  }
}

export interface InboundHandlers {
  appointmentBooked(v: StartVisit, controlId: string): Promise<void>;
  appointmentRescheduled(r: Reschedule, controlId: string): Promise<void>;
  appointmentCancelled(c: Cancellation, controlId: string): Promise<void>;
  registration(r: Registration, controlId: string): Promise<void>;
}

/** Control ids already handled; durable in production (Postgres), a Set in tests. */
export interface SeenControlIds {
  has(controlId: string): Promise<boolean>;
  add(controlId: string): Promise<void>;
}
