/**
 * The clearinghouse simulator's SFTP server for `npm start` with CLEARINGHOUSE_TRANSPORT=sftp:
 * the `ssh2` package's server (the tests use a real OpenSSH sshd instead), one user with one
 * public key, serving a local folder as its root ('/' and relative paths both resolve inside
 * it; nothing outside can be named). Only the SFTP operations a batch mailbox needs: open,
 * read, write, close, stat, directory listing, rename (never over an existing name), remove,
 * mkdir, realpath.
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  existsSync,
  type Stats,
} from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join, normalize, resolve, sep } from 'node:path';
import { Server, utils, type Connection } from 'ssh2';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

export interface SimSftpServer {
  port: number;
  close(): Promise<void>;
}

export async function startSftpServer(opts: {
  host: string;
  port: number;
  root: string;
  username: string;
  hostKey: string;
  authorizedKey: string;
}): Promise<SimSftpServer> {
  const allowed = utils.parseKey(opts.authorizedKey);
  if (allowed instanceof Error) throw allowed;
  const allowedKey = Array.isArray(allowed) ? allowed[0] : allowed;
  const root = resolve(opts.root);
  mkdirSync(root, { recursive: true });
  const inside = (p: string): string | undefined => {
    const full = resolve(root, normalize(p).replace(/^\/+/, ''));
    return full === root || full.startsWith(root + sep) ? full : undefined;
  };
  const connections = new Set<Connection>();

  const server = new Server({ hostKeys: [opts.hostKey] }, (client) => {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || ctx.username !== opts.username || ctx.key.algo !== allowedKey.type) return ctx.reject(['publickey']);
      const pub = allowedKey.getPublicSSH();
      if (ctx.key.data.length !== pub.length || !timingSafeEqual(ctx.key.data, pub)) return ctx.reject(['publickey']);
      if (ctx.signature && ctx.blob && allowedKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          const files = new Map<number, { fd?: number; dir?: string[]; path: string }>();
          let next = 0;
          const handleOf = (buf: Buffer) => files.get(buf.readUInt32BE(0));
          const newHandle = (entry: { fd?: number; dir?: string[]; path: string }) => {
            const b = Buffer.alloc(4);
            b.writeUInt32BE(++next);
            files.set(next, entry);
            return b;
          };
          const attrs = (s: Stats) => ({
            mode: s.mode,
            uid: s.uid,
            gid: s.gid,
            size: s.size,
            atime: Math.floor(s.atimeMs / 1000),
            mtime: Math.floor(s.mtimeMs / 1000),
          });
          const guard = (reqid: number, work: () => void) => {
            try {
              work();
            } catch (err) {
              const code = (err as NodeJS.ErrnoException).code;
              sftp.status(reqid, code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : code === 'EACCES' ? STATUS_CODE.PERMISSION_DENIED : STATUS_CODE.FAILURE);
            }
          };
          const path = (reqid: number, p: string, then: (full: string) => void) => {
            const full = inside(p);
            if (!full) return void sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
            guard(reqid, () => then(full));
          };
          sftp.on('OPEN', (reqid, filename, flags) =>
            path(reqid, filename, (full) => {
              const mode =
                flags & OPEN_MODE.WRITE
                  ? flags & OPEN_MODE.APPEND
                    ? 'a'
                    : flags & OPEN_MODE.EXCL
                      ? 'wx'
                      : flags & OPEN_MODE.TRUNC || flags & OPEN_MODE.CREAT
                        ? 'w'
                        : 'r+'
                  : 'r';
              sftp.handle(reqid, newHandle({ fd: openSync(full, mode), path: full }));
            }),
          );
          sftp.on('READ', (reqid, handle, offset, length) =>
            guard(reqid, () => {
              const f = handleOf(handle);
              if (f?.fd === undefined) return void sftp.status(reqid, STATUS_CODE.FAILURE);
              const buf = Buffer.alloc(length);
              const n = readSync(f.fd, buf, 0, length, offset);
              if (n === 0) sftp.status(reqid, STATUS_CODE.EOF);
              else sftp.data(reqid, buf.subarray(0, n));
            }),
          );
          sftp.on('WRITE', (reqid, handle, offset, data) =>
            guard(reqid, () => {
              const f = handleOf(handle);
              if (f?.fd === undefined) return void sftp.status(reqid, STATUS_CODE.FAILURE);
              writeSync(f.fd, data, 0, data.length, offset);
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
          sftp.on('FSTAT', (reqid, handle) =>
            guard(reqid, () => {
              const f = handleOf(handle);
              if (f?.fd === undefined) return void sftp.status(reqid, STATUS_CODE.FAILURE);
              sftp.attrs(reqid, attrs(fstatSync(f.fd)));
            }),
          );
          sftp.on('FSETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
          sftp.on('SETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
          sftp.on('CLOSE', (reqid, handle) =>
            guard(reqid, () => {
              const f = handleOf(handle);
              if (!f) return void sftp.status(reqid, STATUS_CODE.FAILURE);
              if (f.fd !== undefined) closeSync(f.fd);
              files.delete(handle.readUInt32BE(0));
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
          sftp.on('OPENDIR', (reqid, p) =>
            path(reqid, p, (full) => {
              if (!statSync(full).isDirectory()) return void sftp.status(reqid, STATUS_CODE.FAILURE);
              sftp.handle(reqid, newHandle({ dir: readdirSync(full), path: full }));
            }),
          );
          sftp.on('READDIR', (reqid, handle) =>
            guard(reqid, () => {
              const f = handleOf(handle);
              if (!f?.dir) return void sftp.status(reqid, STATUS_CODE.FAILURE);
              if (!f.dir.length) return void sftp.status(reqid, STATUS_CODE.EOF);
              const names = f.dir.splice(0, f.dir.length).flatMap((name) => {
                const s = existsSync(join(f.path, name)) ? statSync(join(f.path, name)) : undefined;
                return s
                  ? [{ filename: name, longname: `${s.isDirectory() ? 'd' : '-'}rw-r--r-- 1 sim sim ${s.size} Jan 1 00:00 ${name}`, attrs: attrs(s) }]
                  : [];
              });
              sftp.name(reqid, names);
            }),
          );
          const stat = (reqid: number, p: string) => path(reqid, p, (full) => sftp.attrs(reqid, attrs(statSync(full))));
          sftp.on('STAT', stat);
          sftp.on('LSTAT', stat);
          sftp.on('REALPATH', (reqid, p) => {
            const full = inside(p);
            if (!full) return void sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
            const shown = `/${full
              .slice(root.length + 1)
              .split(sep)
              .join('/')}`;
            sftp.name(reqid, [{ filename: shown, longname: shown, attrs: {} as never }]);
          });
          sftp.on('RENAME', (reqid, from, to) =>
            path(reqid, from, (src) =>
              path(reqid, to, (dst) => {
                if (existsSync(dst)) return void sftp.status(reqid, STATUS_CODE.FAILURE, 'the target exists');
                renameSync(src, dst);
                sftp.status(reqid, STATUS_CODE.OK);
              }),
            ),
          );
          sftp.on('REMOVE', (reqid, p) =>
            path(reqid, p, (full) => {
              rmSync(full);
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
          sftp.on('MKDIR', (reqid, p) =>
            path(reqid, p, (full) => {
              mkdirSync(full);
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
        });
      });
    });
  });
  await new Promise<void>((r, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => r());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const c of connections) c.end();
      await new Promise((r) => server.close(() => r(undefined)));
    },
  };
}

/**
 * The development keys of `npm start`'s simulated SFTP partner, made once under `dir` (mode 0600):
 * the server's host key, and revcycle's user key the server accepts. Answers the files and the
 * host key's fingerprint (SHA256:…) revcycle pins.
 */
export function simSftpKeys(dir: string): { hostKeyFile: string; userKeyFile: string; userPublicKeyFile: string; hostKeySha256: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { hostKeyFile: join(dir, 'host_key'), userKeyFile: join(dir, 'user_key'), userPublicKeyFile: join(dir, 'user_key.pub') };
  if (!existsSync(files.hostKeyFile)) writeFileSync(files.hostKeyFile, utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
  if (!existsSync(files.userKeyFile) || !existsSync(files.userPublicKeyFile)) {
    const user = utils.generateKeyPairSync('ed25519');
    writeFileSync(files.userKeyFile, user.private, { mode: 0o600 });
    writeFileSync(files.userPublicKeyFile, user.public, { mode: 0o600 });
  }
  const host = utils.parseKey(readFileSync(files.hostKeyFile, 'utf8'));
  if (host instanceof Error) throw host;
  const pub = (Array.isArray(host) ? host[0] : host).getPublicSSH();
  return { ...files, hostKeySha256: `SHA256:${createHash('sha256').update(pub).digest('base64').replace(/=+$/, '')}` };
}
