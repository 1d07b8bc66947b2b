/**
 * The EHR over FHIR R4 REST (JSON, application/fhir+json). Writes are conditional
 * creates keyed by revcycle identifiers, so a retry after a lost answer finds what the
 * first try wrote; the signed encounter is read in one search with _include/_revinclude
 * and mapped by the pure `mapCodedEncounter`.
 */
import type { Appointment, Bundle, ChargeItem, Condition, DocumentReference, Encounter, Practitioner, Procedure, Resource } from '@medplum/fhirtypes';
import { mapCodedEncounter } from '../../domain/fhir/encounter';
import { clinicalNotes, type ClinicalNote } from '../../domain/fhir/notes';
import { encounterSignal, type EncounterSignal } from '../../domain/fhir/notification';
import { appointmentResource, coverageResource, identifierToken, patientResource } from '../../domain/fhir/prepopulate';
import { referenceTo } from '../../domain/fhir/references';
import type { CodedEncounter, StartVisit } from '../../domain/visit';
import { EhrRequestRejectedError, EhrUnavailableError, EncounterNotFoundError } from './errors';
import { remoteCode } from '../errors';
import type { AccessTokens } from './smart';
import type { EhrClient, EhrRefs } from './types';

export interface FhirEhrClientOptions {
  /** The FHIR base, e.g. https://ehr.example/fhir/R4 (no trailing slash needed). */
  baseUrl: string;
  /** Per request; an answer later than this is a retryable EhrUnavailableError. */
  timeoutMs: number;
  /** SMART Backend Services tokens (smart.ts); without it requests carry no credentials. */
  auth?: AccessTokens;
  fetch?: typeof fetch;
}

export interface FhirEhrClient extends EhrClient {
  /** The safety net for lost webhooks: finished encounters updated since an instant, with their visit when known. */
  findFinishedEncounters(since: string): Promise<EncounterSignal[]>;
}

const FHIR_JSON = 'application/fhir+json';
/** FHIR ids: up to 64 letters, digits, dashes and dots. Anything else cannot name an encounter. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

interface Answer {
  status: number;
  location: string | null;
  body: unknown;
}

type Send = (method: string, path: string, init?: { body?: Resource; headers?: Record<string, string> }) => Promise<Answer>;

export function createFhirEhrClient(opts: FhirEhrClientOptions): FhirEhrClient {
  const send = sender(opts);
  return {
    prepopulate: (visit) => prepopulate(send, visit),
    updateRegistration: async (r) => {
      const patientRef = referenceTo(await updateOnce(send, patientResource(r)));
      const coverages = [r.coverage, r.secondaryCoverage].filter((c) => c !== undefined);
      const coverageRefs: string[] = [];
      for (const coverage of coverages) coverageRefs.push(referenceTo(await updateOnce(send, coverageResource({ patient: r.patient, coverage }, patientRef))));
      return { patientRef, coverageRefs };
    },
    updateAppointment: async (visit, patientRef) => referenceTo(await updateOnce(send, appointmentResource(visit, patientRef))),
    getCodedEncounter: (encounterId) => getCodedEncounter(send, encounterId),
    findFinishedEncounters: (since) => findFinishedEncounters(send, since),
    getClinicalNotes: (encounterId) => getClinicalNotes(send, encounterId),
  };
}

async function prepopulate(send: Send, visit: StartVisit): Promise<EhrRefs> {
  const patientRef = referenceTo(await createOnce(send, patientResource(visit)));
  const coverageRef = referenceTo(await createOnce(send, coverageResource(visit, patientRef)));
  const appointmentRef = referenceTo(await createOnce(send, appointmentResource(visit, patientRef)));
  return { patientRef, coverageRef, appointmentRef };
}

/** Conditional create: the EHR creates the resource (201) or answers with the one already carrying our identifier (200). */
async function createOnce<T extends Resource & { identifier?: { system?: string; value?: string }[] }>(send: Send, resource: T): Promise<T> {
  const criteria = new URLSearchParams({ identifier: identifierToken(identifierOf(resource)) }).toString();
  const answer = await send('POST', resource.resourceType, { body: resource, headers: { 'if-none-exist': criteria, prefer: 'return=representation' } });
  return { ...resource, id: idOf(resource, answer) };
}

function identifierOf(resource: Resource & { identifier?: { system?: string; value?: string }[] }): { system?: string; value?: string } {
  const identifier = resource.identifier?.[0];
  if (!identifier) throw new TypeError(`${resource.resourceType} needs an identifier to be written exactly once`);
  return identifier;
}

/** The id the EHR gave the resource: from the body it returned, else its Location header. */
function idOf(resource: Resource, answer: Answer): string {
  const id = (answer.body as Resource | undefined)?.id ?? answer.location?.match(new RegExp(`${resource.resourceType}/([^/]+)`))?.[1];
  if (!id) throw new EhrRequestRejectedError(answer.status, `${resource.resourceType}: the EHR answered without the resource id`);
  return id;
}

/** Conditional update: the EHR updates the one resource carrying our identifier (200), or creates it when there is none (201). */
async function updateOnce<T extends Resource & { identifier?: { system?: string; value?: string }[] }>(send: Send, resource: T): Promise<T> {
  const criteria = new URLSearchParams({ identifier: identifierToken(identifierOf(resource)) }).toString();
  const answer = await send('PUT', `${resource.resourceType}?${criteria}`, { body: resource, headers: { prefer: 'return=representation' } });
  return { ...resource, id: idOf(resource, answer) };
}

/** The search that brings the encounter with everything billed from it, in one round trip. */
const ENCOUNTER_WITH_CODING: [string, string][] = [
  ['_include', 'Encounter:practitioner'],
  ['_include', 'Encounter:diagnosis'],
  ['_revinclude', 'Condition:encounter'],
  ['_revinclude', 'Procedure:encounter'],
  ['_revinclude', 'ChargeItem:context'],
];

async function getCodedEncounter(send: Send, encounterId: string): Promise<CodedEncounter> {
  if (!FHIR_ID.test(encounterId)) throw new EncounterNotFoundError(encounterId);
  const found = await searchAll(send, 'Encounter', [['_id', encounterId], ...ENCOUNTER_WITH_CODING]);
  const encounter = found.find((r): r is Encounter => r.resourceType === 'Encounter' && r.id === encounterId);
  if (!encounter) throw new EncounterNotFoundError(encounterId);
  const ofType = <T extends Resource>(type: T['resourceType']) => found.filter((r): r is T => r.resourceType === type);
  return mapCodedEncounter({
    encounter,
    conditions: ofType<Condition>('Condition'),
    procedures: ofType<Procedure>('Procedure'),
    chargeItems: ofType<ChargeItem>('ChargeItem'),
    practitioners: ofType<Practitioner>('Practitioner'),
  });
}

async function findFinishedEncounters(send: Send, since: string): Promise<EncounterSignal[]> {
  if (Number.isNaN(Date.parse(since))) throw new TypeError(`since must be an instant, got ${since}`);
  const found = await searchAll(send, 'Encounter', [
    ['status', 'finished'],
    ['_lastUpdated', `ge${since}`],
    ['_include', 'Encounter:appointment'],
    ['_count', '100'],
  ]);
  const appointments = found.filter((r): r is Appointment => r.resourceType === 'Appointment');
  return found.filter((r): r is Encounter => r.resourceType === 'Encounter').map((e) => encounterSignal(e, appointments));
}

async function getClinicalNotes(send: Send, encounterId: string): Promise<ClinicalNote[]> {
  if (!FHIR_ID.test(encounterId)) throw new EncounterNotFoundError(encounterId);
  const found = await searchAll(send, 'DocumentReference', [['encounter', `Encounter/${encounterId}`]]);
  return clinicalNotes(found.filter((r): r is DocumentReference => r.resourceType === 'DocumentReference'));
}

/** Every resource of a search, matches and includes, following `next` links across pages. */
async function searchAll(send: Send, type: string, params: [string, string][]): Promise<Resource[]> {
  const resources: Resource[] = [];
  let next: string | undefined = `${type}?${new URLSearchParams(params).toString()}`;
  while (next) {
    const bundle = (await send('GET', next)).body as Bundle;
    resources.push(...(bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])));
    next = bundle.link?.find((l) => l.relation === 'next')?.url;
  }
  return resources;
}

function sender({ baseUrl, timeoutMs, auth, fetch: doFetch = fetch }: FhirEhrClientOptions): Send {
  const base = baseUrl.replace(/\/+$/, '');
  /** One request; with SMART auth a 401 (token expired or revoked early) gets one fresh token and one more try. */
  const exchange = async (url: string, init: RequestInit): Promise<Response> => {
    if (!auth) return doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const token = await auth.token();
    const res = await doFetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status !== 401) return res;
    await res.body?.cancel();
    auth.invalidate(token);
    const fresh = await auth.token();
    return doFetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${fresh}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  };
  return async (method, path, init = {}) => {
    const url = /^https?:/.test(path) ? path : `${base}/${path}`;
    const what = `${method} ${new URL(url).pathname.split('/').filter(Boolean).slice(-1)[0]}`;
    try {
      const res = await exchange(url, {
        method,
        headers: { accept: FHIR_JSON, ...(init.body && { 'content-type': FHIR_JSON }), ...init.headers },
        body: init.body && JSON.stringify(init.body),
      });
      const body = parseJson(await res.text());
      if (res.ok) return { status: res.status, location: res.headers.get('location'), body };
      throw failure(res.status, `${what}: HTTP ${res.status}${outcomeCodes(body)}`, outcomeText(body));
    } catch (err) {
      if (err instanceof EhrRequestRejectedError || err instanceof EhrUnavailableError) throw err;
      const e = err as Error;
      throw new EhrUnavailableError(`${what}: ${e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.message}`);
    }
  };
}

function failure(status: number, message: string, remote: string | undefined): Error {
  return status >= 500 || status === 408 || status === 429 ? new EhrUnavailableError(message, remote) : new EhrRequestRejectedError(status, message, remote);
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined; // an HTML error page from a proxy: the status says enough
  }
}

type Outcome = { resourceType?: string; issue?: { code?: string; diagnostics?: string; details?: { text?: string } }[]; message?: string } | undefined;

/** The OperationOutcome's issue codes (FHIR's fixed vocabulary: invalid, duplicate, not-found…), for the error message. */
function outcomeCodes(body: unknown): string {
  const b = body as Outcome;
  const codes = b?.resourceType === 'OperationOutcome' ? [...new Set((b.issue ?? []).map((i) => remoteCode(i.code)).filter(Boolean))] : [];
  return codes.length ? ` (${codes.join(', ')})` : '';
}

/** The OperationOutcome's words (or a plain JSON error's message): the EHR's free text, which may quote the patient. */
function outcomeText(body: unknown): string | undefined {
  const b = body as Outcome;
  const texts =
    b?.resourceType === 'OperationOutcome' ? (b.issue ?? []).map((i) => i.diagnostics ?? i.details?.text).filter(Boolean) : [b?.message].filter(Boolean);
  return texts.length ? texts.join('; ') : undefined;
}
