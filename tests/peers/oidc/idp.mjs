// A real OpenID Connect provider for tests (oidc-provider 9.13.3), never for deployment.
//
//   node idp.mjs [PORT]        (or IDP_PORT; default 9400)
//
// Environment:
//   IDP_HOST      address to listen on and to name in the issuer (default 127.0.0.1)
//   IDP_ALG       RS256 (default) or ES256: the signing algorithm of access and ID tokens
//   IDP_API       resource indicator of the JWT resource (default http://127.0.0.1:8080/api);
//                 IDP_API + "-opaque" is a second resource whose access tokens are opaque, for
//                 RFC 7662 introspection (JWT access tokens cannot be introspected)
//   IDP_KEYS_FILE where the private signing key is kept, so tokens still verify after a restart
//                 (default: a fresh key in memory)
//
// Clients (client_credentials, HTTP Basic; each stands for one user with fixed groups):
//   butler-ci / ci-secret, alice / alice-secret, bob / bob-secret, admin / admin-secret
// and butler-server / server-secret, the client the server introspects with.
//
// Interactive sign-in (authorization code + PKCE S256), for the desktop app:
//   butler-browser, a native public client (no secret) with the loopback redirect
//   http://127.0.0.1/callback, accepted on any port. The development login page takes any
//   password; the login name is the user (alice, bob, admin get the groups above).
// And for the command line (`butler login`): butler-cli, the same kind of client, which may
// also use the device authorization grant (RFC 8628; verification page at <issuer>/device).
//
// Once listening it prints one line: "oidc-provider listening on <issuer>".

import crypto from 'node:crypto';
import fs from 'node:fs';

import Provider, { errors } from 'oidc-provider';

const port = Number(process.argv[2] ?? process.env.IDP_PORT ?? 9400);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`idp.mjs: bad port "${process.argv[2] ?? process.env.IDP_PORT}"`);
  process.exit(2);
}
const host = process.env.IDP_HOST ?? '127.0.0.1';
const alg = process.env.IDP_ALG ?? 'RS256';
if (alg !== 'RS256' && alg !== 'ES256') {
  console.error(`idp.mjs: IDP_ALG must be RS256 or ES256, not "${alg}"`);
  process.exit(2);
}
const issuer = `http://${host}:${port}`;
const api = process.env.IDP_API ?? 'http://127.0.0.1:8080/api';
const opaqueApi = `${api}-opaque`;
const scope = 'butler:read butler:write';

function signingKey() {
  const file = process.env.IDP_KEYS_FILE;
  if (file && fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (saved.alg === alg) return saved;
  }
  const pair = alg === 'RS256'
    ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...pair.privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `test-${alg}` };
  if (file) fs.writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  return jwk;
}

// The users behind the machine clients: preferred_username and groups go into every token.
const users = {
  'butler-ci': { preferred_username: 'butler-ci', groups: ['ci'] },
  alice: { preferred_username: 'alice', groups: ['astro', 'data-rights'] },
  bob: { preferred_username: 'bob', groups: ['astro'] },
  admin: { preferred_username: 'admin', groups: ['butler-admins'] },
};

const machineClient = (id) => ({
  client_id: id,
  client_secret: id === 'butler-ci' ? 'ci-secret' : `${id}-secret`,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  scope,
});

// A person signed in through the login page: the claims of the matching machine user, if any.
const accountClaims = (accountId) => users[accountId] ?? { preferred_username: accountId, groups: [] };

const provider = new Provider(issuer, {
  jwks: { keys: [signingKey()] },
  clients: [
    ...Object.keys(users).map(machineClient),
    {
      client_id: 'butler-server',
      client_secret: 'server-secret',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
    {
      client_id: 'butler-browser',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    },
    {
      client_id: 'butler-cli',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    },
  ],
  findAccount: async (ctx, accountId) => ({
    accountId,
    claims: async () => ({ sub: accountId, ...accountClaims(accountId) }),
  }),
  clientDefaults: { id_token_signed_response_alg: alg },
  scopes: ['openid', 'offline_access', 'profile', 'butler:read', 'butler:write'],
  features: {
    devInteractions: { enabled: true }, // the login and consent pages of butler-browser
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: {
      enabled: true,
      // Only the server's own client, or a token's client about its own token, may ask.
      allowedPolicy: async (ctx, client, token) =>
        client.clientId === 'butler-server' || client.clientId === token.clientId,
    },
    revocation: {
      enabled: true,
      allowedPolicy: async (ctx, client, token) => client.clientId === token.clientId,
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => api,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource) => {
        if (resource !== api && resource !== opaqueApi) throw new errors.InvalidTarget();
        return {
          scope,
          audience: resource,
          accessTokenTTL: 3600,
          accessTokenFormat: resource === opaqueApi ? 'opaque' : 'jwt',
          jwt: { sign: { alg } },
        };
      },
    },
  },
  extraTokenClaims: async (ctx, token) =>
    (token.accountId ? accountClaims(token.accountId) : users[token.clientId]),
});
provider.proxy = false;

provider.listen(port, host, () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
