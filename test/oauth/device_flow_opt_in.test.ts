/**
 * Issue 17: an app uses the device flow only once it opted in, and every way of registering an
 * app can opt in: `tessera app create --device-flow`, the portal's checkbox (form and JSON), and
 * dynamic registration with the grant type in `grant_types`. Without it, /device_authorization
 * answers unauthorized_client.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { postForm } from '../support/codes.ts';
import { registerClient } from '../support/registration.ts';
import { clientIdOf, Developer } from '../portal/helpers.ts';
import { CliTarget } from '../cli/cli.ts';

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

async function deviceAuthorization(t: TestApp, clientId: string) {
  return postForm(t, '/device_authorization', null, { client_id: clientId, scope: 'openid' });
}

for (const dialect of dialects()) {
  describe(`device flow opt-in (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect, env: { DYNAMIC_REGISTRATION: 'on' } });
    });
    after(() => t.close());

    it('dynamic registration opts in with the grant type, and reports it back', async () => {
      const register = async (grantTypes: string[]) => {
        const res = await registerClient(t, { client_name: 'Work CLI', redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none', grant_types: grantTypes });
        assert.equal(res.statusCode, 201, res.body);
        return res.json() as { client_id: string; grant_types: string[] };
      };
      const withDevice = await register(['authorization_code', 'refresh_token', GRANT]);
      assert.ok(withDevice.grant_types.includes(GRANT));
      assert.equal((await deviceAuthorization(t, withDevice.client_id)).statusCode, 200);
      const without = await register(['authorization_code']);
      assert.ok(!without.grant_types.includes(GRANT));
      const refused = await deviceAuthorization(t, without.client_id);
      assert.deepEqual([refused.statusCode, refused.json().error], [400, 'unauthorized_client']);
    });

    it('the portal form has the checkbox; ticked, the app may use the device flow, and the JSON API takes device_flow', async () => {
      const dev = await Developer.signIn(t, 'dev@example.com');
      const form = await dev.browser.get('/developers/apps/new');
      assert.match(form.body, /<input type="checkbox" name="device_flow"/);
      const created = await dev.postNewAppForm(form, { kind: 'cli', name: 'Work CLI', redirect_uris: 'http://127.0.0.1/cb', scopes: ['openid', 'workitems:read'], device_flow: 'on' });
      // A public app has no secret to show once: the answer goes to its page.
      assert.equal(created.statusCode, 303, created.body.slice(0, 500));
      const clientId = clientIdOf(created);
      assert.equal((await t.deps.stores.apps.find(clientId))?.deviceFlow, true);
      assert.match((await dev.browser.get(created.headers.location as string)).body, /id="device-flow">On/);
      assert.equal((await deviceAuthorization(t, clientId)).statusCode, 200);

      const viaJson = await dev.createApp({ kind: 'cli', redirect_uris: ['http://127.0.0.1/cb'], device_flow: true });
      assert.equal((await t.deps.stores.apps.find(viaJson.client_id))?.deviceFlow, true);
      const plain = await dev.createApp({ kind: 'cli', redirect_uris: ['http://127.0.0.1/cb'] });
      assert.equal((await t.deps.stores.apps.find(plain.client_id))?.deviceFlow, false);
    });
  });

  describe(`tessera app create --device-flow (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    before(async () => {
      cli = await CliTarget.create(dialect);
    });
    after(() => server?.close());

    it('opts the app in', async () => {
      const opted = await cli.json<{ client_id: string }>(['app', 'create', '--name', 'Work CLI', '--redirect-uri', 'http://127.0.0.1/cb', '--public', '--device-flow']);
      const plain = await cli.json<{ client_id: string }>(['app', 'create', '--name', 'Other CLI', '--redirect-uri', 'http://127.0.0.1/cb', '--public']);
      server = await cli.startApp();
      assert.equal((await deviceAuthorization(server, opted.client_id)).statusCode, 200);
      assert.equal((await deviceAuthorization(server, plain.client_id)).json().error, 'unauthorized_client');
    });
  });
}
