/**
 * The client and the worker reach Temporal over mutual TLS with the options built from
 * configuration. The `temporal server start-dev` CLI has no TLS flags, so the run's real dev
 * server is put behind a TLS terminator that demands a client certificate signed by our CA
 * (what a Temporal frontend with `requireClientAuth` does); gRPC flows through it unchanged.
 */
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { parseConfig } from '../config';
import { temporalAddress } from '../test/support';
import { temporalConnectionOptions } from './connection';

let dir: string;
let proxy: Server;
let proxyAddress: string;
const sockets = new Set<Socket>();
const authorizedPeers: string[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA, a server certificate for `localhost`, a client certificate signed by the CA, and one signed by nobody we trust. */
function makeCertificates(): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=revcycle test CA');
  for (const [name, cn] of [
    ['server', 'localhost'],
    ['client', 'revcycle-worker'],
  ]) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(
      join(dir, `${name}.ext`),
      name === 'server' ? 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  }
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'stranger.key', '-out', 'stranger.pem', '-days', '1', '-subj', '/CN=stranger');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'temporal-mtls-'));
  makeCertificates();
  const [host, port] = temporalAddress().split(':');
  proxy = createServer(
    {
      key: readFileSync(join(dir, 'server.key')),
      cert: readFileSync(join(dir, 'server.pem')),
      ca: readFileSync(join(dir, 'ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (tls: TLSSocket) => {
      authorizedPeers.push(String(tls.getPeerCertificate().subject?.CN));
      const upstream = tcpConnect(Number(port), host);
      for (const s of [tls, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      tls.pipe(upstream).pipe(tls);
    },
  );
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyAddress = `localhost:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => proxy.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const tlsEnv = () => ({
  TEMPORAL_TLS_CA_FILE: join(dir, 'ca.pem'),
  TEMPORAL_TLS_CERT_FILE: join(dir, 'client.pem'),
  TEMPORAL_TLS_KEY_FILE: join(dir, 'client.key'),
  TEMPORAL_TLS_SERVER_NAME: 'localhost',
});

test('the client (Connection) speaks to Temporal over mTLS with the options built from config', async () => {
  const config = parseConfig(tlsEnv());
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal, proxyAddress));
  try {
    const ns = await connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(ns.namespaceInfo?.name).toBe('default');
    expect(authorizedPeers).toContain('revcycle-worker');
  } finally {
    await connection.close();
  }
});

test('the worker (NativeConnection) speaks to Temporal over mTLS with the same options', async () => {
  const config = parseConfig(tlsEnv());
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal, proxyAddress));
  try {
    const ns = await connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(ns.namespaceInfo?.name).toBe('default');
  } finally {
    await connection.close();
  }
});

test('a client certificate the server does not trust, or none, is refused', async () => {
  const stranger = parseConfig({ ...tlsEnv(), TEMPORAL_TLS_CERT_FILE: join(dir, 'stranger.pem'), TEMPORAL_TLS_KEY_FILE: join(dir, 'stranger.key') });
  const noCert = parseConfig({ TEMPORAL_TLS_CA_FILE: join(dir, 'ca.pem'), TEMPORAL_TLS_SERVER_NAME: 'localhost' });
  for (const config of [stranger, noCert]) {
    await expect(NativeConnection.connect(temporalConnectionOptions(config.temporal, proxyAddress))).rejects.toThrow(/transport|tls|certificate|connect/i);
  }
});

test('a missing certificate file is named by its variable', () => {
  const config = parseConfig({ ...tlsEnv(), TEMPORAL_TLS_KEY_FILE: join(dir, 'nowhere.key') });
  expect(() => temporalConnectionOptions(config.temporal, proxyAddress)).toThrow(`TEMPORAL_TLS_KEY_FILE: cannot read ${join(dir, 'nowhere.key')} (ENOENT)`);
});
