/**
 * "Encounter signed" as a FHIR Subscription rest-hook notification, R4 Subscriptions
 * Backport IG shape: a history Bundle with the SubscriptionStatus (a Parameters
 * resource in R4) first, then the Encounter and its Appointment (full-resource payload
 * with the Appointment included). Delivered with a few retries, as EHRs do.
 */
import type { Appointment, Bundle, BundleEntry, Encounter, Parameters, Resource } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { referenceTo } from '../../domain/fhir/references';
import { signedHeaders } from '../../domain/webhook-signature';
import { sleep } from '../faults';

export const SUBSCRIPTION_TOPIC = 'urn:revcycle:fhir:topic:encounter-signed';
const BACKPORT_STATUS = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4';

function historyEntry(baseUrl: string, resource: Resource): BundleEntry {
  return {
    fullUrl: `${baseUrl}/${referenceTo(resource)}`,
    resource,
    request: { method: 'PUT', url: referenceTo(resource) },
    response: { status: '200' },
  };
}

export function encounterSignedNotification(baseUrl: string, encounter: Encounter, appointment: Appointment, eventNumber: number): Bundle {
  const status: Parameters = {
    resourceType: 'Parameters',
    meta: { profile: [BACKPORT_STATUS] },
    parameter: [
      { name: 'subscription', valueReference: { reference: `${baseUrl}/Subscription/encounter-signed` } },
      { name: 'topic', valueCanonical: SUBSCRIPTION_TOPIC },
      { name: 'status', valueCode: 'active' },
      { name: 'type', valueCode: 'event-notification' },
      { name: 'events-since-subscription-start', valueString: String(eventNumber) },
      {
        name: 'notification-event',
        part: [
          { name: 'event-number', valueString: String(eventNumber) },
          { name: 'focus', valueReference: { reference: `${baseUrl}/${referenceTo(encounter)}` } },
        ],
      },
    ],
  };
  return {
    resourceType: 'Bundle',
    type: 'history',
    timestamp: new Date().toISOString(),
    entry: [
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: status,
        request: { method: 'GET', url: `${baseUrl}/Subscription/encounter-signed/$status` },
        response: { status: '200' },
      },
      historyEntry(baseUrl, encounter),
      historyEntry(baseUrl, appointment),
    ],
  };
}

export interface Delivery {
  attempts: number;
  delivered: boolean;
}

/**
 * POSTs the notification, signed with the shared secret (a fresh timestamp per attempt), until a 2xx,
 * with growing pauses; gives up after `attempts` tries (the sweep is the safety net).
 */
export async function deliver(webhookUrl: string, secret: string, bundle: Bundle, attempts = 4, pauseMs = 100): Promise<Delivery> {
  const body = JSON.stringify(bundle);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', ...signedHeaders(secret, body) },
        body,
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) return { attempts: attempt, delivered: true };
    } catch {
      // connection refused or timed out: same as a 5xx, try again
    }
    if (attempt < attempts) await sleep(pauseMs * 2 ** (attempt - 1));
  }
  return { attempts, delivered: false };
}
