/**
 * Taking `offline_access` away from a grant (Manage applications, or approving again with less)
 * ends its refresh tokens in the same transaction (domain/approval.ts offlineAccessEnded): the
 * service may no longer act while the person is away. Found by the property test of issue 14's
 * one-statement refresh (test/oauth/token_one_round_trip_property.test.ts, its report): before,
 * the next refresh still gave a new refresh token.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createParties, type TestClient } from '../support/fixtures.ts';
import { obtainTokens, refresh } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';

for (const dialect of dialects()) {
  describe(`offline_access taken away ends the refresh tokens (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      ({ alice, c1 } = await createParties(t.deps));
    });
    after(() => t.close());

    it('narrowed without offline_access: the next refresh is invalid_grant, the grant lives on narrowed', async () => {
      const tokens = await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'workitems:read', 'offline_access'] });
      assert.ok(tokens.refresh_token);
      const now = t.clock.now();
      assert.equal(await t.deps.stores.grants.narrow(tokens.grantId, alice.id, ['openid', 'workitems:read'], null, now, now + 3600), true);
      const refused = await refresh(t, c1, tokens.refresh_token);
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal((refused.json() as { error: string }).error, 'invalid_grant');
      // The grant itself lives on, narrowed: the access token in hand still reads, as the person kept reading.
      const grant = await t.deps.stores.grants.findLive(alice.id, c1.clientId, t.clock.now());
      assert.deepEqual([grant?.id, grant?.scopes], [tokens.grantId, ['openid', 'workitems:read']]);
    });

    it('narrowed but keeping offline_access: refresh goes on, with the narrower scope', async () => {
      const tokens = await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'workitems:read', 'workitems:write', 'offline_access'] });
      const now = t.clock.now();
      assert.equal(await t.deps.stores.grants.narrow(tokens.grantId, alice.id, ['openid', 'workitems:read', 'offline_access'], null, now, now + 3600), true);
      const res = await refresh(t, c1, tokens.refresh_token);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as { scope: string }).scope, 'openid workitems:read offline_access');
    });

    it('approving again with offline_access unticked ends them too', async () => {
      const tokens = await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'workitems:read', 'offline_access'] });
      assert.ok(tokens.refresh_token);
      const now = t.clock.now();
      await t.deps.stores.grants.approve(alice.id, c1.clientId, ['openid'], now, { withdrawn: ['offline_access'], orgIds: 'keep', expiresAt: 'keep', narrowingUntil: now + 3600 });
      assert.equal((await refresh(t, c1, tokens.refresh_token)).statusCode, 400);
    });
  });
}
