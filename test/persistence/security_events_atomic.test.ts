/**
 * A security event commits or vanishes with the change that causes it (issue 19), both dialects.
 * The database itself is made to refuse security event rows (a CHECK constraint on PostgreSQL, a
 * trigger on SQLite): then a revoke, a narrowing and an organization's cut-off of an app with an
 * endpoint all fail and change nothing — the grant stays live, its tokens keep working, the rule
 * is not written — because the event is written in the change's own transaction. Once the
 * database takes them again, the same changes go through, each with its event.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { obtainTokens, refresh } from '../support/codes.ts';
import { CAUSES } from '../../src/domain/security_events.ts';
import type { User } from '../../src/domain/users.ts';

for (const dialect of dialects()) {
  describe(`security events are written with their change (${dialect})`, () => {
    let t: TestApp;
    let alice: User;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
    });
    after(() => t.close());

    async function refuseEvents(refuse: boolean): Promise<void> {
      const db = t.deps.database.db;
      if (dialect === 'postgres') {
        if (refuse) await sql`ALTER TABLE outbound_deliveries ADD CONSTRAINT no_security_events CHECK (kind <> 'security_event') NOT VALID`.execute(db);
        else await sql`ALTER TABLE outbound_deliveries DROP CONSTRAINT no_security_events`.execute(db);
      } else if (refuse) {
        await sql`CREATE TRIGGER no_security_events BEFORE INSERT ON outbound_deliveries WHEN NEW.kind = 'security_event' BEGIN SELECT RAISE(ABORT, 'no security events'); END`.execute(db);
      } else {
        await sql`DROP TRIGGER no_security_events`.execute(db);
      }
    }

    const events = async (appId: string) => (await t.deps.stores.outboundDeliveries.list({ appId, limit: 10 })).filter((d) => d.kind === 'security_event');

    it('a revoke, a narrowing and a cut-off that cannot write their event change nothing; then they go through with it', async () => {
      const client = await createClient(t.deps, { name: 'Listener', ssfEndpointUrl: 'https://rp.example/ssf' });
      const tokens = await obtainTokens(t, { client, user: alice, scopes: ['openid', 'offline_access', 'orgs:read', 'workitems:read'] });
      const org = (await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme', ownerUserId: alice.id }, t.clock.now()))!;

      await refuseEvents(true);
      try {
        await assert.rejects(t.deps.revoker.revokeGrant(tokens.grantId, 'test', CAUSES.userRevoked));
        assert.ok(await t.deps.stores.grants.findById(tokens.grantId), 'the grant is still live');
        await assert.rejects(t.deps.revoker.narrowGrant(tokens.grantId, alice.id, ['openid', 'offline_access'], null));
        assert.deepEqual((await t.deps.stores.grants.findById(tokens.grantId))!.scopes, ['openid', 'offline_access', 'orgs:read', 'workitems:read'], 'not narrowed');
        await assert.rejects(t.deps.stores.organizations.setAppRule(org.id, client.clientId, 'blocked', t.clock.now()));
        assert.equal((await t.deps.stores.organizations.policyOf(org.id)).apps.get(client.clientId), undefined, 'the rule is not written');
      } finally {
        await refuseEvents(false);
      }
      assert.deepEqual(await events(client.clientId), []);

      await t.deps.stores.organizations.setAppRule(org.id, client.clientId, 'blocked', t.clock.now());
      assert.equal(await t.deps.revoker.narrowGrant(tokens.grantId, alice.id, ['openid', 'offline_access'], null), true);
      const refreshed = await refresh(t, client, tokens.refresh_token);
      assert.equal(refreshed.statusCode, 200, 'the grant lived through the failed revoke');
      assert.equal(await t.deps.revoker.revokeGrant(tokens.grantId, 'test', CAUSES.userRevoked), true);
      const written = await events(client.clientId);
      assert.deepEqual(written.map((d) => (d.kind === 'security_event' ? d.payload.event.split('/').pop() : '')).sort(), ['session-revoked', 'token-claims-change', 'token-claims-change']);
    });
  });
}
