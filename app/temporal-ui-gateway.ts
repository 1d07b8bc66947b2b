/**
 * A thin HTTP front for the Temporal Web UI that tells the UI to send the signed-in
 * person's revcycle session with its codec calls.
 *
 * The UI calls the codec endpoint with `fetch(…, { credentials: 'include' })` only when its
 * settings say `Codec.IncludeCredentials`; the `temporal server start-dev` CLI sets only the
 * endpoint (`--ui-codec-endpoint`), so its UI calls the codec without the cookie, gets 401
 * and shows "Codec Server could not connect". This gateway serves the UI unchanged except
 * its settings document (`GET /api/v1/settings`), where it sets the codec endpoint, turns
 * IncludeCredentials on and replaces the UI's generic codec error with a sign-in message
 * and link (the UI shows them in its banner when the codec refuses: not signed in, or a
 * role that may not read PHI).
 *
 * The cookie goes with the UI's cross-origin codec call because the UI and the API are on
 * the same host (different ports are the same site, so a SameSite=Lax cookie is sent) and
 * the codec answers the UI's origin with Access-Control-Allow-Credentials (api/codec.routes.ts).
 * So the UI must be opened on the same host name as the API (both 127.0.0.1, as printed).
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UiGatewayOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  /** The Temporal UI server this fronts (http://host:port). */
  upstream: string;
  codec: {
    endpoint: string;
    /** Where the UI's codec banner sends a person who is not signed in. */
    signInUrl: string;
    message?: string;
  };
}

export const SIGN_IN_MESSAGE = 'Patient details are sealed. Sign in to revcycle as a biller or admin to read them, then reload this page.';

export async function startTemporalUiGateway(o: UiGatewayOptions): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(o.upstream);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/api/v1/settings') void settings(req, res);
    else pass(req, res);
  });

  function forward(req: IncomingMessage, headers: IncomingMessage['headers'], onAnswer: (up: IncomingMessage) => void, res: ServerResponse) {
    const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, onAnswer);
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('the Temporal UI server is not answering');
    });
    req.pipe(up);
  }

  function pass(req: IncomingMessage, res: ServerResponse) {
    forward(
      req,
      withoutCookies(req.headers),
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
      res,
    );
  }

  async function settings(req: IncomingMessage, res: ServerResponse) {
    forward(
      req,
      { ...withoutCookies(req.headers), 'accept-encoding': 'identity' },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(chunks));
            return;
          }
          body.Codec = {
            ...(body.Codec as object | undefined),
            Endpoint: o.codec.endpoint,
            PassAccessToken: false,
            IncludeCredentials: true,
            DefaultErrorMessage: o.codec.message ?? SIGN_IN_MESSAGE,
            DefaultErrorLink: o.codec.signInUrl,
          };
          const text = JSON.stringify(body);
          const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(text)) };
          delete headers['content-encoding'];
          delete headers['transfer-encoding'];
          res.writeHead(up.statusCode ?? 200, headers);
          res.end(text);
        });
      },
      res,
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The revcycle session cookie is for the API: cookies are not scoped by port, so the UI server would get it too. Nothing of the UI's needs a cookie. */
function withoutCookies(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  const { cookie: _cookie, ...rest } = headers;
  return rest;
}
