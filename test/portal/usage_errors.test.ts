/**
 * The usage panel's "errors by code" (issue 5): errors the token endpoint and the API answer to an
 * app are counted per day and code, in memory and flushed in batches, and shown on the app's page
 * and in the portal API.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/fixtures.ts';
import { basic, obtainTokens, postForm, refresh } from '../support/codes.ts';
import { isoDay } from '../../src/domain/app_errors.ts';
import { ErrorCounter, MAX_PENDING_KEYS } from '../../src/jobs/error_counter.ts';
import { Developer } from './helpers.ts';

for (const dialect of dialects()) {
  describe(`usage: errors by code (${dialect})`, () => {
    let t: TestApp;
    let dev: Developer;
    before(async () => {
      t = await startTestApp({ dialect });
      dev = await Developer.signIn(t, 'dev@example.com');
    });
    after(() => t.close());

    /** A registered app with a person's tokens. */
    async function appWithTokens(email: string, scopes = ['openid', 'offline_access', 'workitems:read']) {
      const created = await dev.createApp({ scopes: ['openid', 'offline_access', 'orgs:read', 'workitems:read'] });
      const client = { app: (await t.deps.stores.apps.find(created.client_id))!, clientId: created.client_id, clientSecret: created.client_secret! };
      const tokens = await obtainTokens(t, { client, user: await createUser(t.deps, email), scopes });
      return { created, client, tokens };
    }

    async function usage(id: string) {
      await t.deps.errorCounts.flush();
      const res = await dev.api('GET', `/apps/${id}/usage`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { errors_per_day: { day: string; code: string; count: number }[]; errors_by_code: { code: string; count: number }[] };
    }

    it('a bad refresh shows up under invalid_grant, on the page and in the API', async () => {
      t.clock.awayFromMidnight();
      const { created, client, tokens } = await appWithTokens('erin@example.com');
      assert.equal((await usage(created.client_id)).errors_per_day.length, 0);
      const bad = await refresh(t, client, 'tsr_' + 'x'.repeat(43));
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error, 'invalid_grant');
      // Only counts: the good refresh after it adds nothing.
      assert.equal((await refresh(t, client, tokens.refresh_token)).statusCode, 200);
      const body = await usage(created.client_id);
      assert.deepEqual(body.errors_per_day, [{ day: isoDay(t.clock.now()), code: 'invalid_grant', count: 1 }]);
      assert.deepEqual(body.errors_by_code, [{ code: 'invalid_grant', count: 1 }]);

      const page = await dev.browser.get(`/developers/apps/${created.client_id}`);
      assert.match(page.body, /<h3>Errors by code<\/h3>/);
      assert.match(page.body, /<li data-code="invalid_grant"><code>invalid_grant<\/code> <strong class="num">1<\/strong><\/li>/);
    });

    it('counts add up across batches; a wrong secret is invalid_client; API refusals count under their problem code', async () => {
      t.clock.awayFromMidnight();
      const { created, client, tokens } = await appWithTokens('fay@example.com');
      await refresh(t, client, 'tsr_nope');
      await t.deps.errorCounts.flush();
      await refresh(t, client, 'tsr_nope');
      await refresh(t, client, 'tsr_nope');
      const wrongSecret = await postForm(t, '/token', null, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { authorization: basic(client.clientId, 'tss_wrong') });
      assert.equal(wrongSecret.statusCode, 401);

      // insufficient_scope: the token has no orgs:read.
      const orgs = await t.app.inject({ url: '/api/v1/orgs', headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(orgs.statusCode, 403);
      // grant_revoked: the token verified, but its grant is revoked.
      await t.deps.revoker.revokeGrant(tokens.grantId, 'user_revoked');
      const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(me.statusCode, 401);
      assert.equal(me.json().code, 'grant_revoked');
      // A token that never verified is nobody's: not counted.
      await t.app.inject({ url: '/api/v1/me', headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' } });

      const body = await usage(created.client_id);
      const today = isoDay(t.clock.now());
      assert.deepEqual(body.errors_per_day, [
        { day: today, code: 'grant_revoked', count: 1 },
        { day: today, code: 'insufficient_scope', count: 1 },
        { day: today, code: 'invalid_client', count: 1 },
        { day: today, code: 'invalid_grant', count: 3 },
      ]);
      assert.equal(body.errors_by_code[0]!.code, 'invalid_grant');
    });

    it('errors of a client_id that is no app are dropped; deleting an app deletes its counts', async () => {
      const unknown = 'f'.repeat(32);
      const res = await postForm(t, '/token', null, { grant_type: 'refresh_token', refresh_token: 'tsr_x' }, { authorization: basic(unknown, 'tss_x') });
      assert.equal(res.statusCode, 401);
      await t.deps.errorCounts.flush();
      assert.deepEqual(await t.deps.stores.appErrors.list(unknown, '2000-01-01'), []);

      const { created, client } = await appWithTokens('gus@example.com');
      await refresh(t, client, 'tsr_nope');
      await t.deps.errorCounts.flush();
      assert.equal((await t.deps.stores.appErrors.list(created.client_id, '2000-01-01')).length, 1);
      assert.equal((await dev.api('DELETE', `/apps/${created.client_id}`)).statusCode, 204);
      assert.deepEqual(await t.deps.stores.appErrors.list(created.client_id, '2000-01-01'), []);
    });

    it('the OpenAPI description documents the usage answer and the owner of an app', async () => {
      const doc = (await dev.api('GET', '/openapi.json')).json();
      const usage = doc.paths['/developers/api/v1/apps/{id}/usage'].get.responses['200'].content['application/json'].schema;
      assert.deepEqual(Object.keys(usage.properties).sort(), ['active_grants', 'errors_by_code', 'errors_per_day', 'tokens_per_day']);
      const create = doc.paths['/developers/api/v1/apps'].post.requestBody.content['application/json'].schema;
      assert.ok(create.properties.owner_org);
      const app = doc.paths['/developers/api/v1/apps/{id}'].get.responses['200'].content['application/json'].schema;
      assert.deepEqual(app.properties.owner.properties.type.enum, ['user', 'organization']);
    });

    it('a counter holds a bounded number of keys between flushes and says when it dropped some', async () => {
      const problems: unknown[] = [];
      const counter = new ErrorCounter(t.deps.stores.appErrors, () => t.clock.now(), (err) => problems.push(err));
      const { created } = await appWithTokens('hal@example.com');
      for (let i = 0; i < MAX_PENDING_KEYS + 5; i++) counter.record(`made-up-${i}`, 'invalid_client');
      counter.record(created.client_id, 'invalid_grant');
      await counter.flush();
      assert.equal(problems.length, 1);
      assert.match(String(problems[0]), /6 dropped/);
      // The batch was full, so even the real app's count was dropped; the next batch is fresh.
      counter.record(created.client_id, 'invalid_grant');
      await counter.flush();
      assert.deepEqual(
        (await t.deps.stores.appErrors.list(created.client_id, '2000-01-01')).map((c) => [c.code, c.count]),
        [['invalid_grant', 1]],
      );
    });
  });
}
