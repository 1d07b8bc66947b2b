/**
 * One validated configuration object, read once from the environment at start-up.
 * A bad value stops start-up with a message naming the variable; nothing falls back
 * silently. Secrets may come from `<VAR>_FILE` (Docker/Kubernetes secrets).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DAY_MS } from '../domain/visit-timers';
import { parseKeyRing, type CodecKeys } from '../temporal/codec';
import { env, Schema, type Env } from './env';
import type { TemporalTls } from '../temporal/connection';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** `<VAR>_FILE` points at a file holding the value (trailing newline dropped). */
function withFileSecrets(source: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(env)) {
    const file = source[`${key}_FILE`];
    const raw = file ? readFileSync(file, 'utf8').replace(/\r?\n$/, '') : source[key];
    out[key] = raw === '' ? undefined : raw;
  }
  return out;
}

export interface Config {
  env: Env['NODE_ENV'];
  dataDir: string;
  database: { url?: string; migrationUrl?: string; embeddedPort: number; poolMax: number };
  temporal: {
    address?: string;
    namespace: string;
    taskQueue: string;
    devPort: number;
    uiPort: number;
    uiUrl: string;
    server: 'dev' | 'postgres';
    internalPortsFrom: number;
    callTimeoutMs: number;
    /** TLS to the frontend (temporal/connection.ts reads the files); absent: plain TCP. */
    tls?: TemporalTls;
    /** Set when production runs without TLS: the operator's reason. */
    tlsWaiver?: string;
    apiKey?: string;
  };
  workers: number;
  worker: { maxConcurrentActivityTaskExecutions?: number; maxConcurrentWorkflowTaskExecutions?: number; maxCachedWorkflows?: number; reuseV8Context?: boolean };
  /** A prebuilt workflow bundle (WORKER_BUNDLE_PATH); unset: each worker bundles the workflow code when it starts. */
  workerBundlePath?: string;
  api: { port: number; publicUrl?: string; maxPendingReads: number };
  ehr: { fhirUrl?: string; auth: EhrAuthConfig };
  pms: { mode: 'rest' | 'hl7'; restUrl?: string; mllpHost?: string; mllpPort?: number; mllpTls?: { caFile: string; keyFile?: string; certFile?: string } };
  clearinghouse: {
    url?: string;
    transport: 'http' | 'core-soap' | 'core-mime' | 'sftp';
    /** `credentialsGiven`: false when the development defaults (the simulator's) stand in. */
    core: { url?: string; username: string; password: string; senderId: string; receiverId: string; credentialsGiven: boolean };
    sftp: {
      host?: string;
      port: number;
      username?: string;
      privateKey?: string;
      passphrase?: string;
      hostKeySha256?: string;
      inboundDir: string;
      outboundDir: string;
      archiveDir: string;
      fileName: string;
    };
    pollEveryMs: number;
  };
  mllpListenPort: number;
  simulators: {
    start: boolean;
    host: string;
    revcycleHost: string;
    ehrPort: number;
    pmsHttpPort: number;
    pmsMllpPort: number;
    clearinghousePort: number;
    clearinghouseSftpPort: number;
    pmsMllpTls?: { keyFile: string; certFile: string; caFile: string };
  };
  integrationTimeoutMs: number;
  retryCeiling: { maxAttempts: number; ms: number };
  timers: {
    coverageDeadlineMs: number;
    ackTimeoutMs: number;
    adjudicationTimeoutMs: number;
    claimStatusInquiries: number;
    timelyFilingEscalateBeforeMs: number;
    appealEscalateBeforeMs: number;
    /** Offsets of the patient's statements from the balance's opening; undefined: no statement cycle. */
    patientStatementsMs?: number[];
    patientCollectionsAfterMs: number;
  };
  encounterSweep: { everyMs: number; lookbackMs: number };
  billingProvider: { name: string; npi: string; tin: string; taxonomy: string; address: { line1: string; city: string; state: string; postalCode: string } };
  x12: { submitterId: string; contactName: string; contactPhone: string; receiverId: string; receiverName: string; usage: 'T' | 'P' };
  auth: {
    oidc?: { issuer: string; jwksUrl: string; audience: string; rolesClaim: string; authorizedParties: string[]; jwksTtlMs: number };
    /** The browser's OIDC login; present when OIDC_CLIENT_ID is set. */
    oidcLogin?: { clientId: string; clientSecret?: string; redirectUri: string };
    sessions: { ttlMs: number; idleMs: number; secure: boolean; keySignIn: boolean };
    rateLimit: { perMinute: number; burst: number };
    corsOrigins: string[];
  };
  /** The PHI codec's key ring; absent only outside production when no key is configured (npm start generates one). */
  codec?: CodecKeys;
  /** Origins allowed to call the codec endpoint (the Temporal Web UI). */
  temporalUiOrigins: string[];
  webhooks: { ehrSecret?: string; clearinghouseSecret?: string; toleranceSeconds: number };
  mllp: {
    allowedPeers: string[];
    tls?: { keyFile: string; certFile: string; caFile?: string };
    maxConnections: number;
    idleTimeoutMs: number;
    maxMessageBytes: number;
  };
}

export function parseConfig(source: NodeJS.ProcessEnv): Config {
  const parsed = Schema.safeParse(withFileSecrets(source));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const external = e.EHR_FHIR_URL && e.CLEARINGHOUSE_URL && (e.PMS_REST_URL || e.PMS_MLLP_HOST);
  const [line1, city, state, postalCode] = e.BILLING_PROVIDER_ADDRESS.split('|');
  const config: Config = {
    env: e.NODE_ENV,
    dataDir: e.DATA_DIR,
    database: { url: e.DATABASE_URL, migrationUrl: e.DATABASE_MIGRATION_URL, embeddedPort: e.EMBEDDED_PG_PORT, poolMax: e.DATABASE_POOL_MAX },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      devPort: e.TEMPORAL_DEV_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      uiUrl: e.TEMPORAL_UI_URL ?? `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`,
      server: e.TEMPORAL_SERVER,
      internalPortsFrom: e.TEMPORAL_INTERNAL_PORTS_FROM,
      callTimeoutMs: e.TEMPORAL_CALL_TIMEOUT_MS,
      ...temporalTls(e),
    },
    workers: e.WORKERS,
    worker: {
      maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      reuseV8Context: e.WORKER_REUSE_V8_CONTEXT,
    },
    workerBundlePath: e.WORKER_BUNDLE_PATH,
    api: { port: e.API_PORT, publicUrl: e.API_PUBLIC_URL, maxPendingReads: e.API_MAX_PENDING_READS },
    ehr: { fhirUrl: e.EHR_FHIR_URL, auth: ehrAuth(e) },
    pms: {
      mode: e.PMS_MODE,
      restUrl: e.PMS_REST_URL,
      mllpHost: e.PMS_MLLP_HOST,
      mllpPort: e.PMS_MLLP_PORT,
      mllpTls: pmsMllpTls(e.PMS_MLLP_TLS_CA_FILE, e.PMS_MLLP_TLS_KEY_FILE, e.PMS_MLLP_TLS_CERT_FILE),
    },
    clearinghouse: {
      url: e.CLEARINGHOUSE_URL,
      transport: e.CLEARINGHOUSE_TRANSPORT,
      // Development only: the simulator's own credentials when none are configured (production requires them, see requireSecrets).
      core: {
        url: e.CLEARINGHOUSE_CORE_URL,
        username: e.CLEARINGHOUSE_CORE_USERNAME ?? 'revcycle',
        password: e.CLEARINGHOUSE_CORE_PASSWORD ?? 'revcycle-sim',
        senderId: e.CLEARINGHOUSE_CORE_SENDER_ID ?? e.SUBMITTER_ID,
        receiverId: e.CLEARINGHOUSE_CORE_RECEIVER_ID ?? e.CLEARINGHOUSE_RECEIVER_ID,
        credentialsGiven: !!(e.CLEARINGHOUSE_CORE_USERNAME && e.CLEARINGHOUSE_CORE_PASSWORD),
      },
      sftp: {
        host: e.CLEARINGHOUSE_SFTP_HOST,
        port: e.CLEARINGHOUSE_SFTP_PORT,
        username: e.CLEARINGHOUSE_SFTP_USERNAME,
        privateKey: e.CLEARINGHOUSE_SFTP_PRIVATE_KEY,
        passphrase: e.CLEARINGHOUSE_SFTP_PASSPHRASE,
        hostKeySha256: e.CLEARINGHOUSE_SFTP_HOST_KEY_SHA256,
        inboundDir: e.CLEARINGHOUSE_SFTP_INBOUND_DIR,
        outboundDir: e.CLEARINGHOUSE_SFTP_OUTBOUND_DIR,
        archiveDir: e.CLEARINGHOUSE_SFTP_ARCHIVE_DIR,
        fileName: e.CLEARINGHOUSE_FILE_NAME,
      },
      pollEveryMs: e.CLEARINGHOUSE_POLL_EVERY_MS,
    },
    mllpListenPort: e.MLLP_LISTEN_PORT,
    simulators: {
      start: e.START_SIMULATORS ?? !external,
      host: e.SIM_HOST,
      revcycleHost: e.SIM_REVCYCLE_HOST,
      ehrPort: e.SIM_EHR_PORT,
      pmsHttpPort: e.SIM_PMS_HTTP_PORT,
      pmsMllpPort: e.SIM_PMS_MLLP_PORT,
      clearinghousePort: e.SIM_CLEARINGHOUSE_PORT,
      clearinghouseSftpPort: e.SIM_CLEARINGHOUSE_SFTP_PORT,
      pmsMllpTls: simPmsTls(e.SIM_PMS_MLLP_TLS_KEY_FILE, e.SIM_PMS_MLLP_TLS_CERT_FILE, e.SIM_PMS_MLLP_TLS_CA_FILE),
    },
    integrationTimeoutMs: e.INTEGRATION_TIMEOUT_MS,
    retryCeiling: { maxAttempts: e.ACTIVITY_MAX_ATTEMPTS, ms: e.ACTIVITY_RETRY_CEILING_MS },
    timers: {
      coverageDeadlineMs: e.COVERAGE_DEADLINE_MS,
      ackTimeoutMs: e.ACK_TIMEOUT_MS,
      adjudicationTimeoutMs: e.ADJUDICATION_TIMEOUT_MS,
      claimStatusInquiries: e.CLAIM_STATUS_MAX_INQUIRIES,
      timelyFilingEscalateBeforeMs: e.TIMELY_FILING_ESCALATE_DAYS * DAY_MS,
      appealEscalateBeforeMs: e.APPEAL_ESCALATE_DAYS * DAY_MS,
      patientStatementsMs: e.PATIENT_STATEMENT_DAYS?.map((d) => d * DAY_MS),
      patientCollectionsAfterMs: e.PATIENT_COLLECTIONS_AFTER_DAYS * DAY_MS,
    },
    encounterSweep: { everyMs: e.ENCOUNTER_SWEEP_EVERY_MS, lookbackMs: e.ENCOUNTER_SWEEP_LOOKBACK_MS },
    billingProvider: {
      name: e.BILLING_PROVIDER_NAME,
      npi: e.BILLING_PROVIDER_NPI,
      tin: e.BILLING_PROVIDER_TIN,
      taxonomy: e.BILLING_PROVIDER_TAXONOMY,
      address: { line1, city, state, postalCode },
    },
    x12: {
      submitterId: e.SUBMITTER_ID,
      contactName: e.SUBMITTER_CONTACT_NAME,
      contactPhone: e.SUBMITTER_CONTACT_PHONE,
      receiverId: e.CLEARINGHOUSE_RECEIVER_ID,
      receiverName: e.CLEARINGHOUSE_RECEIVER_NAME,
      usage: e.X12_USAGE,
    },
    auth: {
      oidc:
        e.OIDC_ISSUER && e.OIDC_JWKS_URL && e.OIDC_AUDIENCE
          ? {
              issuer: e.OIDC_ISSUER,
              jwksUrl: e.OIDC_JWKS_URL,
              audience: e.OIDC_AUDIENCE,
              rolesClaim: e.OIDC_ROLES_CLAIM,
              authorizedParties: e.OIDC_AUTHORIZED_PARTIES,
              jwksTtlMs: e.OIDC_JWKS_TTL_MS,
            }
          : undefined,
      oidcLogin: e.OIDC_CLIENT_ID
        ? {
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            redirectUri: `${e.API_PUBLIC_URL?.replace(/\/$/, '') ?? `http://127.0.0.1:${e.API_PORT}`}/auth/oidc/callback`,
          }
        : undefined,
      sessions: {
        ttlMs: e.SESSION_TTL_MINUTES * 60_000,
        idleMs: e.SESSION_IDLE_MINUTES * 60_000,
        secure: e.API_PUBLIC_URL?.startsWith('https:') ?? false,
        keySignIn: e.SIGN_IN_WITH_API_KEY ?? e.NODE_ENV !== 'production',
      },
      rateLimit: { perMinute: e.RATE_LIMIT_PER_MINUTE, burst: e.RATE_LIMIT_BURST },
      corsOrigins: e.CORS_ALLOWED_ORIGINS,
    },
    codec: codecKeys(e.TEMPORAL_CODEC_KEYS, e.TEMPORAL_CODEC_CURRENT_KEY),
    temporalUiOrigins: e.TEMPORAL_UI_ORIGINS?.split(',') ?? [`http://127.0.0.1:${e.TEMPORAL_UI_PORT}`, `http://localhost:${e.TEMPORAL_UI_PORT}`],
    webhooks: { ehrSecret: e.WEBHOOK_EHR_SECRET, clearinghouseSecret: e.WEBHOOK_CLEARINGHOUSE_SECRET, toleranceSeconds: e.WEBHOOK_TOLERANCE_SECONDS },
    mllp: {
      allowedPeers: e.MLLP_ALLOWED_PEERS.split(','),
      tls: mllpTls(e.MLLP_TLS_KEY_FILE, e.MLLP_TLS_CERT_FILE, e.MLLP_TLS_CA_FILE),
      maxConnections: e.MLLP_MAX_CONNECTIONS,
      idleTimeoutMs: e.MLLP_IDLE_TIMEOUT_MS,
      maxMessageBytes: e.MLLP_MAX_MESSAGE_BYTES,
    },
  };
  if (!e.OIDC_ISSUER !== !e.OIDC_JWKS_URL) throw new ConfigError(['OIDC_ISSUER, OIDC_JWKS_URL: set both to accept OIDC tokens, or neither']);
  if (e.OIDC_ISSUER && !e.OIDC_AUDIENCE)
    throw new ConfigError(['OIDC_AUDIENCE: required with OIDC_ISSUER (without it a token the issuer minted for any other API would open this one)']);
  if (e.OIDC_CLIENT_ID && !e.OIDC_ISSUER) throw new ConfigError(['OIDC_CLIENT_ID: the OIDC login needs OIDC_ISSUER and OIDC_JWKS_URL']);
  if (!config.simulators.start) requireExternal(config);
  if (config.env === 'production') requireSecrets(config);
  return config;
}

function codecKeys(spec: string | undefined, current: string | undefined): CodecKeys | undefined {
  if (spec === undefined) {
    if (current !== undefined) throw new ConfigError(['TEMPORAL_CODEC_CURRENT_KEY: set without TEMPORAL_CODEC_KEYS']);
    return undefined;
  }
  const keys = parseKeyRing(spec);
  const currentKeyId = current ?? [...keys.keys()][0];
  if (!keys.has(currentKeyId)) throw new ConfigError([`TEMPORAL_CODEC_CURRENT_KEY: "${currentKeyId}" is not a key id in TEMPORAL_CODEC_KEYS`]);
  return { keys, currentKeyId };
}

/** TLS and API key for Temporal, with every contradiction named. */
function temporalTls(e: Env): Pick<Config['temporal'], 'tls' | 'tlsWaiver' | 'apiKey'> {
  const problems: string[] = [];
  const files = e.TEMPORAL_TLS_CA_FILE || e.TEMPORAL_TLS_CERT_FILE || e.TEMPORAL_TLS_KEY_FILE || e.TEMPORAL_TLS_SERVER_NAME;
  const on = e.TEMPORAL_TLS ?? !!(files || e.TEMPORAL_API_KEY);
  if (!e.TEMPORAL_TLS_CERT_FILE !== !e.TEMPORAL_TLS_KEY_FILE) problems.push('TEMPORAL_TLS_CERT_FILE, TEMPORAL_TLS_KEY_FILE: set both (mTLS) or neither');
  if (!on && files) problems.push('TEMPORAL_TLS: off, yet TEMPORAL_TLS_* files are set: remove them or turn TLS on');
  if (!on && e.TEMPORAL_API_KEY) problems.push('TEMPORAL_API_KEY: needs TLS (TEMPORAL_TLS=off would send the key in clear)');
  if (on && e.TEMPORAL_TLS_WAIVER) problems.push('TEMPORAL_TLS_WAIVER: set, yet TLS to Temporal is on: remove the waiver');
  if (problems.length) throw new ConfigError(problems);
  const tls: TemporalTls | undefined = on
    ? {
        caFile: e.TEMPORAL_TLS_CA_FILE,
        clientCert: e.TEMPORAL_TLS_CERT_FILE && e.TEMPORAL_TLS_KEY_FILE ? { certFile: e.TEMPORAL_TLS_CERT_FILE, keyFile: e.TEMPORAL_TLS_KEY_FILE } : undefined,
        serverName: e.TEMPORAL_TLS_SERVER_NAME,
      }
    : undefined;
  return { tls, tlsWaiver: e.TEMPORAL_TLS_WAIVER, apiKey: e.TEMPORAL_API_KEY };
}

function mllpTls(
  keyFile: string | undefined,
  certFile: string | undefined,
  caFile: string | undefined,
): { keyFile: string; certFile: string; caFile?: string } | undefined {
  if (!keyFile && !certFile) {
    if (caFile) throw new ConfigError(['MLLP_TLS_CA_FILE: needs MLLP_TLS_KEY_FILE and MLLP_TLS_CERT_FILE (client certificates are checked only over TLS)']);
    return undefined;
  }
  if (!keyFile || !certFile) throw new ConfigError(['MLLP_TLS_KEY_FILE, MLLP_TLS_CERT_FILE: set both or neither']);
  return { keyFile, certFile, caFile };
}

function pmsMllpTls(
  caFile: string | undefined,
  keyFile: string | undefined,
  certFile: string | undefined,
): { caFile: string; keyFile?: string; certFile?: string } | undefined {
  if (!caFile) {
    if (keyFile || certFile)
      throw new ConfigError(['PMS_MLLP_TLS_CA_FILE: required with PMS_MLLP_TLS_KEY_FILE / PMS_MLLP_TLS_CERT_FILE (the PMS certificate must be checked)']);
    return undefined;
  }
  if (!keyFile !== !certFile) throw new ConfigError(['PMS_MLLP_TLS_KEY_FILE, PMS_MLLP_TLS_CERT_FILE: set both or neither']);
  return { caFile, keyFile, certFile };
}

function simPmsTls(
  keyFile: string | undefined,
  certFile: string | undefined,
  caFile: string | undefined,
): { keyFile: string; certFile: string; caFile: string } | undefined {
  if (!keyFile && !certFile && !caFile) return undefined;
  if (!keyFile || !certFile || !caFile)
    throw new ConfigError(['SIM_PMS_MLLP_TLS_KEY_FILE, SIM_PMS_MLLP_TLS_CERT_FILE, SIM_PMS_MLLP_TLS_CA_FILE: set all three or none']);
  return { keyFile, certFile, caFile };
}

/** The default scopes: exactly the resources the FHIR client reads and writes. */
export const DEFAULT_EHR_SCOPES = [
  // written once by identifier (a conditional create or update searches first, so read too)
  'system/Patient.read',
  'system/Patient.write',
  'system/Coverage.read',
  'system/Coverage.write',
  'system/Appointment.read',
  'system/Appointment.write',
  // the signed encounter and what it is billed from (_include / _revinclude), and its notes for appeals
  'system/Encounter.read',
  'system/Condition.read',
  'system/Procedure.read',
  'system/ChargeItem.read',
  'system/Practitioner.read',
  'system/DocumentReference.read',
].join(' ');

export type EhrAuthConfig =
  { mode: 'none' } | { mode: 'smart'; clientId: string; privateKeyFile: string; keyId?: string; alg: 'RS384' | 'ES384'; scopes: string; tokenUrl?: string };

function ehrAuth(e: z.infer<typeof Schema>): EhrAuthConfig {
  if (e.EHR_AUTH === 'none') return { mode: 'none' };
  const missing = [
    !e.EHR_CLIENT_ID && 'EHR_CLIENT_ID: required when EHR_AUTH=smart',
    !e.EHR_PRIVATE_KEY_FILE && 'EHR_PRIVATE_KEY_FILE: required when EHR_AUTH=smart',
  ].filter((m): m is string => !!m);
  if (missing.length) throw new ConfigError(missing);
  return {
    mode: 'smart',
    clientId: e.EHR_CLIENT_ID!,
    privateKeyFile: e.EHR_PRIVATE_KEY_FILE!,
    keyId: e.EHR_KEY_ID,
    alg: e.EHR_KEY_ALG,
    scopes: e.EHR_SCOPES ?? DEFAULT_EHR_SCOPES,
    tokenUrl: e.EHR_TOKEN_URL,
  };
}

/**
 * Production fails closed: never PHI in clear text in Temporal, unsigned webhooks, tokens for
 * any audience, or Temporal's frontend (which can signal, update and terminate visits) spoken
 * to in clear, unless the operator waived TLS in writing.
 */
function requireSecrets(c: Config): void {
  const missing: string[] = [];
  if (!c.codec)
    missing.push('TEMPORAL_CODEC_KEYS: required in production (PHI in Temporal is encrypted); generate one with: echo "k1:$(openssl rand -base64 32)"');
  if (!c.webhooks.ehrSecret) missing.push('WEBHOOK_EHR_SECRET: required in production (the EHR signs its webhooks)');
  if (!c.webhooks.clearinghouseSecret) missing.push('WEBHOOK_CLEARINGHOUSE_SECRET: required in production (the clearinghouse signs its callbacks)');
  if (!c.temporal.tls && !c.temporal.tlsWaiver) {
    missing.push(
      'TEMPORAL_TLS: required in production (TLS to Temporal: TEMPORAL_TLS_CA_FILE, TEMPORAL_TLS_CERT_FILE/TEMPORAL_TLS_KEY_FILE for mTLS, or TEMPORAL_API_KEY for Temporal Cloud); to run without, set TEMPORAL_TLS_WAIVER to the reason',
    );
  }
  const ch = c.clearinghouse;
  if (ch.transport.startsWith('core-') && !ch.core.credentialsGiven) {
    missing.push('CLEARINGHOUSE_CORE_USERNAME, CLEARINGHOUSE_CORE_PASSWORD(_FILE): required in production with a CORE transport (the partner issues them)');
  }
  if (ch.transport === 'sftp' && !ch.sftp.hostKeySha256)
    missing.push("CLEARINGHOUSE_SFTP_HOST_KEY_SHA256: required in production (the SFTP server's key is pinned)");
  if (missing.length) throw new ConfigError(missing);
}

/** Without simulators every outside party needs a real address. */
function requireExternal(c: Config): void {
  const missing: string[] = [];
  if (!c.ehr.fhirUrl) missing.push('EHR_FHIR_URL: required when START_SIMULATORS=false');
  if (!c.clearinghouse.url) missing.push('CLEARINGHOUSE_URL: required when START_SIMULATORS=false');
  const sftp = c.clearinghouse.sftp;
  if (c.clearinghouse.transport === 'sftp' && !(sftp.host && sftp.username && sftp.privateKey)) {
    missing.push('CLEARINGHOUSE_SFTP_HOST, CLEARINGHOUSE_SFTP_USERNAME, CLEARINGHOUSE_SFTP_PRIVATE_KEY(_FILE): required when CLEARINGHOUSE_TRANSPORT=sftp');
  }
  if (c.pms.mode === 'rest' && !c.pms.restUrl) missing.push('PMS_REST_URL: required when PMS_MODE=rest');
  if (c.pms.mode === 'hl7' && !(c.pms.mllpHost && c.pms.mllpPort)) missing.push('PMS_MLLP_HOST, PMS_MLLP_PORT: required when PMS_MODE=hl7');
  if (missing.length) throw new ConfigError(missing);
}

/** A deployed api or worker process runs against shared Postgres and Temporal, never embedded ones. */
export function requireDeployed(c: Config): { databaseUrl: string; temporalAddress: string } {
  const missing: string[] = [];
  if (!c.database.url) missing.push('DATABASE_URL: required for the api and worker processes');
  if (!c.temporal.address) missing.push('TEMPORAL_ADDRESS: required for the api and worker processes');
  if (missing.length) throw new ConfigError(missing);
  return { databaseUrl: c.database.url!, temporalAddress: c.temporal.address! };
}

/** The configuration of this process, from its environment; passed down explicitly from here. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  return parseConfig(source);
}

/** Every variable the app reads, for docs and the docker-compose check. */
export const CONFIG_VARIABLES = Object.keys(env);
