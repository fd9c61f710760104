/**
 * Trust signals (issue 20), over HTTP: the sign-in and approval pages say in words where the person
 * is signing in ("You are signing in at <host>", the host of the configured issuer, never of the
 * request's Host header), and the approval page says plainly when the callback's host is not the
 * service's website's (a name below the website's counts as its own; loopback and a service
 * without a website get no sentence).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, isApprovalPage, isSignInPage, type Response } from '../support/browser.ts';

const SITE = 'id.example.test';
const SAYS_SITE = `You are signing in at <strong>${SITE}</strong>`;
const ELSEWHERE = /id="callback-elsewhere"/;

for (const dialect of dialects()) {
  describe(`trust signals on the sign-in and approval pages (${dialect})`, () => {
    let t: TestApp;
    let planner: TestClient;
    let bare: TestClient;
    let browser: Browser;

    before(async () => {
      t = await startTestApp({ dialect, env: { PUBLIC_URL: `http://${SITE}` } });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      planner = await createClient(t.deps, {
        name: 'Sprint Planner',
        redirectUris: ['https://planwise.example/cb', 'https://app.planwise.example/cb', 'https://collector.example/cb', 'http://127.0.0.1/cb'],
      });
      await t.deps.stores.apps.update({ ...planner.app, websiteUrl: 'https://www.planwise.example' }, t.clock.now());
      bare = await createClient(t.deps, { name: 'No Website', redirectUris: ['https://collector.example/cb'] });
      t.deps.clients.invalidate(planner.clientId);
      browser = new Browser(t);
    });
    after(() => t.close());

    async function approvalPage(client: TestClient, redirectUri: string): Promise<Response> {
      const start = await browser.get(authorizeUrl(codeRequest(client.clientId, redirectUri, { prompt: 'consent' }).params));
      const page = isSignInPage(start) ? await browser.follow(await browser.signInOn(start, 'alice@example.com')) : start;
      assert.ok(isApprovalPage(page), page.body);
      return page;
    }

    it('the sign-in page names the configured host, whatever Host the request carries', async () => {
      for (const host of [undefined, 'evil.example']) {
        const page = await browser.get('/login', host === undefined ? undefined : { host });
        assert.equal(page.statusCode, 200);
        assert.ok(page.body.includes(SAYS_SITE), page.body);
        assert.ok(!page.body.includes('evil.example'));
      }
      // On the way into an authorization too.
      const start = await browser.get(authorizeUrl(codeRequest(planner.clientId, 'https://planwise.example/cb').params));
      assert.ok(isSignInPage(start));
      assert.ok(start.body.includes(SAYS_SITE));
    });

    it('the approval page names the host, and says nothing more when the callback is on the website', async () => {
      for (const redirect of ['https://planwise.example/cb', 'https://app.planwise.example/cb', 'http://127.0.0.1/cb']) {
        const page = await approvalPage(planner, redirect);
        assert.ok(page.body.includes(SAYS_SITE), redirect);
        assert.doesNotMatch(page.body, ELSEWHERE, redirect);
      }
    });

    it('the approval page says plainly when the callback goes to another host than the website', async () => {
      const page = await approvalPage(planner, 'https://collector.example/cb');
      assert.ok(page.body.includes(SAYS_SITE));
      assert.match(page.body, ELSEWHERE);
      assert.ok(
        page.body.includes('<strong>collector.example</strong> is not the address of Sprint Planner’s website (<strong>www.planwise.example</strong>).'),
        page.body,
      );
    });

    it('a service without a website gets no such sentence: there is nothing to compare', async () => {
      const page = await approvalPage(bare, 'https://collector.example/cb');
      assert.ok(page.body.includes(SAYS_SITE));
      assert.doesNotMatch(page.body, ELSEWHERE);
    });
  });
}
