/**
 * "Encounter signed" as a FHIR Subscription rest-hook notification (R4 Subscriptions
 * Backport IG: a `history` Bundle whose first entry is the SubscriptionStatus, as a
 * Parameters resource in R4 or a SubscriptionStatus in R4B/R5, followed by the
 * Encounter and, when the subscription includes it, the Encounter's Appointment).
 * Also reads the same signal from a search result, for the safety-net sweep.
 * Invalid notifications are a ZodError, which the API answers with 400.
 */
import type { Appointment, Encounter, Resource } from '@medplum/fhirtypes';
import { z } from 'zod';
import { refersTo } from './references';
import { IDENTIFIER } from './systems';

export interface EncounterSignal {
  encounterId: string;
  /** From the included Appointment's urn:revcycle:visit identifier: the visit revcycle pre-populated. */
  visitId?: string;
  /** "Appointment/<id>", for an EHR that does not include the Appointment. */
  appointmentRef?: string;
  /** "Patient/<id>": the Encounter's subject. */
  patientRef?: string;
}

/** The visit an encounter belongs to, from its Appointment among `included` resources. */
export function encounterSignal(encounter: Encounter, included: Resource[]): EncounterSignal {
  const ref = encounter.appointment?.[0];
  const appointment = included.find((r): r is Appointment => r.resourceType === 'Appointment' && refersTo(ref, r));
  const visitId = appointment?.identifier?.find((i) => i.system === IDENTIFIER.visit)?.value;
  const appointmentRef = ref?.reference?.match(/Appointment\/[^/]+/)?.[0] ?? (appointment?.id ? `Appointment/${appointment.id}` : undefined);
  const patientRef = encounter.subject?.reference?.match(/Patient\/[^/]+/)?.[0];
  return { encounterId: encounter.id ?? '', ...(visitId && { visitId }), ...(appointmentRef && { appointmentRef }), ...(patientRef && { patientRef }) };
}

const FhirId = z.string().regex(/^[A-Za-z0-9.-]{1,64}$/, 'must be a FHIR id (1-64 letters, digits, dots, dashes)');
const Reference = z.looseObject({ reference: z.string().max(512).optional() });
/** The parts of the included resources this notification reads, checked strictly: a wrong shape is a 400, not a crash. */
const IncludedResource = z.discriminatedUnion('resourceType', [
  z.looseObject({ resourceType: z.literal('Encounter'), id: FhirId, subject: Reference.optional(), appointment: z.array(Reference).max(10).optional() }),
  z.looseObject({
    resourceType: z.literal('Appointment'),
    id: FhirId.optional(),
    identifier: z
      .array(z.looseObject({ system: z.string().max(512).optional(), value: z.string().max(64).optional() }))
      .max(20)
      .optional(),
  }),
  z.looseObject({
    resourceType: z.enum(['Parameters', 'SubscriptionStatus']),
    id: FhirId.optional(),
    parameter: z.array(z.looseObject({ name: z.string().optional() })).optional(),
  }),
]);
const OtherResource = z
  .looseObject({ resourceType: z.string().regex(/^[A-Z][A-Za-z]{1,63}$/, 'must be a FHIR resource type'), id: FhirId.optional() })
  .refine((r) => !['Encounter', 'Appointment', 'Parameters', 'SubscriptionStatus'].includes(r.resourceType), 'is not a valid resource of its type');

const Entry = z.object({
  fullUrl: z.string().max(1024).optional(),
  resource: z.union([IncludedResource, OtherResource]).optional(),
});

const NotificationBundle = z.object({
  resourceType: z.literal('Bundle'),
  type: z.literal('history'),
  entry: z.array(Entry).min(1, 'a notification has at least its SubscriptionStatus entry').max(100),
});

type Entry = z.infer<typeof Entry>;

/** The notification type from the status entry: event-notification, handshake, heartbeat, query-event… */
function notificationType(status: Entry['resource']): string | undefined {
  if (status?.resourceType === 'SubscriptionStatus') return status.type as string | undefined;
  const params = (status?.parameter ?? []) as { name?: string; valueCode?: string }[];
  return params.find((p) => p.name === 'type')?.valueCode;
}

const EncounterNotification = NotificationBundle.transform((bundle, ctx): EncounterSignal => {
  const [status, ...events] = bundle.entry;
  if (!['Parameters', 'SubscriptionStatus'].includes(status.resource?.resourceType ?? '')) {
    ctx.addIssue({ code: 'custom', path: ['entry', 0, 'resource'], message: 'the first entry must be the SubscriptionStatus (Parameters in R4)' });
    return z.NEVER;
  }
  const included = events.flatMap((e) => (e.resource ? [e.resource as Resource] : []));
  const encounter = included.find((r): r is Encounter => r.resourceType === 'Encounter' && !!r.id);
  if (encounter) return encounterSignal(encounter, included);
  // id-only payloads carry the Encounter's address and no body
  const idOnly = events.map((e) => e.fullUrl?.match(/Encounter\/([^/]+)(\/_history\/[^/]+)?$/)?.[1]).find(Boolean);
  if (idOnly) return { encounterId: idOnly };
  const type = notificationType(status.resource) ?? 'notification';
  ctx.addIssue({ code: 'custom', path: ['entry'], message: `this ${type} carries no Encounter` });
  return z.NEVER;
});

/**
 * The type of a Subscriptions Backport notification (handshake, heartbeat, event-notification…)
 * from its SubscriptionStatus entry; anything but a notification Bundle is a ZodError.
 */
export function subscriptionNotificationType(body: unknown): string | undefined {
  const bundle = NotificationBundle.parse(body);
  const status = bundle.entry[0].resource;
  if (!['Parameters', 'SubscriptionStatus'].includes(status?.resourceType ?? '')) {
    throw new z.ZodError([
      { code: 'custom', path: ['entry', 0, 'resource'], message: 'the first entry must be the SubscriptionStatus (Parameters in R4)', input: status },
    ]);
  }
  return notificationType(status);
}

export function parseEncounterNotification(body: unknown): EncounterSignal {
  return EncounterNotification.parse(body);
}
