/**
 * Apps owned by an organization (issue 5): its owners manage them in the portal and the JSON API;
 * a member who is not an owner, and anyone else, gets 404 as for a missing app (SECURITY 51).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import type { Organization } from '../../src/domain/organizations.ts';
import { hiddenInputs } from '../support/browser.ts';
import { Developer, GOOD_APP } from './helpers.ts';

for (const dialect of dialects()) {
  describe(`organization-owned apps (${dialect})`, () => {
    let t: TestApp;
    let owner: Developer;
    let coOwner: Developer;
    let member: Developer;
    let outsider: Developer;
    let org: Organization;

    before(async () => {
      t = await startTestApp({ dialect });
      owner = await Developer.signIn(t, 'owen@example.com');
      coOwner = await Developer.signIn(t, 'olga@example.com');
      member = await Developer.signIn(t, 'mia@example.com');
      outsider = await Developer.signIn(t, 'xavier@example.com');
      const users = t.deps.stores.users;
      org = (await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: (await users.findByEmail('owen@example.com'))!.id }, t.deps.clock.now()))!;
      await t.deps.stores.organizations.setMember(org.id, (await users.findByEmail('olga@example.com'))!.id, 'owner', t.deps.clock.now());
      await t.deps.stores.organizations.setMember(org.id, (await users.findByEmail('mia@example.com'))!.id, 'member', t.deps.clock.now());
    });
    after(() => t.close());

    it('an owner registers an app for the organization; it belongs to the organization, not to them', async () => {
      const created = await owner.createApp({ owner_org: 'acme' });
      assert.deepEqual(created.owner, { type: 'organization', org: 'acme', name: 'Acme Corp' });
      assert.equal(created.company, 'Example Ltd');
      const stored = await t.deps.stores.apps.find(created.client_id);
      assert.equal(stored?.ownerUserId, null);
      assert.equal(await t.deps.stores.appOwners.orgOf(created.client_id), org.id);
      const personal = await owner.createApp();
      assert.deepEqual(personal.owner, { type: 'user' });
      assert.equal(await t.deps.stores.appOwners.orgOf(personal.client_id), undefined);
      // Without a company, the organization is the publisher.
      const unnamed = await owner.createApp({ owner_org: 'acme', company: '' });
      assert.equal(unnamed.company, 'Acme Corp');
    });

    it('every owner of the organization lists, reads, edits, rotates, sees usage of and deletes it (API and pages)', async () => {
      const created = await owner.createApp({ owner_org: 'acme', name: 'Shared Bot' });
      const id = created.client_id;
      const list = (await coOwner.api('GET', '/apps')).json() as { client_id: string; owner: { type: string } }[];
      assert.deepEqual(list.find((a) => a.client_id === id)?.owner, { type: 'organization', org: 'acme', name: 'Acme Corp' });
      assert.equal((await coOwner.api('GET', `/apps/${id}`)).statusCode, 200);
      const put = await coOwner.api('PUT', `/apps/${id}`, { ...GOOD_APP, name: 'Shared Bot 2' });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal((await t.deps.stores.apps.find(id))?.name, 'Shared Bot 2');
      const secret = await coOwner.api('POST', `/apps/${id}/secrets`, {});
      assert.equal(secret.statusCode, 201, secret.body);
      assert.equal((await coOwner.api('GET', `/apps/${id}/usage`)).statusCode, 200);

      const page = await coOwner.browser.get(`/developers/apps/${id}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<dd id="owner">Acme Corp \(organization\)<\/dd>/);
      const listPage = await coOwner.browser.get('/developers/apps');
      assert.match(listPage.body, /Shared Bot 2<\/a>.*Acme Corp/s);
      const deleted = await coOwner.browser.submit(page, /\/delete$/);
      assert.equal(deleted.statusCode, 303);
      assert.equal(await t.deps.stores.apps.find(id), undefined);
    });

    it('SECURITY 51: a member who is not an owner, and an outsider, get 404 everywhere and change nothing', async () => {
      const created = await owner.createApp({ owner_org: 'acme' });
      const id = created.client_id;
      const before = await t.deps.stores.apps.find(id);
      for (const dev of [member, outsider]) {
        const answers = [
          await dev.api('GET', `/apps/${id}`),
          await dev.api('PUT', `/apps/${id}`, { ...GOOD_APP, name: 'Hijacked', redirect_uris: ['https://evil.example/cb'] }),
          await dev.api('DELETE', `/apps/${id}`),
          await dev.api('GET', `/apps/${id}/secrets`),
          await dev.api('POST', `/apps/${id}/secrets`, {}),
          await dev.api('GET', `/apps/${id}/usage`),
          await dev.browser.get(`/developers/apps/${id}`),
          await dev.browser.get(`/developers/apps/${id}/edit`),
        ];
        for (const res of answers) assert.equal(res.statusCode, 404, `${dev.email}: ${res.body.slice(0, 200)}`);
        // A form token of their own for another page: the form guard refuses it before any app is
        // looked up, the same 403 whether the app exists or not (issue 13).
        const token = hiddenInputs((await dev.browser.get('/developers/apps/new')).body, /^\/developers\/apps$/).token!;
        assert.equal((await dev.browser.post(`/developers/apps/${id}/delete`, { token })).statusCode, 403);
        assert.equal((await dev.browser.post(`/developers/apps/no-such-app/delete`, { token })).statusCode, 403);
        const list = await dev.api('GET', '/apps');
        assert.ok(!list.body.includes(id));
        assert.doesNotMatch((await dev.browser.get('/developers/apps')).body, new RegExp(id));
      }
      assert.deepEqual(await t.deps.stores.apps.find(id), before);
      assert.equal((await t.deps.stores.apps.listSecrets(id)).length, 1);
    });

    it('only organizations the person owns can be chosen as owner; others are refused like unknown ones', async () => {
      for (const [dev, slug] of [[member, 'acme'], [outsider, 'acme'], [owner, 'no-such-org']] as const) {
        const res = await dev.api('POST', '/apps', { ...GOOD_APP, owner_org: slug });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().error, 'invalid_client_metadata');
        assert.equal(res.json().fields[0].field, 'owner_org');
      }
      // The form offers the choice to an owner only.
      const ownerForm = await owner.browser.get('/developers/apps/new');
      assert.match(ownerForm.body, /<legend>Owner<\/legend>/);
      assert.match(ownerForm.body, /name="owner_org" value="acme"/);
      const memberForm = await member.browser.get('/developers/apps/new');
      assert.doesNotMatch(memberForm.body, /owner_org/);
      // A member posting the field anyway gets the form back with the error, and no app.
      const before = (await t.deps.stores.appOwners.listByOrgs([org.id])).length;
      const posted = await member.browser.submit(memberForm, /^\/developers\/apps$/, { ...GOOD_APP, redirect_uris: 'https://x.example/cb', scopes: 'openid', owner_org: 'acme' });
      assert.equal(posted.statusCode, 400);
      assert.match(posted.body, /must be the slug of an organization you own/);
      assert.equal((await t.deps.stores.appOwners.listByOrgs([org.id])).length, before);
    });

    it('the page form registers an app for the organization', async () => {
      const form = await owner.browser.get('/developers/apps/new');
      const res = await owner.browser.submit(form, /^\/developers\/apps$/, { ...GOOD_APP, name: 'Form Bot', redirect_uris: 'https://x.example/cb', scopes: 'openid', owner_org: 'acme' });
      assert.equal(res.statusCode, 201, res.body.slice(0, 500));
      const id = /<code id="client-id">([^<]+)<\/code>/.exec(res.body)![1]!;
      assert.equal(await t.deps.stores.appOwners.orgOf(id), org.id);
    });

    it('an owner who is made a plain member loses the app at once', async () => {
      const created = await owner.createApp({ owner_org: 'acme' });
      assert.equal((await coOwner.api('GET', `/apps/${created.client_id}`)).statusCode, 200);
      const olga = (await t.deps.stores.users.findByEmail('olga@example.com'))!;
      await t.deps.stores.organizations.setMember(org.id, olga.id, 'member', t.deps.clock.now());
      try {
        assert.equal((await coOwner.api('GET', `/apps/${created.client_id}`)).statusCode, 404);
        assert.equal((await coOwner.api('DELETE', `/apps/${created.client_id}`)).statusCode, 404);
        assert.ok(await t.deps.stores.apps.find(created.client_id));
      } finally {
        await t.deps.stores.organizations.setMember(org.id, olga.id, 'owner', t.deps.clock.now());
      }
    });
  });
}
