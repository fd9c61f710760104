/** The portal JSON API: registration, editing, secrets and rotation, deletion, usage (issue 5; SECURITY 16, 50). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser, type TestClient } from '../support/fixtures.ts';
import { exchangeCode, issueTestCode, postForm, refresh } from '../support/codes.ts';
import { Developer, GOOD_APP, PNG_1PX, multipart } from './helpers.ts';

for (const dialect of dialects()) {
  describe(`portal API (${dialect})`, () => {
    let t: TestApp;
    let dev: Developer;
    before(async () => {
      t = await startTestApp({ dialect });
      dev = await Developer.signIn(t, 'dev@example.com');
    });
    after(() => t.close());

    it('registers a web app: its secret is shown once, with 256 bits and the tss_ prefix; client-supplied flags are ignored', async () => {
      const res = await dev.api('POST', '/apps', { ...GOOD_APP, client_id: 'mine', verified: true, trusted: true, owner_user_id: 'x', grant_types: ['client_credentials'] });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json();
      assert.notEqual(body.client_id, 'mine');
      assert.equal(body.verified, false);
      assert.equal(body.client_type, 'confidential');
      assert.match(body.client_secret, /^tss_[A-Za-z0-9_-]{43}$/);
      const stored = await t.deps.stores.apps.find(body.client_id);
      assert.equal(stored?.ownerUserId, (await t.deps.stores.users.findByEmail('dev@example.com'))!.id);
      assert.deepEqual(stored?.scopes, ['openid', 'workitems:read']);
      assert.equal(stored?.companyUrl, 'https://example.com/');

      // No later read or list includes the secret (SECURITY 16).
      for (const path of ['/apps', `/apps/${body.client_id}`, `/apps/${body.client_id}/secrets`]) {
        const read = await dev.api('GET', path);
        assert.equal(read.statusCode, 200, path);
        assert.ok(!read.body.includes(body.client_secret), path);
        assert.ok(!read.body.includes('tss_'), path);
      }
      const page = await dev.browser.get(`/developers/apps/${body.client_id}`);
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes(body.client_secret));
    });

    it('a public app gets no secret and may register a reverse-DNS private-use callback', async () => {
      const body = await dev.createApp({ kind: 'native', redirect_uris: ['com.example.app:/cb', 'http://127.0.0.1/cb'] });
      assert.equal(body.client_secret, undefined);
      assert.equal(body.client_type, 'public');
    });

    it('post_logout_redirect_uris: stored, returned and edited; none by default; a bad scheme or a fragment is invalid_client_metadata', async () => {
      const created = await dev.createApp({ post_logout_redirect_uris: ['https://ci.example.com/bye'] });
      assert.deepEqual(created.post_logout_redirect_uris, ['https://ci.example.com/bye']);
      assert.deepEqual((await dev.api('GET', `/apps/${created.client_id}`)).json().post_logout_redirect_uris, ['https://ci.example.com/bye']);
      assert.deepEqual((await dev.createApp()).post_logout_redirect_uris, []);
      const edited = await dev.api('PUT', `/apps/${created.client_id}`, { ...GOOD_APP, post_logout_redirect_uris: ['https://ci.example.com/bye2', 'http://127.0.0.1/bye'] });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.deepEqual((await t.deps.stores.apps.find(created.client_id))?.postLogoutRedirectUris, ['https://ci.example.com/bye2', 'http://127.0.0.1/bye']);
      for (const bad of ['http://ci.example.com/bye', 'https://ci.example.com/bye#x', 'data:text/html,x', 'com.example.app:/bye']) {
        const res = await dev.api('POST', '/apps', { ...GOOD_APP, post_logout_redirect_uris: [bad] });
        assert.equal(res.statusCode, 400, bad);
        assert.equal(res.json().error, 'invalid_client_metadata', bad);
        assert.equal(res.json().fields[0].field, 'post_logout_redirect_uris', bad);
      }
    });

    it('edits everything later, scopes included', async () => {
      const created = await dev.createApp();
      const res = await dev.api('PUT', `/apps/${created.client_id}`, { ...GOOD_APP, name: 'Renamed', scopes: ['openid', 'workitems:write'], redirect_uris: ['https://ci.example.com/cb2'] });
      assert.equal(res.statusCode, 200, res.body);
      const app = await t.deps.stores.apps.find(created.client_id);
      assert.equal(app?.name, 'Renamed');
      assert.deepEqual(app?.scopes, ['openid', 'workitems:write']);
      assert.deepEqual(app?.redirectUris, ['https://ci.example.com/cb2']);
      const bad = await dev.api('PUT', `/apps/${created.client_id}`, { ...GOOD_APP, scopes: ['root'] });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error, 'invalid_client_metadata');
    });

    it('1000 secrets are all unique (SECURITY 16)', async () => {
      const { randomToken } = await import('../../src/crypto/random.ts');
      const seen = new Set(Array.from({ length: 1000 }, () => randomToken('clientSecret')));
      assert.equal(seen.size, 1000);
      const created = await dev.createApp();
      const second = await dev.api('POST', `/apps/${created.client_id}/secrets`, {});
      assert.equal(second.statusCode, 201, second.body);
      assert.notEqual(second.json().client_secret, created.client_secret);
    });

    it('rotation without downtime: two secrets work, a third is refused, a revoked one gets 401 at once, last use is recorded', async () => {
      const created = await dev.createApp();
      const user = await createUser(t.deps, `person-${created.client_id}@example.com`);
      const oldClient: TestClient = { app: (await t.deps.stores.apps.find(created.client_id))!, clientId: created.client_id, clientSecret: created.client_secret! };
      const issued = await issueTestCode(t.deps, { client: oldClient, user, scopes: ['openid', 'offline_access'] });
      const first = await exchangeCode(t, oldClient, issued);
      assert.equal(first.statusCode, 200, first.body);

      const made = await dev.api('POST', `/apps/${created.client_id}/secrets`, { expires_in_days: 30 });
      assert.equal(made.statusCode, 201, made.body);
      const newClient: TestClient = { ...oldClient, clientSecret: made.json().client_secret };
      assert.equal(typeof made.json().expires_at, 'number');

      const third = await dev.api('POST', `/apps/${created.client_id}/secrets`, {});
      assert.equal(third.statusCode, 409);

      // Both work during the switch.
      const viaNew = await refresh(t, newClient, first.json().refresh_token);
      assert.equal(viaNew.statusCode, 200, viaNew.body);
      await t.deps.usage.flush();
      const secrets = (await dev.api('GET', `/apps/${created.client_id}/secrets`)).json() as { id: string; last_used_at: number | null; created_at: number }[];
      assert.equal(secrets.length, 2);
      const oldId = secrets.find((s) => s.id !== made.json().id)!.id;
      assert.ok(secrets[0]!.last_used_at !== null && secrets[1]!.last_used_at !== null);

      const revoked = await dev.api('DELETE', `/apps/${created.client_id}/secrets/${oldId}`);
      assert.equal(revoked.statusCode, 204);
      const viaOld = await refresh(t, oldClient, viaNew.json().refresh_token);
      assert.equal(viaOld.statusCode, 401);
      assert.equal(viaOld.json().error, 'invalid_client');
      assert.equal((await postForm(t, '/introspect', oldClient, { token: 'x' })).statusCode, 401);
      assert.equal((await postForm(t, '/revoke', oldClient, { token: 'x' })).statusCode, 401);
      const stillNew = await refresh(t, newClient, viaNew.json().refresh_token);
      assert.equal(stillNew.statusCode, 200, stillNew.body);
    });

    it('deleting an app ends its grants, tokens and secrets at once; usage counts people and token responses', async () => {
      t.clock.awayFromMidnight();
      const created = await dev.createApp({ scopes: ['openid', 'offline_access', 'orgs:read'] });
      const client: TestClient = { app: (await t.deps.stores.apps.find(created.client_id))!, clientId: created.client_id, clientSecret: created.client_secret! };
      const user = await createUser(t.deps, `user-${created.client_id}@example.com`);
      const issued = await issueTestCode(t.deps, { client, user, scopes: ['openid', 'offline_access', 'orgs:read'] });
      const tokens = (await exchangeCode(t, client, issued)).json() as { access_token: string; refresh_token: string };
      const refreshed = await refresh(t, client, tokens.refresh_token);
      assert.equal(refreshed.statusCode, 200);

      const usage = (await dev.api('GET', `/apps/${created.client_id}/usage`)).json();
      assert.equal(usage.active_grants, 1);
      assert.equal(usage.tokens_per_day.length, 1);
      assert.equal(usage.tokens_per_day[0].count, 2);

      const api = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(api.statusCode, 200, api.body);

      const del = await dev.api('DELETE', `/apps/${created.client_id}`);
      assert.equal(del.statusCode, 204);
      assert.equal(await t.deps.stores.apps.find(created.client_id), undefined);
      const after = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(after.statusCode, 401);
      assert.equal((await refresh(t, client, refreshed.json().refresh_token)).statusCode, 401);
      assert.equal((await dev.api('GET', `/apps/${created.client_id}`)).statusCode, 404);
    });

    it('a logo is checked by its magic bytes and re-served from our origin with nosniff and a forbidding CSP', async () => {
      const created = await dev.createApp();
      const put = (bytes: Buffer, type = 'image/png') => {
        const body = multipart({}, { name: 'logo', filename: 'logo.png', type, bytes });
        return t.app.inject({ method: 'PUT', url: `/developers/api/v1/apps/${created.client_id}/logo`, headers: { cookie: dev.cookie(), 'content-type': body.contentType }, payload: body.payload });
      };
      const html = await put(Buffer.from('<html><script>alert(1)</script></html>'));
      assert.equal(html.statusCode, 400);
      assert.equal(html.json().error, 'invalid_client_metadata');
      const huge = await put(Buffer.concat([PNG_1PX, Buffer.alloc(300 * 1024)]));
      assert.equal(huge.statusCode, 400, huge.body);
      assert.equal(huge.json().error, 'invalid_client_metadata');
      const ok = await put(PNG_1PX, 'text/html');
      assert.equal(ok.statusCode, 200, ok.body);
      const logoUri = ok.json().logo_uri as string;
      assert.equal(logoUri, `${t.issuer}/developers/logos/${created.client_id}`);
      // The upload re-checks the stored profile and keeps it as it was.
      assert.deepEqual([ok.json().name, ok.json().redirect_uris, ok.json().scopes], [GOOD_APP.name, GOOD_APP.redirect_uris, GOOD_APP.scopes]);
      const served = await t.app.inject({ method: 'GET', url: logoUri.slice(t.issuer.length) });
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers['content-type'], 'image/png');
      assert.equal(served.headers['x-content-type-options'], 'nosniff');
      assert.match(String(served.headers['content-security-policy']), /default-src 'none'/);
      assert.deepEqual(served.rawPayload, PNG_1PX);
    });

    it('describes itself in OpenAPI', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/developers/api/v1/openapi.json' });
      assert.equal(res.statusCode, 200);
      const doc = res.json();
      assert.equal(doc.openapi.startsWith('3'), true);
      assert.ok(doc.paths['/developers/api/v1/apps']?.post);
      assert.ok(doc.paths['/developers/api/v1/apps/{id}/secrets']?.post);
      assert.ok(!Object.keys(doc.paths).some((p) => !p.startsWith('/developers/api/v1')), 'only the portal API is described');
    });
  });
}
