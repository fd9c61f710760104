/** SECURITY 50 (registration validation) and 51 (object-level access control, re-auth, CSRF) in the portal. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { randomId } from '../../src/crypto/random.ts';
import { PASSWORD } from '../support/fixtures.ts';
import { hiddenInputs } from '../support/browser.ts';
import { Developer, GOOD_APP } from './helpers.ts';

const BAD_REDIRECT_URIS = [
  'https://a.example/cb#x',
  'http://a.example/cb',
  'https://*.a.example/cb',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'myapp:/cb',
  '/cb',
  'http://localhost.evil.com/cb',
];

for (const dialect of dialects()) {
  describe(`portal security (${dialect})`, () => {
    let t: TestApp;
    let a: Developer;
    let b: Developer;
    before(async () => {
      t = await startTestApp({ dialect });
      a = await Developer.signIn(t, 'a@example.com');
      b = await Developer.signIn(t, 'b@example.com');
    });
    after(() => t.close());

    it('SECURITY 50: every bad callback URL gets 400 invalid_redirect_uri, for web and native apps, on create and update', async () => {
      const created = await a.createApp();
      for (const uri of BAD_REDIRECT_URIS) {
        for (const kind of ['web', 'native']) {
          const res = await a.api('POST', '/apps', { ...GOOD_APP, kind, redirect_uris: [uri] });
          assert.equal(res.statusCode, 400, `${kind} ${uri}: ${res.body}`);
          assert.equal(res.json().error, 'invalid_redirect_uri', uri);
        }
        const put = await a.api('PUT', `/apps/${created.client_id}`, { ...GOOD_APP, redirect_uris: ['https://ok.example/cb', uri] });
        assert.equal(put.statusCode, 400, uri);
        assert.equal(put.json().error, 'invalid_redirect_uri');
      }
      // A private-use scheme in reverse-DNS form is for public (native) apps only.
      const web = await a.api('POST', '/apps', { ...GOOD_APP, redirect_uris: ['com.example.app:/cb'] });
      assert.equal(web.json().error, 'invalid_redirect_uri');
      assert.deepEqual((await t.deps.stores.apps.find(created.client_id))?.redirectUris, GOOD_APP.redirect_uris);
    });

    it('SECURITY 50: metadata URLs must be https; a logo_uri is refused with invalid_client_metadata', async () => {
      for (const field of ['company_url', 'website_url', 'terms_url', 'privacy_url']) {
        for (const bad of ['http://example.com/x', 'javascript:alert(1)', 'not a url']) {
          const res = await a.api('POST', '/apps', { ...GOOD_APP, [field]: bad });
          assert.equal(res.statusCode, 400, `${field} ${bad}`);
          assert.equal(res.json().error, 'invalid_client_metadata');
        }
      }
      const logo = await a.api('POST', '/apps', { ...GOOD_APP, logo_uri: 'http://evil.example/logo.png' });
      assert.equal(logo.statusCode, 400);
      assert.equal(logo.json().error, 'invalid_client_metadata');
      const scope = await a.api('POST', '/apps', { ...GOOD_APP, scopes: ['openid', 'admin'] });
      assert.equal(scope.json().error, 'invalid_client_metadata');
      const kind = await a.api('POST', '/apps', { ...GOOD_APP, kind: 'trusted' });
      assert.equal(kind.json().error, 'invalid_client_metadata');
    });

    it("SECURITY 51: developer B gets 404 on A's app (GET, PUT, DELETE, secrets) and A's app is unchanged", async () => {
      const created = await a.createApp();
      const before = await t.deps.stores.apps.find(created.client_id);
      const id = created.client_id;
      const answers = [
        await b.api('GET', `/apps/${id}`),
        await b.api('PUT', `/apps/${id}`, { ...GOOD_APP, name: 'Hijacked', redirect_uris: ['https://evil.example/cb'] }),
        await b.api('DELETE', `/apps/${id}`),
        await b.api('GET', `/apps/${id}/secrets`),
        await b.api('POST', `/apps/${id}/secrets`, {}),
        await b.api('GET', `/apps/${id}/usage`),
        await b.browser.get(`/developers/apps/${id}`),
        await b.browser.get(`/developers/apps/${id}/edit`),
      ];
      for (const res of answers) assert.equal(res.statusCode, 404, res.body.slice(0, 200));
      // B's own form token cannot act on A's app either: the form guard refuses it before any app is
      // looked up, so the answer is the same 403 for A's app and for one that does not exist.
      const bPage = await b.browser.get('/developers/apps/new');
      const token = hiddenInputs(bPage.body, /^\/developers\/apps$/).token!;
      for (const target of [id, randomId()]) {
        assert.equal((await b.browser.post(`/developers/apps/${target}/delete`, { token })).statusCode, 403);
        assert.equal((await b.browser.post(`/developers/apps/${target}`, { token, ...GOOD_APP, name: 'Hijacked', redirect_uris: 'https://evil.example/cb', scopes: 'openid' })).statusCode, 403);
      }
      assert.deepEqual(await t.deps.stores.apps.find(id), before);
      assert.equal((await t.deps.stores.apps.listSecrets(id)).length, 1);
      const list = await b.api('GET', '/apps');
      assert.ok(!list.body.includes(id));
    });

    it('SECURITY 51: enumerating ids gets 404, the same as for a missing app', async () => {
      for (let i = 0; i < 20; i++) {
        const res = await b.api('GET', `/apps/${randomId()}`);
        assert.equal(res.statusCode, 404);
        assert.equal(res.json().error, 'not_found');
      }
    });

    it('SECURITY 51: secret rotation without a recent sign-in asks to sign in again (API 401, page → re-auth form)', async () => {
      const dev = await Developer.signIn(t, 'c@example.com');
      const created = await dev.createApp();
      t.clock.advance(11 * 60);
      const api = await dev.api('POST', `/apps/${created.client_id}/secrets`, {});
      assert.equal(api.statusCode, 401);
      assert.equal(api.json().error, 'reauthentication_required');
      const revoke = await dev.api('DELETE', `/apps/${created.client_id}/secrets/${(await t.deps.stores.apps.listSecrets(created.client_id))[0]!.id}`);
      assert.equal(revoke.statusCode, 401);

      const page = await dev.browser.get(`/developers/apps/${created.client_id}`);
      const res = await dev.browser.submit(page, /\/secrets$/);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `/login?${new URLSearchParams({ return_to: `/developers/apps/${created.client_id}`, reauth: '1' })}`);
      assert.equal((await t.deps.stores.apps.listSecrets(created.client_id)).length, 1);
      const reauth = await dev.browser.get(res.headers.location as string);
      assert.match(reauth.body, /Sign in again/);
      const wrong = await dev.browser.submit(reauth, /^\/login$/, { email: 'c@example.com', password: 'wrong' });
      assert.equal(wrong.statusCode, 401);
      const ok = await dev.browser.submit(reauth, /^\/login$/, { email: 'c@example.com', password: PASSWORD });
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, `/developers/apps/${created.client_id}`, 'back to the app after signing in again');
      // The new sign-in is recent: rotation now works.
      const again = await dev.browser.get(`/developers/apps/${created.client_id}`);
      const rotated = await dev.browser.submit(again, /\/secrets$/);
      assert.equal(rotated.statusCode, 201);
      assert.match(rotated.body, /tss_[A-Za-z0-9_-]{43}/);
      assert.equal((await t.deps.stores.apps.listSecrets(created.client_id)).length, 2);
    });

    it('SECURITY 51: a cross-site POST or a missing token gets 403 and changes nothing', async () => {
      const created = await a.createApp();
      const page = await a.browser.get(`/developers/apps/${created.client_id}`);
      const crossSite = await a.browser.submit(page, /\/delete$/, {}, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
      assert.equal(crossSite.statusCode, 403);
      const noToken = await a.browser.post(`/developers/apps/${created.client_id}/delete`, {});
      assert.equal(noToken.statusCode, 403);
      const apiCross = await a.api('DELETE', `/apps/${created.client_id}`, undefined, { origin: 'https://evil.example' });
      assert.equal(apiCross.statusCode, 403);
      const createCross = await a.browser.submit(await a.browser.get('/developers/apps/new'), /^\/developers\/apps$/, { ...GOOD_APP, redirect_uris: 'https://x.example/cb', scopes: 'openid' }, { 'sec-fetch-site': 'cross-site' });
      assert.equal(createCross.statusCode, 403);
      assert.ok(await t.deps.stores.apps.find(created.client_id));
    });
  });
}
