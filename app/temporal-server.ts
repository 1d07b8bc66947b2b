/**
 * The real Temporal server on the billing record's Postgres (databases `temporal` and
 * `temporal_visibility`), the production shape on one machine: built once from the
 * pinned Go module by scripts/temporal-server-build.sh, schema set up and upgraded by
 * its own temporal-sql-tool from the schema files in the module source, configured by
 * config/temporal/server.yaml (the template docker-compose uses too), our search
 * attributes registered, and the standalone Web UI (temporalio/ui-server, the built UI
 * embedded) beside it, decoding payloads through revcycle's codec endpoint with the
 * browser's own credentials (the API's session cookie). Its logs go to DATA_DIR/temporal.log.
 */
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import type { Config } from '../config';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { StartupError } from './startup-error';
import { stopChild, waitUntilServing } from './temporal-dev';

const root = join(__dirname, '..');
const bin = (name: string) => join(root, '.tools', 'temporal', 'bin', name);
const schemaDir = join(root, '.tools', 'temporal', 'schema', 'postgresql', 'v12');

/**
 * Builds the pinned server and Web UI once (minutes when cold, instant after). Its progress
 * lines pass through as they come; when it fails, its own one line (which part, which module
 * the proxy refused) becomes the start-up error instead of being printed twice.
 */
export async function buildTemporalServer(): Promise<void> {
  const child = spawn('bash', [join(root, 'scripts', 'temporal-server-build.sh')], { stdio: ['ignore', 'inherit', 'pipe'] });
  let failure: string | undefined;
  let rest = '';
  const line = (l: string) => {
    if (/^revcycle: .* cannot be built: |^revcycle: .* is required /.test(l)) failure = l;
    else if (l) process.stderr.write(`${l}\n`);
  };
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop()!;
    lines.forEach(line);
  });
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
  line(rest);
  if (code === 0) return;
  const [, reason = `scripts/temporal-server-build.sh exited with code ${code}`, fix = 'run scripts/temporal-server-build.sh to see why'] =
    /^revcycle: (.*?)(?: \(([^()]*)\))?$/.exec(failure ?? '') ?? [];
  throw new StartupError('Temporal build', reason, fix);
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
  const tool = (...args: string[]) =>
    execFileSync(
      bin('temporal-sql-tool'),
      [
        '--plugin',
        'postgres12',
        '--endpoint',
        pg.hostname,
        '--port',
        pg.port || '5432',
        '--user',
        decodeURIComponent(pg.username),
        '--password',
        decodeURIComponent(pg.password),
        '--database',
        database,
        ...args,
      ],
      { stdio: ['ignore', log, log] },
    );
  if (fresh) tool('setup-schema', '-v', '0.0');
  tool('update-schema', '-d', join(schemaDir, versioned, 'versioned'));
}

export function temporalServerEnv(config: Config, databaseUrl: string): NodeJS.ProcessEnv {
  const pg = new URL(databaseUrl);
  return {
    POSTGRES_SEEDS: pg.hostname,
    DB_PORT: pg.port || '5432',
    POSTGRES_USER: decodeURIComponent(pg.username),
    POSTGRES_PWD: decodeURIComponent(pg.password),
    FRONTEND_GRPC_PORT: String(config.temporal.devPort),
    TEMPORAL_INTERNAL_PORTS_FROM: String(config.temporal.internalPortsFrom),
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: join(root, 'config', 'temporal', 'dynamicconfig.yaml'),
  };
}

/** revcycle's codec endpoint for the Web UI, and what the UI says (with a link) when the codec refuses it. */
export interface UiCodec {
  endpoint: string;
  /** Where a person who is not signed in (or may not read PHI) is sent: the API's sign-in page. */
  signInUrl?: string;
  message?: string;
}

/**
 * The ui-server's configuration. `codec.includeCredentials` makes the UI's codec calls
 * `fetch(…, { credentials: 'include' })`, so the browser sends the API's session cookie to
 * `/codec/decode`; `passAccessToken` stays off (it forwards the UI's own OIDC token, and
 * without one the UI skips decoding altogether). `defaultErrorMessage`/`defaultErrorLink`
 * replace the UI's "Codec Server could not connect" banner when the codec refuses.
 */
export function temporalUiConfig(opts: { temporalAddress: string; port: number; namespace: string; codec?: UiCodec }): string {
  const c = opts.codec;
  return [
    `temporalGrpcAddress: ${opts.temporalAddress}`,
    'host: 127.0.0.1',
    `port: ${opts.port}`,
    'enableUi: true',
    `defaultNamespace: ${opts.namespace}`,
    'cors:',
    '  cookieInsecure: true',
    ...(c ? ['codec:', `  endpoint: ${JSON.stringify(c.endpoint)}`, '  passAccessToken: false', '  includeCredentials: true'] : []),
    ...(c?.message ? [`  defaultErrorMessage: ${JSON.stringify(c.message)}`] : []),
    ...(c?.signInUrl ? [`  defaultErrorLink: ${JSON.stringify(c.signInUrl)}`] : []),
    '',
  ].join('\n');
}

/** `codec`: the Web UI decodes payloads through it (revcycle's API, /codec) with the person's session. */
export async function startTemporalServer(opts: {
  config: Config;
  dataDir: string;
  databaseUrl: string;
  codec?: UiCodec;
}): Promise<{ address: string; uiUrl: string; stop(): Promise<void> }> {
  const { config } = opts;
  await buildTemporalServer();
  const logFile = join(opts.dataDir, 'temporal.log');
  const log = openSync(logFile, 'a');
  const pg = new URL(opts.databaseUrl);
  await setupSchema(pg, 'temporal', 'temporal', log);
  await setupSchema(pg, 'temporal_visibility', 'visibility', log);

  const server = spawn(bin('temporal-server'), ['--config-file', join(root, 'config', 'temporal', 'server.yaml'), '--allow-no-auth', 'start'], {
    env: { ...process.env, ...temporalServerEnv(config, opts.databaseUrl) },
    stdio: ['ignore', log, log],
  });
  const address = `127.0.0.1:${config.temporal.devPort}`;
  const uiUrl = `http://127.0.0.1:${config.temporal.uiPort}`;
  const children: ChildProcess[] = [server];
  const stop = async () => {
    for (const c of children.reverse()) await stopChild(c);
  };
  try {
    await waitUntilServing(address, server, 120_000, `see ${logFile}`);
    await registerNamespaceAndSearchAttributes(address, config.temporal.namespace);
    // ui-server reads <dir>/<env>.yaml: its own file in the data directory, rewritten on every start.
    writeFileSync(
      join(opts.dataDir, 'temporal-ui.yaml'),
      temporalUiConfig({ temporalAddress: address, port: config.temporal.uiPort, namespace: config.temporal.namespace, codec: opts.codec }),
    );
    // --root: ui-server joins root and config dir as one relative path, so an absolute --config alone is read from the working directory.
    const ui = spawn(bin('ui-server'), ['--root', opts.dataDir, '--config', '.', '--env', 'temporal-ui', 'start'], { stdio: ['ignore', log, log] });
    ui.once('error', () => undefined); // reported by waitForUi, which sees the exit
    children.push(ui);
    await waitForUi(uiUrl, ui, 30_000, `see ${logFile}; check TEMPORAL_UI_PORT is free`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, uiUrl, stop };
}

/** Until the UI server answers its health check (it listens a moment after it starts). */
async function waitForUi(url: string, child: ChildProcess, timeoutMs: number, hint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.pid === undefined) {
      throw new StartupError('Temporal Web UI', `ui-server exited with code ${child.exitCode ?? 'none'} while starting on ${url}`, hint);
    }
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new StartupError('Temporal Web UI', `not serving at ${url} after ${timeoutMs / 1000} s`, hint);
    await new Promise((r) => setTimeout(r, 200));
  }
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
    const type: Record<string, number> = {
      KEYWORD: T.INDEXED_VALUE_TYPE_KEYWORD,
      KEYWORD_LIST: T.INDEXED_VALUE_TYPE_KEYWORD_LIST,
      INT: T.INDEXED_VALUE_TYPE_INT,
      DATETIME: T.INDEXED_VALUE_TYPE_DATETIME,
    };
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
