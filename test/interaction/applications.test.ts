/**
 * "Manage applications" (issue 4, SECURITY 52): the page lists each authorized service with what
 * it may do and when it was approved; a revoke (confirmed, CSRF-protected) kills the refresh token
 * and the access token at once and brings the approval page back; someone else's grant is a 404;
 * taking a scope or an organization away shrinks the tokens in hand at once; activity is shown.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { Browser, codeRequest, findForm, isApprovalPage, authorizeUrl, type Response } from '../support/browser.ts';
import { introspect, obtainTokens, refresh } from '../support/codes.ts';
import { call } from '../api/platform_fixture.ts';
import type { User } from '../../src/domain/users.ts';
import type { Organization } from '../../src/domain/organizations.ts';
import { setThirdPartyMode } from '../../src/services/org_admin.ts';

const REDIRECT = 'https://app.example/cb';
const SCOPES = ['openid', 'offline_access', 'orgs:read', 'workitems:read', 'workitems:write'];

for (const dialect of dialects()) {
  describe(`Manage applications (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let bob: User;
    let globex: Organization;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      bob = await createUser(t.deps, 'bob@example.com', 'Bob');
      await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme', ownerUserId: alice.id }, t.clock.now());
      globex = (await t.deps.stores.organizations.create({ slug: 'globex', name: 'Globex', ownerUserId: alice.id }, t.clock.now()))!;
    });
    after(() => t.close());

    async function signedIn(email: string): Promise<Browser> {
      const browser = new Browser(t);
      const res = await browser.signIn(email);
      assert.equal(res.statusCode, 303, res.body);
      return browser;
    }

    /** A service alice authorized, with tokens from a real code exchange. */
    async function authorized(name: string) {
      const client = await createClient(t.deps, { name, redirectUris: [REDIRECT] });
      const tokens = await obtainTokens(t, { client, user: alice, scopes: SCOPES });
      return { client, tokens };
    }

    function form(page: Response, action: string | RegExp) {
      const found = findForm(page.body, typeof action === 'string' ? new RegExp(`^${action.replace(/[/.]/g, '\\$&')}$`) : action);
      assert.ok(found, `no form ${action} on:\n${page.body.slice(0, 1500)}`);
      return found;
    }

    it('lists each authorized service with what it may do, where, and when it was approved', async () => {
      const { tokens } = await authorized('Planner <Pro>');
      const browser = await signedIn('alice@example.com');
      const page = await browser.get('/profile/applications');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Planner &lt;Pro>/);
      assert.match(page.body, /Create, change and delete work items in your organizations\./);
      assert.match(page.body, /All your organizations, including ones you join later/);
      assert.match(page.body, new RegExp(new Date(t.clock.now() * 1000).getUTCFullYear().toString()));
      assert.match(page.body, /Unverified publisher/);
      assert.match(page.body, new RegExp(`href="/profile/applications/${tokens.grantId}/revoke"`));
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.equal(page.headers['x-frame-options'], 'DENY');
      // The profile links to it.
      assert.match((await browser.get('/profile')).body, /href="\/profile\/applications">Manage applications/);
    });

    it('revoking asks first, then kills the refresh token and the access token at once, and the next request asks again (SECURITY 52)', async () => {
      const { client, tokens } = await authorized('Revocable');
      const browser = await signedIn('alice@example.com');
      assert.equal((await call(t, 'GET', '/orgs', tokens.access_token)).statusCode, 200);

      const confirm = await browser.get(`/profile/applications/${tokens.grantId}/revoke`);
      assert.equal(confirm.statusCode, 200);
      assert.match(confirm.body, /Revoke Revocable\?/);
      assert.ok(await t.deps.stores.grants.findById(tokens.grantId), 'showing the confirmation changes nothing');

      const revokeForm = form(confirm, `/profile/applications/${tokens.grantId}/revoke`);
      // Without the form token, or from another site: refused, nothing revoked.
      assert.equal((await browser.post(revokeForm.action, {})).statusCode, 403);
      assert.equal((await browser.post(revokeForm.action, revokeForm.hidden, { origin: 'https://evil.example' })).statusCode, 403);
      assert.equal((await browser.post(revokeForm.action, revokeForm.hidden, { 'sec-fetch-site': 'cross-site' })).statusCode, 403);
      assert.ok(await t.deps.stores.grants.findById(tokens.grantId));

      const done = await browser.post(revokeForm.action, revokeForm.hidden);
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, '/profile/applications?done=revoked');
      // The confirmation names the service (from her own log, not from the address); the list no longer has it.
      const after = await browser.get('/profile/applications?done=revoked');
      assert.match(after.body, /class="notice"[^>]*>Revocable was revoked\. It can no longer act for you\./);
      assert.doesNotMatch(after.body.replace(/Revocable was revoked/, ''), /Revocable/);
      // Someone who revoked nothing gets no name.
      const bob = await signedIn('bob@example.com');
      const plain = await bob.get('/profile/applications?done=revoked');
      assert.doesNotMatch(plain.body, /Revocable/);
      assert.match(plain.body, /The application was revoked\./);

      const refreshed = await refresh(t, client, tokens.refresh_token);
      assert.equal(refreshed.statusCode, 400);
      assert.equal((refreshed.json() as { error: string }).error, 'invalid_grant');
      const api = await call(t, 'GET', '/orgs', tokens.access_token);
      assert.equal(api.statusCode, 401);
      assert.equal((api.json() as { code: string }).code, 'grant_revoked');
      assert.equal((await introspect(t, client, tokens.access_token)).active, false);

      const again = await browser.follow(await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { scope: 'openid orgs:read' }).params)));
      assert.ok(isApprovalPage(again), 'the next authorization shows the approval page again');
      // The security log says so.
      assert.match((await browser.get('/profile')).body, /Revoked an application: Revocable/);
    });

    it("bob cannot see, change or revoke alice's grant: 404, and alice's tokens stay active", async () => {
      const { client, tokens } = await authorized('Alice only');
      const alicePage = await (await signedIn('alice@example.com')).get(`/profile/applications/${tokens.grantId}`);
      const editForm = form(alicePage, `/profile/applications/${tokens.grantId}/edit`);
      const bobBrowser = await signedIn('bob@example.com');
      const bobToken = form(await bobBrowser.get(`/profile/applications/revoke-all`), '/profile/applications/revoke-all').hidden;
      assert.equal((await bobBrowser.get(`/profile/applications/${tokens.grantId}`)).statusCode, 404);
      assert.equal((await bobBrowser.get(`/profile/applications/${tokens.grantId}/revoke`)).statusCode, 404);
      assert.equal((await bobBrowser.post(`/profile/applications/${tokens.grantId}/revoke`, bobToken)).statusCode, 404);
      assert.equal((await bobBrowser.post(`/profile/applications/${tokens.grantId}/edit`, { ...bobToken, orgs: 'some' })).statusCode, 404);
      assert.equal((await bobBrowser.post(editForm.action, editForm.hidden)).statusCode, 403, "alice's form token is not bob's");
      assert.equal((await bobBrowser.get('/profile/applications/unknown-grant-id')).statusCode, 404);
      assert.equal((await call(t, 'GET', '/orgs', tokens.access_token)).statusCode, 200);
      assert.equal((await introspect(t, client, tokens.access_token)).active, true);
      assert.equal((await refresh(t, client, tokens.refresh_token)).statusCode, 200);
    });

    it('taking a scope and an organization away shrinks the tokens in hand at once, and refreshes after', async () => {
      const { client, tokens } = await authorized('Shrinkable');
      const browser = await signedIn('alice@example.com');
      assert.equal((await call(t, 'POST', '/orgs/globex/projects', tokens.access_token, { body: { name: 'Before' } })).statusCode, 201);

      const page = await browser.get(`/profile/applications/${tokens.grantId}`);
      assert.equal(page.statusCode, 200);
      const edit = form(page, `/profile/applications/${tokens.grantId}/edit`);
      const fields: Record<string, string> = { ...edit.hidden, orgs: 'some' };
      delete fields['scope_workitems:write'];
      delete fields[`org_${globex.id}`];
      const saved = await browser.post(edit.action, fields);
      assert.equal(saved.statusCode, 303, saved.body);
      assert.match((await browser.get(String(saved.headers.location))).body, /Your changes were saved/);

      // The same access token, at once: no more writes, no more globex.
      const write = await call(t, 'POST', '/orgs/acme/projects', tokens.access_token, { body: { name: 'After' } });
      assert.equal(write.statusCode, 403);
      assert.equal((write.json() as { code: string }).code, 'insufficient_scope');
      assert.equal((await call(t, 'GET', '/orgs/globex/projects', tokens.access_token)).statusCode, 404);
      assert.equal((await call(t, 'GET', '/orgs/acme/projects', tokens.access_token)).statusCode, 200);
      const seen = await introspect(t, client, tokens.access_token);
      assert.equal(seen.active, true);
      assert.doesNotMatch(String(seen.scope), /workitems:write/);

      // Refreshing yields only what is left.
      const refreshed = await refresh(t, client, tokens.refresh_token);
      assert.equal(refreshed.statusCode, 200, refreshed.body);
      const next = refreshed.json() as { access_token: string; scope: string };
      assert.equal(next.scope, 'openid offline_access orgs:read workitems:read');
      assert.equal((await call(t, 'GET', '/orgs/globex/projects', next.access_token)).statusCode, 404);

      const listed = await browser.get('/profile/applications');
      assert.match(listed.body, /<dt>In<\/dt><dd>Acme<\/dd>/);
      assert.match((await browser.get('/profile')).body, /Reduced an application&#39;s access: Shrinkable|Reduced an application's access: Shrinkable/);
    });

    it('an organization dropped can be added back without the service asking again; one its owners block says why and where to ask', async () => {
      const { client, tokens } = await authorized('Comeback');
      const browser = await signedIn('alice@example.com');
      // A grant covering every organization has nothing to add.
      assert.doesNotMatch((await browser.get(`/profile/applications/${tokens.grantId}`)).body, /Add an organization/);
      const page = await browser.get(`/profile/applications/${tokens.grantId}`);
      const edit = form(page, `/profile/applications/${tokens.grantId}/edit`);
      const fields: Record<string, string> = { ...edit.hidden, orgs: 'some' };
      delete fields[`org_${globex.id}`];
      assert.equal((await browser.post(edit.action, fields)).statusCode, 303);
      t.clock.advance(2);

      // Globex is offered back; the button posts the organization with the profile's form token.
      const narrowed = await browser.get(`/profile/applications/${tokens.grantId}`);
      assert.match(narrowed.body, /<h2>Add an organization<\/h2>/);
      const add = form(narrowed, `/profile/applications/${tokens.grantId}/add-org`);
      assert.equal(add.hidden.org, globex.id);
      // Without the form token, or from another site: refused, nothing added.
      assert.equal((await browser.post(add.action, { org: globex.id })).statusCode, 403);
      assert.equal((await browser.post(add.action, add.hidden, { 'sec-fetch-site': 'cross-site' })).statusCode, 403);
      // Bob cannot add to alice's grant.
      const bob = await signedIn('bob@example.com');
      const bobToken = form(await bob.get('/profile/applications/revoke-all'), '/profile/applications/revoke-all').hidden;
      assert.equal((await bob.post(add.action, { ...bobToken, org: globex.id })).statusCode, 404);
      // Only an organization of hers that the grant leaves out.
      const acme = (await t.deps.stores.organizations.findBySlug('acme'))!;
      assert.equal((await browser.post(add.action, { ...add.hidden, org: acme.id })).statusCode, 400);
      assert.equal((await browser.post(add.action, { ...add.hidden, org: 'not-an-org' })).statusCode, 400);
      assert.deepEqual((await t.deps.stores.grants.findById(tokens.grantId))!.orgIds, [acme.id]);

      // Its write scope reaching a new organization needs a recent sign-in, as on the approval page (issue 16).
      t.clock.advance(t.config.ttl.stepUp + 1);
      const stale = await browser.post(add.action, add.hidden);
      assert.equal(stale.statusCode, 303);
      assert.equal(stale.headers.location, `/login?return_to=%2Fprofile%2Fapplications%2F${tokens.grantId}&reauth=1`);
      assert.deepEqual((await t.deps.stores.grants.findById(tokens.grantId))!.orgIds, [acme.id], 'nothing added before the sign-in');
      await browser.signIn('alice@example.com');
      const fresh = form(await browser.get(`/profile/applications/${tokens.grantId}`), `/profile/applications/${tokens.grantId}/add-org`);
      const added = await browser.post(fresh.action, fresh.hidden);
      assert.equal(added.statusCode, 303, added.body);
      assert.match((await browser.get(String(added.headers.location))).body, /The organization was added/);
      const grant = (await t.deps.stores.grants.findById(tokens.grantId))!;
      assert.deepEqual([...grant.orgIds!].sort(), [acme.id, globex.id].sort());
      assert.deepEqual(grant.scopes, SCOPES, 'the permissions stay as they were');
      // The service's next token reaches Globex again, with no new approval.
      t.clock.advance(2);
      const refreshed = await refresh(t, client, tokens.refresh_token);
      assert.equal(refreshed.statusCode, 200, refreshed.body);
      assert.equal((await call(t, 'GET', '/orgs/globex/projects', (refreshed.json() as { access_token: string }).access_token)).statusCode, 200);
      // Recorded as a widening the person is told about, like any approval that gains something.
      const [event] = await t.deps.stores.audit.listForUser(alice.id, ['grant.approved'], 1);
      assert.equal(event!.detail.widened, true);
      assert.deepEqual([...(event!.detail.orgs as string[])].sort(), ['Acme', 'Globex']);

      // Once the grant is revoked, the old page's button adds nothing and brings nothing back.
      assert.equal((await browser.post(`/profile/applications/${tokens.grantId}/revoke`, fresh.hidden)).statusCode, 303);
      assert.equal((await browser.post(add.action, fresh.hidden)).statusCode, 404);
      assert.equal(await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()), undefined);
    });

    it('an organization whose owners approve services one by one is shown with the reason and the request link, and cannot be added', async () => {
      const { tokens } = await authorized('Gated');
      const browser = await signedIn('alice@example.com');
      const now = t.clock.now();
      const initech = (await t.deps.stores.organizations.create({ slug: 'initech', name: 'Initech', ownerUserId: bob.id }, now))!;
      await t.deps.stores.organizations.setMember(initech.id, alice.id, 'member', now);
      await t.deps.feed.publish({ type: 'membership', userId: alice.id });
      await setThirdPartyMode({ stores: t.deps.stores, announce: { feed: t.deps.feed }, now, via: 'test' }, initech, 'approved');
      const page = await browser.get(`/profile/applications/${tokens.grantId}`);
      const edit = form(page, `/profile/applications/${tokens.grantId}/edit`);
      // Narrow to Acme, so Globex and Initech are both left out.
      const fields: Record<string, string> = { ...edit.hidden, orgs: 'some' };
      for (const key of Object.keys(fields)) if (key.startsWith('org_') && key !== `org_${(await t.deps.stores.organizations.findBySlug('acme'))!.id}`) delete fields[key];
      assert.equal((await browser.post(edit.action, fields)).statusCode, 303);
      const narrowed = await browser.get(`/profile/applications/${tokens.grantId}`);
      assert.match(narrowed.body, /<strong>Initech<\/strong>: Its owners approve services one by one, and have not approved this one\./);
      assert.match(narrowed.body, /href="\/orgs\/initech\/third-party\/[^"]+\/request">Ask its owners to approve it/);
      assert.doesNotMatch(narrowed.body, /Add Initech/);
      assert.match(narrowed.body, /Add Globex/);
      const add = form(narrowed, `/profile/applications/${tokens.grantId}/add-org`);
      const refused = await browser.post(add.action, { ...add.hidden, org: initech.id });
      assert.equal(refused.statusCode, 409);
      assert.match(refused.body, /Initech: Its owners approve services one by one/);
      assert.ok(!(await t.deps.stores.grants.findById(tokens.grantId))!.orgIds!.includes(initech.id));
      await t.deps.stores.organizations.removeMember(initech.id, alice.id, t.clock.now());
      await t.deps.feed.publish({ type: 'membership', userId: alice.id });
    });

    it('refuses to take every permission away (revoke is the way), and saving nothing changes nothing', async () => {
      const { tokens } = await authorized('Keep one');
      const browser = await signedIn('alice@example.com');
      const page = await browser.get(`/profile/applications/${tokens.grantId}`);
      const edit = form(page, `/profile/applications/${tokens.grantId}/edit`);
      const none = Object.fromEntries(Object.entries(edit.hidden).filter(([k]) => !k.startsWith('scope_')));
      const refused = await browser.post(edit.action, none);
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /Keep at least one permission/);
      const same = await browser.post(edit.action, edit.hidden);
      assert.equal(same.headers.location, `/profile/applications/${tokens.grantId}?done=unchanged`);
      const grant = await t.deps.stores.grants.findById(tokens.grantId);
      assert.deepEqual(grant!.scopes, SCOPES);
      assert.equal(grant!.orgIds, null);
    });

    it("shows the service's calls per day over 30 days as a chart, and its latest calls in words", async () => {
      t.clock.awayFromMidnight();
      const { tokens } = await authorized('Busy');
      const quiet = await (await signedIn('alice@example.com')).get(`/profile/applications/${tokens.grantId}`);
      assert.match(quiet.body, /No calls in the last 30 days\./);
      assert.doesNotMatch(quiet.body, /What it did lately/);
      for (let i = 0; i < 3; i++) assert.equal((await call(t, 'GET', '/orgs/acme/projects', tokens.access_token)).statusCode, 200);
      assert.equal((await call(t, 'GET', '/orgs/nowhere/projects', tokens.access_token)).statusCode, 404);
      assert.equal((await call(t, 'GET', '/orgs', tokens.access_token)).statusCode, 200);
      await t.deps.usage.flush();
      const page = await (await signedIn('alice@example.com')).get(`/profile/applications/${tokens.grantId}`);
      const today = new Date(t.clock.now() * 1000).toISOString().slice(0, 10);
      // The chart: 30 bars, today's the last with its 5 calls; the numbers in a table too.
      assert.equal([...page.body.matchAll(/class="day-chart-bar"/g)].length, 30);
      assert.match(page.body, new RegExp(`data-day="${today}" data-value="5"`));
      assert.match(page.body, new RegExp(`<td>${today}</td><td>5</td>`));
      // One sentence per kind, counted for every call: the organization by its name; a refused call
      // without the organization it named (a made-up slug adds no row), its refusal counted.
      assert.match(page.body, /<strong>Read projects in Acme<\/strong>: 3 times today, last \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      assert.match(page.body, /<strong>Read projects<\/strong>: once today<span class="status failed"> \(1 refused\)<\/span>/);
      assert.doesNotMatch(page.body, /nowhere<\/strong>/);
      assert.match(page.body, /<strong>Listed your organizations<\/strong>: once today/);
      assert.match(page.body, /Its calls by kind: today, and in the last 30 days \(UTC\)\./);
      const kinds = await t.deps.stores.grantActivity.callKinds(tokens.grantId, today);
      assert.deepEqual(kinds.map((k) => [k.route, k.org, k.calls, k.refused]).sort(), [
        ['/api/v1/orgs', '', 1, 0],
        ['/api/v1/orgs/:org/projects', '', 1, 1],
        ['/api/v1/orgs/:org/projects', 'acme', 3, 0],
      ]);
      // Earlier days of the period add to the period's figure, not to today's.
      const yesterday = new Date((t.clock.now() - 86_400) * 1000).toISOString().slice(0, 10);
      const before = { day: yesterday, method: 'GET', route: '/api/v1/orgs/:org/projects', org: 'acme', calls: 4, refused: 0, lastAt: t.clock.now() - 86_400 };
      await t.deps.stores.grantActivity.record({ calls: new Map(), actions: new Map(), kinds: new Map([[tokens.grantId, new Map([['k', before]])]]) }, 5);
      const later = await (await signedIn('alice@example.com')).get(`/profile/applications/${tokens.grantId}`);
      assert.match(later.body, /<strong>Read projects in Acme<\/strong>: 3 times today, 7 in 30 days, last/);
      // The calls themselves stay available, below.
      assert.match(page.body, /GET \/api\/v1\/orgs\/acme\/projects/);
      assert.match(page.body, /class="status failed">404/);
      assert.doesNotMatch((await (await signedIn('alice@example.com')).get('/profile/applications')).body, /Last used<\/dt><dd>Never/);
    });

    it('Revoke all ends every grant of the person after a confirmation, and no one else’s', async () => {
      const mine = await authorized('First');
      const other = await authorized('Second');
      const bobs = await obtainTokens(t, { client: await createClient(t.deps, { name: 'Bob app' }), user: bob, scopes: ['openid', 'orgs:read'] });
      const browser = await signedIn('alice@example.com');
      const confirm = await browser.get('/profile/applications/revoke-all');
      assert.match(confirm.body, /Revoke every application\?/);
      const res = await browser.post('/profile/applications/revoke-all', form(confirm, '/profile/applications/revoke-all').hidden);
      assert.equal(res.statusCode, 303);
      assert.equal((await call(t, 'GET', '/orgs', mine.tokens.access_token)).statusCode, 401);
      assert.equal((await call(t, 'GET', '/orgs', other.tokens.access_token)).statusCode, 401);
      assert.deepEqual(await t.deps.stores.grants.listLive(alice.id, t.clock.now()), []);
      assert.equal((await call(t, 'GET', '/orgs', bobs.access_token)).statusCode, 200);
      assert.match((await browser.get('/profile/applications')).body, /You have not authorized any application/);
    });

    it('needs a session: signed out, the pages send you to sign in', async () => {
      const res = await new Browser(t).get('/profile/applications');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/login');
    });
  });
}
