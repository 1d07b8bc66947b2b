/**
 * A real OpenSSH server for the SFTP tests: Debian openssh-server's sshd (scripts/tools.sh
 * installs it), run in the foreground from a generated config on a free loopback port, with
 * a generated host key and one key-only user (root: the tests run as root; password and
 * keyboard-interactive logins off). `sshdUnavailable()` says why it cannot run, for the skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

const SSHD = '/usr/sbin/sshd';

export function sshdUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install openssh-server; scripts/tools.sh does it as root)`;
  if (process.getuid?.() !== 0) return 'sshd runs its key-only user as root here; the tests are not running as root';
  if (spawnSync('ssh-keygen', ['-?']).error) return 'ssh-keygen is not installed';
  return undefined;
}

export interface Sshd {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  /** `SHA256:…` of the host key, as a client pins it. */
  hostKeySha256: string;
  /** A folder the SFTP user may use (inbound/, outbound/ … are made under it by the test). */
  root: string;
  stop(): Promise<void>;
}

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

async function listening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port }, () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startSshd(): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'revcycle-sshd-'));
  const root = join(dir, 'sftp');
  mkdirSync(root);
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'user_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')), { mode: 0o600 });
  const port = await freePort();
  mkdirSync('/run/sshd', { recursive: true }); // privilege separation directory sshd insists on
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      'PidFile none',
      'UsePAM no',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      `AllowUsers ${userInfo().username}`,
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
    ].join('\n') + '\n',
  );
  const fp = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'host_key.pub')])
    .stdout.toString()
    .split(' ')[1];
  let log = '';
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  try {
    await listening(port, child, () => log);
  } catch (err) {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    username: userInfo().username,
    privateKey: readFileSync(join(dir, 'user_key'), 'utf8'),
    hostKeySha256: fp,
    root,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP relay in front of sshd that cuts the connection once `cutAfterBytes` have passed in
 * the given direction: a connection dropped mid-transfer, with the real server behind it.
 */
export async function startCuttingRelay(
  target: number,
  direction: 'up' | 'down',
  cutAfterBytes: number,
): Promise<{ port: number; cuts: number; close(): Promise<void> }> {
  const state = { port: 0, cuts: 0, cutting: true, close: async () => {} };
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: target });
    sockets.add(client).add(upstream);
    let passed = 0;
    const cut = () => {
      state.cuts++;
      client.destroy();
      upstream.destroy();
    };
    const count = (n: number) => {
      passed += n;
      if (state.cutting && passed > cutAfterBytes) cut();
    };
    client.on('data', (c: Buffer) => {
      if (direction === 'up') count(c.length);
      if (!upstream.destroyed) upstream.write(c);
    });
    upstream.on('data', (c: Buffer) => {
      if (direction === 'down') count(c.length);
      if (!client.destroyed) client.write(c);
    });
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(s);
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as AddressInfo).port;
  state.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  };
  return state;
}
