/**
 * Issue 21 and the device flow: a device request pending when its service is suspended gets
 * invalid_grant when the device polls /token, and the person who types its code on /device sees
 * the plain "suspended by the platform" page, with nothing to approve; a new request is refused
 * (invalid_client). Unsuspended, the pending request can be approved again.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { postForm } from '../support/codes.ts';
import { Browser, findForm } from '../support/browser.ts';
import { suspendApp, unsuspendApp } from '../../src/services/app_suspensions.ts';

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

for (const dialect of dialects()) {
  describe(`device flow of a suspended service (${dialect})`, () => {
    let t: TestApp;
    let cli: TestClient;
    before(async () => {
      t = await startTestApp({ dialect });
      cli = await createClient(t.deps, { name: 'Work CLI', public: true, redirectUris: ['http://127.0.0.1/callback'] });
      await t.deps.stores.apps.update({ ...cli.app, deviceFlow: true }, t.clock.now());
      await createUser(t.deps, 'bob@example.com', 'Bob');
    });
    after(() => t.close());

    it('polling gets invalid_grant, /device shows the plain page, a new request invalid_client', async () => {
      const started = await postForm(t, '/device_authorization', cli, { scope: 'openid' });
      assert.equal(started.statusCode, 200, started.body);
      const { device_code, user_code } = started.json() as { device_code: string; user_code: string };
      assert.equal((await postForm(t, '/token', cli, { grant_type: GRANT, device_code })).json().error, 'authorization_pending');

      assert.equal((await suspendApp(t.deps, cli.clientId, 'r', t.clock.now(), { via: 'cli' })).kind, 'suspended');
      const polled = await postForm(t, '/token', cli, { grant_type: GRANT, device_code });
      assert.equal(polled.statusCode, 400);
      assert.equal(polled.json().error, 'invalid_grant');
      const again = await postForm(t, '/device_authorization', cli, { scope: 'openid' });
      assert.equal(again.statusCode, 401);
      assert.equal(again.json().error, 'invalid_client');

      const browser = new Browser(t);
      assert.equal((await browser.signIn('bob@example.com')).statusCode, 303);
      const entry = await browser.get('/device');
      const form = findForm(entry.body, /^\/device$/);
      assert.ok(form);
      const typed = await browser.post('/device', { ...form.hidden, user_code });
      assert.equal(typed.statusCode, 403);
      assert.match(typed.body, /This service has been suspended by the platform/);
      assert.equal(findForm(typed.body, /^\/device\/decision$/), undefined);

      await unsuspendApp(t.deps, cli.clientId, t.clock.now(), { via: 'cli' });
      const open = await browser.post('/device', { ...form.hidden, user_code });
      assert.equal(open.statusCode, 200);
      assert.ok(findForm(open.body, /^\/device\/decision$/));
    });

    it('suspended while the decision page is open: Approve and Deny are refused (403), no grant, the request stays pending', async () => {
      const started = await postForm(t, '/device_authorization', cli, { scope: 'openid' });
      const { device_code, user_code } = started.json() as { device_code: string; user_code: string };
      const browser = new Browser(t);
      assert.equal((await browser.signIn('bob@example.com')).statusCode, 303);
      const entry = await browser.get('/device');
      const page = await browser.post('/device', { ...findForm(entry.body, /^\/device$/)!.hidden, user_code });
      assert.equal(page.statusCode, 200);
      const bob = (await t.deps.stores.users.findByEmail('bob@example.com'))!;
      const grantBefore = await t.deps.stores.grants.findLive(bob.id, cli.clientId, t.clock.now());

      assert.equal((await suspendApp(t.deps, cli.clientId, 'r', t.clock.now(), { via: 'cli' })).kind, 'suspended');
      for (const decision of ['approve', 'deny']) {
        const decided = await browser.submit(page, /^\/device\/decision$/, { decision });
        assert.equal(decided.statusCode, 403, decision);
        assert.match(decided.body, /This service has been suspended by the platform/);
      }
      assert.deepEqual(await t.deps.stores.grants.findLive(bob.id, cli.clientId, t.clock.now()), grantBefore);
      await unsuspendApp(t.deps, cli.clientId, t.clock.now(), { via: 'cli' });
      // Nothing was decided: the device is still asked to wait.
      assert.equal((await postForm(t, '/token', cli, { grant_type: GRANT, device_code })).json().error, 'authorization_pending');
    });
  });
}
