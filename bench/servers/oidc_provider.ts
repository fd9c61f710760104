/**
 * The reference: node-oidc-provider 9 with its in-memory adapter, one confidential client
 * (client_secret_basic, ES256 ID tokens, PKCE required), refresh tokens rotated on every use, and
 * JWT (RFC 9068, ES256) access tokens for a default resource, as Tessera issues them. The
 * interaction page approves at once, so a browser that signed in once has a session and a grant.
 * Seeding calls (codes, opaque access tokens) use the library's own models.
 */
import { createServer } from 'node:http';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider, { type Client } from 'oidc-provider';
import { unboundedMemoryAdapter } from './memory_store.ts';
import { serveParent } from './ipc.ts';
import { CLIENT, EMAIL, VERIFIER } from '../lib/reference_client.ts';

const CLIENT_ID = 'bench-client';
const ACCOUNT = 'user-1';
const RESOURCE = 'https://api.example/';
const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const signingKey = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'ES256', use: 'sig' };

const provider = new Provider(issuer, {
  adapter: unboundedMemoryAdapter(),
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT.secret,
      redirect_uris: [CLIENT.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, email: EMAIL, name: 'Ada' }) }),
  claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
  scopes: ['openid', 'offline_access', 'email', 'profile', 'api:read'],
  pkce: { required: () => true },
  rotateRefreshToken: true,
  ttl: { AuthorizationCode: 600, AccessToken: 3600, IdToken: 3600, RefreshToken: 30 * 86400, Session: 86400, Interaction: 900, Grant: 90 * 86400 },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    // Tessera's policy: a client may introspect only its own tokens.
    introspection: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'api:read', audience: RESOURCE, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
    },
  },
});

async function theClient(): Promise<Client> {
  const client = await provider.Client.find(CLIENT_ID);
  if (!client) throw new Error('client not registered');
  return client;
}

async function newGrant(): Promise<string> {
  const grant = new provider.Grant({ accountId: ACCOUNT, clientId: CLIENT_ID });
  grant.addOIDCScope('openid email profile offline_access');
  grant.addResourceScope(RESOURCE, 'api:read');
  return grant.save();
}

/** `n` codes, each for its own grant (many people, as in production; one grant per code also avoids the adapter's per-grant index growing). */
async function mintCodes(n: number): Promise<string[]> {
  const client = await theClient();
  const challenge = createHash('sha256').update(VERIFIER).digest('base64url');
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    const code = new provider.AuthorizationCode({
      accountId: ACCOUNT,
      client,
      grantId: await newGrant(),
      scope: 'openid offline_access api:read',
      resource: RESOURCE,
      redirectUri: CLIENT.redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      authTime: Math.floor(Date.now() / 1000),
      gty: 'authorization_code',
    });
    codes.push(await code.save());
  }
  return codes;
}

/** An opaque access token (its natural introspectable format; JWT access tokens are not stored). */
async function mintOpaqueAccessToken(): Promise<string> {
  const client = await theClient();
  const token = new provider.AccessToken({ accountId: ACCOUNT, client, grantId: await newGrant(), scope: 'openid', gty: 'authorization_code' });
  return token.save();
}

const callback = provider.callback();
const server = createServer((req, res) => {
  if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
  // The person signs in and approves at once (login + consent in one step).
  void (async () => {
    await provider.interactionDetails(req, res);
    const grantId = await newGrant();
    await provider.interactionFinished(req, res, { login: { accountId: ACCOUNT }, consent: { grantId } }, { mergeWithLastSubmission: false });
  })().catch((err: unknown) => {
    res.statusCode = 500;
    res.end(String(err));
  });
});
server.listen(port, '127.0.0.1', () => {
  serveParent(port, { mintCodes, mintOpaqueAccessToken }, () => new Promise((resolve) => server.close(() => resolve())));
});
