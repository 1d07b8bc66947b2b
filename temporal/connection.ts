/**
 * How every revcycle process reaches Temporal: the one place connection options are built
 * from configuration, for the client (`Connection`) and the worker (`NativeConnection`) alike.
 * TLS (server CA, client certificate for mTLS, server name) and a Temporal Cloud API key come
 * from config; the files are read here, when a process connects, so renewed certificates are
 * picked up on restart.
 */
import type { TLSConfig } from '@temporalio/client';
import { readFileSync } from 'node:fs';

/** TLS to the frontend as configured (TEMPORAL_TLS_* in config/index.ts): file paths, read when connecting. */
export interface TemporalTls {
  caFile?: string;
  clientCert?: { certFile: string; keyFile: string };
  serverName?: string;
}

/** What `Connection.connect` and `NativeConnection.connect` both take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

function readPem(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export function tlsConfigOf(tls: TemporalTls): TLSConfig {
  return {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: tls.caFile ? readPem(tls.caFile, 'TEMPORAL_TLS_CA_FILE') : undefined,
    clientCertPair: tls.clientCert
      ? { crt: readPem(tls.clientCert.certFile, 'TEMPORAL_TLS_CERT_FILE'), key: readPem(tls.clientCert.keyFile, 'TEMPORAL_TLS_KEY_FILE') }
      : undefined,
  };
}

/** The options for `address` under this configuration: plain TCP, TLS, mTLS, with or without an API key. */
export function temporalConnectionOptions(config: { tls?: TemporalTls; apiKey?: string }, address: string): TemporalConnectionOptions {
  return {
    address,
    ...(config.tls ? { tls: tlsConfigOf(config.tls) } : {}),
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
  };
}
