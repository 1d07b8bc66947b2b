/**
 * Throw-away PKI for TLS tests, made with the openssl CLI (scripts/tools.sh installs it
 * where it is missing): CAs, and leaf certificates they issue, as
 * PEM files in a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  key: Buffer;
  cert: Buffer;
  keyFile: string;
  certFile: string;
}

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'revcycle-pki-'));

  private run(args: string[]): void {
    execFileSync('openssl', args, { stdio: 'pipe' });
  }

  private read(name: string): Pem {
    const keyFile = join(this.dir, `${name}.key`);
    const certFile = join(this.dir, `${name}.crt`);
    return { key: readFileSync(keyFile), cert: readFileSync(certFile), keyFile, certFile };
  }

  /** A self-signed CA (P-256, one day). */
  ca(name: string): Pem {
    const key = join(this.dir, `${name}.key`);
    this.run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    this.run([
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-out',
      join(this.dir, `${name}.crt`),
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return this.read(name);
  }

  /** A leaf issued by `ca` for 127.0.0.1 and localhost, usable as a TLS server and client certificate. */
  leaf(name: string, ca: Pem): Pem {
    const key = join(this.dir, `${name}.key`);
    const csr = join(this.dir, `${name}.csr`);
    const ext = join(this.dir, `${name}.ext`);
    this.run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    this.run(['req', '-new', '-key', key, '-out', csr, '-subj', `/CN=${name}`]);
    writeFileSync(
      ext,
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
    );
    this.run([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-CAcreateserial',
      '-out',
      join(this.dir, `${name}.crt`),
      '-days',
      '1',
      '-extfile',
      ext,
    ]);
    return this.read(name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
