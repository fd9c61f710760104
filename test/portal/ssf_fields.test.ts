/**
 * The portal's security events field over HTTP (issue 19, RFC 8935 push): the JSON API and the
 * form store, return, edit and clear `ssf_endpoint_url` beside the back-channel logout URL, and
 * refuse a URL the outbound rules refuse (domain/outbound_url.ts) with a 400 that names the field,
 * as dynamic registration and the CLI do. Both dialects.
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

const REFUSED = [
  ['https://10.0.0.1/ssf', 'must not name a private address'],
  ['https://192.168.1.20/ssf', 'must not name a private address'],
  ['https://[fd12::1]/ssf', 'must not name a private address'],
  ['https://169.254.169.254/ssf', 'must not name a private address'],
  ['http://rp.example/ssf', 'must be https'],
  ['https://rp.example/ssf#frag', 'must not have a fragment'],
] as const;

for (const dialect of dialects()) {
  describe(`portal security events field (${dialect})`, () => {
    let t: TestApp;
    let dev: Developer;
    before(async () => {
      t = await startTestApp({ dialect });
      dev = await Developer.signIn(t, 'ssf-dev@example.com');
    });
    after(() => t.close());

    it('JSON API: stored, returned, edited and cleared with null; a refused URL is a 400 naming the field', async () => {
      const created = await dev.createApp({ ssf_endpoint_url: 'https://ci.example.com/ssf' });
      assert.equal(created.ssf_endpoint_url, 'https://ci.example.com/ssf');
      assert.equal((await dev.api('GET', `/apps/${created.client_id}`)).json().ssf_endpoint_url, 'https://ci.example.com/ssf');
      assert.equal((await t.deps.stores.apps.find(created.client_id))?.ssfEndpointUrl, 'https://ci.example.com/ssf');
      for (const [uri, reason] of REFUSED) {
        for (const [method, path] of [['POST', '/apps'], ['PUT', `/apps/${created.client_id}`]] as const) {
          const res = await dev.api(method, path, { ...GOOD_APP, ssf_endpoint_url: uri });
          assert.equal(res.statusCode, 400, `${method} ${uri}`);
          const body = res.json();
          assert.equal(body.fields[0].field, 'ssf_endpoint_url', `${method} ${uri}`);
          assert.ok(body.error_description.includes(reason), `${method} ${uri}: ${body.error_description}`);
        }
      }
      assert.equal((await t.deps.stores.apps.find(created.client_id))?.ssfEndpointUrl, 'https://ci.example.com/ssf', 'nothing changed');
      const cleared = await dev.api('PUT', `/apps/${created.client_id}`, { ...GOOD_APP, ssf_endpoint_url: null });
      assert.equal(cleared.statusCode, 200, cleared.body);
      assert.equal(cleared.json().ssf_endpoint_url, null);
      assert.equal((await dev.createApp()).ssf_endpoint_url, null);
    });

    it('form: refused next to the field; stored, shown, kept in the edit form, refused on edit, cleared', async () => {
      const form = await dev.browser.get('/developers/apps/new');
      assert.match(form.body, /name="ssf_endpoint_url"/);
      for (const [uri, reason] of REFUSED) {
        const bad = await dev.browser.submit(form, /^\/developers\/apps$/, { ...FORM, ssf_endpoint_url: uri });
        assert.equal(bad.statusCode, 400, uri);
        assert.match(bad.body, new RegExp(`id="ssf_endpoint_url-errors"><li>[^<]*${reason}`), uri);
      }
      const created = await dev.browser.submit(form, /^\/developers\/apps$/, { ...FORM, ssf_endpoint_url: 'https://tt.clockwork.example/ssf' });
      assert.equal(created.statusCode, 201, created.body.slice(0, 500));
      const clientId = /id="client-id">([^<]+)</.exec(created.body)![1]!;
      assert.equal((await t.deps.stores.apps.find(clientId))?.ssfEndpointUrl, 'https://tt.clockwork.example/ssf');
      assert.match((await dev.browser.get(`/developers/apps/${clientId}`)).body, /id="ssf-endpoint">https:\/\/tt\.clockwork\.example\/ssf</);
      const edit = await dev.browser.get(`/developers/apps/${clientId}/edit`);
      assert.match(edit.body, /value="https:\/\/tt\.clockwork\.example\/ssf"/);
      const refused = await dev.browser.submit(edit, new RegExp(`^/developers/apps/${clientId}$`), { ...FORM, ssf_endpoint_url: 'https://10.9.8.7/ssf' });
      assert.equal(refused.statusCode, 400);
      assert.equal((await t.deps.stores.apps.find(clientId))?.ssfEndpointUrl, 'https://tt.clockwork.example/ssf');
      const cleared = await dev.browser.submit(edit, new RegExp(`^/developers/apps/${clientId}$`), { ...FORM, ssf_endpoint_url: '' });
      assert.equal(cleared.statusCode, 303);
      assert.equal((await t.deps.stores.apps.find(clientId))?.ssfEndpointUrl, null);
      assert.match((await dev.browser.get(`/developers/apps/${clientId}`)).body, /id="ssf-endpoint">None</);
    });
  });
}
