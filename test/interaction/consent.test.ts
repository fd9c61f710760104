/**
 * The approval form: bound to the session and to the pending request, usable once, refused
 * cross-site (SECURITY 28); POSTs answer 303 (SECURITY 8).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, decideOn, findForm, isApprovalPage, isSignInPage, type Response } from '../support/browser.ts';

const REDIRECT = 'https://app.example/cb';
const DECISION = /^\/interaction\/[^/]+\/decision$/;

for (const dialect of dialects()) {
  describe(`approval form (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'alice@example.com');
      await createUser(t.deps, 'bob@example.com');
      client = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    /** A browser signed in as `email`, looking at a fresh approval page. */
    async function approvalPage(email: string, browser = new Browser(t)): Promise<{ browser: Browser; page: Response }> {
      // prompt=consent: the page every time, though earlier tests left grants behind.
      const start = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { prompt: 'consent' }).params));
      const page = isSignInPage(start) ? await browser.follow(await browser.signInOn(start, email)) : start;
      assert.ok(isApprovalPage(page), page.body);
      return { browser, page };
    }

    async function codesOf(email: string): Promise<number> {
      const user = await t.deps.stores.users.findByEmail(email);
      const rows = await t.deps.database.db.selectFrom('authorization_codes').select('id').where('user_id', '=', user!.id).execute();
      return rows.length;
    }

    function assertRefused(res: Response) {
      assert.equal(res.statusCode, 403);
      assert.equal(res.headers.location, undefined);
      assert.doesNotMatch(res.body, /tsc_/);
    }

    it('Approve answers 303 to the client with a code (SECURITY 8)', async () => {
      const { browser, page } = await approvalPage('alice@example.com');
      const res = await decideOn(browser, page, true);
      assert.equal(res.statusCode, 303);
      assert.ok(new URL(String(res.headers.location)).searchParams.get('code'));
    });

    it('POST /login answers 303, never 307/308 (SECURITY 8)', async () => {
      const browser = new Browser(t);
      const res = await browser.signInOn(await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params)), 'alice@example.com');
      assert.equal(res.statusCode, 303);
      assert.match(String(res.headers.location), /^\/authorize\/resume\?interaction=/);
    });

    it('refuses without the token, with a wrong token, or with another request\'s token: 403, no code', async () => {
      const before = await codesOf('alice@example.com');
      const { browser, page } = await approvalPage('alice@example.com');
      const form = findForm(page.body, DECISION)!;
      assertRefused(await browser.post(form.action, { decision: 'approve' }));
      assertRefused(await browser.post(form.action, { decision: 'approve', csrf: 'x'.repeat(43) }));
      // alice's token from another pending request of hers.
      const second = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { prompt: 'consent' }).params));
      const otherToken = findForm(second.body, DECISION)!.hidden.csrf!;
      assertRefused(await browser.post(form.action, { decision: 'approve', csrf: otherToken }));
      assert.equal(await codesOf('alice@example.com'), before);
      // The right token still works afterwards: the failures consumed nothing.
      assert.equal((await decideOn(browser, page, true)).statusCode, 303);
    });

    it('refuses cross-site posts (Origin of another site, Sec-Fetch-Site: cross-site)', async () => {
      const before = await codesOf('alice@example.com');
      const { browser, page } = await approvalPage('alice@example.com');
      assertRefused(await decideOn(browser, page, true, { origin: 'https://evil.example' }));
      assertRefused(await decideOn(browser, page, true, { 'sec-fetch-site': 'cross-site' }));
      assertRefused(await decideOn(browser, page, true, { origin: 'null' }));
      assertRefused(await decideOn(browser, page, true, { origin: 'null', 'sec-fetch-site': 'cross-site' }));
      assert.equal(await codesOf('alice@example.com'), before);
      // Our own origin is fine, and so is the `Origin: null` a browser sends from our no-referrer page
      // when Sec-Fetch-Site says same-origin (what Chromium does; test/e2e/browser_flow.test.ts).
      assert.equal((await decideOn(browser, page, true, { origin: 'null', 'sec-fetch-site': 'same-origin' })).statusCode, 303);
      const again = await approvalPage('alice@example.com');
      assert.equal((await decideOn(again.browser, again.page, true, { origin: t.issuer, 'sec-fetch-site': 'same-origin' })).statusCode, 303);
    });

    it("bob cannot finish alice's request, even with her form's token", async () => {
      const before = await codesOf('bob@example.com');
      const alice = await approvalPage('alice@example.com');
      const bob = new Browser(t);
      await bob.signIn('bob@example.com');
      const form = findForm(alice.page.body, DECISION)!;
      assertRefused(await bob.post(form.action, { ...form.hidden, decision: 'approve' }));
      // And bob's own token for his own request does not open alice's.
      const bobs = await approvalPage('bob@example.com', bob);
      const bobToken = findForm(bobs.page.body, DECISION)!.hidden.csrf!;
      assertRefused(await bob.post(form.action, { csrf: bobToken, decision: 'approve' }));
      assert.equal(await codesOf('bob@example.com'), before);
    });

    it('without a session the decision is refused', async () => {
      const { page } = await approvalPage('alice@example.com');
      const form = findForm(page.body, DECISION)!;
      assertRefused(await new Browser(t).post(form.action, { ...form.hidden, decision: 'approve' }));
    });

    it('a replayed approval issues no second code', async () => {
      const { browser, page } = await approvalPage('alice@example.com');
      assert.equal((await decideOn(browser, page, true)).statusCode, 303);
      const after = await codesOf('alice@example.com');
      assertRefused(await decideOn(browser, page, true));
      assertRefused(await decideOn(browser, page, false));
      assert.equal(await codesOf('alice@example.com'), after);
    });

    it('GET on the decision URL does nothing (405)', async () => {
      const { browser, page } = await approvalPage('alice@example.com');
      const form = findForm(page.body, DECISION)!;
      const before = await codesOf('alice@example.com');
      const res = await browser.get(`${form.action}?csrf=${encodeURIComponent(form.hidden.csrf!)}&decision=approve`);
      assert.equal(res.statusCode, 405);
      assert.equal(await codesOf('alice@example.com'), before);
      assert.equal((await decideOn(browser, page, true)).statusCode, 303, 'the request is still pending');
    });

    it('a decision that is neither approve nor deny is refused and consumes nothing', async () => {
      const { browser, page } = await approvalPage('alice@example.com');
      const res = await browser.submit(page, DECISION, { decision: 'maybe' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.headers.location, undefined);
      assert.equal((await decideOn(browser, page, false)).statusCode, 303);
    });
  });
}
