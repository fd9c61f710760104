/**
 * SECURITY 21 — the bullets the introspection suite (test/oauth/introspect.test.ts) leaves open:
 * a token of ours minted for another audience, with another issuer, or not yet valid is exactly
 * `{"active":false}` (RFC 7662 §2.2), and an active answer never carries more than RFC 7662 names.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { postForm } from '../support/codes.ts';
import { mintAccessToken } from '../support/tokens.ts';
import type { User } from '../../src/domain/users.ts';
import type { Grant } from '../../src/domain/grants.ts';

for (const dialect of dialects()) {
  describe(`SECURITY 21: introspection of tokens meant for others (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;
    let grant: Grant;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com');
      c1 = await createClient(t.deps);
      grant = await t.deps.stores.grants.approve(alice.id, c1.clientId, ['openid', 'orgs:read'], t.clock.now());
    });
    after(() => t.close());

    async function assertInactive(token: string, label: string) {
      const res = await postForm(t, '/introspect', c1, { token });
      assert.equal(res.statusCode, 200, label);
      assert.equal(res.body, '{"active":false}', label);
    }

    it('a token of ours for this client, but for another audience, another issuer, or not yet valid, is inactive', async () => {
      const now = t.clock.now();
      const base = { sub: alice.id, gid: grant.id, client_id: c1.clientId, scope: 'openid orgs:read' };
      const good = await mintAccessToken(t.deps, base);
      const res = await postForm(t, '/introspect', c1, { token: good });
      assert.equal(res.json().active, true, 'the control token is active');
      // The active answer has only RFC 7662 members.
      for (const key of Object.keys(res.json())) {
        assert.ok(['active', 'scope', 'client_id', 'username', 'token_type', 'exp', 'iat', 'nbf', 'sub', 'aud', 'iss', 'jti', 'cnf'].includes(key), key);
      }

      await assertInactive(await mintAccessToken(t.deps, { ...base, aud: 'https://other.example' }), 'other audience');
      await assertInactive(await mintAccessToken(t.deps, { ...base, aud: `${t.issuer}/api-other` }), 'a look-alike audience');
      await assertInactive(await mintAccessToken(t.deps, { ...base, iss: 'https://evil.example' }), 'another issuer');
      await assertInactive(await mintAccessToken(t.deps, { ...base, iat: now + 3600, exp: now + 7200, nbf: now + 3600 } as Parameters<typeof mintAccessToken>[1]), 'not yet valid');
    });
  });
}
