/**
 * Issue 21: a suspended app's profile cannot be changed or the app deleted, by its owners (portal
 * API) or by the app itself (RFC 7592 management at /register/:id); its secrets can still be
 * rotated; its owners see the suspension and its reason on its page. Unsuspended, edits work again.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { registerClient } from '../support/registration.ts';
import { suspendApp, unsuspendApp } from '../../src/services/app_suspensions.ts';
import { Developer, GOOD_APP } from './helpers.ts';

const METADATA = {
  client_name: 'Chat Bot',
  redirect_uris: ['https://bot.example/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  scope: 'openid orgs:read offline_access',
};

for (const dialect of dialects()) {
  describe(`a suspended app refuses changes (${dialect})`, () => {
    let t: TestApp;
    let dev: Developer;
    before(async () => {
      t = await startTestApp({ dialect, env: { DYNAMIC_REGISTRATION: 'on' } });
      dev = await Developer.signIn(t, 'dev@example.com');
    });
    after(() => t.close());

    const suspend = async (appId: string) => assert.equal((await suspendApp(t.deps, appId, 'under review', t.clock.now(), { via: 'cli' })).kind, 'suspended');

    it('portal API: no edit, no delete; secrets still rotate; unsuspended, edits work again', async () => {
      const created = await dev.createApp();
      const before = await dev.browser.get(`/developers/apps/${created.client_id}`);
      assert.equal(before.statusCode, 200);
      assert.doesNotMatch(before.body, /Suspended by the platform/);
      await suspend(created.client_id);
      // Its owners see the suspension and its reason on the app's page.
      const page = await dev.browser.get(`/developers/apps/${created.client_id}`);
      assert.match(page.body, /<strong>Suspended by the platform<\/strong>/);
      assert.match(page.body, /Reason: under review/);
      const refusal = { error: 'access_denied', error_description: 'This service has been suspended by the platform.' };
      const put = await dev.api('PUT', `/apps/${created.client_id}`, { ...GOOD_APP, name: 'Renamed' });
      assert.equal(put.statusCode, 403, put.body);
      assert.deepEqual(put.json(), refusal);
      const deleted = await dev.api('DELETE', `/apps/${created.client_id}`);
      assert.equal(deleted.statusCode, 403);
      assert.deepEqual(deleted.json(), refusal);
      assert.equal((await t.deps.stores.apps.find(created.client_id))?.name, GOOD_APP.name);
      assert.equal((await dev.api('POST', `/apps/${created.client_id}/secrets`, {})).statusCode, 201);
      await unsuspendApp(t.deps, created.client_id, t.clock.now(), { via: 'cli' });
      assert.equal((await dev.api('PUT', `/apps/${created.client_id}`, { ...GOOD_APP, name: 'Renamed' })).statusCode, 200);
      assert.doesNotMatch((await dev.browser.get(`/developers/apps/${created.client_id}`)).body, /Suspended by the platform/);
    });

    it('portal pages: the edit and delete forms are refused (403) and change nothing', async () => {
      const created = await dev.createApp();
      await suspend(created.client_id);
      const edit = await dev.browser.get(`/developers/apps/${created.client_id}/edit`);
      const fields = { ...GOOD_APP, name: 'Renamed', redirect_uris: GOOD_APP.redirect_uris.join('\n'), scopes: GOOD_APP.scopes.join(' ') };
      const saved = await dev.browser.submit(edit, new RegExp(`^/developers/apps/${created.client_id}$`), fields);
      assert.equal(saved.statusCode, 403, saved.body);
      assert.match(saved.body, /This service has been suspended by the platform/);
      const deleted = await dev.browser.submit(await dev.browser.get(`/developers/apps/${created.client_id}`), /\/delete$/);
      assert.equal(deleted.statusCode, 403, deleted.body);
      const kept = await t.deps.stores.apps.find(created.client_id);
      assert.equal(kept?.name, GOOD_APP.name);
      assert.deepEqual(kept?.redirectUris, GOOD_APP.redirect_uris);
      const audited = await t.deps.database.db.selectFrom('audit_events').select('type').where('app_id', '=', created.client_id).where('type', 'in', ['app.updated', 'app.deleted']).execute();
      assert.deepEqual(audited, []);
    });

    it('RFC 7592: the app may read its configuration, not update or delete it', async () => {
      const reg = await registerClient(t, METADATA);
      assert.equal(reg.statusCode, 201, reg.body);
      const created = reg.json() as { client_id: string; registration_access_token: string };
      const as = (method: 'GET' | 'PUT' | 'DELETE', body?: unknown) =>
        t.app.inject({
          method,
          url: `/register/${created.client_id}`,
          headers: { authorization: `Bearer ${created.registration_access_token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { payload: JSON.stringify(body) } : {}),
        });
      await suspend(created.client_id);
      assert.equal((await as('GET')).statusCode, 200);
      const put = await as('PUT', { ...METADATA, client_id: created.client_id, client_name: 'Evil' });
      assert.equal(put.statusCode, 403, put.body);
      assert.equal((await as('DELETE')).statusCode, 403);
      assert.equal((await t.deps.stores.apps.find(created.client_id))?.name, 'Chat Bot');
    });
  });
}
