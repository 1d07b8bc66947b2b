/**
 * Wires configuration to the real parts: outside-party clients, the activities, the
 * inbound MLLP handlers. Shared by the all-in-one `npm start` and the per-process
 * entry points docker-compose runs (api-main, worker-main).
 */
import { readFileSync } from 'node:fs';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { createActivities } from '../activities';
import { cancelVisit, startVisit, workflowIdOf } from '../api/visits.service';
import type { Config } from '../config';
import { audit, hasInbound, saveInbound, saveRegistration } from '../db/billing';
import type { Db } from '../db/knex';
import type { Practice } from '../domain/claim-build';
import { createHttpClearinghouseClient } from '../integrations/clearinghouse/http';
import { createFhirEhrClient } from '../integrations/ehr/fhir';
import { createSmartBackendTokens, publicJwks } from '../integrations/ehr/smart';
import { createHl7PmsClient } from '../integrations/pms/hl7';
import { InboundRejectedError, startMllpListener } from '../integrations/pms/listener';
import { createRestPmsClient } from '../integrations/pms/rest';
import type { PmsClient } from '../integrations/pms/types';
import { rescheduleUpdate, type VisitTimers } from '../workflows/definitions';
import { log } from './log';

/** Where the outside parties are: from configuration, or the simulators `npm start` runs. */
export interface Endpoints {
  ehrUrl: string;
  clearinghouseUrl: string;
  pms: { mode: 'rest'; url: string } | { mode: 'hl7'; host: string; port: number };
}

export function endpointsFromConfig(c: Config): Endpoints {
  return {
    ehrUrl: c.ehr.fhirUrl!,
    clearinghouseUrl: c.clearinghouse.url!,
    pms: c.pms.mode === 'rest' ? { mode: 'rest', url: c.pms.restUrl! } : { mode: 'hl7', host: c.pms.mllpHost!, port: c.pms.mllpPort! },
  };
}

export function visitTimers(c: Config): VisitTimers {
  return {
    ...c.timers, activityTimeoutMs: Math.max(30_000, c.integrationTimeoutMs * 3),
    activityMaxAttempts: c.retryCeiling.maxAttempts, activityRetryCeilingMs: c.retryCeiling.ms,
  };
}

/** The practice as the 837P and 270 name it: billing provider, submitter and receiver. */
export function practiceOf(c: Config): Practice {
  const bp = c.billingProvider;
  return {
    billingProvider: { name: bp.name, npi: bp.npi, taxId: bp.tin, taxonomy: bp.taxonomy, address: bp.address },
    submitter: { name: bp.name, id: c.x12.submitterId, contactName: c.x12.contactName, phone: c.x12.contactPhone },
    receiver: { name: c.x12.receiverName, id: c.x12.receiverId },
  };
}

export function buildActivities(c: Config, db: Db, e: Endpoints) {
  const timeoutMs = c.integrationTimeoutMs;
  const pms: PmsClient = e.pms.mode === 'rest'
    ? createRestPmsClient({ baseUrl: e.pms.url, timeoutMs })
    : createHl7PmsClient({ host: e.pms.host, port: e.pms.port, timeoutMs, tls: pmsClientTls(c) });
  return createActivities({
    db,
    ehr: createFhirEhrClient({ baseUrl: e.ehrUrl, timeoutMs, auth: ehrTokens(c, e.ehrUrl) }),
    pms,
    clearinghouse: createHttpClearinghouseClient({ baseUrl: e.clearinghouseUrl, timeoutMs }),
    x12: { practice: practiceOf(c), usage: c.x12.usage },
  });
}

/** SMART Backend Services tokens for the EHR (EHR_AUTH=smart); none means requests carry no credentials. */
function ehrTokens(c: Config, fhirBaseUrl: string) {
  const a = c.ehr.auth;
  if (a.mode !== 'smart') return undefined;
  return createSmartBackendTokens({
    fhirBaseUrl, clientId: a.clientId, privateKeyPem: readFileSync(a.privateKeyFile), alg: a.alg, keyId: a.keyId, scopes: a.scopes, tokenUrl: a.tokenUrl,
    timeoutMs: c.integrationTimeoutMs,
  });
}

/** The JWKS the EHR checks revcycle's assertions with (served at /.well-known/jwks.json); empty without SMART. */
export async function ehrJwksOf(c: Config): Promise<{ keys: object[] }> {
  const a = c.ehr.auth;
  return a.mode === 'smart' ? publicJwks(readFileSync(a.privateKeyFile), a.alg, a.keyId) : { keys: [] };
}

/** MLLP over TLS to the PMS (mutual when a client certificate is configured), read from files at start-up. */
function pmsClientTls(c: Config) {
  const t = c.pms.mllpTls;
  return t && { ca: readFileSync(t.caFile), key: t.keyFile ? readFileSync(t.keyFile) : undefined, cert: t.certFile ? readFileSync(t.certFile) : undefined };
}

/**
 * A PMS message that steers one visit: too late (already billed), closed or unknown cannot
 * be helped by sending it again, so the answer is AE (InboundRejectedError), not AR.
 */
async function steer(code: string, what: string, visitId: string, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
      throw new InboundRejectedError(code, `visit ${visitId} cannot be ${what}: ${err instanceof WorkflowNotFoundError ? 'no such open visit' : (err.cause?.message ?? err.message)}`);
    }
    throw err;
  }
}

/** Starts a workflow unless one with its id already ran: a redelivered message starts nothing new. */
async function startOnce(temporal: Client, type: string, workflowId: string, taskQueue: string, args: unknown[]): Promise<void> {
  try {
    await temporal.workflow.start(type, { workflowId, taskQueue, args, workflowIdReusePolicy: 'REJECT_DUPLICATE' });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * The PMS's HL7 feed: SIU^S12 starts a visit, SIU^S14 moves it, SIU^S15 cancels it,
 * ADT^A04/A08 update the record, the EHR and the patient's open visits.
 */
export function startPmsFeed(opts: { port: number; host?: string; db: Db; temporal: Client; taskQueue: string; timers: VisitTimers; mllp?: Config['mllp'] }) {
  const { db, temporal, taskQueue, timers, mllp } = opts;
  return startMllpListener({
    port: opts.port,
    host: opts.host,
    allowedPeers: mllp?.allowedPeers,
    tls: mllp?.tls && { key: readFileSync(mllp.tls.keyFile), cert: readFileSync(mllp.tls.certFile), ca: mllp.tls.caFile ? readFileSync(mllp.tls.caFile) : undefined },
    maxConnections: mllp?.maxConnections,
    idleTimeoutMs: mllp?.idleTimeoutMs,
    maxMessageBytes: mllp?.maxMessageBytes,
    onEvent: (event, detail) => log('warn', event, detail),
    seen: {
      has: (controlId) => hasInbound(db, 'hl7', controlId),
      add: async (controlId) => void (await saveInbound(db, 'hl7', controlId, 'hl7', '')),
    },
    handlers: {
      appointmentBooked: async (visit) => void (await startVisit({ temporal, taskQueue, timers }, visit)),
      appointmentRescheduled: ({ visitId, appointment }) => steer('RESCHEDULE_REFUSED', 'rescheduled', visitId, () =>
        temporal.workflow.getHandle(workflowIdOf(visitId)).executeUpdate(rescheduleUpdate, { args: [appointment] })),
      appointmentCancelled: ({ visitId, reason }) => steer('CANCEL_REFUSED', 'cancelled', visitId, () =>
        cancelVisit(temporal, visitId, reason ?? 'cancelled in the PMS')),
      registration: async (r, controlId) => {
        await saveRegistration(db, r.patient, r.coverage);
        if (r.secondaryCoverage) await saveRegistration(db, r.patient, r.secondaryCoverage);
        await audit(db, 'pms', 'patient.registered', null, { controlId }, { source: 'hl7' });
        // Saved: from here the EHR and every open visit of the patient are updated durably (workflows/registration.ts).
        await startOnce(temporal, 'registrationChangeWorkflow', `registration-${controlId.replace(/[^A-Za-z0-9-]/g, '-')}`, taskQueue, [{
          change: { changeKey: controlId, ...r },
          retry: { maximumAttempts: timers.activityMaxAttempts, maximumIntervalMs: timers.activityRetryMaxIntervalMs },
        }]);
      },
    },
    onError: (err, controlId) => console.error(JSON.stringify({ level: 'error', msg: 'HL7 message not handled', controlId, error: (err as Error).message })),
  });
}
