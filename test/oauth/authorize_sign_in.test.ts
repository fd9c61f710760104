/**
 * The authorization endpoint with the person in the loop: sign-in first (SECURITY 3), consent
 * remembered only for what was granted (SECURITY 27), prompt and max_age, expiry of the
 * pending request.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, approvalSections, authorize, authorizeUrl, codeRequest, decideOn, isApprovalPage, isSignInPage, pastWarning, redirectLocation } from '../support/browser.ts';
import { digest } from '../../src/crypto/digest.ts';

const REDIRECT = 'https://app.example/cb';

for (const dialect of dialects()) {
  describe(`authorization with sign-in and approval (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      await createUser(t.deps, 'bob@example.com', 'Bob');
    });
    after(() => t.close());

    // Each test gets its own client, so grants from one test do not leak into another.
    async function freshClient(options: Parameters<typeof createClient>[1] = {}) {
      client = await createClient(t.deps, { redirectUris: [REDIRECT], ...options });
      return client;
    }

    function location(res: { headers: Record<string, unknown> }): URL {
      return new URL(String(res.headers.location));
    }

    it('no session + bad scope: the sign-in page (200), then invalid_scope with state and iss (SECURITY 3)', async () => {
      await freshClient();
      const browser = new Browser(t);
      const { params } = codeRequest(client.clientId, REDIRECT, { scope: 'bogus' });
      const page = await browser.get(authorizeUrl(params));
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers.location, undefined);
      assert.ok(isSignInPage(page));
      const posted = await browser.signInOn(page, 'alice@example.com');
      assert.equal(posted.statusCode, 303);
      const res = await browser.follow(posted);
      assert.equal(res.statusCode, 302);
      const url = location(res);
      assert.equal(url.origin + url.pathname, REDIRECT);
      assert.equal(url.searchParams.get('error'), 'invalid_scope');
      assert.equal(url.searchParams.get('state'), params.state);
      assert.equal(url.searchParams.get('iss'), t.issuer);
    });

    it('no session + missing PKCE: sign-in first, then invalid_request with state and iss', async () => {
      await freshClient();
      const { params } = codeRequest(client.clientId, REDIRECT);
      delete (params as Partial<typeof params>).code_challenge;
      const url = await authorize(t, params, { email: 'alice@example.com' });
      assert.equal(url.searchParams.get('error'), 'invalid_request');
      assert.equal(url.searchParams.get('state'), params.state);
      assert.equal(url.searchParams.get('iss'), t.issuer);
    });

    it('Deny gives access_denied with state and iss at the registered URI, and no grant (SECURITY 3, 4)', async () => {
      await freshClient();
      const { params } = codeRequest(client.clientId, REDIRECT);
      const url = await authorize(t, params, { email: 'alice@example.com', approve: false });
      assert.equal(url.origin + url.pathname, REDIRECT);
      assert.equal(url.searchParams.get('error'), 'access_denied');
      assert.equal(url.searchParams.get('state'), params.state);
      assert.equal(url.searchParams.get('iss'), t.issuer);
      assert.equal(url.searchParams.get('code'), null);
      const alice = await t.deps.stores.users.findByEmail('alice@example.com');
      assert.equal(await t.deps.stores.grants.findLive(alice!.id, client.clientId, t.clock.now()), undefined);
    });

    it('prompt=none without a session gives login_required at once', async () => {
      await freshClient();
      const { params } = codeRequest(client.clientId, REDIRECT, { prompt: 'none' });
      const res = await new Browser(t).get(authorizeUrl(params));
      assert.equal(res.statusCode, 302);
      assert.equal(location(res).searchParams.get('error'), 'login_required');
      assert.equal(location(res).searchParams.get('state'), params.state);
      assert.equal(location(res).searchParams.get('iss'), t.issuer);
    });

    it('consent is remembered only for granted scopes; prompt=none and prompt=consent behave (SECURITY 27)', async () => {
      await freshClient();
      const browser = new Browser(t);
      const first = await authorize(t, codeRequest(client.clientId, REDIRECT, { scope: 'openid' }).params, { email: 'alice@example.com', approve: true, browser });
      assert.ok(first.searchParams.get('code'));

      // The grant covers `openid`: the same request goes straight to a code, without the page.
      const again = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { scope: 'openid' }).params));
      assert.equal(again.statusCode, 302);
      assert.ok(location(again).searchParams.get('code'));

      // More scopes: the page again (200, not a redirect), showing only what is new.
      const more = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { scope: 'openid workitems:read' }).params));
      assert.equal(more.statusCode, 200);
      assert.ok(isApprovalPage(more));
      assert.match(more.body, /Read work items in your organizations\./);
      assert.doesNotMatch(approvalSections(more.body).asked, /Confirm who you are\./, 'already granted scopes are not asked again');
      assert.match(approvalSections(more.body).before, /Confirm who you are\./, 'they are listed, collapsed, as allowed before');

      const none = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { scope: 'openid workitems:read', prompt: 'none' }).params));
      assert.equal(none.statusCode, 302);
      assert.equal(location(none).searchParams.get('error'), 'consent_required');
      assert.equal(location(none).searchParams.get('iss'), t.issuer);

      const consent = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { scope: 'openid', prompt: 'consent' }).params));
      assert.ok(isApprovalPage(consent), 'prompt=consent always shows the page');

      // Approving the extra scope extends the grant; the code carries the requested scopes.
      const done = await browser.follow(await decideOn(browser, more, true));
      const code = location(done).searchParams.get('code')!;
      const row = await t.deps.stores.tokens.findCode(digest(code));
      assert.deepEqual(row?.scopes, ['openid', 'workitems:read']);
      const grant = await t.deps.stores.grants.findById(row!.grantId);
      assert.deepEqual(grant?.scopes.sort(), ['openid', 'workitems:read']);
    });

    it('the approval page escapes client metadata, warns about unverified publishers, names the person and the return host', async () => {
      await freshClient({ name: '<script>alert(1)</script>' });
      const browser = new Browser(t);
      // A write from an unverified publisher: its warning first (test/interaction/unverified_warning.test.ts), then the page.
      const page = await pastWarning(browser, await browser.follow(await browser.signInOn(await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { scope: 'openid workitems:write' }).params)), 'alice@example.com')));
      assert.ok(isApprovalPage(page));
      assert.doesNotMatch(page.body, /<script>/);
      assert.match(page.body, /&lt;script>alert\(1\)&lt;\/script>/);
      assert.match(page.body, /Unverified publisher/);
      assert.match(page.body, /Tessera/);
      assert.match(page.body, /Test Publisher/);
      assert.match(page.body, /app\.example/);
      assert.match(page.body, /Alice/);
      assert.match(page.body, /alice@example\.com/);
      assert.match(page.body, /High privilege/);
      assert.match(page.body, /Not you\? Switch account/);
      assert.match(page.body, />Approve</);
      assert.match(page.body, />Deny</);
      assert.match(String(page.headers['content-security-policy']), /form-action 'self' https:\/\/app\.example;/);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
      assert.equal(page.headers['cache-control'], 'no-store');
    });

    it('a verified publisher gets the verified mark and no warning', async () => {
      const base = await freshClient();
      client = { ...base, clientId: base.clientId + '-v', app: { ...base.app, id: base.clientId + '-v', verified: true } };
      await t.deps.stores.apps.create(client.app, undefined, t.clock.now());
      const browser = new Browser(t);
      const page = await browser.follow(await browser.signInOn(await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params)), 'alice@example.com'));
      assert.match(page.body, /Verified publisher/);
      assert.doesNotMatch(page.body, /Unverified publisher/);
    });

    it('"Switch account" signs in afresh and the approval is for the new person', async () => {
      await freshClient();
      const browser = new Browser(t);
      const page = await browser.follow(await browser.signInOn(await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params)), 'alice@example.com'));
      const link = /href="([^"]*switch=1[^"]*)"/.exec(page.body)![1]!.replace(/&amp;/g, '&');
      const login = await browser.get(link);
      assert.ok(isSignInPage(login));
      const bobPage = await browser.follow(await browser.signInOn(login, 'bob@example.com'));
      assert.ok(isApprovalPage(bobPage));
      assert.match(bobPage.body, /bob@example\.com/);
      const done = await browser.follow(await decideOn(browser, bobPage, true));
      const row = await t.deps.stores.tokens.findCode(digest(location(done).searchParams.get('code')!));
      const bob = await t.deps.stores.users.findByEmail('bob@example.com');
      assert.equal(row?.userId, bob!.id);
    });

    it('prompt=login asks to sign in again even with a session, once', async () => {
      await freshClient();
      const browser = new Browser(t);
      await authorize(t, codeRequest(client.clientId, REDIRECT).params, { email: 'alice@example.com', approve: true, browser });
      const firstAuthTime = (await t.deps.stores.sessions.findLive(digest(browser.sessionCookie()!.value), t.clock.now()))!.authTime;
      t.clock.advance(5);
      const page = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { prompt: 'login' }).params));
      assert.ok(isSignInPage(page));
      const done = await browser.follow(await browser.signInOn(page, 'alice@example.com'));
      const row = await t.deps.stores.tokens.findCode(digest(location(done).searchParams.get('code')!));
      assert.ok(row!.authTime >= firstAuthTime + 5, 'the code carries the new sign-in time');
    });

    it('max_age exceeded asks to sign in again; within it, it does not', async () => {
      await freshClient();
      const browser = new Browser(t);
      await authorize(t, codeRequest(client.clientId, REDIRECT).params, { email: 'alice@example.com', approve: true, browser });
      t.clock.advance(10);
      const within = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { max_age: '3600' }).params));
      assert.ok(location(within).searchParams.get('code'));
      const stale = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { max_age: '0' }).params));
      assert.ok(isSignInPage(stale));
      const none = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { max_age: '0', prompt: 'none' }).params));
      assert.equal(location(none).searchParams.get('error'), 'login_required');
      const done = await browser.follow(await browser.signInOn(stale, 'alice@example.com'));
      assert.ok(location(done).searchParams.get('code'), 'a fresh sign-in satisfies max_age without a loop');
    });

    it('a pending request expires: past ttl.interaction, sign-in shows an error page and issues no code', async () => {
      await freshClient();
      const browser = new Browser(t);
      const page = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params));
      t.clock.advance(t.config.ttl.interaction + 1);
      const res = await browser.follow(await browser.signInOn(page, 'alice@example.com'));
      assert.equal(res.statusCode, 400);
      assert.equal(redirectLocation(res), undefined);
      assert.match(res.body, /expired/);
    });

    it('an approval page left past ttl.interaction cannot be approved', async () => {
      await freshClient();
      const browser = new Browser(t);
      const page = await browser.follow(await browser.signInOn(await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params)), 'alice@example.com'));
      assert.ok(isApprovalPage(page));
      t.clock.advance(t.config.ttl.interaction + 1);
      const res = await decideOn(browser, page, true);
      assert.equal(res.statusCode, 403);
      assert.equal(res.headers.location, undefined);
    });

    it('the session idle timeout asks for sign-in again (SECURITY 37)', async () => {
      await freshClient();
      const browser = new Browser(t);
      await authorize(t, codeRequest(client.clientId, REDIRECT).params, { email: 'alice@example.com', approve: true, browser });
      t.clock.advance(t.config.ttl.sessionIdle + 1);
      const page = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params));
      assert.ok(isSignInPage(page));
    });
  });
}
