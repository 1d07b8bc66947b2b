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
}

const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };

/** `${VAR:-default}` as docker compose substitutes it with nothing set in the shell. */
function environmentOf(service: string): NodeJS.ProcessEnv {
  const env = compose.services[service].environment ?? {};
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1')]),
  );
}

test.each(['api', 'worker'])('the %s service has every variable the app requires, and only variables it knows', (name) => {
  const env = environmentOf(name);
  const config = parseConfig({ ...env, ...TEST_SECRET_ENV }); // the secrets are required from the shell (${VAR:?}) // throws, naming the variable, on a bad or missing value
  expect(requireDeployed(config)).toEqual({ databaseUrl: expect.stringContaining('@postgres:5432/revcycle'), temporalAddress: 'temporal:7233' });
  expect(config.simulators.start).toBe(false);
  expect(Object.keys(env).filter((k) => !CONFIG_VARIABLES.includes(k))).toEqual([]);
});

test('api and worker run the entry points that exist in this repository', () => {
  expect(compose.services.api.command).toEqual(['npx', 'tsx', 'app/api-main.ts']);
  expect(compose.services.worker.command).toEqual(['npx', 'tsx', 'app/worker-main.ts']);
  for (const s of ['api', 'worker', 'simulators']) {
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
