/**
 * SECURITY 37 through `tessera user disable|enable`: when an operator disables bob, his browser
 * session stops being signed in, his refresh tokens give invalid_grant, his access tokens are
 * refused (the grant denylist every server reads), and he cannot sign in; nobody else is touched.
 * Enabling lets him sign in again; what disabling revoked stays revoked.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { CliTarget, assertRefused } from './cli.ts';
import { Browser, redirectLocation } from '../support/browser.ts';
import { introspect, obtainTokens, refresh, type ObtainedTokens } from '../support/codes.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import type { User } from '../../src/domain/users.ts';

async function signedIn(browser: Browser): Promise<boolean> {
  const res = await browser.get('/profile');
  if (res.statusCode === 200) return true;
  assert.match(redirectLocation(res) ?? '', /\/login/, `not signed in means the sign-in page, got ${res.statusCode}`);
  return false;
}

/** Introspection reads the revocation cache, which a server refreshes every SYNC_INTERVAL_MS (200 ms in tests). */
async function activeWithin(t: TestApp, client: TestClient, token: string, expected: boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    const active = (await introspect(t, client, token)).active === true;
    if (active === expected || Date.now() > until) return active;
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const dialect of dialects()) {
  describe(`tessera user disable and enable (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    let client: TestClient;
    let bob: User;
    let carol: User;
    let bobTokens: ObtainedTokens;
    let carolTokens: ObtainedTokens;
    let bobBrowser: Browser;

    before(async () => {
      cli = await CliTarget.create(dialect);
      await cli.json(['db', 'migrate']);
      server = await cli.startApp();
      client = await createClient(server.deps);
      bob = await createUser(server.deps, 'bob@example.com');
      carol = await createUser(server.deps, 'carol@example.com');
      bobTokens = await obtainTokens(server, { client, user: bob, scopes: ['openid', 'offline_access'] });
      carolTokens = await obtainTokens(server, { client, user: carol, scopes: ['openid', 'offline_access'] });
      assert.match(bobTokens.refresh_token, /^tsr_/);
      assert.match(carolTokens.refresh_token, /^tsr_/);
      bobBrowser = new Browser(server);
      await bobBrowser.signIn('bob@example.com');
    });
    after(async () => {
      await server.close();
      await cli.close();
    });

    it('disable ends his session, refuses his tokens and his sign-in, and leaves everyone else alone (SECURITY 37)', async () => {
      assert.equal(await signedIn(bobBrowser), true);
      assert.equal(await activeWithin(server, client, bobTokens.access_token, true), true);
      // His refresh token works before (and is rotated: the new one is what disabling must kill).
      const before = await refresh(server, client, bobTokens.refresh_token);
      assert.equal(before.statusCode, 200, before.body);
      bobTokens = { ...bobTokens, ...(before.json() as { access_token: string; refresh_token: string }) };

      const out = await cli.json(['user', 'disable', '--user', 'Bob@Example.com']);
      assert.deepEqual(out, { id: bob.id, email: 'bob@example.com', disabled: true, sessions_ended: 1, grants_revoked: 1 });

      assert.equal(await signedIn(bobBrowser), false, 'his cookie is no longer signed in');
      const refreshed = await refresh(server, client, bobTokens.refresh_token);
      assert.equal(refreshed.statusCode, 400);
      assert.equal(refreshed.json().error, 'invalid_grant');
      assert.equal(await activeWithin(server, client, bobTokens.access_token, false), false, 'his access token is refused');
      const again = new Browser(server);
      await again.signIn('bob@example.com');
      assert.equal(await signedIn(again), false, 'the right password does not sign him in');
      assert.notEqual((await server.deps.stores.users.findById(bob.id))?.disabledAt ?? null, null);

      // Carol's session-free tokens are untouched.
      assert.equal(await activeWithin(server, client, carolTokens.access_token, true), true);
      const carolRefresh = await refresh(server, client, carolTokens.refresh_token);
      assert.equal(carolRefresh.statusCode, 200, carolRefresh.body);
    });

    it('disable again revokes nothing more; enable lets him sign in, and what was revoked stays revoked', async () => {
      const twice = await cli.json(['user', 'disable', `--user=${bob.id}`]);
      assert.deepEqual(twice, { id: bob.id, email: 'bob@example.com', disabled: true, sessions_ended: 0, grants_revoked: 0 });

      const enabled = await cli.json(['user', 'enable', '--user', 'bob@example.com']);
      assert.deepEqual(enabled, { id: bob.id, email: 'bob@example.com', disabled: false });
      const browser = new Browser(server);
      await browser.signIn('bob@example.com');
      assert.equal(await signedIn(browser), true, 'he signs in again');
      assert.equal(await signedIn(bobBrowser), false, 'the session disabling ended stays ended');
      assert.equal((await refresh(server, client, bobTokens.refresh_token)).json().error, 'invalid_grant');
      assert.equal(await activeWithin(server, client, bobTokens.access_token, false), false);
      assertRefused(await cli.run(['user', 'enable', '--user', 'bob@example.com']), 1, /is not disabled/);
      const text = await cli.run(['user', 'disable', '--user', 'bob@example.com']);
      assert.equal(text.code, 0);
      assert.match(text.stdout, /^disabled bob@example\.com \(id [\w-]+\); ended 1 session\(s\), revoked 0 authorization\(s\)\n$/);
    });

    it('refuses an unknown account and a missing --user, changing nothing', async () => {
      assertRefused(await cli.run(['user', 'disable', '--user', 'nobody@example.com']), 1, /no account with email or id "nobody@example.com"/);
      assertRefused(await cli.run(['user', 'disable']), 2, /--user/);
      assert.equal((await server.deps.stores.users.findById(carol.id))?.disabledAt, null);
    });
  });
}
