/**
 * A real OAuth 2.0 authorization server (npm oidc-provider, run as its own Node process
 * because it ships only ES modules; started by authorization-server.ts) for SMART Backend Services: the
 * client_credentials grant with private_key_jwt client authentication for one backend
 * client, token introspection for the EHR's gateway, and opaque access tokens.
 *
 * Env: CLIENT_ID, CLIENT_JWKS (the client's public JWKS),
 * SCOPES (what the client may ask for), GATEWAY_ID, GATEWAY_SECRET (the introspecting
 * resource server). Sends { url } once listening. Messages: { revoke: token } destroys an
 * access token early, as an administrator revoking it would; { stats: true } answers
 * { issued } (access tokens issued so far).
 */
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const scopes = env('SCOPES').split(' ');
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('CLIENT_ID'),
      token_endpoint_auth_method: 'private_key_jwt',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      jwks: JSON.parse(env('CLIENT_JWKS')),
      scope: scopes.join(' '),
    },
    {
      client_id: env('GATEWAY_ID'),
      client_secret: env('GATEWAY_SECRET'),
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  scopes,
  clientAuthMethods: ['private_key_jwt', 'client_secret_basic'],
  enabledJWA: { clientAuthSigningAlgValues: ['RS384', 'ES384'] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  ttl: { ClientCredentials: 600 },
});
provider.on('server_error', (_ctx, err) => console.error('authorization server error', err));
let issued = 0;
provider.on('client_credentials.saved', () => void issued++);

server.on('request', provider.callback());
process.on('message', async (msg) => {
  if (msg.revoke) {
    const token = await provider.ClientCredentials.find(msg.revoke);
    await token?.destroy();
    process.send({ revoked: !!token });
  } else if (msg.stats) {
    process.send({ issued });
  }
});
process.on('disconnect', () => server.close(() => process.exit(0)));
process.send({ url: issuer, tokenEndpoint: `${issuer}/token`, introspectionEndpoint: `${issuer}/token/introspection` });
