import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';

for (const dialect of dialects()) {
  describe(`metadata and JWKS (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      it(`${path} names the issuer exactly and advertises only what is enforced (SECURITY 4, 9)`, async () => {
        const res = await t.app.inject({ method: 'GET', url: path });
        assert.equal(res.statusCode, 200);
        const body = res.json();
        assert.equal(body.issuer, t.issuer);
        assert.equal(body.authorization_response_iss_parameter_supported, true);
        assert.deepEqual(body.code_challenge_methods_supported, ['S256']);
        assert.deepEqual(body.response_types_supported, ['code']);
        assert.ok(!body.grant_types_supported.includes('password'));
        assert.ok(!body.grant_types_supported.includes('implicit'));
        assert.equal(body.jwks_uri, `${t.issuer}/.well-known/jwks.json`);
      });
    }

    it('JWKS publishes public members only (SECURITY 31)', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      assert.equal(res.statusCode, 200);
      const { keys } = res.json() as { keys: Record<string, unknown>[] };
      assert.equal(keys.length, 1);
      for (const key of keys) {
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(key[member], undefined, member);
        assert.equal(key.alg, 'ES256');
        assert.equal(typeof key.kid, 'string');
      }
    });

    it('answers other methods with 405 and Allow', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/.well-known/openid-configuration' });
      assert.equal(res.statusCode, 405);
      assert.match(String(res.headers.allow), /GET/);
    });

    it('sends the security headers on every response', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/no-such-page' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.equal(res.headers['x-powered-by'], undefined);
    });
  });
}
