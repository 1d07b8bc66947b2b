import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '.';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

test('defaults make a complete local configuration that runs the simulators', () => {
  const c = parseConfig({});
  expect(c.simulators.start).toBe(true);
  expect(c.api.port).toBe(3000);
  expect(c.temporal).toMatchObject({ namespace: 'default', taskQueue: 'revcycle-visits', address: undefined });
  expect(c.billingProvider.address).toEqual({ line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '627010001' });
});

test.each([
  [{ API_PORT: '70000' }, 'API_PORT:'],
  [{ API_PORT: 'abc' }, 'API_PORT:'],
  [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL:'],
  [{ TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS: must be host:port'],
  [{ BILLING_PROVIDER_NPI: '12345' }, 'BILLING_PROVIDER_NPI: must be a 10-digit NPI'],
  [{ PMS_MODE: 'fax' }, 'PMS_MODE:'],
  [{ START_SIMULATORS: 'yes' }, 'START_SIMULATORS:'],
  [{ COVERAGE_DEADLINE_MS: '-5' }, 'COVERAGE_DEADLINE_MS:'],
  [{ PATIENT_STATEMENT_DAYS: '0,60,30' }, 'PATIENT_STATEMENT_DAYS: must be 1-12 ascending whole numbers of days'],
  [{ PATIENT_STATEMENT_DAYS: '0,thirty' }, 'PATIENT_STATEMENT_DAYS:'],
  [{ PATIENT_COLLECTIONS_AFTER_DAYS: '-1' }, 'PATIENT_COLLECTIONS_AFTER_DAYS:'],
  [{ TEMPORAL_INTERNAL_PORTS_FROM: '47240' }, 'TEMPORAL_INTERNAL_PORTS_FROM: must be at most 32760'],
])('a bad value stops start-up with a message naming the variable: %j', (env, expected) => {
  expect(problemsOf(env).join('\n')).toContain(expected);
});

test('the patient statement cycle: 0/30/60/90 days and collections 30 days after the last by default; other days, or none', () => {
  const DAY = 86_400_000;
  expect(parseConfig({}).timers).toMatchObject({ patientStatementsMs: [0, 30 * DAY, 60 * DAY, 90 * DAY], patientCollectionsAfterMs: 30 * DAY });
  expect(parseConfig({ PATIENT_STATEMENT_DAYS: '0, 21', PATIENT_COLLECTIONS_AFTER_DAYS: '0' }).timers).toMatchObject({
    patientStatementsMs: [0, 21 * DAY],
    patientCollectionsAfterMs: 0,
  });
  expect(parseConfig({ PATIENT_STATEMENT_DAYS: 'none' }).timers.patientStatementsMs).toBeUndefined();
});

test('without simulators every outside party needs an address', () => {
  expect(problemsOf({ START_SIMULATORS: 'false' })).toEqual([
    'EHR_FHIR_URL: required when START_SIMULATORS=false',
    'CLEARINGHOUSE_URL: required when START_SIMULATORS=false',
    'PMS_MLLP_HOST, PMS_MLLP_PORT: required when PMS_MODE=hl7',
  ]);
  const c = parseConfig({ EHR_FHIR_URL: 'http://ehr/fhir', CLEARINGHOUSE_URL: 'http://ch', PMS_MODE: 'rest', PMS_REST_URL: 'http://pms' });
  expect(c.simulators.start).toBe(false);
});

test('a secret can be read from <VAR>_FILE', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'db-url');
  writeFileSync(file, 'postgres://u:secret@db:5432/revcycle\n');
  expect(parseConfig({ DATABASE_URL_FILE: file }).database.url).toBe('postgres://u:secret@db:5432/revcycle');
});

describe('PHI codec keys and webhook secrets', () => {
  const key = (n: number) => Buffer.alloc(32, n).toString('base64');

  test('the first key is current unless TEMPORAL_CODEC_CURRENT_KEY names another; _FILE works', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'keys'), `new:${key(2)},old:${key(1)}\n`);
    expect(parseConfig({ TEMPORAL_CODEC_KEYS_FILE: join(dir, 'keys') }).codec?.currentKeyId).toBe('new');
    const c = parseConfig({ TEMPORAL_CODEC_KEYS: `new:${key(2)},old:${key(1)}`, TEMPORAL_CODEC_CURRENT_KEY: 'old' });
    expect(c.codec?.currentKeyId).toBe('old');
    expect([...c.codec!.keys.keys()]).toEqual(['new', 'old']);
  });

  test.each([
    [{ TEMPORAL_CODEC_KEYS: `k1:${Buffer.alloc(31).toString('base64')}` }, 'TEMPORAL_CODEC_KEYS: key "k1" decodes to 31 bytes'],
    [{ TEMPORAL_CODEC_KEYS: `k1:${key(1)}`, TEMPORAL_CODEC_CURRENT_KEY: 'k9' }, 'TEMPORAL_CODEC_CURRENT_KEY: "k9" is not a key id'],
    [{ WEBHOOK_EHR_SECRET: 'short' }, 'WEBHOOK_EHR_SECRET: must be at least 32 characters'],
    [{ MLLP_TLS_KEY_FILE: '/k.pem' }, 'MLLP_TLS_KEY_FILE, MLLP_TLS_CERT_FILE: set both or neither'],
    [{ MLLP_ALLOWED_PEERS: 'anyone' }, 'MLLP_ALLOWED_PEERS:'],
    [{ MLLP_TLS_CA_FILE: '/ca.pem' }, 'MLLP_TLS_CA_FILE: needs MLLP_TLS_KEY_FILE and MLLP_TLS_CERT_FILE'],
    [{ PMS_MLLP_TLS_KEY_FILE: '/k.pem', PMS_MLLP_TLS_CERT_FILE: '/c.pem' }, 'PMS_MLLP_TLS_CA_FILE: required'],
    [{ PMS_MLLP_TLS_CA_FILE: '/ca.pem', PMS_MLLP_TLS_KEY_FILE: '/k.pem' }, 'PMS_MLLP_TLS_KEY_FILE, PMS_MLLP_TLS_CERT_FILE: set both or neither'],
    [{ SIM_PMS_MLLP_TLS_CA_FILE: '/ca.pem' }, 'set all three or none'],
    [{ EHR_AUTH: 'smart' }, 'EHR_CLIENT_ID: required when EHR_AUTH=smart'],
    [{ EHR_AUTH: 'smart', EHR_CLIENT_ID: 'revcycle' }, 'EHR_PRIVATE_KEY_FILE: required when EHR_AUTH=smart'],
    [{ EHR_AUTH: 'basic' }, 'EHR_AUTH:'],
  ])('a bad value is named: %j', (env, expected) => {
    expect(problemsOf(env).join('\n')).toContain(expected);
  });

  test('production without keys or webhook secrets does not start, and says what to set', () => {
    const problems = problemsOf({ NODE_ENV: 'production' }).join('\n');
    expect(problems).toContain('TEMPORAL_CODEC_KEYS: required in production');
    expect(problems).toContain('WEBHOOK_EHR_SECRET: required in production');
    expect(problems).toContain('WEBHOOK_CLEARINGHOUSE_SECRET: required in production');
  });
});

describe('production fails closed', () => {
  const secrets = {
    NODE_ENV: 'production',
    TEMPORAL_CODEC_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
    WEBHOOK_EHR_SECRET: 'e'.repeat(32),
    WEBHOOK_CLEARINGHOUSE_SECRET: 'c'.repeat(32),
  };
  const waived = { ...secrets, TEMPORAL_TLS_WAIVER: 'frontend reachable only on the private compose network' };

  test.each([
    [{ ...secrets }, 'TEMPORAL_TLS: required in production'],
    [{ ...secrets, TEMPORAL_TLS: 'off' }, 'TEMPORAL_TLS: required in production'],
    [{ ...waived, TEMPORAL_CODEC_KEYS: undefined }, 'TEMPORAL_CODEC_KEYS: required in production'],
    [{ ...waived, WEBHOOK_EHR_SECRET: undefined }, 'WEBHOOK_EHR_SECRET: required in production'],
    [{ ...waived, WEBHOOK_CLEARINGHOUSE_SECRET: undefined }, 'WEBHOOK_CLEARINGHOUSE_SECRET: required in production'],
    [{ ...waived, OIDC_ISSUER: 'https://idp.example', OIDC_JWKS_URL: 'https://idp.example/certs' }, 'OIDC_AUDIENCE: required with OIDC_ISSUER'],
    [{ ...waived, TEMPORAL_TLS_WAIVER: 'because' }, 'TEMPORAL_TLS_WAIVER: must say why TLS is waived'],
  ])('refuses, naming the variable: %#', (env, expected) => {
    const problems = problemsOf(env);
    expect(problems.join('\n')).toContain(expected);
    expect(problems).toHaveLength(1);
  });

  test('starts with TLS to Temporal, or with TLS waived in writing; OIDC with an audience', () => {
    expect(parseConfig({ ...secrets, TEMPORAL_TLS: 'true' }).temporal.tls).toEqual({ caFile: undefined, clientCert: undefined, serverName: undefined });
    expect(parseConfig({ ...secrets, TEMPORAL_API_KEY: 'cloud-key' }).temporal).toMatchObject({ tls: {}, apiKey: 'cloud-key' });
    const c = parseConfig({ ...waived, OIDC_ISSUER: 'https://idp.example', OIDC_JWKS_URL: 'https://idp.example/certs', OIDC_AUDIENCE: 'revcycle-api' });
    expect(c.temporal).toMatchObject({ tls: undefined, tlsWaiver: 'frontend reachable only on the private compose network' });
    expect(c.auth.oidc?.audience).toBe('revcycle-api');
  });

  test('outside production TLS is off unless asked for, and nothing is required', () => {
    expect(parseConfig({}).temporal).toMatchObject({ tls: undefined, tlsWaiver: undefined, apiKey: undefined });
  });
});

describe('TLS to Temporal', () => {
  test('mTLS files, CA and server name; the API key from a _FILE secret turns TLS on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'api-key'), 'cloud-secret\n');
    const c = parseConfig({
      TEMPORAL_TLS_CA_FILE: '/run/secrets/ca.pem',
      TEMPORAL_TLS_CERT_FILE: '/run/secrets/client.pem',
      TEMPORAL_TLS_KEY_FILE: '/run/secrets/client.key',
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      TEMPORAL_API_KEY_FILE: join(dir, 'api-key'),
    });
    expect(c.temporal.tls).toEqual({
      caFile: '/run/secrets/ca.pem',
      clientCert: { certFile: '/run/secrets/client.pem', keyFile: '/run/secrets/client.key' },
      serverName: 'temporal.internal',
    });
    expect(c.temporal.apiKey).toBe('cloud-secret');
  });

  test.each([
    [{ TEMPORAL_TLS_CERT_FILE: '/c.pem' }, 'TEMPORAL_TLS_CERT_FILE, TEMPORAL_TLS_KEY_FILE: set both (mTLS) or neither'],
    [{ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA_FILE: '/ca.pem' }, 'TEMPORAL_TLS: off, yet TEMPORAL_TLS_* files are set'],
    [{ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }, 'TEMPORAL_API_KEY: needs TLS'],
    [{ TEMPORAL_TLS: 'true', TEMPORAL_TLS_WAIVER: 'not needed here at all' }, 'TEMPORAL_TLS_WAIVER: set, yet TLS to Temporal is on'],
    [{ TEMPORAL_TLS: 'no' }, 'TEMPORAL_TLS:'],
    [{ TEMPORAL_TLS_SERVER_NAME: 'bad name' }, 'TEMPORAL_TLS_SERVER_NAME: must be a host name'],
  ])('a contradiction is named: %j', (env, expected) => {
    expect(problemsOf(env).join('\n')).toContain(expected);
  });
});

test('security settings: OIDC needs issuer, JWKS and audience together; CORS takes origins only; rate limits are positive; sessions', () => {
  const sessions = { ttlMs: 480 * 60_000, idleMs: 30 * 60_000, secure: false, keySignIn: true };
  expect(parseConfig({}).auth).toEqual({ oidc: undefined, oidcLogin: undefined, sessions, rateLimit: { perMinute: 600, burst: 100 }, corsOrigins: [] });
  const c = parseConfig({
    OIDC_ISSUER: 'https://idp.example/realms/clinic',
    OIDC_JWKS_URL: 'https://idp.example/certs',
    OIDC_AUDIENCE: 'revcycle',
    OIDC_ROLES_CLAIM: 'realm_access.roles',
    OIDC_AUTHORIZED_PARTIES: 'revcycle-web, ops-cli',
    OIDC_CLIENT_ID: 'revcycle-web',
    API_PUBLIC_URL: 'https://billing.clinic.example/',
    CORS_ALLOWED_ORIGINS: 'https://ui.clinic.example, http://127.0.0.1:8233',
    RATE_LIMIT_PER_MINUTE: '120',
    SESSION_IDLE_MINUTES: '15',
  });
  expect(c.auth).toEqual({
    oidc: {
      issuer: 'https://idp.example/realms/clinic',
      jwksUrl: 'https://idp.example/certs',
      audience: 'revcycle',
      rolesClaim: 'realm_access.roles',
      authorizedParties: ['revcycle-web', 'ops-cli'],
      jwksTtlMs: 600_000,
    },
    oidcLogin: { clientId: 'revcycle-web', clientSecret: undefined, redirectUri: 'https://billing.clinic.example/auth/oidc/callback' },
    sessions: { ...sessions, idleMs: 15 * 60_000, secure: true },
    rateLimit: { perMinute: 120, burst: 100 },
    corsOrigins: ['https://ui.clinic.example', 'http://127.0.0.1:8233'],
  });
  expect(problemsOf({ OIDC_ISSUER: 'https://idp.example' })).toEqual(['OIDC_ISSUER, OIDC_JWKS_URL: set both to accept OIDC tokens, or neither']);
  expect(problemsOf({ OIDC_ISSUER: 'https://idp.example', OIDC_JWKS_URL: 'https://idp.example/certs' })[0]).toMatch(
    /^OIDC_AUDIENCE: required with OIDC_ISSUER/,
  );
  expect(problemsOf({ OIDC_CLIENT_ID: 'web' })[0]).toMatch(/^OIDC_CLIENT_ID: the OIDC login needs OIDC_ISSUER/);
  expect(parseConfig({ NODE_ENV: 'test', SIGN_IN_WITH_API_KEY: 'false' }).auth.sessions.keySignIn).toBe(false);
  expect(problemsOf({ CORS_ALLOWED_ORIGINS: 'https://ui.example/path' })[0]).toMatch(/^CORS_ALLOWED_ORIGINS: "https:\/\/ui.example\/path" is not an origin/);
  expect(problemsOf({ RATE_LIMIT_BURST: '0' })[0]).toMatch(/^RATE_LIMIT_BURST:/);
});

describe('clearinghouse transport', () => {
  const external = { START_SIMULATORS: 'false', EHR_FHIR_URL: 'http://ehr', CLEARINGHOUSE_URL: 'http://ch', PMS_MODE: 'rest', PMS_REST_URL: 'http://pms' };

  test('http by default; a CORE password and an SSH key come from files; the CORE ids default to the ISA ids', () => {
    expect(parseConfig({}).clearinghouse.transport).toBe('http');
    const dir = mkdtempSync(join(tmpdir(), 'ch-'));
    writeFileSync(join(dir, 'pw'), 's3cret\n');
    writeFileSync(join(dir, 'key'), '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n');
    const c = parseConfig({
      CLEARINGHOUSE_TRANSPORT: 'core-soap',
      CLEARINGHOUSE_CORE_USERNAME: 'northside',
      CLEARINGHOUSE_CORE_PASSWORD_FILE: join(dir, 'pw'),
      SUBMITTER_ID: 'NORTH01',
      CLEARINGHOUSE_SFTP_PRIVATE_KEY_FILE: join(dir, 'key'),
    });
    expect(c.clearinghouse.core).toMatchObject({
      username: 'northside',
      password: 's3cret',
      senderId: 'NORTH01',
      receiverId: 'CLEARINGHOUSE',
      credentialsGiven: true,
    });
    expect(c.clearinghouse.sftp.privateKey).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(problemsOf({ CLEARINGHOUSE_TRANSPORT: 'ftp' })[0]).toMatch(/^CLEARINGHOUSE_TRANSPORT:/);
  });

  test('SFTP without simulators needs host, user and key; production needs the pinned host key and real CORE credentials', () => {
    expect(problemsOf({ ...external, CLEARINGHOUSE_TRANSPORT: 'sftp' })).toEqual([
      expect.stringMatching(/^CLEARINGHOUSE_SFTP_HOST, CLEARINGHOUSE_SFTP_USERNAME, CLEARINGHOUSE_SFTP_PRIVATE_KEY/),
    ]);
    expect(problemsOf({ NODE_ENV: 'production', CLEARINGHOUSE_TRANSPORT: 'core-mime' })).toContainEqual(
      expect.stringMatching(/^CLEARINGHOUSE_CORE_USERNAME, CLEARINGHOUSE_CORE_PASSWORD/),
    );
    expect(problemsOf({ NODE_ENV: 'production', CLEARINGHOUSE_TRANSPORT: 'sftp' })).toContainEqual(
      expect.stringMatching(/^CLEARINGHOUSE_SFTP_HOST_KEY_SHA256:/),
    );
    expect(problemsOf({ CLEARINGHOUSE_SFTP_HOST_KEY_SHA256: 'md5:aa' })[0]).toMatch(/^CLEARINGHOUSE_SFTP_HOST_KEY_SHA256:/);
  });
});
