/**
 * There is no Docker engine here, so the production shape is checked by reading it:
 * every process gets a configuration the app accepts, and Temporal gets our search attributes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, parseConfig, requireDeployed } from '../config';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { TEST_SECRET_ENV } from './secrets';

interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  environment?: Record<string, string | number>;
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}

const composeText = readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };

/** A URL-safe value for each `${VAR:?}` the operator must set (as `openssl rand -hex 24` would give). */
const required = (name: string) => `${name.toLowerCase().replace(/_/g, '')}0123456789abcdef`;

/** `${VAR:-default}` as docker compose substitutes it with nothing set in the shell; `${VAR:?msg}` as the operator sets it. */
function environmentOf(service: string): NodeJS.ProcessEnv {
  const env = compose.services[service].environment ?? {};
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v)
        .replace(/\$\{([A-Z0-9_]+):-([^}]*)\}/g, '$2')
        .replace(/\$\{([A-Z0-9_]+):\?[^}]*\}/g, (_, name: string) => required(name)),
    ]),
  );
}

test.each(['api', 'worker', 'migrate'])('the %s service has every variable the app requires, and only variables it knows', (name) => {
  const env = environmentOf(name);
  const config = parseConfig({ ...env, ...TEST_SECRET_ENV }); // the secrets are required from the shell (${VAR:?}) // throws, naming the variable, on a bad or missing value
  expect(config.env).toBe('production');
  expect(requireDeployed(config)).toEqual({
    databaseUrl: `postgres://revcycle_app:${required('REVCYCLE_APP_DB_PASSWORD')}@postgres:5432/revcycle`,
    temporalAddress: 'temporal:7233',
  });
  expect(config.simulators.start).toBe(false);
  expect(Object.keys(env).filter((k) => !CONFIG_VARIABLES.includes(k))).toEqual([]);
});

test('api and worker run the entry points that exist in this repository', () => {
  expect(compose.services.api.command).toEqual(['npx', 'tsx', 'app/api-main.ts']);
  expect(compose.services.worker.command).toEqual(['npx', 'tsx', 'app/worker-main.ts']);
  expect(compose.services.migrate.command).toEqual(['npx', 'tsx', 'app/migrate-main.ts']);
  for (const s of ['api', 'worker', 'simulators', 'migrate']) {
    const script = (compose.services[s].command as string[])[2];
    expect(() => readFileSync(join(__dirname, '..', script))).not.toThrow();
  }
});

test('the production shape has Postgres, Temporal on Postgres, the Temporal UI, and our search attributes', () => {
  expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'api', 'worker']));
  expect(compose.services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
  const registration = String((compose.services['temporal-search-attributes'].command as string[])[0]);
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', INT: 'Int', DATETIME: 'Datetime' };
  const registered = [...registration.matchAll(/(\w+)=(\w+)/g)].map((m) => `${m[1]}=${m[2]}`).sort();
  expect(registered).toEqual(ALL_SEARCH_ATTRIBUTES.map((k) => `${k.name}=${cliType[k.type]}`).sort());
});

test('Temporal in docker-compose runs with the values of the template npm start -- --temporal=postgres renders, and its dynamic configuration', () => {
  const template = readFileSync(join(__dirname, '..', 'config', 'temporal', 'server.yaml'), 'utf8');
  const defaultOf = (name: string) => new RegExp(`default "([^"]*)" \\(env "${name}"\\)`).exec(template)?.[1];
  const env = compose.services.temporal.environment!;
  for (const name of ['NUM_HISTORY_SHARDS', 'SQL_MAX_CONNS']) expect([name, String(env[name])]).toEqual([name, defaultOf(name)]);
  const volumes = (compose.services.temporal as { volumes?: string[] }).volumes ?? [];
  expect(volumes).toContain(`./config/temporal/dynamicconfig.yaml:${env.DYNAMIC_CONFIG_FILE_PATH}:ro`);
});

test('the simulators service is a demo profile and accepts its own configuration', () => {
  expect(compose.services.simulators.profiles).toEqual(['demo']);
  const config = parseConfig({ ...environmentOf('simulators'), START_SIMULATORS: 'true' });
  expect(config.simulators).toMatchObject({ host: '0.0.0.0', revcycleHost: 'api' });
});

describe('fails closed', () => {
  const published = (service: string) => compose.services[service].ports ?? [];

  test('no Temporal port is published beyond 127.0.0.1: the frontend (7233) and the Web UI (8080)', () => {
    expect(published('temporal')).toEqual(['127.0.0.1:7233:7233']);
    expect(published('temporal-ui')).toEqual(['127.0.0.1:8080:8080']);
    for (const [name, s] of Object.entries(compose.services)) {
      for (const p of s.ports ?? []) {
        // host:container or container alone publishes on every interface: only revcycle's own authenticated ports may.
        if (!p.startsWith('127.0.0.1:')) expect([name, p]).toEqual([expect.stringMatching(/^(api|simulators)$/), p]);
      }
    }
  });

  test('the Temporal Web UI asks for an OIDC login and passes the token to the codec endpoint', () => {
    const ui = environmentOf('temporal-ui');
    expect(ui).toMatchObject({
      TEMPORAL_AUTH_ENABLED: 'true',
      TEMPORAL_AUTH_TYPE: 'oidc',
      TEMPORAL_AUTH_SCOPES: 'openid,profile,email',
      TEMPORAL_CODEC_PASS_ACCESS_TOKEN: 'true',
      TEMPORAL_AUTH_PROVIDER_URL: required('TEMPORAL_UI_OIDC_PROVIDER_URL'),
      TEMPORAL_AUTH_CLIENT_ID: required('TEMPORAL_UI_OIDC_CLIENT_ID'),
      TEMPORAL_AUTH_CLIENT_SECRET: required('TEMPORAL_UI_OIDC_CLIENT_SECRET'),
    });
    for (const k of ['TEMPORAL_AUTH_PROVIDER_URL', 'TEMPORAL_AUTH_CLIENT_ID', 'TEMPORAL_AUTH_CLIENT_SECRET']) {
      expect([k, String(compose.services['temporal-ui'].environment![k])]).toEqual([k, expect.stringMatching(/^\$\{[A-Z_]+:\?/)]);
    }
  });

  test('the app, the migrations and Temporal log in as three different database users, none the superuser', () => {
    const users = {
      app: new URL(environmentOf('api').DATABASE_URL!).username,
      worker: new URL(environmentOf('worker').DATABASE_URL!).username,
      migrations: new URL(environmentOf('migrate').DATABASE_MIGRATION_URL!).username,
      temporal: String(compose.services.temporal.environment!.POSTGRES_USER),
    };
    expect(users).toEqual({ app: 'revcycle_app', worker: 'revcycle_app', migrations: 'revcycle_owner', temporal: 'temporal' });
    expect(compose.services.postgres.environment!.POSTGRES_USER).toBe('postgres');
    expect(environmentOf('api').DATABASE_MIGRATION_URL).toBeUndefined(); // the api never holds the owner's password
    expect(environmentOf('worker').DATABASE_MIGRATION_URL).toBeUndefined();
    // The roles the init script makes are the ones the services log in as, and revcycle's database is the owner's.
    const init = readFileSync(join(__dirname, '..', 'config', 'postgres', 'init-roles.sh'), 'utf8');
    for (const role of ['revcycle_owner', 'revcycle_app', 'temporal']) expect(init).toMatch(new RegExp(`CREATE ROLE ${role} LOGIN`));
    expect(init).toContain('CREATE DATABASE revcycle OWNER revcycle_owner');
    expect(compose.services.postgres.volumes).toContain('./config/postgres/init-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro');
    expect(compose.services.api.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
    expect(compose.services.worker.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
  });

  test('every password and secret is required from the operator: no default, no literal', () => {
    const passwords = [...composeText.matchAll(/\$\{([A-Z0-9_]*(PASSWORD|SECRET|KEYS)[A-Z0-9_]*)(:[-?])?/g)].map((m) => [m[1], m[3]]);
    expect(passwords.length).toBeGreaterThanOrEqual(10);
    for (const [name, how] of passwords) expect([name, how]).toEqual([name, ':?']);
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|PWD|SECRET/.test(k)) expect([name, k, String(v)]).toEqual([name, k, expect.stringMatching(/^\$\{[A-Z0-9_]+:\?/)]);
      }
    }
    expect(composeText).not.toMatch(/:-revcycle\b/);
  });

  test('production parses with TLS to Temporal waived in writing, and without the waiver refuses', () => {
    const env = { ...environmentOf('api'), ...TEST_SECRET_ENV };
    expect(parseConfig(env).temporal.tlsWaiver).toMatch(/compose network/);
    expect(() => parseConfig({ ...env, TEMPORAL_TLS_WAIVER: undefined })).toThrow(/TEMPORAL_TLS: required in production/);
  });

  test('the image runs in production mode', () => {
    expect(readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf8')).toMatch(/^ENV NODE_ENV=production$/m);
  });
});
