/**
 * The portal's back-channel logout fields over HTTP (issue 19; OpenID Connect Back-Channel Logout
 * 1.0 §2.2): the JSON API and the form store, return and edit `backchannel_logout_uri` and
 * `backchannel_logout_session_required`, and refuse a URL the outbound rules refuse
 * (domain/outbound_url.ts) with a 400 that names the field, as dynamic registration and the CLI do.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { Developer, GOOD_APP } from './helpers.ts';

const FORM = {
  kind: 'web',
  name: 'Time Tracker',
  description: 'Tracks time on work items.',
  company: 'Clockwork Ltd',
  company_url: 'https://clockwork.example/',
  website_url: 'https://tt.clockwork.example/',
  redirect_uris: 'https://tt.clockwork.example/cb',
  scopes: 'openid workitems:read',
};

/** URLs the outbound rules refuse, and the reason shown. */
const REFUSED = [
  ['https://10.0.0.1/bc', 'must not name a private address'],
  ['https://[fd12::1]/bc', 'must not name a private address'],
  ['https://169.254.169.254/bc', 'must not name a private address'],
  ['http://rp.example/bc', 'must be https'],
  ['https://rp.example/bc#frag', 'must not have a fragment'],
  ['https://user:pw@rp.example/bc', 'must not carry credentials'],
  ['rp.example/bc', 'is not an absolute URL'],
] as const;

for (const dialect of dialects()) {
  describe(`portal back-channel logout fields (${dialect})`, () => {
    let t: TestApp;
    let dev: Developer;
    before(async () => {
      t = await startTestApp({ dialect });
      dev = await Developer.signIn(t, 'bc-dev@example.com');
    });
    after(() => t.close());

    it('JSON API: stored, returned by create, read and list, edited and cleared by PUT; absent = none', async () => {
      const created = await dev.createApp({ backchannel_logout_uri: 'https://ci.example.com/bc', backchannel_logout_session_required: true });
      assert.equal(created.backchannel_logout_uri, 'https://ci.example.com/bc');
      assert.equal(created.backchannel_logout_session_required, true);
      const read = (await dev.api('GET', `/apps/${created.client_id}`)).json();
      assert.equal(read.backchannel_logout_uri, 'https://ci.example.com/bc');
      assert.equal(read.backchannel_logout_session_required, true);
      const listed = (await dev.api('GET', '/apps')).json().find((a: { client_id: string }) => a.client_id === created.client_id);
      assert.equal(listed.backchannel_logout_uri, 'https://ci.example.com/bc');
      const stored = await t.deps.stores.apps.find(created.client_id);
      assert.equal(stored?.backchannelLogoutUri, 'https://ci.example.com/bc');
      assert.equal(stored?.backchannelLogoutSessionRequired, true);

      const edited = await dev.api('PUT', `/apps/${created.client_id}`, { ...GOOD_APP, backchannel_logout_uri: 'http://127.0.0.1:9000/bc' });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.equal(edited.json().backchannel_logout_uri, 'http://127.0.0.1:9000/bc', 'http on loopback is allowed (development)');
      assert.equal(edited.json().backchannel_logout_session_required, false);
      const cleared = await dev.api('PUT', `/apps/${created.client_id}`, { ...GOOD_APP, backchannel_logout_uri: null });
      assert.equal(cleared.statusCode, 200, cleared.body);
      assert.equal(cleared.json().backchannel_logout_uri, null);
      assert.equal((await t.deps.stores.apps.find(created.client_id))?.backchannelLogoutUri, null);

      const plain = await dev.createApp();
      assert.equal(plain.backchannel_logout_uri, null);
      assert.equal(plain.backchannel_logout_session_required, false);
    });

    it('JSON API: a URL the outbound rules refuse, or one that is not a string, is a 400 naming the field, on create and on edit; nothing changes', async () => {
      const created = await dev.createApp({ backchannel_logout_uri: 'https://ci.example.com/bc' });
      for (const [uri, reason] of REFUSED) {
        for (const [method, path] of [['POST', '/apps'], ['PUT', `/apps/${created.client_id}`]] as const) {
          const res = await dev.api(method, path, { ...GOOD_APP, backchannel_logout_uri: uri });
          assert.equal(res.statusCode, 400, `${method} ${uri}`);
          const body = res.json();
          assert.equal(body.error, 'invalid_client_metadata', `${method} ${uri}`);
          assert.equal(body.fields[0].field, 'backchannel_logout_uri', `${method} ${uri}`);
          assert.ok(body.error_description.startsWith('backchannel_logout_uri: ') && body.error_description.includes(reason), `${method} ${uri}: ${body.error_description}`);
        }
      }
      for (const notAString of [42, ['https://ci.example.com/bc'], { url: 'https://ci.example.com/bc' }]) {
        const res = await dev.api('POST', '/apps', { ...GOOD_APP, backchannel_logout_uri: notAString });
        assert.equal(res.statusCode, 400, JSON.stringify(notAString));
        assert.equal(res.json().fields[0].field, 'backchannel_logout_uri');
      }
      const tooLong = await dev.api('POST', '/apps', { ...GOOD_APP, backchannel_logout_uri: `https://ci.example.com/${'a'.repeat(3000)}` });
      assert.equal(tooLong.statusCode, 400);
      assert.equal(tooLong.json().fields[0].field, 'backchannel_logout_uri');
      assert.equal((await t.deps.stores.apps.find(created.client_id))?.backchannelLogoutUri, 'https://ci.example.com/bc');
    });

    it('form: refused next to the field; stored, shown on the app page, kept in the edit form, and cleared', async () => {
      const form = await dev.browser.get('/developers/apps/new');
      assert.equal(form.statusCode, 200);
      for (const [uri, reason] of REFUSED) {
        const bad = await dev.browser.submit(form, /^\/developers\/apps$/, { ...FORM, backchannel_logout_uri: uri });
        assert.equal(bad.statusCode, 400, uri);
        assert.match(bad.body, new RegExp(`id="backchannel_logout_uri-errors"><li>[^<]*${reason}`), uri);
      }
      const created = await dev.browser.submit(form, /^\/developers\/apps$/, { ...FORM, backchannel_logout_uri: 'https://tt.clockwork.example/bc', backchannel_logout_session_required: 'on' });
      assert.equal(created.statusCode, 201, created.body.slice(0, 500));
      const clientId = /id="client-id">([^<]+)</.exec(created.body)![1]!;
      const stored = await t.deps.stores.apps.find(clientId);
      assert.equal(stored?.backchannelLogoutUri, 'https://tt.clockwork.example/bc');
      assert.equal(stored?.backchannelLogoutSessionRequired, true);
      assert.match((await dev.browser.get(`/developers/apps/${clientId}`)).body, /id="backchannel-logout">https:\/\/tt\.clockwork\.example\/bc</);

      const edit = await dev.browser.get(`/developers/apps/${clientId}/edit`);
      assert.match(edit.body, /name="backchannel_logout_uri"[^>]*value="https:\/\/tt\.clockwork\.example\/bc"|value="https:\/\/tt\.clockwork\.example\/bc"[^>]*name="backchannel_logout_uri"/);
      const refused = await dev.browser.submit(edit, new RegExp(`^/developers/apps/${clientId}$`), { ...FORM, backchannel_logout_uri: 'https://192.168.1.20/bc' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /id="backchannel_logout_uri-errors"><li>[^<]*must not name a private address/);
      assert.equal((await t.deps.stores.apps.find(clientId))?.backchannelLogoutUri, 'https://tt.clockwork.example/bc');
      const cleared = await dev.browser.submit(edit, new RegExp(`^/developers/apps/${clientId}$`), { ...FORM, backchannel_logout_uri: '' });
      assert.equal(cleared.statusCode, 303);
      assert.equal((await t.deps.stores.apps.find(clientId))?.backchannelLogoutUri, null);
      assert.match((await dev.browser.get(`/developers/apps/${clientId}`)).body, /id="backchannel-logout">None</);
    });
  });
}
