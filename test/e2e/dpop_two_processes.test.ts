/**
 * DPoP replay across two Tessera processes on one PostgreSQL (issue 18, RFC 9449 §11.1): a proof
 * accepted by one process is refused by the other, at /token and at the API, because the replay
 * record is in the shared database, not in either process's memory.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../support/app.ts';
import { type Deps } from '../../src/deps.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode } from '../support/codes.ts';
import { proof, proofKey } from '../support/dpop.ts';
import type { ServerProcess } from '../support/processes.ts';
import { SHARED_PUBLIC_URL as PUBLIC_URL, startTwoNodes, type TwoNodes } from '../support/two_nodes.ts';

// describe.skip is describe with { skip: true }; written as an option, the linter sees node:test's describe.
const skip = !dialects().includes('postgres');
const REDIRECT = 'https://app.example/cb';

describe('DPoP replay across two server processes on one PostgreSQL', { skip }, () => {
  let nodes: TwoNodes;
  let seed: Deps;
  let a: ServerProcess;
  let b: ServerProcess;
  let client: TestClient;

  before(async () => {
    // One issuer for both, as behind a load balancer: proofs name PUBLIC_URL, not either port.
    nodes = await startTwoNodes('dpop');
    ({ a, b, seed } = nodes);
    client = await createClient(seed, { redirectUris: [REDIRECT] });
  });

  after(() => nodes?.close());

  it('a proof accepted at /token and at the API by one process is refused by the other', async () => {
    const key = await proofKey();
    const alice = await createUser(seed, 'alice@example.com');
    const exchange = async (server: ServerProcess, dpop: string) => {
      const issued = await issueTestCode(seed, { client, user: alice, scopes: ['openid'], redirectUri: REDIRECT });
      return fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret!), dpop },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: REDIRECT }).toString(),
      });
    };
    const tokenProof = await proof(key, { htm: 'POST', htu: `${PUBLIC_URL}/token` });
    const first = await exchange(a, tokenProof);
    assert.equal(first.status, 200);
    const { access_token: token, token_type: type } = (await first.json()) as { access_token: string; token_type: string };
    assert.equal(type, 'DPoP');
    const replayed = await exchange(b, tokenProof);
    assert.equal(replayed.status, 400);
    assert.equal(((await replayed.json()) as { error: string }).error, 'invalid_dpop_proof');

    const read = (server: ServerProcess, dpop: string) => fetch(`${server.url}/api/v1/me`, { headers: { authorization: `DPoP ${token}`, dpop } });
    const apiProof = await proof(key, { htm: 'GET', htu: `${PUBLIC_URL}/api/v1/me`, accessToken: token });
    assert.equal((await read(b, apiProof)).status, 200);
    const again = await read(a, apiProof);
    assert.equal(again.status, 401);
    assert.equal(((await again.json()) as { code: string }).code, 'invalid_dpop_proof');
  });
});
