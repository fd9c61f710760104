/**
 * (1b) The API read of scenario (1) with a DPoP-bound access token (RFC 9449 §7, issue 18): every
 * call carries `Authorization: DPoP` and a fresh proof, which the server verifies (one more ES256
 * signature check, with a public key imported from the proof) and records for the replay check
 * (one INSERT into dpop_proofs, on every node's shared database). Proofs are signed up front, one
 * per request the run can send (BENCH_POOL_RATE per second), so signing costs the bench process
 * nothing while it measures; they are good for 60 s (the server's iat window), far longer than a run.
 * @module
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { ServerProcess } from '../lib/child.ts';
import { basic, FORM, form } from '../lib/http.ts';
import { Pool, type LoadSpec } from '../lib/load.ts';
import { CLIENT, VERIFIER } from '../lib/reference_client.ts';
import type { TesseraTarget } from '../targets/tessera.ts';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function proofSigner(): (htm: string, htu: string, accessToken?: string) => string {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = (publicKey as KeyObject).export({ format: 'jwk' });
  const header = b64({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } });
  return (htm, htu, accessToken) => {
    const claims = {
      htm,
      htu,
      jti: randomBytes(16).toString('base64url'),
      iat: Math.floor(Date.now() / 1000),
      ...(accessToken === undefined ? {} : { ath: createHash('sha256').update(accessToken, 'ascii').digest('base64url') }),
    };
    const input = `${header}.${b64(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
}

export async function apiReadDpop(server: ServerProcess, target: TesseraTarget, budget: number): Promise<LoadSpec> {
  const proof = proofSigner();
  const [code] = await target.mintCodes(1);
  const res = await fetch(server.url + target.paths.token, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(target.clientId, CLIENT.secret), dpop: proof('POST', server.url + target.paths.token) },
    body: form({ grant_type: 'authorization_code', code: code!, code_verifier: VERIFIER, redirect_uri: CLIENT.redirectUri }),
  });
  const tokens = (await res.json()) as { access_token: string; token_type: string };
  if (res.status !== 200 || tokens.token_type !== 'DPoP') throw new Error(`the DPoP code exchange answered ${res.status} ${tokens.token_type}`);
  const path = target.seeded.workItemPath;
  const headers = { authorization: `DPoP ${tokens.access_token}` };
  const check = await fetch(server.url + path, { headers: { ...headers, dpop: proof('GET', server.url + path, tokens.access_token) } });
  if (check.status !== 200) throw new Error(`DPoP API read answered ${check.status}: ${await check.text()}`);
  const pool = new Pool(Array.from({ length: budget }, () => proof('GET', server.url + path, tokens.access_token)));
  return {
    expectStatus: 200,
    requests: [{ method: 'GET', path, headers, setupRequest: (request) => ({ ...request, headers: { ...headers, dpop: pool.take('dry-proof') } }) }],
    note: () => pool.note('proof'),
  };
}
