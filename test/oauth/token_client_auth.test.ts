/**
 * Client authentication at the back-channel endpoints (SECURITY 14, 17): exactly one method, the
 * secret never in the URL, Basic credentials form-urldecoded, one indistinguishable failure.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic, exchangeCode, issueTestCode, postForm } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';

for (const dialect of dialects()) {
  describe(`client authentication (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;
    let odd: TestClient;
    let p1: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com');
      c1 = await createClient(t.deps);
      odd = await createClient(t.deps, { clientSecret: 'tss_%+:&= secret/with?odd#chars' });
      p1 = await createClient(t.deps, { public: true });
    });
    after(() => t.close());

    const code = (client: TestClient) => issueTestCode(t.deps, { client, user: alice, scopes: ['openid'] });
    const form = (issued: { code: string; verifier: string }) => ({ grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier });

    function assertInvalidClient(res: Awaited<ReturnType<typeof postForm>>) {
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().error, 'invalid_client');
      assert.match(String(res.headers['www-authenticate']), /^Basic /);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers.pragma, 'no-cache');
    }

    it('a confidential client with no authentication gets 401 invalid_client', async () => {
      assertInvalidClient(await postForm(t, '/token', null, form(await code(c1))));
      assertInvalidClient(await postForm(t, '/token', null, { ...form(await code(c1)), client_id: c1.clientId }));
    });

    it('a wrong Basic secret gets 401 with WWW-Authenticate: Basic', async () => {
      assertInvalidClient(await postForm(t, '/token', null, form(await code(c1)), { authorization: basic(c1.clientId, 'tss_wrong') }));
    });

    it('a wrong client_secret_post secret gets 401 invalid_client; the right one works', async () => {
      const issued = await code(c1);
      assertInvalidClient(await postForm(t, '/token', null, { ...form(issued), client_id: c1.clientId, client_secret: 'tss_wrong' }));
      const ok = await postForm(t, '/token', null, { ...form(issued), client_id: c1.clientId, client_secret: c1.clientSecret! });
      assert.equal(ok.statusCode, 200, ok.body);
    });

    it('Basic plus a body client_secret gets 400 invalid_request', async () => {
      const res = await postForm(t, '/token', c1, { ...form(await code(c1)), client_secret: c1.clientSecret! });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'invalid_request');
      assert.equal(res.headers['cache-control'], 'no-store');
    });

    it('Basic with the same client_id repeated in the body is accepted', async () => {
      const issued = await code(c1);
      const res = await postForm(t, '/token', c1, { ...form(issued), client_id: c1.clientId });
      assert.equal(res.statusCode, 200, res.body);
    });

    it('?client_secret= in the query is rejected, even with valid credentials', async () => {
      const issued = await code(c1);
      const res = await t.app.inject({
        method: 'POST',
        url: `/token?client_secret=${encodeURIComponent(c1.clientSecret!)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ...form(issued), client_id: c1.clientId }).toString(),
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'invalid_request');
      assert.equal((await exchangeCode(t, c1, issued)).statusCode, 200, 'the code was not consumed');
    });

    it('an unknown client_id gets exactly what a wrong secret gets', async () => {
      const wrong = await postForm(t, '/token', null, form(await code(c1)), { authorization: basic(c1.clientId, 'tss_wrong') });
      const unknown = await postForm(t, '/token', null, form(await code(c1)), { authorization: basic('no-such-client', 'tss_wrong') });
      const unknownPost = await postForm(t, '/token', null, { ...form(await code(c1)), client_id: 'no-such-client', client_secret: 'x' });
      const unknownNone = await postForm(t, '/token', null, { ...form(await code(c1)), client_id: 'no-such-client' });
      for (const res of [unknown, unknownPost, unknownNone]) {
        assert.equal(res.statusCode, wrong.statusCode);
        assert.equal(res.body, wrong.body);
        assert.equal(res.headers['www-authenticate'], wrong.headers['www-authenticate']);
        assert.equal(res.headers['content-type'], wrong.headers['content-type']);
      }
    });

    it('a secret containing %+: works when form-encoded inside Basic', async () => {
      const issued = await code(odd);
      const res = await postForm(t, '/token', null, form(issued), { authorization: basic(odd.clientId, odd.clientSecret!) });
      assert.equal(res.statusCode, 200, res.body);
    });

    it('the same secret sent raw (not form-encoded) inside Basic fails', async () => {
      const raw = 'Basic ' + Buffer.from(`${odd.clientId}:${odd.clientSecret}`).toString('base64');
      assertInvalidClient(await postForm(t, '/token', null, form(await code(odd)), { authorization: raw }));
    });

    it('a malformed Basic header gets 401 invalid_client', async () => {
      for (const header of ['Basic', 'Basic !!!', 'Basic ' + Buffer.from('no-colon').toString('base64')]) {
        assertInvalidClient(await postForm(t, '/token', null, form(await code(c1)), { authorization: header }));
      }
    });

    it('a public client presenting a secret gets 401 invalid_client', async () => {
      const issued = await code(p1);
      assertInvalidClient(await postForm(t, '/token', null, { ...form(issued), client_id: p1.clientId, client_secret: 'anything' }));
      assertInvalidClient(await postForm(t, '/token', null, form(issued), { authorization: basic(p1.clientId, 'anything') }));
    });

    it('the same rules hold at /revoke and /introspect', async () => {
      for (const url of ['/revoke', '/introspect']) {
        assertInvalidClient(await postForm(t, url, null, { token: 'x' }));
        assertInvalidClient(await postForm(t, url, null, { token: 'x' }, { authorization: basic(c1.clientId, 'wrong') }));
        const both = await postForm(t, url, c1, { token: 'x', client_secret: c1.clientSecret! });
        assert.equal(both.statusCode, 400, url);
        assert.equal(both.json().error, 'invalid_request');
        const inQuery = await t.app.inject({
          method: 'POST',
          url: `${url}?client_secret=${c1.clientSecret}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: `token=x&client_id=${c1.clientId}`,
        });
        assert.equal(inQuery.statusCode, 400, url);
        assert.equal(inQuery.json().error, 'invalid_request');
      }
    });
  });
}
