/**
 * docs/developers.md's receiver example (issue 19: "its example runs"), both dialects: the code
 * block after the `runs in test/oauth/docs_receivers_example.test.ts` marker is written to a file
 * and run with Node as a developer would run it, next to a live Tessera. A sign-out at Tessera
 * reaches it through Tessera's outbound sender, and it ends the session that the ID token's `sid`
 * names; a revoked grant reaches it as a CAEP session-revoked Security Event Token, and it ends
 * the person's sessions; what is not a valid token it refuses with each spec's 400.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { dialects, freePort, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { authorize, Browser } from '../support/browser.ts';
import { startFlow } from '../support/openid_client.ts';
import { startSample, type SampleProcess } from '../support/samples.ts';
import { signLogoutToken } from '../../src/crypto/jwt.ts';

const MARKER = '<!-- runs in test/oauth/docs_receivers_example.test.ts -->';
const REDIRECT = 'https://rp.example/callback';
const EMAIL = 'frank@example.com';

/** The example, exactly as docs/developers.md prints it. */
function example(): string {
  const doc = readFileSync('docs/developers.md', 'utf8');
  const at = doc.indexOf(MARKER);
  assert.ok(at >= 0, 'the marker is in docs/developers.md');
  const open = doc.indexOf('```js\n', at);
  const close = doc.indexOf('\n```\n', open);
  assert.ok(open > at && close > open, 'a js block follows the marker');
  return doc.slice(open + '```js\n'.length, close + 1);
}

for (const dialect of dialects()) {
  describe(`docs/developers.md's receiver example runs (${dialect})`, () => {
    let t: TestApp;
    let rp: TestClient;
    let dir: string;
    let receiver: SampleProcess;
    let base: string;

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { OUTBOUND_POLL_MS: '100', OUTBOUND_RETRY_SECONDS: '1' } });
      await createUser(t.deps, EMAIL, 'Frank');
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      rp = await createClient(t.deps, { name: 'Docs RP', redirectUris: [REDIRECT], backchannelLogoutUri: `${base}/backchannel-logout`, ssfEndpointUrl: `${base}/security-events` });
      // Its own directory, where `import 'jose'` finds the repository's node_modules, as after `npm install jose`.
      dir = mkdtempSync(join(tmpdir(), 'tessera-docs-example-'));
      symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
      writeFileSync(join(dir, 'receivers.mjs'), example());
      receiver = startSample(join(dir, 'receivers.mjs'), { TESSERA_URL: t.issuer, CLIENT_ID: rp.clientId, PORT: String(port) });
      await receiver.waitFor(/receiving/);
    });
    after(async () => {
      await receiver?.stop();
      await t?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("ends the sessions of the sid and sub a sign-out at Tessera names, those of the ID token, and the person's on a revocation", async () => {
      const browser = new Browser(t);
      const config = await oidc.discovery(new URL(t.issuer), rp.clientId, { client_secret: rp.clientSecret }, undefined, { execute: [oidc.allowInsecureRequests] });
      const { url, verifier, state, nonce } = await startFlow(config, REDIRECT, { scope: 'openid offline_access' });
      const callback = await authorize(t, Object.fromEntries(url.searchParams), { browser, email: EMAIL, approve: true });
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
      const { sid, sub } = decodeJwt(tokens.id_token!);

      const page = await browser.get('/logout');
      assert.equal((await browser.submit(page, /^\/logout\/confirm$/)).statusCode, 303);
      const [, ended] = await receiver.waitFor(/end sessions (\{.*\})/, 10_000);
      assert.deepEqual(JSON.parse(ended!), { sid, sub });

      // The grant is revoked (here by the service's own RFC 7009 call; Manage applications sends
      // the same event): Tessera pushes a CAEP session-revoked SET, and the example ends the person's sessions.
      await oidc.tokenRevocation(config, tokens.refresh_token!);
      await receiver.waitFor(new RegExp(`end sessions \\{"sub":"${sub}"\\}`), 10_000);
    });

    it('refuses what is not a valid token for it, with each spec\'s 400 and no-store', async () => {
      const now = Math.floor(Date.now() / 1000);
      const logoutToken = (aud: string) =>
        signLogoutToken(t.deps.keys.keys, { iss: t.issuer, aud, iat: now, exp: now + 120, jti: randomUUID(), sub: 's', sid: 'x', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } });
      const form = (token: string) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }).toString() });
      for (const [what, init] of [
        ['garbage', form('garbage')],
        ['another audience', form(logoutToken('someone-else'))],
      ] as const) {
        const res = await fetch(`${base}/backchannel-logout`, init);
        assert.equal(res.status, 400, what);
        assert.equal(res.headers.get('cache-control'), 'no-store');
        assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
      }
      // A logout token is not a security event (typ), whatever else is right about it.
      const res = await fetch(`${base}/security-events`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: logoutToken(rp.clientId) });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const body = (await res.json()) as { err: string; description: string };
      assert.equal(body.err, 'invalid_request');
      assert.match(body.description, /typ/);
      assert.doesNotMatch(receiver.output(), /end sessions \{"sub":"s"/, 'nothing refused was acted on');
    });
  });
}
