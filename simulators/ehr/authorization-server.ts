/**
 * The EHR's authorization server for SMART Backend Services, for tests and `npm start`
 * with EHR_AUTH=smart: npm oidc-provider (a certified OpenID/OAuth server, not ours), run
 * as its own Node process by oidc-provider-process.mjs because it ships only ES modules.
 * It knows one backend client (revcycle, by its public JWKS) and one resource server
 * (the EHR simulator, which introspects tokens with a random secret made here).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export interface AuthorizationServer {
  tokenEndpoint: string;
  introspectionEndpoint: string;
  /** What the EHR simulator authenticates to the introspection endpoint with. */
  gateway: { clientId: string; clientSecret: string };
  /** Destroys an access token early, as an administrator revoking it would. */
  revoke(token: string): Promise<boolean>;
  /** Access tokens issued so far. */
  issued(): Promise<number>;
  close(): Promise<void>;
}

export interface AuthorizationServerOptions {
  clientId: string;
  /** The backend client's public keys (revcycle's /.well-known/jwks.json). */
  clientJwks: { keys: object[] };
  /** Space-separated scopes the client may be granted. */
  scopes: string;
}

export async function startAuthorizationServer(opts: AuthorizationServerOptions): Promise<AuthorizationServer> {
  const gateway = { clientId: 'ehr-simulator', clientSecret: randomBytes(24).toString('hex') };
  const child: ChildProcess = fork(join(__dirname, 'oidc-provider-process.mjs'), [], {
    env: {
      ...process.env,
      CLIENT_ID: opts.clientId,
      CLIENT_JWKS: JSON.stringify(opts.clientJwks),
      SCOPES: opts.scopes,
      GATEWAY_ID: gateway.clientId,
      GATEWAY_SECRET: gateway.clientSecret,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: [],
  });
  const started = await new Promise<{ tokenEndpoint: string; introspectionEndpoint: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { tokenEndpoint: string; introspectionEndpoint: string }));
    child.once('exit', (code) => reject(new Error(`the authorization server exited (${code}) before it listened`)));
  });
  child.removeAllListeners('exit');
  let queue: Promise<unknown> = Promise.resolve();
  // One question at a time, so each answer is matched to its question.
  const ask = <T>(msg: object): Promise<T> => {
    const answer = queue.then(
      () =>
        new Promise<T>((resolve) => {
          child.once('message', (m) => resolve(m as T));
          child.send(msg);
        }),
    );
    queue = answer.catch(() => undefined);
    return answer;
  };
  return {
    ...started,
    gateway,
    revoke: async (token) => (await ask<{ revoked: boolean }>({ revoke: token })).revoked,
    issued: async () => (await ask<{ issued: number }>({ stats: true })).issued,
    close: () =>
      new Promise<void>((resolve) => {
        if (!child.connected || child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
