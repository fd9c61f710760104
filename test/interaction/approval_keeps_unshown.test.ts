/**
 * A dimension the approval page did not show never changes. The reported defect: a grant kept to
 * Globex (the person is in Acme and Globex); the service then asks for `openid offline_access` or
 * `email`, the page shows only the new scope and no organization section, and after Approve the
 * grant covered every organization, so a prompt=none token read Acme's work items. Also: the
 * grant's end stays when no lifetime is picked, and a scope shown again and unticked is taken away.
 * Real HTTP through the test app, on both dialects.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, findForm, isApprovalPage, isSignInPage, redirectLocation, type Response } from '../support/browser.ts';
import { exchangeCode } from '../support/codes.ts';
import { call } from '../api/platform_fixture.ts';
import type { User } from '../../src/domain/users.ts';
import type { Organization } from '../../src/domain/organizations.ts';

const REDIRECT = 'https://app.example/cb';
const DECISION = /^\/interaction\/[^/]+\/decision$/;

for (const dialect of dialects()) {
  describe(`an approval keeps what its page did not show (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let acme: Organization;
    let globex: Organization;
    let browser: Browser;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      const now = t.clock.now();
      for (const [slug, name] of [['acme', 'Acme'], ['globex', 'Globex']] as const) {
        const org = (await t.deps.stores.organizations.create({ slug, name, ownerUserId: alice.id }, now))!;
        const project = (await t.deps.stores.projects.create({ orgId: org.id, key: 'web', name: 'Website', description: '' }, now))!;
        await t.deps.stores.workItems.create(project.id, { title: `${name} secret`, type: 'task', state: 'new', assigneeId: null, description: '', createdBy: alice.id }, now);
        if (slug === 'acme') acme = org;
        else globex = org;
      }
      browser = new Browser(t);
    });
    after(() => t.close());

    /** Alice's approval page for a fresh request of `client`. */
    async function approvalPage(client: TestClient, scope: string, extra: Record<string, string> = {}) {
      const request = codeRequest(client.clientId, REDIRECT, { scope, ...extra });
      const start = await browser.get(authorizeUrl(request.params));
      const page = isSignInPage(start) ? await browser.follow(await browser.signInOn(start, 'alice@example.com')) : start;
      assert.ok(isApprovalPage(page), page.body.slice(0, 1500));
      return page;
    }

    /** Approve with the page's defaults, changed by `set`, with the fields in `untick` cleared. */
    async function approve(page: Response, set: Record<string, string> = {}, untick: string[] = []) {
      const form = findForm(page.body, DECISION)!;
      const fields: Record<string, string> = { ...form.hidden, ...set, decision: 'approve' };
      for (const name of untick) delete fields[name];
      const res = await browser.post(form.action, fields);
      assert.equal(res.statusCode, 303, res.body);
      assert.ok(new URL(String(res.headers.location)).searchParams.get('code'));
    }

    /** A grant kept to Globex, ending in 30 days. */
    async function globexOnlyClient() {
      const client = await createClient(t.deps);
      const page = await approvalPage(client, 'openid orgs:read workitems:read');
      await approve(page, { orgs: 'some', lifetime: '30d' }, [`org_${acme.id}`]);
      const grant = (await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()))!;
      assert.deepEqual(grant.orgIds, [globex.id]);
      assert.ok(grant.expiresAt !== null);
      return { client, grant };
    }

    /** A token obtained silently (prompt=none) under the grant, as the service would. */
    async function silentToken(client: TestClient, scope: string) {
      const request = codeRequest(client.clientId, REDIRECT, { scope, prompt: 'none' });
      const res = await browser.get(authorizeUrl(request.params));
      const location = new URL(redirectLocation(res) ?? assert.fail(`no redirect: ${res.statusCode} ${res.body.slice(0, 500)}`));
      const code = location.searchParams.get('code');
      assert.ok(code, location.toString());
      const tokens = await exchangeCode(t, client, { code, verifier: request.verifier }, { redirect_uri: REDIRECT });
      assert.equal(tokens.statusCode, 200, tokens.body);
      return (tokens.json() as { access_token: string }).access_token;
    }

    async function assertGlobexOnly(client: TestClient) {
      const token = await silentToken(client, 'openid workitems:read');
      assert.deepEqual(decodeJwt(token).orgs, [globex.id]);
      const acmeItems = await call(t, 'GET', '/orgs/acme/projects/web/workitems', token);
      assert.ok(acmeItems.statusCode === 403 || acmeItems.statusCode === 404, `Acme answered ${acmeItems.statusCode}: ${acmeItems.body}`);
      assert.doesNotMatch(acmeItems.body, /Acme secret/);
      const globexItems = await call(t, 'GET', '/orgs/globex/projects/web/workitems', token);
      assert.equal(globexItems.statusCode, 200, globexItems.body);
      assert.match(globexItems.body, /Globex secret/);
    }

    for (const scope of ['openid offline_access', 'email', 'profile']) {
      it(`approving \`${scope}\` on a page with no organization section keeps the grant to Globex`, async () => {
        const { client, grant } = await globexOnlyClient();
        const page = await approvalPage(client, scope);
        assert.doesNotMatch(page.body, /name="orgs"/, 'the page shows no organization choice');
        assert.doesNotMatch(page.body, /name="org_/);
        await approve(page);
        const after = (await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()))!;
        assert.deepEqual(after.orgIds, [globex.id], 'still Globex only');
        assert.equal(after.expiresAt, grant.expiresAt, 'the end did not move');
        for (const s of scope.split(' ')) assert.ok(after.scopes.includes(s), `${s} was added`);
        for (const s of grant.scopes) assert.ok(after.scopes.includes(s), `${s} was kept`);
        await assertGlobexOnly(client);
      });
    }

    it('a decision that picks no lifetime, or "as before", leaves the end where it was', async () => {
      const { client, grant } = await globexOnlyClient();
      t.clock.advance(3600);
      const page = await approvalPage(client, 'openid email');
      assert.match(page.body, /name="lifetime" value="keep" checked/);
      await approve(page, {}, ['lifetime']);
      assert.equal((await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()))!.expiresAt, grant.expiresAt);
      await approve(await approvalPage(client, 'openid profile'));
      assert.equal((await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()))!.expiresAt, grant.expiresAt);
      // Picking one on the page does move it.
      await approve(await approvalPage(client, 'openid offline_access'), { lifetime: '7d' });
      const chosen = (await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()))!;
      assert.ok(chosen.expiresAt! <= t.clock.now() + 7 * 86_400 && chosen.expiresAt! < grant.expiresAt!, `ends at ${chosen.expiresAt}`);
    });

    it('a page with the organization section but a form without the orgs choice keeps the organizations', async () => {
      const { client } = await globexOnlyClient();
      const page = await approvalPage(client, 'openid orgs:read workitems:read', { prompt: 'consent' });
      assert.match(page.body, /name="orgs" value="some" checked/);
      // A form stripped of its organization fields is no choice at all, not "all of them".
      await approve(page, {}, ['orgs', `org_${globex.id}`]);
      assert.deepEqual((await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()))!.orgIds, [globex.id]);
      await assertGlobexOnly(client);
    });

    it('choosing "All my organizations" on a page that shows them does widen the grant', async () => {
      const { client } = await globexOnlyClient();
      const page = await approvalPage(client, 'openid orgs:read workitems:read', { prompt: 'consent' });
      await approve(page, { orgs: 'all', [`org_${acme.id}`]: 'on' });
      assert.equal((await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()))!.orgIds, null);
      const token = await silentToken(client, 'openid workitems:read');
      assert.equal((await call(t, 'GET', '/orgs/acme/projects/web/workitems', token)).statusCode, 200);
    });

    it('a scope shown again (prompt=consent) and unticked is taken from the grant, and from the tokens in hand', async () => {
      const { client } = await globexOnlyClient();
      const before = await silentToken(client, 'openid workitems:read');
      const page = await approvalPage(client, 'openid orgs:read workitems:read', { prompt: 'consent' });
      await approve(page, {}, ['scope_workitems:read']);
      const grant = (await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()))!;
      assert.deepEqual(grant.scopes.sort(), ['openid', 'orgs:read']);
      assert.deepEqual(grant.orgIds, [globex.id]);
      const res = await call(t, 'GET', '/orgs/globex/projects/web/workitems', before);
      assert.equal(res.statusCode, 403, res.body);
    });
  });
}
