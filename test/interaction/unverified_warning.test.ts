/**
 * Friction where the risk is (issue 20), over HTTP on both dialects: an unverified publisher asking
 * for a high-privilege scope gets "This service has not been verified" before the approval page,
 * and it cannot be skipped by posting the approval form; "Back to safety" answers access_denied at
 * the registered redirect URI (RFC 6749 §4.1.2.1); "Continue" leads to the approval page. A
 * read-only unverified service, and a verified one, go straight to the approval page. The page
 * words offline_access from the lifetime (as Manage applications does from the grant's), says
 * full_access reaches the organizations chosen (and the tokens agree), explains "High privilege",
 * and lists what was allowed before, collapsed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import {
  Browser,
  approvalSections,
  authorizeUrl,
  codeRequest,
  findForm,
  isApprovalPage,
  isSignInPage,
  isWarningPage,
  passWarning,
  redirectLocation,
  type Response,
} from '../support/browser.ts';
import { exchangeCode } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';
import type { Organization } from '../../src/domain/organizations.ts';

const REDIRECT = 'https://app.example/cb';
const DECISION = /^\/interaction\/[^/]+\/decision$/;
const WARNING = /^\/interaction\/[^/]+\/warning$/;
const HIGH_MEANING = '<strong>High privilege</strong> means it can change, delete or start things in your name, not only look at them.';

for (const dialect of dialects()) {
  describe(`the unverified-service warning and the approval page's words (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let acme: Organization;
    let globex: Organization;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      const now = t.clock.now();
      acme = (await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme', ownerUserId: alice.id }, now))!;
      globex = (await t.deps.stores.organizations.create({ slug: 'globex', name: 'Globex', ownerUserId: alice.id }, now))!;
    });
    after(() => t.close());

    /** A fresh unverified service (the fixture's default) allowed every scope. */
    function service(name = 'Side Project'): Promise<TestClient> {
      return createClient(t.deps, { name, scopes: ['openid', 'profile', 'offline_access', 'orgs:read', 'workitems:read', 'workitems:write', 'full_access'] });
    }

    /** Alice, signed in (on `browser`, or a new one), at the first page of a request of `client`. */
    async function start(client: TestClient, scope: string, browser = new Browser(t)) {
      const request = codeRequest(client.clientId, REDIRECT, { scope });
      const first = await browser.get(authorizeUrl(request.params));
      const page = isSignInPage(first) ? await browser.follow(await browser.signInOn(first, 'alice@example.com')) : first;
      return { browser, page, request };
    }

    function interactionId(page: Response): string {
      return /\/interaction\/([^/]+)\/(?:decision|warning)/.exec(page.body)![1]!;
    }

    /** Presses Approve with the page's defaults, changed by `set` and with the boxes in `untick` cleared. */
    async function approve(browser: Browser, page: Response, set: Record<string, string> = {}, untick: string[] = []): Promise<URL> {
      const form = findForm(page.body, DECISION)!;
      const fields: Record<string, string> = { ...form.hidden, ...set, decision: 'approve' };
      for (const name of untick) delete fields[name];
      const res = await browser.post(form.action, fields);
      assert.equal(res.statusCode, 303, res.body);
      return new URL(redirectLocation(res)!);
    }

    it('a high-privilege request from an unverified publisher shows its own page first, "Back to safety" the primary button', async () => {
      const client = await service();
      const { page } = await start(client, 'openid workitems:read workitems:write');
      assert.equal(page.statusCode, 200);
      assert.ok(isWarningPage(page), page.body.slice(0, 1500));
      assert.ok(!isApprovalPage(page));
      assert.match(page.body, /<title>This service has not been verified · Tessera<\/title>/);
      assert.match(page.body, /<h1>This service has not been verified<\/h1>/);
      // Only the high-privilege scope is named, with its one-sentence explanation.
      assert.match(page.body, /Create, change and delete work items in your organizations\./);
      assert.doesNotMatch(page.body, /Read work items in your organizations\./);
      assert.ok(page.body.includes(HIGH_MEANING));
      // "Back to safety" is a full button posting Deny; "Continue" comes after it, styled as a link; no Approve.
      const back = findForm(page.body, DECISION)!;
      assert.deepEqual(back.buttons, [{ name: 'decision', value: 'deny', text: 'Back to safety' }]);
      assert.match(page.body, /<button type="submit" name="decision" value="deny">Back to safety<\/button>/);
      assert.match(page.body, /<button type="submit" class="link">Continue to Side Project<\/button>/);
      assert.ok(page.body.indexOf('Back to safety') < page.body.indexOf('Continue to Side Project'));
      assert.doesNotMatch(page.body, />Approve</);
      assert.ok(findForm(page.body, WARNING)!.hidden.token, 'the continue form carries its own token');
      assert.match(String(page.headers['content-security-policy']), /form-action 'self' https:\/\/app\.example;/);
    });

    it('approving without passing the warning is refused: back to the warning, nothing granted, nothing consumed', async () => {
      const client = await service();
      const { browser, page } = await start(client, 'openid workitems:write');
      // The decision token is on the warning page (Back to safety): post Approve with it, as a forged or hand-made form would.
      const forced = await browser.submit(page, DECISION, { decision: 'approve' });
      assert.equal(forced.statusCode, 303);
      assert.equal(redirectLocation(forced), `/authorize/resume?interaction=${interactionId(page)}`);
      const again = await browser.follow(forced);
      assert.ok(isWarningPage(again), 'the warning again');
      assert.equal(await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()), undefined);
      const stored = await t.deps.stores.interactions.find(interactionId(page));
      assert.equal(stored?.consumedAt, null);
      assert.equal(stored?.warnedAt, null);
    });

    it('"Back to safety" answers access_denied with state and iss at the registered URI, and grants nothing', async () => {
      const client = await service();
      const { browser, page, request } = await start(client, 'openid workitems:write');
      const res = await browser.submit(page, DECISION, { decision: 'deny' });
      assert.equal(res.statusCode, 303);
      const url = new URL(redirectLocation(res)!);
      assert.equal(url.origin + url.pathname, REDIRECT);
      assert.equal(url.searchParams.get('error'), 'access_denied');
      assert.equal(url.searchParams.get('state'), request.params.state);
      assert.equal(url.searchParams.get('iss'), t.issuer);
      assert.equal(url.searchParams.get('code'), null);
      assert.equal(await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()), undefined);
      // The request is over: continuing now does nothing.
      assert.equal((await browser.submit(page, WARNING)).statusCode, 403);
    });

    it('"Continue" needs its token and the bound session, then shows the approval page, which approves', async () => {
      const client = await service();
      const { browser, page, request } = await start(client, 'openid workitems:write');
      const form = findForm(page.body, WARNING)!;
      assert.equal((await browser.post(form.action, { token: 'forged' })).statusCode, 403);
      const stranger = new Browser(t);
      await stranger.signIn('alice@example.com');
      assert.equal((await stranger.post(form.action, form.hidden)).statusCode, 403, 'another session of the same person');
      assert.equal((await t.deps.stores.interactions.find(interactionId(page)))?.warnedAt, null);

      const approval = await passWarning(browser, page);
      assert.ok(isApprovalPage(approval), approval.body.slice(0, 1500));
      assert.match(approval.body, /Tessera has not verified who publishes this app/, 'the banner stays on the approval page');
      assert.ok(approval.body.includes(HIGH_MEANING));
      const url = await approve(browser, approval);
      const code = url.searchParams.get('code');
      assert.ok(code, url.href);
      const tokens = await exchangeCode(t, client, { code, verifier: request.verifier }, { redirect_uri: REDIRECT });
      assert.equal(tokens.statusCode, 200, tokens.body);
      assert.equal((tokens.json() as { scope: string }).scope, 'openid workitems:write');
    });

    it('a read-only unverified service keeps the banner on the approval page; a verified one asking for a write gets no warning', async () => {
      const reader = await service('Read Only');
      const read = await start(reader, 'openid orgs:read workitems:read');
      assert.ok(isApprovalPage(read.page), read.page.body.slice(0, 1500));
      assert.match(read.page.body, /Tessera has not verified who publishes this app/);
      assert.ok(!read.page.body.includes(HIGH_MEANING), 'nothing high-privilege to explain');

      const trusted = await service('Trusted');
      await t.deps.stores.apps.setVerified(trusted.clientId, true);
      t.deps.clients.invalidate(trusted.clientId);
      const write = await start(trusted, 'openid workitems:write');
      assert.ok(isApprovalPage(write.page), write.page.body.slice(0, 1500));
      assert.doesNotMatch(write.page.body, /not verified/);
    });

    it('offline_access is worded from the lifetime: chosen on the page, and a 7-day grant listed as allowed before says its end', async () => {
      const client = await service();
      const first = await start(client, 'openid offline_access orgs:read');
      const { asked } = approvalSections(first.page.body);
      assert.match(asked, /Keep this access when you are not using the service, for as long as you choose\./);
      assert.doesNotMatch(first.page.body, /until you revoke it/, 'no promise that a 7- or 30-day lifetime would break');
      await approve(first.browser, first.page, { lifetime: '7d' });
      const grant = (await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()))!;
      assert.ok(grant.expiresAt !== null);

      // Asked for more: what was allowed before is listed, collapsed, with the grant's own end.
      const more = await start(client, 'openid offline_access orgs:read workitems:read', first.browser);
      const { before: allowed } = approvalSections(more.page.body);
      const end = new Date(grant.expiresAt * 1000);
      const day = String(end.getUTCDate());
      assert.match(allowed, new RegExp(`Keep this access when you are not using the service, until [^<]*${day}[^<]* at the latest\\.`), allowed);
      assert.match(more.page.body, /Until [^<]+, as before/);

      // Manage applications words it from the grant too: its end, or until revoked.
      const applications = await more.browser.get('/profile/applications');
      assert.match(applications.body, new RegExp(`Keep this access when you are not using the service, until [^<]*${day}[^<]* at the latest\\.`));
      const forever = await service('Forever');
      const kept = await start(forever, 'openid offline_access', more.browser);
      await approve(kept.browser, kept.page, { lifetime: 'forever' });
      const listed = (await more.browser.get('/profile/applications')).body;
      assert.match(listed, /Keep this access when you are not using the service, until you revoke it\./);
    });

    it('a request for more lists what was allowed before in a <details>, beside the new items; a new write still gets the warning', async () => {
      const client = await service();
      const first = await start(client, 'openid orgs:read workitems:read');
      await approve(first.browser, first.page, { orgs: 'some' }, [`org_${globex.id}`]);
      const granted = (await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()))!;
      assert.deepEqual(granted.orgIds, [acme.id]);

      const more = await start(client, 'openid orgs:read workitems:read workitems:write', first.browser);
      assert.ok(isWarningPage(more.page), 'the new scope is high-privilege and the publisher unverified');
      const approval = await passWarning(more.browser, more.page);
      assert.ok(isApprovalPage(approval));
      const { asked, before } = approvalSections(approval.body);
      assert.match(before, /^<details class="allowed-before"><summary>You already allowed: 3 permissions<\/summary>/);
      for (const line of ['Confirm who you are.', 'See the organizations you belong to.', 'Read work items in your organizations.']) {
        assert.ok(before.includes(line), line);
        assert.ok(!asked.includes(line), `${line} is not asked again`);
      }
      assert.match(before, /<p>In: Acme<\/p>/);
      assert.match(asked, /In addition to what you allowed before/);
      assert.match(asked, /Create, change and delete work items in your organizations\./);
      assert.ok(approval.body.indexOf('allowed-before') < approval.body.indexOf('<fieldset class="scopes">'));
    });

    it('full_access says "in your organizations", and the organizations chosen below limit it in the tokens', async () => {
      const client = await service();
      const { browser, page, request } = await start(client, 'openid full_access');
      const approval = await passWarning(browser, page);
      assert.match(approval.body, /Do everything you can do on the platform, in your organizations\./);
      assert.doesNotMatch(approval.body, /every organization you can reach/);
      assert.match(approval.body, /<legend>In which organizations<\/legend>/);
      const url = await approve(browser, approval, { orgs: 'some' }, [`org_${globex.id}`]);
      const tokens = await exchangeCode(t, client, { code: url.searchParams.get('code')!, verifier: request.verifier }, { redirect_uri: REDIRECT });
      assert.equal(tokens.statusCode, 200, tokens.body);
      assert.deepEqual(decodeJwt((tokens.json() as { access_token: string }).access_token).orgs, [acme.id]);
    });
  });
}
