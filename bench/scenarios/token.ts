/**
 * Token endpoint scenarios. Codes and refresh tokens work once (RFC 6749 §4.1.2; rotation, RFC 9700
 * §4.14.2), so every request takes the next one from a pool: codes are minted up front; refresh
 * tokens start from code exchanges and each answer puts its rotated successor back.
 * @module
 */
import type { ServerProcess } from '../lib/child.ts';
import { basic, FORM, form, postJson } from '../lib/http.ts';
import { Pool, type LoadSpec } from '../lib/load.ts';
import { CLIENT, VERIFIER } from '../lib/reference_client.ts';
import type { OAuthServer } from './index.ts';

function authHeaders(target: OAuthServer): Record<string, string> {
  return { ...FORM, authorization: basic(target.clientId, CLIENT.secret) };
}

function exchangeBody(code: string): string {
  return form({ grant_type: 'authorization_code', code, code_verifier: VERIFIER, redirect_uri: CLIENT.redirectUri });
}

/** (3) authorization_code exchange with PKCE, one pre-minted code per request. */
export async function codeExchange(_server: ServerProcess, target: OAuthServer, budget: number): Promise<LoadSpec> {
  const pool = new Pool(await target.mintCodes(budget));
  return {
    expectStatus: 200,
    requests: [
      {
        method: 'POST',
        path: target.paths.token,
        headers: authHeaders(target),
        setupRequest: (request) => ({ ...request, body: exchangeBody(pool.take('dry-code')) }),
      },
    ],
    note: () => pool.note('code'),
  };
}

/** Exchanges `n` codes over HTTP and returns their refresh tokens (and the last access token). */
export async function obtainTokens(server: ServerProcess, target: OAuthServer, n: number): Promise<{ refreshTokens: string[]; accessToken: string }> {
  const refreshTokens: string[] = [];
  let accessToken = '';
  for (const code of await target.mintCodes(n)) {
    const body = await postJson<{ access_token: string; refresh_token?: string }>(
      server.url + target.paths.token,
      { grant_type: 'authorization_code', code, code_verifier: VERIFIER, redirect_uri: CLIENT.redirectUri },
      { authorization: basic(target.clientId, CLIENT.secret) },
    );
    if (!body.refresh_token) throw new Error('the code exchange issued no refresh token');
    refreshTokens.push(body.refresh_token);
    accessToken = body.access_token;
  }
  return { refreshTokens, accessToken };
}

/** (2) refresh_token grant with rotation: each answer's new refresh token goes back in the pool. */
export async function refresh(server: ServerProcess, target: OAuthServer, connections: number): Promise<LoadSpec> {
  // autocannon builds each connection's next request before the previous one is answered: 3 per connection is ample.
  const pool = new Pool((await obtainTokens(server, target, connections * 3)).refreshTokens);
  return {
    expectStatus: 200,
    requests: [
      {
        method: 'POST',
        path: target.paths.token,
        headers: authHeaders(target),
        setupRequest: (request) => ({ ...request, body: form({ grant_type: 'refresh_token', refresh_token: pool.take('dry-token') }) }),
        onResponse: (status, body) => {
          if (status === 200) pool.put((JSON.parse(body) as { refresh_token: string }).refresh_token);
        },
      },
    ],
    note: () => pool.note('refresh token'),
  };
}
