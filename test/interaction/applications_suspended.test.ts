/**
 * Issue 21, for the people who authorized a suspended service: /profile names it in a notice,
 * Manage applications marks it "Suspended by the platform" and still lets them revoke it (the grant stays revoked after an
 * unsuspend); an approval page left open when the service is suspended gives no grant and no code.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, decideOn, findForm, isApprovalPage } from '../support/browser.ts';
import { obtainTokens, refresh } from '../support/codes.ts';
import { suspendApp, unsuspendApp } from '../../src/services/app_suspensions.ts';
import type { User } from '../../src/domain/users.ts';

const REDIRECT = 'https://app.example/cb';

for (const dialect of dialects()) {
  describe(`a suspended service, seen by its people (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
    });
    after(() => t.close());

    const suspend = async (appId: string) => assert.equal((await suspendApp(t.deps, appId, 'secret reason', t.clock.now(), { via: 'cli' })).kind, 'suspended');

    async function signedIn(): Promise<Browser> {
      const browser = new Browser(t);
      assert.equal((await browser.signIn('alice@example.com')).statusCode, 303);
      return browser;
    }

    it('Manage applications marks it and still revokes it; the revoke outlives the unsuspend', async () => {
      const client = await createClient(t.deps, { name: 'Shady', redirectUris: [REDIRECT] });
      const tokens = await obtainTokens(t, { client, user: alice, scopes: ['openid', 'offline_access'] });
      const browser = await signedIn();
      assert.doesNotMatch((await browser.get('/profile/applications')).body, /Suspended by the platform/);
      assert.doesNotMatch((await browser.get('/profile')).body, /has been suspended by the platform/);
      await suspend(client.clientId);
      const list = await browser.get('/profile/applications');
      assert.match(list.body, /Suspended by the platform/);
      // People see plain words only, never the operator's reason.
      assert.doesNotMatch(list.body, /secret reason/);
      assert.match((await browser.get(`/profile/applications/${tokens.grantId}`)).body, /Suspended by the platform/);
      // And on /profile, a notice naming it.
      assert.match((await browser.get('/profile')).body, /“Shady”, a service you authorized, has been suspended by the platform/);

      const confirm = await browser.get(`/profile/applications/${tokens.grantId}/revoke`);
      const revokeForm = findForm(confirm.body, new RegExp(`^/profile/applications/${tokens.grantId}/revoke$`));
      assert.ok(revokeForm);
      const done = await browser.post(revokeForm.action, revokeForm.hidden);
      assert.equal(done.statusCode, 303);
      await unsuspendApp(t.deps, client.clientId, t.clock.now(), { via: 'cli' });
      const res = await refresh(t, client, tokens.refresh_token);
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'invalid_grant');
    });

    it('a suspended service cannot be given an organization from Manage applications', async () => {
      const now = t.clock.now();
      const acme = (await t.deps.stores.organizations.create({ slug: 'acme-s', name: 'Acme', ownerUserId: alice.id }, now))!;
      const client = await createClient(t.deps, { name: 'Gated', redirectUris: [REDIRECT] });
      const grant = await t.deps.stores.grants.approve(alice.id, client.clientId, ['openid', 'orgs:read'], now, { orgIds: [], expiresAt: 'keep', narrowingUntil: now });
      await t.deps.feed.publish({ type: 'membership', userId: alice.id });
      const browser = await signedIn();
      const page = await browser.get(`/profile/applications/${grant.id}`);
      const add = findForm(page.body, new RegExp(`^/profile/applications/${grant.id}/add-org$`));
      assert.ok(add, 'offered while the service is active');
      await suspend(client.clientId);
      const refused = await browser.post(add.action, add.hidden);
      assert.equal(refused.statusCode, 409);
      assert.match(refused.body, /The platform has suspended this service: it cannot be given more now\./);
      assert.deepEqual((await t.deps.stores.grants.findById(grant.id))!.orgIds, [], 'nothing added');
      assert.equal(add.hidden.org, acme.id);
    });

    it('an approval page open when the service is suspended: no grant, no code, the plain page', async () => {
      const client = await createClient(t.deps, { name: 'Pending', redirectUris: [REDIRECT] });
      const browser = await signedIn();
      const { params } = codeRequest(client.clientId, REDIRECT, { scope: 'openid workitems:read' });
      const page = await browser.get(authorizeUrl(params));
      assert.ok(isApprovalPage(page), page.body.slice(0, 500));
      await suspend(client.clientId);
      const decided = await decideOn(browser, page, true);
      assert.equal(decided.statusCode, 403);
      assert.equal(decided.headers.location, undefined);
      assert.match(decided.body, /This service has been suspended by the platform/);
      assert.equal(await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now()), undefined);
    });
  });
}
