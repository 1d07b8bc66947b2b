/**
 * One validated configuration object, read once from the environment at start-up.
 * A bad value stops start-up with a message naming the variable; nothing falls back
 * silently. Secrets may come from `<VAR>_FILE` (Docker/Kubernetes secrets).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DAY_MS, TIMER_DEFAULTS } from '../domain/visit-timers';
import { parseKeyRing, type CodecKeys } from '../temporal/codec';
import type { TemporalTls } from '../temporal/connection';

const port = z.coerce.number().int().min(0).max(65535);
const url = z.string().url();
const positiveMs = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Each entry: environment variable → schema. The variable name is the path in error messages. */
const env = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATA_DIR: z.string().min(1).default('.data'),

  DATABASE_URL: url.optional(),
  /**
   * The owner of revcycle's tables, for migrations only (the `migrate` service): it migrates,
   * then grants DATABASE_URL's user the app's rights. Unset: outside production a process
   * migrates with DATABASE_URL; in production it only checks that migrations are applied.
   */
  DATABASE_MIGRATION_URL: url.optional(),
  EMBEDDED_PG_PORT: port.default(5433),

  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('revcycle-visits'),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /** The deadline on each call the API makes to Temporal (start, signal, update, query, describe, list): past it, 504. */
  TEMPORAL_CALL_TIMEOUT_MS: positiveMs.default(10_000),
  /** Where people open the Temporal Web UI; links from the work queues and dashboard point there. */
  TEMPORAL_UI_URL: url.optional(),
  /** `npm start`'s Temporal: the dev server on SQLite, or the real server on the billing record's Postgres. */
  TEMPORAL_SERVER: z.enum(['dev', 'postgres']).default('dev'),
  /**
   * The real server's internal ports (history, matching, worker services and their membership): 8 from here.
   * The server stores membership ports in a Postgres smallint (cluster_membership.rpc_port): above 32767 it stops at start-up.
   */
  TEMPORAL_INTERNAL_PORTS_FROM: port
    .max(32760, 'must be at most 32760: the Temporal server stores its membership ports (up to this + 6) in a Postgres smallint')
    .default(7234),
  /**
   * TLS to Temporal (client and worker). Unset: on when any TEMPORAL_TLS_* file or TEMPORAL_API_KEY
   * is given, off otherwise. Production refuses it off unless TEMPORAL_TLS_WAIVER says why.
   */
  TEMPORAL_TLS: z
    .enum(['on', 'off', 'true', 'false', '1', '0'])
    .transform((v) => v === 'on' || v === 'true' || v === '1')
    .optional(),
  /** The CA that signed the Temporal frontend's certificate (PEM); unset: the system's trusted CAs (Temporal Cloud). */
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  /** mTLS: this client's certificate and private key (PEM files), both or neither. */
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  /** The name the frontend's certificate is checked against, when it differs from TEMPORAL_ADDRESS's host. */
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,253}$/, 'must be a host name')
    .optional(),
  /** Why production runs without TLS to Temporal (e.g. "frontend reachable only on the compose network"): the only way to turn TLS off there. */
  TEMPORAL_TLS_WAIVER: z.string().trim().min(10, 'must say why TLS is waived (at least 10 characters)').optional(),
  /** An API key for hosted Temporal (Temporal Cloud), sent as a bearer token over TLS. */
  TEMPORAL_API_KEY: z.string().min(1).optional(),

  /** Worker processes `npm start` runs, and each worker's Temporal options (unset: the SDK's defaults). */
  WORKERS: z.coerce.number().int().min(1).max(32).default(1),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().optional(),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().positive().optional(),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  WORKER_REUSE_V8_CONTEXT: bool.optional(),
  /** A workflow bundle built once (`bundleWorkflowCode`, written to a file): workers load it instead of bundling at start-up. */
  WORKER_BUNDLE_PATH: z.string().min(1).optional(),
  /** Connections in each process's Postgres pool. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),

  API_PORT: port.default(3000),
  API_PUBLIC_URL: url.optional(),
  /**
   * Reads of visits (GET /visits/{visitId}) waiting on Temporal at once, per API process;
   * beyond: 503 TEMPORAL_BUSY with Retry-After at once, not a wait until the call deadline.
   */
  API_MAX_PENDING_READS: z.coerce.number().int().positive().default(100),

  EHR_FHIR_URL: url.optional(),
  /**
   * How revcycle authenticates to the EHR's FHIR API: none (a sandbox or the simulator), or
   * SMART Backend Services (OAuth 2.0 client credentials with a private_key_jwt assertion).
   */
  EHR_AUTH: z.enum(['none', 'smart']).default('none'),
  /** The client id the EHR gave revcycle's backend app when it was registered. */
  EHR_CLIENT_ID: z.string().min(1).optional(),
  /** PEM PKCS#8 private key revcycle signs its assertions with; its public half is served at /.well-known/jwks.json. */
  EHR_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  /** `kid` of that key as registered with the EHR (default: its JWK thumbprint). */
  EHR_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, 'letters, digits, dot, dash, underscore')
    .optional(),
  /** RS384 for an RSA key, ES384 for a P-384 key. */
  EHR_KEY_ALG: z.enum(['RS384', 'ES384']).default('RS384'),
  /** Scopes asked for, space-separated (default: what revcycle reads and writes). */
  EHR_SCOPES: z
    .string()
    .regex(/^\S+( \S+)*$/, 'space-separated scopes')
    .optional(),
  /** The token endpoint, when the EHR does not publish .well-known/smart-configuration. */
  EHR_TOKEN_URL: url.optional(),
  PMS_MODE: z.enum(['rest', 'hl7']).default('hl7'),
  PMS_REST_URL: url.optional(),
  PMS_MLLP_HOST: z.string().min(1).optional(),
  PMS_MLLP_PORT: port.optional(),
  /** MLLP over TLS to the PMS: the CA its certificate chains to; with key and certificate revcycle presents a client certificate (mutual TLS). */
  PMS_MLLP_TLS_CA_FILE: z.string().min(1).optional(),
  PMS_MLLP_TLS_KEY_FILE: z.string().min(1).optional(),
  PMS_MLLP_TLS_CERT_FILE: z.string().min(1).optional(),
  CLEARINGHOUSE_URL: url.optional(),
  MLLP_LISTEN_PORT: port.default(2575),

  /** Where the simulators listen (0.0.0.0 in a container), and where they reach revcycle's API and MLLP feed. */
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_REVCYCLE_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_EHR_PORT: port.default(8081),
  SIM_PMS_HTTP_PORT: port.default(8082),
  SIM_PMS_MLLP_PORT: port.default(2576),
  SIM_CLEARINGHOUSE_PORT: port.default(8083),
  /** The clearinghouse simulator's SFTP server (CLEARINGHOUSE_TRANSPORT=sftp). */
  SIM_CLEARINGHOUSE_SFTP_PORT: port.default(8084),
  /** Mutual TLS on the PMS simulator's MLLP ends (its receiver and its sender): all three, or none. */
  SIM_PMS_MLLP_TLS_KEY_FILE: z.string().min(1).optional(),
  SIM_PMS_MLLP_TLS_CERT_FILE: z.string().min(1).optional(),
  SIM_PMS_MLLP_TLS_CA_FILE: z.string().min(1).optional(),

  INTEGRATION_TIMEOUT_MS: positiveMs.default(10_000),
  /** Retry ceiling for unexpected errors in one step of a visit: attempts, then the visit is parked (needs_attention). */
  ACTIVITY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Retry ceiling in time for one step (schedule-to-close), then the visit is parked. */
  ACTIVITY_RETRY_CEILING_MS: positiveMs.default(6 * 3600_000),
  /** How long an inactive-coverage visit waits for corrected coverage before it closes. */
  COVERAGE_DEADLINE_MS: positiveMs.default(7 * 24 * 3600_000),
  /** How long a submitted claim waits for its 277CA before it is flagged for follow-up. */
  ACK_TIMEOUT_MS: positiveMs.default(2 * 24 * 3600_000),
  /** How long a claim waits for its 835 before a status follow-up is due. */
  ADJUDICATION_TIMEOUT_MS: positiveMs.default(45 * 24 * 3600_000),
  /** Claim status inquiries (276) a claim with no 835 gets, one per ADJUDICATION_TIMEOUT_MS, before a person is asked. */
  CLAIM_STATUS_MAX_INQUIRIES: z.coerce.number().int().min(1).max(20).default(TIMER_DEFAULTS.claimStatusInquiries),
  /** Days before a payer's timely-filing deadline (its payer rule, data/payer-rules.json) a visit with no accepted claim escalates. */
  TIMELY_FILING_ESCALATE_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(365)
    .default(TIMER_DEFAULTS.timelyFilingEscalateBeforeMs / DAY_MS),
  /** Days before an appeal deadline an appeal that has not gone out escalates (appeal_due). */
  APPEAL_ESCALATE_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(365)
    .default(TIMER_DEFAULTS.appealEscalateBeforeMs / DAY_MS),
  /**
   * The patient's statement cycle: days after insurance answered (and the patient owes a share)
   * on which statements go out, ascending; `none`: no cycle, a paid visit closes with the
   * patient's share open (the practice bills patients elsewhere).
   */
  PATIENT_STATEMENT_DAYS: z
    .string()
    .default('0,30,60,90')
    .transform((s, ctx) => {
      if (s.trim() === 'none') return undefined;
      const days = s.split(',').map((d) => d.trim());
      if (days.length > 12 || days.some((d) => !/^\d{1,4}$/.test(d)) || days.some((d, i) => i > 0 && Number(d) <= Number(days[i - 1]))) {
        ctx.addIssue({ code: 'custom', message: 'must be 1-12 ascending whole numbers of days, comma-separated (e.g. 0,30,60,90), or none' });
        return z.NEVER;
      }
      return days.map(Number);
    }),
  /** Days after the last statement an unpaid patient balance waits before it goes to collections. */
  PATIENT_COLLECTIONS_AFTER_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(365)
    .default(TIMER_DEFAULTS.patientCollectionsAfterMs / DAY_MS),

  /** How often the EHR is searched for signed encounters whose webhook never arrived, and how far back. */
  ENCOUNTER_SWEEP_EVERY_MS: positiveMs.default(10 * 60_000),
  ENCOUNTER_SWEEP_LOOKBACK_MS: positiveMs.default(2 * 24 * 3600_000),

  BILLING_PROVIDER_NAME: z.string().min(1).max(60).default('REVCYCLE DEMO CLINIC'),
  BILLING_PROVIDER_NPI: z
    .string()
    .regex(/^\d{10}$/, 'must be a 10-digit NPI')
    .default('1245319599'),
  BILLING_PROVIDER_TIN: z
    .string()
    .regex(/^\d{9}$/, 'must be a 9-digit TIN')
    .default('123456789'),
  BILLING_PROVIDER_ADDRESS: z
    .string()
    .regex(/^[^|]+\|[^|]+\|[A-Z]{2}\|\d{5}(\d{4})?$/, 'must be "line1|city|ST|zip"')
    .default('100 MAIN ST|SPRINGFIELD|IL|627010001'),
  BILLING_PROVIDER_TAXONOMY: z
    .string()
    .regex(/^[0-9A-Z]{9}X$/, 'must be a 10-character provider taxonomy code')
    .default('207Q00000X'),
  SUBMITTER_CONTACT_NAME: z.string().min(1).max(60).default('BILLING OFFICE'),
  SUBMITTER_CONTACT_PHONE: z
    .string()
    .regex(/^\d{10}$/, 'must be a 10-digit phone number')
    .default('2175550100'),
  CLEARINGHOUSE_RECEIVER_NAME: z.string().min(1).max(60).default('REVCYCLE CLEARINGHOUSE'),
  SUBMITTER_ID: z
    .string()
    .regex(/^[A-Za-z0-9]{2,15}$/, 'must be 2-15 letters or digits')
    .default('REVCYCLE'),
  CLEARINGHOUSE_RECEIVER_ID: z
    .string()
    .regex(/^[A-Za-z0-9]{2,15}$/, 'must be 2-15 letters or digits')
    .default('CLEARINGHOUSE'),
  X12_USAGE: z.enum(['T', 'P']).default('T'),

  /**
   * How X12 travels to and from the clearinghouse (the trading partner's choice): our HTTP
   * endpoint with webhooks, CAQH CORE vC2.2.0 in its SOAP or MIME envelope, or SFTP batch.
   * Secrets (CORE password, SSH private key) are best given as <VAR>_FILE.
   */
  CLEARINGHOUSE_TRANSPORT: z.enum(['http', 'core-soap', 'core-mime', 'sftp']).default('http'),
  /** The partner's CORE endpoint; unset: CLEARINGHOUSE_URL + /core/soap or /core/mime (the simulator's). */
  CLEARINGHOUSE_CORE_URL: url.optional(),
  CLEARINGHOUSE_CORE_USERNAME: z.string().min(1).max(200).optional(),
  CLEARINGHOUSE_CORE_PASSWORD: z.string().min(1).max(1000).optional(),
  /** CORE SenderID/ReceiverID as the partner assigned them; unset: SUBMITTER_ID and CLEARINGHOUSE_RECEIVER_ID (ISA06/ISA08). */
  CLEARINGHOUSE_CORE_SENDER_ID: z.string().min(1).max(80).optional(),
  CLEARINGHOUSE_CORE_RECEIVER_ID: z.string().min(1).max(80).optional(),
  CLEARINGHOUSE_SFTP_HOST: z.string().min(1).optional(),
  CLEARINGHOUSE_SFTP_PORT: port.default(22),
  CLEARINGHOUSE_SFTP_USERNAME: z.string().min(1).optional(),
  /** The SSH private key (OpenSSH or PEM): give it as CLEARINGHOUSE_SFTP_PRIVATE_KEY_FILE. */
  CLEARINGHOUSE_SFTP_PRIVATE_KEY: z.string().min(1).optional(),
  CLEARINGHOUSE_SFTP_PASSPHRASE: z.string().min(1).optional(),
  /** The server's host key as `ssh-keygen -lf` prints it (SHA256:…); required in production. */
  CLEARINGHOUSE_SFTP_HOST_KEY_SHA256: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be SHA256:<base64> as ssh-keygen -l prints it')
    .optional(),
  CLEARINGHOUSE_SFTP_INBOUND_DIR: z.string().min(1).default('inbound'),
  CLEARINGHOUSE_SFTP_OUTBOUND_DIR: z.string().min(1).default('outbound'),
  CLEARINGHOUSE_SFTP_ARCHIVE_DIR: z.string().min(1).default('archive'),
  /** The 837 file name: {sender} {control} {date} {time} {hash} come from the interchange, so a resend has the same name. */
  CLEARINGHOUSE_FILE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9{}._-]+$/, 'letters, digits, . _ - and {sender} {control} {date} {time} {hash}')
    .default('{sender}_{control}_{hash}.837'),
  /** How often the batch mailbox (CORE retrieval, SFTP outbound) is polled, on a Temporal Schedule. */
  CLEARINGHOUSE_POLL_EVERY_MS: positiveMs.default(60_000),

  START_SIMULATORS: bool.optional(),

  /** OIDC access tokens (optional): RS256 JWTs of this issuer, verified against its JWKS; roles read from the claim. */
  OIDC_ISSUER: url.optional(),
  OIDC_JWKS_URL: url.optional(),
  /** Required with OIDC_ISSUER: the audience (`aud`) revcycle's access tokens are minted for. */
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_ROLES_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/, 'must be a claim name or a dotted path')
    .default('roles'),
  /** Clients (`azp`) whose access tokens are accepted, comma-separated; empty: any client of the issuer whose token names our audience. */
  OIDC_AUTHORIZED_PARTIES: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  /** How long the issuer's signing keys are trusted before they are fetched again. */
  OIDC_JWKS_TTL_MS: positiveMs.default(600_000),
  /** The browser's OIDC login (authorization code + PKCE): this client's id (and secret, for a confidential client). Unset: no OIDC login. */
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Browser sessions: absolute lifetime and idle timeout, in minutes. */
  SESSION_TTL_MINUTES: z.coerce
    .number()
    .int()
    .positive()
    .max(7 * 24 * 60)
    .default(480),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .positive()
    .max(24 * 60)
    .default(30),
  /** The sign-in page exchanges an API key for a session (default: outside production only). */
  SIGN_IN_WITH_API_KEY: bool.optional(),
  /** Requests per minute per API key or token subject (token bucket), and how many may come at once. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_BURST: z.coerce.number().int().positive().default(100),
  /** Browser origins allowed to call the API (comma-separated); empty: none. */
  CORS_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const origins = s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
      for (const o of origins) {
        if (!/^https?:\/\/[^/\s]+$/.test(o)) ctx.addIssue({ code: 'custom', message: `"${o}" is not an origin (scheme://host[:port], no path)` });
      }
      return origins;
    }),
  /** PHI codec key ring: `id:base64key[,id:base64key…]`, each key 32 bytes (openssl rand -base64 32). Keep old keys to read old histories. */
  TEMPORAL_CODEC_KEYS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined) return;
      try {
        parseKeyRing(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  /** The key id new payloads are sealed with; default: the first key listed. */
  TEMPORAL_CODEC_CURRENT_KEY: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a key id from TEMPORAL_CODEC_KEYS')
    .optional(),
  /** Origins of the Temporal Web UI allowed to call /codec (CORS), comma-separated; default: the dev server's UI. */
  TEMPORAL_UI_ORIGINS: z
    .string()
    .regex(/^https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*$/, 'must be comma-separated http(s) origins')
    .optional(),

  /** Shared secrets the EHR and the clearinghouse sign their webhooks with (HMAC-SHA256), at least 32 characters. */
  WEBHOOK_EHR_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  WEBHOOK_CLEARINGHOUSE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How far a webhook's timestamp may be from now before it is refused as a replay. */
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),

  /** Peers allowed to connect to the MLLP feed: comma-separated IP addresses. */
  MLLP_ALLOWED_PEERS: z
    .string()
    .regex(/^[0-9A-Fa-f.:]+(,[0-9A-Fa-f.:]+)*$/, 'must be comma-separated IP addresses')
    .default('127.0.0.1,::1'),
  /** TLS for the MLLP feed: both set, or neither. */
  MLLP_TLS_KEY_FILE: z.string().min(1).optional(),
  MLLP_TLS_CERT_FILE: z.string().min(1).optional(),
  /** With it the feed is mutual TLS: a sender must present a certificate issued by this CA. */
  MLLP_TLS_CA_FILE: z.string().min(1).optional(),
  MLLP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(10_000).default(32),
  MLLP_IDLE_TIMEOUT_MS: positiveMs.default(60_000),
  MLLP_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
};

const Schema = z.object(env);
type Env = z.infer<typeof Schema>;

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
