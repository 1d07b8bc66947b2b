/**
 * The real Temporal server on the billing record's Postgres (databases `temporal` and
 * `temporal_visibility`), the production shape on one machine: built once from the
 * pinned Go module by scripts/temporal-server-build.sh, schema set up and upgraded by
 * its own temporal-sql-tool from the schema files in the module source, configured by
 * config/temporal/server.yaml (the template docker-compose uses too), our search
 * attributes registered, and the standalone Web UI (temporalio/ui-server) beside it.
 * Its logs go to DATA_DIR/temporal.log.
 */
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import type { Config } from '../config';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { stopChild, waitUntilServing } from './temporal-dev';

const root = join(__dirname, '..');
const bin = (name: string) => join(root, '.tools', 'temporal', 'bin', name);
const schemaDir = join(root, '.tools', 'temporal', 'schema', 'postgresql', 'v12');

/** Builds the pinned server once (minutes when cold, instant after). */
export function buildTemporalServer(): void {
  execFileSync('bash', [join(root, 'scripts', 'temporal-server-build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Creates the database if needed; on first use sets up the schema, and always upgrades it to the server's version. */
async function setupSchema(pg: URL, database: string, versioned: string, log: number): Promise<void> {
  const admin = new PgClient({ connectionString: pg.toString() });
  await admin.connect();
  let fresh: boolean;
  try {
    if (!(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount) await admin.query(`CREATE DATABASE "${database}"`);
    const db = new PgClient({ connectionString: Object.assign(new URL(pg), { pathname: `/${database}` }).toString() });
    await db.connect();
    fresh = !(await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_version'")).rowCount;
    await db.end();
  } finally {
    await admin.end();
  }
  const tool = (...args: string[]) => execFileSync(bin('temporal-sql-tool'), [
    '--plugin', 'postgres12', '--endpoint', pg.hostname, '--port', pg.port || '5432',
    '--user', decodeURIComponent(pg.username), '--password', decodeURIComponent(pg.password), '--database', database, ...args,
  ], { stdio: ['ignore', log, log] });
  if (fresh) tool('setup-schema', '-v', '0.0');
  tool('update-schema', '-d', join(schemaDir, versioned, 'versioned'));
}

export function temporalServerEnv(config: Config, databaseUrl: string): NodeJS.ProcessEnv {
  const pg = new URL(databaseUrl);
  return {
    POSTGRES_SEEDS: pg.hostname, DB_PORT: pg.port || '5432',
    POSTGRES_USER: decodeURIComponent(pg.username), POSTGRES_PWD: decodeURIComponent(pg.password),
    FRONTEND_GRPC_PORT: String(config.temporal.devPort), TEMPORAL_INTERNAL_PORTS_FROM: String(config.temporal.internalPortsFrom),
    BIND_ON_IP: '127.0.0.1', TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: join(root, 'config', 'temporal', 'dynamicconfig.yaml'),
  };
}

export async function startTemporalServer(opts: { config: Config; dataDir: string; databaseUrl: string }): Promise<{ address: string; uiUrl: string; stop(): Promise<void> }> {
  const { config } = opts;
  buildTemporalServer();
  const logFile = join(opts.dataDir, 'temporal.log');
  const log = openSync(logFile, 'a');
  const pg = new URL(opts.databaseUrl);
  await setupSchema(pg, 'temporal', 'temporal', log);
  await setupSchema(pg, 'temporal_visibility', 'visibility', log);

  const server = spawn(bin('temporal-server'), ['--config-file', join(root, 'config', 'temporal', 'server.yaml'), '--allow-no-auth', 'start'], {
    env: { ...process.env, ...temporalServerEnv(config, opts.databaseUrl) }, stdio: ['ignore', log, log],
  });
  const address = `127.0.0.1:${config.temporal.devPort}`;
  const children: ChildProcess[] = [server];
  const withUi = existsSync(bin('ui-server'));
  const stop = async () => {
    for (const c of children.reverse()) await stopChild(c);
  };
  try {
    await waitUntilServing(address, server, 120_000, `see ${logFile}`);
    await registerNamespaceAndSearchAttributes(address, config.temporal.namespace);
    const uiConfig = join(opts.dataDir, 'temporal-ui.yaml');
    writeFileSync(uiConfig, [
      `temporalGrpcAddress: ${address}`, 'host: 127.0.0.1', `port: ${config.temporal.uiPort}`, 'enableUi: true',
      `defaultNamespace: ${config.temporal.namespace}`, 'cors:', '  cookieInsecure: true', '',
    ].join('\n'));
    if (withUi) {
      children.push(spawn(bin('ui-server'), ['--config', opts.dataDir, '--env', 'temporal-ui', 'start'], { stdio: ['ignore', log, log] }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const uiUrl = withUi ? `http://127.0.0.1:${config.temporal.uiPort}` : 'not built (see .tools/temporal/ui-build.log); `temporal workflow list --address ...` works';
  return { address, uiUrl, stop };
}

/** The dev server's --namespace and --search-attribute, done by hand: the real server starts with neither. */
async function registerNamespaceAndSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const svc = connection.workflowService;
    try {
      await svc.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('7 days') });
    } catch (err) {
      if (!/already exists|AlreadyExists/i.test((err as Error).message)) throw err;
    }
    const T = temporal.api.enums.v1.IndexedValueType;
    const type: Record<string, number> = { KEYWORD: T.INDEXED_VALUE_TYPE_KEYWORD, KEYWORD_LIST: T.INDEXED_VALUE_TYPE_KEYWORD_LIST, INT: T.INDEXED_VALUE_TYPE_INT, DATETIME: T.INDEXED_VALUE_TYPE_DATETIME };
    // The namespace may take a moment to be visible to the operator service.
    for (let attempt = 0; ; attempt++) {
      try {
        const existing = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !existing.customAttributes?.[k.name]);
        if (missing.length) {
          await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((k) => [k.name, type[k.type]])) });
        }
        return;
      } catch (err) {
        if (attempt >= 30) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    await connection.close();
  }
}
