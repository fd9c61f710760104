/** Scenarios only Tessera has: the platform API behind a token, and password sign-in. */
import type { ServerProcess } from '../lib/child.ts';
import { FORM, form } from '../lib/http.ts';
import type { LoadSpec } from '../lib/load.ts';
import { EMAIL, PASSWORD } from '../lib/reference_client.ts';
import { obtainTokens, refresh } from './token.ts';
import { loginFormToken, type TesseraTarget } from '../targets/tessera.ts';

/**
 * (1) An API read with a valid access token: GET one work item (issue 7, scenario 1). Each call
 * checks the bearer token (signature or verified-token cache, claims, denylist), the person's
 * membership and the organization's policy (cached in memory), then reads the item by number.
 */
export async function apiRead(server: ServerProcess, target: TesseraTarget): Promise<LoadSpec> {
  const { accessToken } = await obtainTokens(server, target, 1);
  const headers = { authorization: `Bearer ${accessToken}` };
  const path = target.seeded.workItemPath;
  const res = await fetch(server.url + path, { headers });
  if (res.status !== 200) throw new Error(`API read answered ${res.status}: ${await res.text()}`);
  return { expectStatus: 200, requests: [{ method: 'GET', path, headers }] };
}

/**
 * (2) under (7): the refresh scenario while as many sign-ins as the connections allow run at the
 * same time, so argon2id hashing saturates the machine. Its p99 against (2)'s alone is the target.
 */
export async function refreshWithSignIns(server: ServerProcess, target: TesseraTarget, connections: number): Promise<LoadSpec> {
  return { ...(await refresh(server, target, connections)), background: await login(server) };
}

/** (7) POST /login with the right password: argon2id verification, a new session, 303. */
export async function login(server: ServerProcess): Promise<LoadSpec> {
  const body = form({ email: EMAIL, password: PASSWORD, token: await loginFormToken(server) });
  return { expectStatus: 303, requests: [{ method: 'POST', path: '/login', headers: FORM, body }] };
}

