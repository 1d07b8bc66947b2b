/**
 * Every setting revcycle reads from the environment, one zod field each with its default and check:
 * the one schema config/index.ts parses into the typed Config (secrets also as `<VAR>_FILE`).
 */
import { z } from 'zod';
import { DAY_MS, TIMER_DEFAULTS } from '../domain/visit-timers';
import { parseKeyRing } from '../temporal/codec';

const port = z.coerce.number().int().min(0).max(65535);
const url = z.string().url();
const positiveMs = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Each entry: environment variable → schema. The variable name is the path in error messages. */
export const env = {
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

export const Schema = z.object(env);
export type Env = z.infer<typeof Schema>;
