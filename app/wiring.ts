/**
 * Wires configuration to the real parts: outside-party clients and the activities. Shared by
 * the all-in-one `npm start` and the per-process entry points docker-compose runs (api-main,
 * worker-main). The PMS feed's handlers are api/pms-feed.ts.
 */
import { createActivities } from '../activities';
import type { Config } from '../config';
import type { Client } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { pmsFeed } from '../api/pms-feed';
import type { Db } from '../db/knex';
import type { Practice } from '../domain/claim-build';
import type { MailboxDeps } from '../activities/clearinghouse-mailbox';
import { ApiError } from '../api/errors';
import { deliverClearinghouseFile } from '../api/webhooks.routes';
import { FAILURES, failureCodeOf } from '../domain/failures';
import { createCoreClearinghouseClient } from '../integrations/clearinghouse/core';
import { createHttpClearinghouseClient } from '../integrations/clearinghouse/http';
import { createSftpClearinghouseClient } from '../integrations/clearinghouse/sftp';
import type { ClearinghouseClient } from '../integrations/clearinghouse/types';
import { createFhirEhrClient } from '../integrations/ehr/fhir';
import { createSmartBackendTokens, publicJwks } from '../integrations/ehr/smart';
import { createHl7PmsClient } from '../integrations/pms/hl7';
import { startMllpListener } from '../integrations/pms/listener';
import { createRestPmsClient } from '../integrations/pms/rest';
import type { PmsClient } from '../integrations/pms/types';
import type { VisitTimers } from '../workflows/definitions';
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
    ...c.timers,
    activityTimeoutMs: Math.max(30_000, c.integrationTimeoutMs * 3),
    activityMaxAttempts: c.retryCeiling.maxAttempts,
    activityRetryCeilingMs: c.retryCeiling.ms,
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

/**
 * The clearinghouse client of the configured transport, and for a batch transport the mailbox
 * the clearinghouse-mailbox Schedule polls (its files delivered as the webhook delivers them,
 * which needs a Temporal client).
 */
export function clearinghouseOf(c: Config, db: Db, e: Endpoints, temporal?: Client): { client: ClearinghouseClient; mailbox?: Omit<MailboxDeps, 'db'> } {
  const timeoutMs = c.integrationTimeoutMs;
  const ch = c.clearinghouse;
  const http = createHttpClearinghouseClient({ baseUrl: e.clearinghouseUrl, timeoutMs });
  const deliver = async (x12: string) => {
    if (!temporal) throw new Error('the clearinghouse mailbox needs a Temporal client to deliver its files');
    try {
      await deliverClearinghouseFile({ temporal, db }, x12);
    } catch (err) {
      // Not valid X12, or an 835 that does not balance (the webhook's 400/422): set aside, so it cannot hold back the files behind it.
      const code = failureCodeOf(err);
      if ((err instanceof ApiError && err.status < 500) || (code && (FAILURES[code].http?.status ?? 500) < 500)) {
        return { refused: `${String(code ?? (err as ApiError).code)}: ${(err as Error).message}` };
      }
      throw err;
    }
  };
  const core = (envelope: 'soap' | 'mime') =>
    createCoreClearinghouseClient({
      envelope,
      endpointUrl: ch.core.url ?? `${e.clearinghouseUrl.replace(/\/+$/, '')}/core/${envelope}`,
      username: ch.core.username,
      password: ch.core.password,
      senderId: ch.core.senderId,
      receiverId: ch.core.receiverId,
      timeoutMs,
      appeal: http.appeal,
    });
  if (ch.transport === 'core-soap' || ch.transport === 'core-mime') {
    const client = core(ch.transport === 'core-soap' ? 'soap' : 'mime');
    return { client, mailbox: { mailbox: client, source: 'core', deliver } };
  }
  if (ch.transport === 'sftp') {
    const s = ch.sftp;
    // SFTP carries batch files only: real-time 270/276 go over CORE SOAP when the partner gave a CORE endpoint, else its HTTP endpoint.
    const realTime = ch.core.url ? core('soap') : http;
    const client = createSftpClearinghouseClient({
      host: s.host!,
      port: s.port,
      username: s.username!,
      privateKey: s.privateKey!,
      passphrase: s.passphrase,
      hostKeySha256: s.hostKeySha256,
      inboundDir: s.inboundDir,
      outboundDir: s.outboundDir,
      archiveDir: s.archiveDir,
      fileName: s.fileName,
      timeoutMs,
      realTime: { eligibility: realTime.eligibility, claimStatus: realTime.claimStatus, appeal: http.appeal },
    });
    return { client, mailbox: { mailbox: client, source: 'sftp', deliver } };
  }
  return { client: http };
}

export function buildActivities(c: Config, db: Db, e: Endpoints, temporal?: Client) {
  const timeoutMs = c.integrationTimeoutMs;
  const clearinghouse = clearinghouseOf(c, db, e, temporal);
  const pms: PmsClient =
    e.pms.mode === 'rest'
      ? createRestPmsClient({ baseUrl: e.pms.url, timeoutMs })
      : createHl7PmsClient({ host: e.pms.host, port: e.pms.port, timeoutMs, tls: pmsClientTls(c) });
  return createActivities({
    db,
    ehr: createFhirEhrClient({ baseUrl: e.ehrUrl, timeoutMs, auth: ehrTokens(c, e.ehrUrl) }),
    pms,
    clearinghouse: clearinghouse.client,
    mailbox: clearinghouse.mailbox,
    x12: { practice: practiceOf(c), usage: c.x12.usage },
  });
}

/** SMART Backend Services tokens for the EHR (EHR_AUTH=smart); none means requests carry no credentials. */
function ehrTokens(c: Config, fhirBaseUrl: string) {
  const a = c.ehr.auth;
  if (a.mode !== 'smart') return undefined;
  return createSmartBackendTokens({
    fhirBaseUrl,
    clientId: a.clientId,
    privateKeyPem: readFileSync(a.privateKeyFile),
    alg: a.alg,
    keyId: a.keyId,
    scopes: a.scopes,
    tokenUrl: a.tokenUrl,
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

/** The PMS's HL7 feed (api/pms-feed.ts) behind the MLLP listener, with the listener's settings from config. */
export function startPmsFeed(opts: { port: number; host?: string; db: Db; temporal: Client; taskQueue: string; timers: VisitTimers; mllp?: Config['mllp'] }) {
  const { mllp } = opts;
  return startMllpListener({
    port: opts.port,
    host: opts.host,
    allowedPeers: mllp?.allowedPeers,
    tls: mllp?.tls && {
      key: readFileSync(mllp.tls.keyFile),
      cert: readFileSync(mllp.tls.certFile),
      ca: mllp.tls.caFile ? readFileSync(mllp.tls.caFile) : undefined,
    },
    maxConnections: mllp?.maxConnections,
    idleTimeoutMs: mllp?.idleTimeoutMs,
    maxMessageBytes: mllp?.maxMessageBytes,
    onEvent: (event, detail) => log('warn', event, detail),
    ...pmsFeed(opts),
    onError: (err, controlId) => log('error', 'HL7 message not handled', { controlId, error: (err as Error).message }),
  });
}
