/**
 * Two Tessera nodes on one database: a membership removal, a policy change, a cut-off or a grant
 * narrowed by its person on node A is enforced by node B at its next call. On PostgreSQL the change reaches B's cache
 * through LISTEN/NOTIFY at once; SQLite runs one node in production, and a second one sharing the
 * file (no channel between them) applies the change when its cached entry expires (10 s TTL).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { databaseOf, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { removeMember, setAppRule, setMember, setThirdPartyMode } from '../../src/services/org_admin.ts';
import { ALL, call, createPlatform, type Platform } from './platform_fixture.ts';
import { createUser } from '../support/fixtures.ts';
import { mintAccessToken } from '../support/tokens.ts';

for (const dialect of dialects()) {
  describe(`membership and policy changes across two nodes (${dialect})`, () => {
    let a: TestApp;
    let b: TestApp;
    let p: Platform;
    before(async () => {
      a = await startTestApp({ dialect });
      b = await startTestApp({ database: databaseOf(a) });
      p = await createPlatform(a, `-${dialect}`);
    });
    after(async () => {
      await b.close();
      await a.close();
    });

    /** Calls node B until it answers `status` (PostgreSQL: within a second; SQLite: once B's entry expired). */
    async function answeredOnB(token: string, path: string, status: number): Promise<{ code: string }> {
      if (dialect === 'sqlite') b.clock.advance(11);
      const started = Date.now();
      for (;;) {
        const res = await call(b, 'GET', path, token);
        if (res.statusCode === status) return res.json();
        assert.ok(Date.now() - started < 1000, `node B still answers ${res.statusCode} after ${Date.now() - started} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }

    it('the person takes a scope and an organization away on A: the same token shrinks on B within a second', async () => {
      // Carol is new to B, so B loads her organizations fresh; this runs before any test moves B's clock.
      const carol = await createUser(a.deps, `carol-${dialect}@example.com`, 'Carol');
      const org = async (slug: string) => (await a.deps.stores.organizations.create({ slug: `${slug}-${dialect}`, name: slug, ownerUserId: carol.id }, a.clock.now()))!;
      const kept = await org('hooli');
      const dropped = await org('pied-piper');
      const grant = await a.deps.stores.grants.approve(carol.id, p.service.clientId, ALL.split(' '), a.clock.now());
      const token = await mintAccessToken(a.deps, { sub: carol.id, gid: grant.id, client_id: p.service.clientId, scope: ALL });
      assert.equal((await call(b, 'POST', `/orgs/${kept.slug}/projects`, token, { body: { name: 'Before' } })).statusCode, 201);
      assert.equal((await call(b, 'GET', `/orgs/${dropped.slug}/projects`, token)).statusCode, 200);
      // What "Manage applications" keeps when the write is unticked: the read it implied stays.
      const scopes = [...grant.scopes.filter((s) => s !== 'workitems:write'), 'workitems:read'];
      assert.equal(await a.deps.revoker.narrowGrant(grant.id, carol.id, scopes, [kept.id]), true);
      // PostgreSQL tells B at once; SQLite's B finds it at its next poll (200 ms in tests).
      const started = Date.now();
      for (;;) {
        const res = await call(b, 'GET', `/orgs/${dropped.slug}/projects`, token);
        if (res.statusCode === 404) break;
        assert.ok(Date.now() - started < 1000, `node B still answers ${res.statusCode} after ${Date.now() - started} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      const write = await call(b, 'POST', `/orgs/${kept.slug}/projects`, token, { body: { name: 'After' } });
      assert.equal(write.statusCode, 403);
      assert.equal((write.json() as { code: string }).code, 'insufficient_scope');
      assert.equal((await call(b, 'GET', `/orgs/${kept.slug}/projects`, token)).statusCode, 200, 'what is left still works');
    });

    it('an owner cuts the service off on A: B refuses it at its next call', async () => {
      const token = await p.token('alice');
      const path = `/orgs/${p.acme.slug}/projects`;
      assert.equal((await call(b, 'GET', path, token)).statusCode, 200, 'B has cached the policy');
      await setAppRule(p.admin(), p.acme, p.service.clientId, 'blocked');
      assert.equal((await answeredOnB(token, path, 403)).code, 'org_policy_blocked');
      await setAppRule(p.admin(), p.acme, p.service.clientId, undefined);
      await answeredOnB(token, path, 200);
    });

    it('the owners switch to approved-only on A: B refuses an unapproved service', async () => {
      const token = await p.token('bob');
      const path = `/orgs/${p.globex.slug}/projects`;
      assert.equal((await call(b, 'GET', path, token)).statusCode, 200);
      await setThirdPartyMode(p.admin(), p.globex, 'approved');
      assert.equal((await answeredOnB(token, path, 403)).code, 'org_policy_blocked');
    });

    it('the person leaves the organization on A: B answers not_a_member', async () => {
      const token = await p.token('alice');
      const initech = (await a.deps.stores.organizations.create({ slug: `initech-${dialect}`, name: 'Initech' }, a.clock.now()))!;
      const path = `/orgs/${initech.slug}/projects`;
      assert.equal((await call(b, 'GET', path, token)).statusCode, 404, "B has cached alice's organizations");
      // Joining is announced like leaving, so B sees the new organization at once too.
      await setMember(p.admin(), initech, p.alice.id, 'member');
      await answeredOnB(token, path, 200);
      assert.equal(await removeMember(p.admin(), initech, p.alice.id), true);
      assert.equal((await answeredOnB(token, path, 403)).code, 'not_a_member');
    });

  });
}
