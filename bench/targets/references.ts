/** The two references measured in the same run: bare Fastify "hello" and node-oidc-provider. */
import { ServerProcess } from '../lib/child.ts';
import { CookieJar } from '../lib/http.ts';
import { freePort } from '../lib/ports.ts';
import { CLIENT, VERIFIER } from '../lib/reference_client.ts';
import type { LoadSpec } from '../lib/load.ts';
import type { OAuthServer } from '../scenarios/index.ts';
import { createHash } from 'node:crypto';

export async function startHello(): Promise<ServerProcess> {
  return ServerProcess.start('fastify_hello');
}

export function hello(): LoadSpec {
  return { expectStatus: 200, requests: [{ method: 'GET', path: '/hello' }] };
}

export interface ProviderTarget extends OAuthServer {
  server: ServerProcess;
}

export async function startOidcProvider(): Promise<ProviderTarget> {
  const port = await freePort();
  const server = await ServerProcess.start('oidc_provider', { PORT: String(port) });
  return {
    server,
    clientId: 'bench-client',
    paths: { token: '/token', introspect: '/token/introspection', authorize: '/auth', jwks: '/jwks', metadata: '/.well-known/openid-configuration' },
    mintCodes: (n) => server.call<string[]>('mintCodes', n),
    introspectionToken: () => server.call<string>('mintOpaqueAccessToken'),
    signedInCookie: async () => {
      // Its own flow once: /auth → interaction (signs in and approves) → /auth/:uid → code. The jar then holds the session.
      const jar = new CookieJar();
      const query = new URLSearchParams({
        client_id: 'bench-client',
        redirect_uri: CLIENT.redirectUri,
        response_type: 'code',
        scope: 'openid',
        code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'),
        code_challenge_method: 'S256',
      });
      const location = await jar.followToClient(`${server.url}/auth?${query}`, server.url);
      if (!new URL(location).searchParams.get('code')) throw new Error(`oidc-provider sign-in ended at ${location}`);
      return jar.header();
    },
  };
}
