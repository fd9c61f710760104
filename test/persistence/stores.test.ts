import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { migrateToLatest } from '../../src/persistence/migrate.ts';
import { randomId } from '../../src/crypto/random.ts';
import type { Approval } from '../../src/domain/grants.ts';
import type { RefreshToken } from '../../src/domain/tokens.ts';
import type { User } from '../../src/domain/users.ts';
import type { TestClient } from '../support/fixtures.ts';

for (const dialect of dialects()) {
  describe(`stores (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com');
      client = await createClient(t.deps);
    });
    after(() => t.close());

    it('migrations are idempotent (SECURITY R2)', async () => {
      assert.deepEqual(await migrateToLatest(t.deps.database.db), { applied: [] });
    });

    it('emails are unique regardless of case', async () => {
      assert.equal(await t.deps.stores.users.create({ email: 'ALICE@example.com', name: 'x', passwordHash: null }, 1), undefined);
      assert.equal((await t.deps.stores.users.findByEmail(' Alice@Example.com '))?.id, alice.id);
    });

    it('a live session is read with its person in one statement; ended or expired sessions are not', async () => {
      const now = t.clock.now();
      const session = { id: randomId(), userId: alice.id, authTime: now, amr: ['pwd'], createdAt: now, lastSeenAt: now, expiresAt: now + 60, ip: null, userAgent: null };
      await t.deps.stores.sessions.create(session);
      const found = await t.deps.stores.sessions.findLiveWithUser(session.id, now);
      assert.deepEqual(found?.session, { id: session.id, userId: alice.id, authTime: now, amr: ['pwd'], createdAt: now, lastSeenAt: now, expiresAt: now + 60 });
      assert.deepEqual(found?.user, await t.deps.stores.users.findById(alice.id), 'every column of the person, as findById reads it');
      assert.equal(found?.user?.email, 'alice@example.com');
      assert.equal(await t.deps.stores.sessions.findLiveWithUser(session.id, now + 60), undefined, 'past its absolute end');
      await t.deps.stores.sessions.end(session.id, now);
      assert.equal(await t.deps.stores.sessions.findLiveWithUser(session.id, now), undefined, 'ended');
    });

    it('concurrent approvals leave one live grant holding the union of scopes', async () => {
      const user = await createUser(t.deps, 'race@example.com');
      const now = t.clock.now();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => t.deps.stores.grants.approve(user.id, client.clientId, ['openid', i % 2 ? 'profile' : 'email'], now)),
      );
      assert.equal(new Set(results.map((g) => g.id)).size, 1);
      const live = await t.deps.stores.grants.findLive(user.id, client.clientId, now);
      assert.deepEqual(live?.scopes.sort(), ['email', 'openid', 'profile']);
    });

    it('approve reports whether its terms took organizations away, judged against the grant it extended', async () => {
      const user = await createUser(t.deps, 'orgs@example.com');
      const now = t.clock.now();
      const approve = (orgIds: string[] | null) =>
        t.deps.stores.grants.approve(user.id, client.clientId, ['openid'], now, { orgIds, expiresAt: null, narrowingUntil: now + 600 });
      const sets = [null, ['a', 'b'], ['a', 'b'], ['a', 'b', 'c'], ['a'], null, []];
      const approvals: Approval[] = [];
      for (const orgIds of sets) approvals.push(await approve(orgIds));
      assert.deepEqual(approvals.map((a) => a.narrowed), [false, true, false, false, true, false, true]);
      assert.equal(new Set(approvals.map((a) => a.id)).size, 1);
      // Without terms the organizations stay as they are: nothing is taken away.
      assert.equal((await t.deps.stores.grants.approve(user.id, client.clientId, ['email'], now)).narrowed, false);
      const recorded = (await t.deps.stores.grants.listNarrowingsSince(now, now)).filter((n) => n.grantId === approvals[0]!.id);
      assert.deepEqual(recorded.map((n) => n.orgIds), [[]], 'one record per grant: the latest narrowing');
    });

    it('approve keeps what its terms say keep, and narrow never gives back what the row no longer has', async () => {
      const user = await createUser(t.deps, 'keep@example.com');
      const now = t.clock.now();
      const grants = t.deps.stores.grants;
      await grants.approve(user.id, client.clientId, ['openid', 'orgs:read'], now, { orgIds: ['g'], expiresAt: now + 100, narrowingUntil: now + 600 });
      const kept = await grants.approve(user.id, client.clientId, ['email'], now, { orgIds: 'keep', expiresAt: 'keep', narrowingUntil: now + 600 });
      assert.deepEqual([kept.orgIds, kept.expiresAt, kept.narrowed], [['g'], now + 100, false]);
      // An edit page read while the grant covered every organization and had profile: applied to the
      // row as it is now, it keeps only what both allow.
      assert.equal(await grants.narrow(kept.id, user.id, ['openid', 'orgs:read', 'profile'], null, now, now + 600), true);
      const after = await grants.findLive(user.id, client.clientId, now);
      assert.deepEqual([after?.scopes, after?.orgIds, after?.expiresAt], [['openid', 'orgs:read'], ['g'], now + 100]);
      const recorded = (await grants.listNarrowingsSince(now, now)).find((n) => n.grantId === kept.id);
      assert.deepEqual([recorded?.scopes, recorded?.orgIds], [['openid', 'orgs:read'], ['g']], 'the narrowing recorded is what the row became');
    });

    it('a code is redeemed once, however many try at the same moment (SECURITY R1)', async () => {
      const now = t.clock.now();
      const grant = await t.deps.stores.grants.approve(alice.id, client.clientId, ['openid'], now);
      const codeId = randomId();
      await t.deps.stores.tokens.createCode({
        id: codeId, appId: client.clientId, userId: alice.id, grantId: grant.id, familyId: randomId(), redirectUri: '',
        scopes: ['openid'], codeChallenge: 'x'.repeat(43), nonce: null, authTime: now, amr: ['pwd'], createdAt: now,
        expiresAt: now + 60, consumedAt: null,
      });
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => t.deps.stores.tokens.redeemCode(codeId, now, undefined)));
      assert.equal(outcomes.filter(Boolean).length, 1);
    });

    it('a refresh token rotates once; revoking the grant revokes its tokens and records the denylist entry', async () => {
      const now = t.clock.now();
      const user = await createUser(t.deps, 'rot@example.com');
      const grant = await t.deps.stores.grants.approve(user.id, client.clientId, ['openid', 'offline_access'], now);
      const base: RefreshToken = {
        id: randomId(), familyId: randomId(), grantId: grant.id, appId: client.clientId, userId: user.id, scopes: ['openid'],
        authTime: now, amr: ['pwd'], parentId: null, createdAt: now, expiresAt: now + 100, familyExpiresAt: now + 1000,
        rotatedAt: null, revokedAt: null,
      };
      const codeId = randomId();
      await t.deps.stores.tokens.createCode({
        id: codeId, appId: client.clientId, userId: user.id, grantId: grant.id, familyId: base.familyId, redirectUri: '',
        scopes: ['openid'], codeChallenge: 'x'.repeat(43), nonce: null, authTime: now, amr: ['pwd'], createdAt: now,
        expiresAt: now + 60, consumedAt: null,
      });
      assert.equal(await t.deps.stores.tokens.redeemCode(codeId, now, base), true);
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () => t.deps.stores.tokens.rotateRefresh(base.id, { ...base, id: randomId(), parentId: base.id }, now)),
      );
      assert.equal(outcomes.filter(Boolean).length, 1);

      assert.equal(await t.deps.stores.grants.revoke(grant.id, now, now + 3600), true);
      assert.notEqual((await t.deps.stores.tokens.findRefresh(base.id))?.revokedAt, null);
      assert.equal(await t.deps.stores.grants.findById(grant.id), undefined);
      const revocations = await t.deps.stores.revocations.listSince(now, now);
      assert.ok(revocations.some((r) => r.id === grant.id && r.kind === 'grant'));
      // A new approval after a revoke is a new grant: old tokens naming the old id stay dead.
      const again = await t.deps.stores.grants.approve(user.id, client.clientId, ['openid'], now);
      assert.notEqual(again.id, grant.id);
    });
  });
}
