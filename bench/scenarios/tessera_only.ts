/** Scenarios only Tessera has: the platform API behind a token, and password sign-in. */
import type { ServerProcess } from '../lib/child.ts';
import { FORM, form } from '../lib/http.ts';
import type { LoadSpec } from '../lib/load.ts';
import { EMAIL, PASSWORD } from '../lib/reference_client.ts';
import { obtainTokens } from './token.ts';
import { loginFormToken, type TesseraTarget } from '../targets/tessera.ts';

/**
 * (1) An API read with a valid access token. Work items do not exist yet, so GET /api/v1/me stands
 * in for "GET one work item": the same bearer check (signature, claims, denylist) plus one read by id.
 */
export async function apiRead(server: ServerProcess, target: TesseraTarget): Promise<LoadSpec> {
  const { accessToken } = await obtainTokens(server, target, 1);
  const headers = { authorization: `Bearer ${accessToken}` };
  const res = await fetch(server.url + '/api/v1/me', { headers });
  if (res.status !== 200) throw new Error(`API read answered ${res.status}: ${await res.text()}`);
  return { expectStatus: 200, requests: [{ method: 'GET', path: '/api/v1/me', headers }] };
}

/** (7) POST /login with the right password: argon2id verification, a new session, 303. */
export async function login(server: ServerProcess): Promise<LoadSpec> {
  const body = form({ email: EMAIL, password: PASSWORD, token: await loginFormToken(server) });
  return { expectStatus: 303, requests: [{ method: 'POST', path: '/login', headers: FORM, body }] };
}

