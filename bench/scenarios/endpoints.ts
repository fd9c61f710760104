/** Scenarios that repeat one request: authorization with a session, introspection, JWKS + metadata. */
import { createHash } from 'node:crypto';
import type { ServerProcess } from '../lib/child.ts';
import { basic, FORM, form } from '../lib/http.ts';
import type { LoadSpec } from '../lib/load.ts';
import { CLIENT, VERIFIER } from '../lib/reference_client.ts';
import type { OAuthServer } from './index.ts';

/** (4) GET authorization request of a signed-in person whose grant covers the scope: a redirect with a code. */
export async function authorize(server: ServerProcess, target: OAuthServer): Promise<LoadSpec> {
  const query = new URLSearchParams({
    client_id: target.clientId,
    redirect_uri: CLIENT.redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: 'bench-state',
    code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const path = `${target.paths.authorize}?${query}`;
  const headers = { cookie: await target.signedInCookie() };
  // One request by hand first: the answer must really be a code at the client, not a page.
  const res = await fetch(server.url + path, { headers, redirect: 'manual' });
  const location = res.headers.get('location') ?? '';
  if (res.status < 300 || res.status >= 400 || !location.startsWith(CLIENT.redirectUri) || !new URL(location).searchParams.get('code')) {
    throw new Error(`authorization with a session did not answer with a code: ${res.status} ${location} ${(await res.text()).slice(0, 200)}`);
  }
  return { expectStatus: res.status, requests: [{ method: 'GET', path, headers }] };
}

/** (5) introspection of an active token by its confidential client (RFC 7662). */
export async function introspect(server: ServerProcess, target: OAuthServer): Promise<LoadSpec> {
  const token = await target.introspectionToken();
  const headers = { ...FORM, authorization: basic(target.clientId, CLIENT.secret) };
  const res = await fetch(server.url + target.paths.introspect, { method: 'POST', headers, body: form({ token }) });
  const body = (await res.json()) as { active?: boolean };
  if (res.status !== 200 || body.active !== true) throw new Error(`introspection: ${res.status} ${JSON.stringify(body)}`);
  return { expectStatus: 200, requests: [{ method: 'POST', path: target.paths.introspect, headers, body: form({ token }) }] };
}

/** (6) JWKS and discovery metadata, alternately. */
export async function jwksMetadata(_server: ServerProcess, target: OAuthServer): Promise<LoadSpec> {
  return {
    expectStatus: 200,
    requests: [
      { method: 'GET', path: target.paths.jwks },
      { method: 'GET', path: target.paths.metadata },
    ],
  };
}
