/**
 * Issue 19, both dialects: a code issued in a sign-in session names its app with the session in
 * the code's own write (TokenStore.createCode with a session id; one statement on PostgreSQL, one
 * transaction on SQLite), once per app and session, so ending the session writes the app's logout token.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { randomId } from '../../src/crypto/random.ts';
import { insertLogoutDeliveries } from '../../src/persistence/stores/outbound_deliveries.ts';

for (const dialect of dialects()) {
  describe(`session_apps written with the code (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    it('one row per app and session however many codes; none without a session; every code stored', async () => {
      const now = t.clock.now();
      const user = await createUser(t.deps, 'session-apps@example.com');
      const rp = await createClient(t.deps, { name: 'RP session apps', redirectUris: ['https://rp.example/cb'], backchannelLogoutUri: 'https://rp.example/bc' });
      const grant = await t.deps.stores.grants.approve(user.id, rp.clientId, ['openid'], now);
      const sessionId = randomId();
      const code = (sid: string | undefined) => ({
        id: randomId(), appId: rp.clientId, userId: user.id, grantId: grant.id, familyId: randomId(), redirectUri: '',
        scopes: ['openid'], codeChallenge: 'x'.repeat(43), nonce: null, authTime: now, amr: ['pwd'], createdAt: now,
        expiresAt: now + 60, consumedAt: null, ...(sid === undefined ? {} : { sid }),
      });
      const codes = [code('sid-a'), code('sid-a'), code('sid-a')];
      for (const c of codes) await t.deps.stores.tokens.createCode(c, sessionId);
      const without = code(undefined);
      await t.deps.stores.tokens.createCode(without);
      for (const c of [...codes, without]) assert.ok(await t.deps.stores.tokens.findCode(c.id), c.id);

      const rows = await t.deps.database.db.selectFrom('session_apps').selectAll().where('app_id', '=', rp.clientId).execute();
      assert.deepEqual(
        rows.map((r) => [r.session_id, r.user_id, r.sid, Number(r.created_at)]),
        [[sessionId, user.id, 'sid-a', now]],
      );
      const written = await t.deps.database.db.transaction().execute((tx) => insertLogoutDeliveries(tx, [sessionId], now));
      assert.equal(written, 1);
    });
  });
}
