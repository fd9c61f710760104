/**
 * Issue 18, single-page apps: every way of registering one — `tessera app create --spa`, the
 * portal's "Single-page app" kind (form and JSON API), and dynamic registration with
 * `token_endpoint_auth_method: none` and web redirect URIs — makes a public app without a secret,
 * kept with web redirect URIs only, whose origin then gets a CORS preflight approved at /token
 * (the flag works where it matters). Other kinds stay as they were.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { registerClient } from '../support/registration.ts';
import { clientIdOf, Developer } from '../portal/helpers.ts';
import { CliTarget, assertRefused } from '../cli/cli.ts';
import { until } from '../support/wait.ts';

/** Whether a preflight from `origin` is approved at /token (some single-page app registered it). */
async function corsApproved(t: TestApp, origin: string): Promise<boolean> {
  const res = await t.app.inject({ method: 'OPTIONS', url: '/token', headers: { origin, 'access-control-request-method': 'POST' } });
  return res.statusCode === 204 && res.headers['access-control-allow-origin'] === origin;
}

for (const dialect of dialects()) {
  describe(`single-page apps: registration (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect, env: { DYNAMIC_REGISTRATION: 'on' } });
    });
    after(() => t.close());

    const register = (metadata: Record<string, unknown>) => registerClient(t, { client_name: 'Registered', ...metadata });

    it('dynamic registration: token_endpoint_auth_method none with web redirect URIs is a single-page app; otherwise it is not', async () => {
      const cases: [Record<string, unknown>, boolean, string][] = [
        [{ token_endpoint_auth_method: 'none', redirect_uris: ['https://dcr-spa.example/cb'] }, true, 'https://dcr-spa.example'],
        [{ token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1:5173/cb'] }, true, 'http://127.0.0.1:5173'],
        // OIDC Dynamic Registration §2: a native app says so, and may use loopback http too.
        [{ token_endpoint_auth_method: 'none', application_type: 'native', redirect_uris: ['http://127.0.0.1:5174/cb'] }, false, 'http://127.0.0.1:5174'],
        [{ token_endpoint_auth_method: 'none', redirect_uris: ['https://mixed.example/cb', 'com.example.mixed:/cb'] }, false, 'https://mixed.example'],
        [{ redirect_uris: ['https://confidential.example/cb'] }, false, 'https://confidential.example'],
      ];
      for (const [metadata, spa, origin] of cases) {
        const res = await register(metadata);
        assert.equal(res.statusCode, 201, res.body);
        const app = (await t.deps.stores.apps.find(res.json().client_id as string))!;
        assert.equal(app.spa, spa, JSON.stringify(metadata));
        assert.equal(res.json().application_type, spa || metadata.token_endpoint_auth_method === undefined ? 'web' : 'native');
        assert.equal(res.json().client_secret === undefined, metadata.token_endpoint_auth_method === 'none');
        assert.equal(await corsApproved(t, origin), spa, origin);
      }
      const bad = await register({ token_endpoint_auth_method: 'none', application_type: 'browser', redirect_uris: ['https://x.example/cb'] });
      assert.deepEqual([bad.statusCode, bad.json().error], [400, 'invalid_client_metadata']);
    });

    it('RFC 7592 update keeps a single-page app to web redirect URIs', async () => {
      const created = await register({ token_endpoint_auth_method: 'none', redirect_uris: ['https://kept.example/cb'] });
      const { client_id, registration_access_token } = created.json() as { client_id: string; registration_access_token: string };
      const update = (redirectUris: string[]) =>
        t.app.inject({
          method: 'PUT',
          url: `/register/${client_id}`,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${registration_access_token}` },
          payload: JSON.stringify({ client_id, client_name: 'Registered', token_endpoint_auth_method: 'none', redirect_uris: redirectUris }),
        });
      const native = await update(['com.example.kept:/cb']);
      assert.deepEqual([native.statusCode, native.json().error], [400, 'invalid_redirect_uri']);
      const moved = await update(['https://moved.example/cb']);
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal(moved.json().application_type, 'web');
      assert.equal(await corsApproved(t, 'https://moved.example'), true);
      assert.equal(await corsApproved(t, 'https://kept.example'), false, 'the old origin is gone with the change');
    });

    it('the portal form offers "Single-page app"; chosen, the app is public, shown as such, and its origin gets CORS', async () => {
      const dev = await Developer.signIn(t, 'dev@example.com');
      const form = await dev.browser.get('/developers/apps/new');
      assert.match(form.body, /<input type="radio" name="kind" value="spa"[^>]*\/> Single-page app/);
      const post = (redirectUris: string) => dev.postNewAppForm(form, { kind: 'spa', name: 'Browser App', redirect_uris: redirectUris, scopes: ['openid', 'workitems:read'] });
      const refused = await post('com.example.browser:/cb');
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /is not a web URL; a single-page app uses https/);

      const created = await post('https://portal-spa.example/cb');
      assert.equal(created.statusCode, 303, created.body.slice(0, 500));
      const clientId = clientIdOf(created);
      const app = (await t.deps.stores.apps.find(clientId))!;
      assert.deepEqual([app.spa, app.clientType], [true, 'public']);
      assert.match((await dev.browser.get(created.headers.location as string)).body, /id="kind">\s*Single-page app/);
      assert.equal(await corsApproved(t, 'https://portal-spa.example'), true);
    });

    it('the JSON API: kind spa in, spa true out; web redirect URIs only', async () => {
      const dev = await Developer.signIn(t, 'json@example.com');
      const created = await dev.createApp({ kind: 'spa', redirect_uris: ['https://json-spa.example/cb'] });
      assert.equal(created.spa, true);
      assert.equal(created.client_type, 'public');
      assert.equal(created.client_secret, undefined);
      assert.equal((await dev.api('GET', `/apps/${created.client_id}`)).json().spa, true);
      assert.equal(await corsApproved(t, 'https://json-spa.example'), true);
      const refused = await dev.api('POST', '/apps', { kind: 'spa', name: 'X', redirect_uris: ['com.example.x:/cb'], scopes: ['openid'] });
      assert.deepEqual([refused.statusCode, refused.json().error], [400, 'invalid_redirect_uri']);
      const native = await dev.createApp({ kind: 'native', redirect_uris: ['https://json-native.example/cb'] });
      assert.equal(native.spa, false);
      assert.equal(await corsApproved(t, 'https://json-native.example'), false);
    });
  });

  describe(`tessera app create --spa (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    before(async () => {
      cli = await CliTarget.create(dialect);
    });
    after(async () => {
      await server?.close();
      await cli.close();
    });

    it('makes a public single-page app with no secret whose origins get CORS; a non-web redirect URI is refused', async () => {
      const created = await cli.json<{ client_id: string; client_secret?: string }>(['app', 'create', '--name', 'SPA', '--redirect-uri', 'https://cli-spa.example/cb', '--spa']);
      assert.equal(created.client_secret, undefined);
      const text = await cli.run(['app', 'create', '--name', 'SPA 2', '--redirect-uri', 'http://127.0.0.1:8081/callback', '--spa']);
      assert.match(text.stdout, /created single-page app "SPA 2"/);
      assertRefused(await cli.run(['app', 'create', '--name', 'No', '--redirect-uri', 'com.example.no:/cb', '--spa']), 2, /--spa: com\.example\.no:\/cb is not a web URL/);
      const plain = await cli.json<{ client_id: string }>(['app', 'create', '--name', 'Native', '--redirect-uri', 'https://cli-native.example/cb', '--public']);
      server = await cli.startApp();
      const app = (await server.deps.stores.apps.find(created.client_id))!;
      assert.deepEqual([app.spa, app.clientType], [true, 'public']);
      assert.equal((await server.deps.stores.apps.find(plain.client_id))!.spa, false);
      assert.equal(await corsApproved(server, 'https://cli-spa.example'), true);
      assert.equal(await corsApproved(server, 'http://127.0.0.1:8081'), true);
      assert.equal(await corsApproved(server, 'https://cli-native.example'), false);
    });

    it("a single-page app the CLI creates while the server runs gets CORS within seconds (the change feed, not the cache's 30 s)", async () => {
      const origin = 'https://late-spa.example';
      assert.equal(await corsApproved(server, origin), false, 'the server holds an origin set without it');
      const loads = server.deps.spaOrigins.loads;
      await cli.json(['app', 'create', '--name', 'Late SPA', '--redirect-uri', `${origin}/cb`, '--spa']);
      const started = Date.now();
      await until('the new origin approved', async () => ((await corsApproved(server, origin)) ? true : undefined), 5000);
      assert.ok(Date.now() - started < 5000);
      assert.ok(server.deps.spaOrigins.loads > loads, 'read again after the announcement');
    });
  });
}
