/**
 * The approval page's choices (issue 4; SECURITY 26, 27): the organizations a grant covers (with
 * the ones a policy excludes, and why), the lifetime, and unticking scopes — each carried into the
 * code, the tokens and the API.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, approvalSections, authorizeUrl, codeRequest, findForm, isApprovalPage, isSignInPage, pastWarning, type Response } from '../support/browser.ts';
import { exchangeCode, refresh } from '../support/codes.ts';
import { call } from '../api/platform_fixture.ts';
import type { User } from '../../src/domain/users.ts';
import type { Organization } from '../../src/domain/organizations.ts';
import { setThirdPartyMode } from '../../src/services/org_admin.ts';

const REDIRECT = 'https://app.example/cb';
const DECISION = /^\/interaction\/[^/]+\/decision$/;
const SCOPE = 'openid offline_access orgs:read workitems:read workitems:write';

for (const dialect of dialects()) {
  describe(`approval page choices (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let acme: Organization;
    let globex: Organization;
    let initech: Organization;
    let umbrella: Organization;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      const now = t.clock.now();
      const create = async (slug: string, name: string) => (await t.deps.stores.organizations.create({ slug, name, ownerUserId: alice.id }, now))!;
      acme = await create('acme', 'Acme');
      globex = await create('globex', 'Globex');
      initech = await create('initech', 'Initech');
      umbrella = await create('umbrella', 'Umbrella');
      const admin = { stores: t.deps.stores, announce: { feed: t.deps.feed }, now, via: 'test' };
      await setThirdPartyMode(admin, initech, 'approved');
      await setThirdPartyMode(admin, umbrella, 'deny');
    });
    after(() => t.close());

    /** Alice, signed in, looking at the approval page of a fresh request of `client`. */
    async function approvalPage(client: TestClient, scope = SCOPE, browser = new Browser(t)) {
      const request = codeRequest(client.clientId, REDIRECT, { scope, prompt: 'consent' });
      const start = await browser.get(authorizeUrl(request.params));
      // The test service is unverified and asks for a write: past its warning, as a person who continues (issue 20).
      const page = await pastWarning(browser, isSignInPage(start) ? await browser.follow(await browser.signInOn(start, 'alice@example.com')) : start);
      assert.ok(isApprovalPage(page), page.body.slice(0, 1500));
      return { browser, page, verifier: request.verifier };
    }

    /** Presses Approve with the page's defaults, changed by `set` and with the fields in `untick` cleared. */
    async function approveWith(browser: Browser, page: Response, set: Record<string, string>, untick: string[] = []) {
      const form = findForm(page.body, DECISION)!;
      const fields: Record<string, string> = { ...form.hidden, ...set, decision: 'approve' };
      for (const name of untick) delete fields[name];
      const res = await browser.post(form.action, fields);
      assert.equal(res.statusCode, 303, res.body);
      const code = new URL(String(res.headers.location)).searchParams.get('code');
      assert.ok(code, String(res.headers.location));
      return code;
    }

    async function tokensFor(client: TestClient, code: string, verifier: string) {
      const res = await exchangeCode(t, client, { code, verifier }, { redirect_uri: REDIRECT });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { access_token: string; refresh_token: string; scope: string; expires_in: number };
    }

    it('lists every organization, the excluded ones with the reason and where to ask, the lifetimes and the scopes to untick', async () => {
      const client = await createClient(t.deps);
      const { page } = await approvalPage(client);
      for (const name of ['Acme', 'Globex', 'Initech', 'Umbrella']) assert.match(page.body, new RegExp(name));
      assert.match(page.body, /All my organizations, including ones I join later/);
      assert.match(page.body, /name="org_[^"]+" checked/);
      // Initech approves services one by one; Umbrella lets none in.
      assert.match(page.body, /<strong>Initech<\/strong>: Its owners approve services one by one/);
      // In a new tab, so the approval page stays open to be finished; the request page knows where it came from.
      assert.match(page.body, new RegExp(`href="/orgs/initech/third-party/${client.clientId}/request\\?from=approval" target="_blank" rel="noopener">Ask its owners to approve it \\(opens in a new tab\\)`));
      assert.match(page.body, /<strong>Umbrella<\/strong>: Its owners do not let this service act in it/);
      assert.doesNotMatch(page.body, new RegExp(`name="org_${umbrella.id}"`), 'an excluded organization is not a choice');
      // SECURITY 27: the grant lifetime is on the page.
      assert.match(page.body, /Until I revoke it/);
      assert.match(page.body, /30 days/);
      assert.match(page.body, /7 days/);
      assert.match(page.body, /name="scope_workitems:write" checked/);
      assert.doesNotMatch(page.body, /name="scope_openid"/, 'signing in is not optional');
    });

    it('unticking a scope, keeping one organization and choosing 7 days shape the code, the tokens and the API (SECURITY 26)', async () => {
      const client = await createClient(t.deps);
      const { browser, page, verifier } = await approvalPage(client);
      const approvedFrom = t.clock.now();
      const code = await approveWith(browser, page, { orgs: 'some', lifetime: '7d' }, [`org_${globex.id}`, `org_${initech.id}`, 'scope_workitems:write']);
      const tokens = await tokensFor(client, code, verifier);
      assert.equal(tokens.scope, 'openid offline_access orgs:read workitems:read', 'the narrower scope is echoed');
      const claims = decodeJwt(tokens.access_token);
      assert.deepEqual(claims.orgs, [acme.id]);

      const grant = await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now());
      // The clock follows real time, so the approval happened within [approvedFrom, now].
      const expiresAt = grant!.expiresAt!;
      assert.ok(expiresAt >= approvedFrom + 7 * 86_400 && expiresAt <= t.clock.now() + 7 * 86_400, `expires at ${expiresAt}`);
      assert.deepEqual(grant!.orgIds, [acme.id]);
      assert.ok(!grant!.scopes.includes('workitems:write'));

      const orgs = await call(t, 'GET', '/orgs', tokens.access_token);
      assert.equal(orgs.statusCode, 200, orgs.body);
      assert.deepEqual((orgs.json() as { items: { slug: string }[] }).items.map((o) => o.slug), ['acme']);
      assert.equal((await call(t, 'GET', '/orgs/acme/projects', tokens.access_token)).statusCode, 200);
      assert.equal((await call(t, 'GET', '/orgs/globex/projects', tokens.access_token)).statusCode, 404, 'not covered by the grant');
      const write = await call(t, 'POST', '/orgs/acme/projects', tokens.access_token, { body: { name: 'Roadmap' } });
      assert.equal(write.statusCode, 403);
      assert.equal((write.json() as { code: string }).code, 'insufficient_scope');

      // The grant ends after 7 days: its refresh token is refused from then on.
      t.clock.advance(7 * 86_400 - 60);
      const before = await refresh(t, client, tokens.refresh_token);
      assert.equal(before.statusCode, 200, before.body);
      const next = before.json() as { access_token: string; refresh_token: string; expires_in: number };
      assert.ok(next.expires_in <= 60, 'no access token outlives the grant');
      t.clock.advance(61);
      const after = await refresh(t, client, next.refresh_token);
      assert.equal(after.statusCode, 400);
      assert.equal((after.json() as { error: string }).error, 'invalid_grant');
      assert.equal((await call(t, 'GET', '/orgs', next.access_token)).statusCode, 401);
    });

    it('the next request asks only for what is new, keeps the organizations chosen, and approving extends the grant', async () => {
      const client = await createClient(t.deps);
      const first = await approvalPage(client, 'openid orgs:read');
      await approveWith(first.browser, first.page, { orgs: 'some' }, [`org_${globex.id}`, `org_${initech.id}`]);
      const { browser, page, verifier } = await approvalPage(client, 'openid orgs:read workitems:read', first.browser);
      assert.match(page.body, /In addition to what you allowed before/);
      assert.match(page.body, /Read work items in your organizations/);
      const { asked, before } = approvalSections(page.body);
      assert.doesNotMatch(asked, /See the organizations you belong to/, 'what was granted is not asked again');
      assert.match(before, /See the organizations you belong to/, 'it is listed, collapsed, as allowed before');
      assert.match(page.body, /name="orgs" value="some" checked/);
      assert.match(page.body, new RegExp(`name="org_${acme.id}" checked`));
      assert.doesNotMatch(page.body, new RegExp(`name="org_${globex.id}" checked`));
      const code = await approveWith(browser, page, {});
      const tokens = await tokensFor(client, code, verifier);
      assert.equal(tokens.scope, 'openid orgs:read workitems:read');
      const grant = await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now());
      assert.deepEqual(grant!.scopes.sort(), ['openid', 'orgs:read', 'workitems:read']);
      assert.deepEqual(grant!.orgIds, [acme.id]);
    });

    it('narrowing the organizations on a later approval shrinks the tokens already in hand at once', async () => {
      const client = await createClient(t.deps);
      const first = await approvalPage(client, 'openid orgs:read workitems:read');
      const tokens = await tokensFor(client, await approveWith(first.browser, first.page, {}), first.verifier);
      assert.equal((await call(t, 'GET', '/orgs/globex/projects', tokens.access_token)).statusCode, 200);
      const again = await approvalPage(client, 'openid orgs:read workitems:read', first.browser);
      await approveWith(again.browser, again.page, { orgs: 'some' }, [`org_${globex.id}`, `org_${initech.id}`]);
      assert.equal((await call(t, 'GET', '/orgs/globex/projects', tokens.access_token)).statusCode, 404, 'the old token lost globex');
      assert.equal((await call(t, 'GET', '/orgs/acme/projects', tokens.access_token)).statusCode, 200);
    });

    it('renders a javascript: website as text, never as a link, and an https website as a link to its host (SECURITY 27)', async () => {
      const evil = await createClient(t.deps, { name: 'Evil' });
      await t.deps.stores.apps.update({ ...evil.app, websiteUrl: 'javascript:alert(1)' }, t.clock.now());
      const { page } = await approvalPage(evil);
      assert.doesNotMatch(page.body, /javascript:/);
      const good = await createClient(t.deps, { name: 'Good' });
      await t.deps.stores.apps.update({ ...good.app, websiteUrl: 'https://good.example/about' }, t.clock.now());
      const shown = await approvalPage(good);
      assert.match(shown.page.body, /<a href="https:\/\/good\.example\/about" rel="noopener noreferrer" target="_blank">good\.example<\/a>/);
    });

    it('unticking an organization leaves it out even when the radio still says all of them', async () => {
      const client = await createClient(t.deps);
      const { browser, page, verifier } = await approvalPage(client, 'openid orgs:read');
      const code = await approveWith(browser, page, {}, [`org_${globex.id}`]);
      const tokens = await tokensFor(client, code, verifier);
      assert.deepEqual(decodeJwt(tokens.access_token).orgs, [acme.id], 'the excluded organizations were never offered, so they do not count');
    });

    it('a decision naming an organization the person does not belong to cannot widen anything', async () => {
      const client = await createClient(t.deps);
      const { browser, page, verifier } = await approvalPage(client, 'openid orgs:read');
      const stranger = (await t.deps.stores.organizations.create({ slug: 'stranger', name: 'Stranger' }, t.clock.now()))!;
      const code = await approveWith(browser, page, { orgs: 'some', [`org_${stranger.id}`]: 'on' }, [`org_${globex.id}`, `org_${initech.id}`]);
      const tokens = await tokensFor(client, code, verifier);
      assert.deepEqual(decodeJwt(tokens.access_token).orgs, [acme.id]);
    });
  });
}
