/**
 * Issue 21, the operator's reads (services/operator_reads.ts over persistence/stores/
 * operator_reads.ts), on both dialects: keyset pages walk a list whose rows share one created_at
 * without repeating or skipping one; searches ignore case and take `%`, `_` and `\` literally; an
 * empty search is an empty page; the limit is bounded; a cursor not handed out is refused; and a
 * person's and a service's overview say what the stores hold.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { randomClientId, randomId } from '../../src/crypto/random.ts';
import { digest } from '../../src/crypto/digest.ts';
import type { App } from '../../src/domain/apps.ts';
import { isoDay } from '../../src/domain/app_errors.ts';
import { BadCursor, MAX_PAGE, PERSON_EVENTS, personOverview, searchPeople, searchServices, serviceOverview, type OperatorReadDeps } from '../../src/services/operator_reads.ts';

function appNamed(name: string, publisher: string, ownerUserId: string | null = null): App {
  return {
    id: randomClientId(),
    name,
    description: '',
    publisher,
    websiteUrl: null,
    logoUrl: null,
    redirectUris: ['https://app.example/cb'],
    clientType: 'confidential',
    scopes: ['openid', 'profile'],
    ownerUserId,
    verified: false,
    createdAt: 0,
  };
}

for (const dialect of dialects()) {
  describe(`operator reads (${dialect})`, () => {
    let t: TestApp;
    let deps: OperatorReadDeps;
    before(async () => {
      t = await startTestApp({ dialect });
      deps = t.deps;
    });
    after(() => t.close());

    /** Every page of a search, walked with the cursor; fails if a page is over the limit or the walk does not end. */
    async function walkPeople(query: string, limit: number): Promise<string[][]> {
      const pages: string[][] = [];
      let after: string | undefined;
      do {
        const page = await searchPeople(deps, { query, limit, ...(after === undefined ? {} : { after }) });
        assert.ok(page.people.length <= limit);
        pages.push(page.people.map((p) => p.email));
        after = page.next;
        assert.ok(pages.length < 50, 'the walk ends');
      } while (after !== undefined);
      return pages;
    }

    it('people: pages across rows with the same created_at, newest first, each once', async () => {
      const tie = 1_700_000_000;
      const emails: string[] = [];
      for (let i = 0; i < 7; i++) {
        const email = `tie${i}@pages.example`;
        emails.push(email);
        await t.deps.stores.users.create({ email, name: `Tie ${i}`, passwordHash: null }, i < 5 ? tie : tie + 10);
      }
      const pages = await walkPeople('@pages.example', 2);
      assert.deepEqual(pages.map((p) => p.length), [2, 2, 2, 1]);
      const seen = pages.flat();
      assert.equal(new Set(seen).size, 7);
      assert.deepEqual([...seen].sort(), [...emails].sort());
      // The two newer accounts first; among equal times, by id descending.
      const all = (await searchPeople(deps, { query: '@pages.example', limit: 10 })).people;
      assert.deepEqual(all.map((p) => p.email), seen);
      assert.deepEqual(new Set(all.slice(0, 2).map((p) => p.createdAt)), new Set([tie + 10]));
      const tied = all.slice(2);
      assert.deepEqual(tied.map((p) => p.id), tied.map((p) => p.id).sort().reverse());
      // A page that ends exactly at the last row says nothing follows.
      assert.equal((await searchPeople(deps, { query: '@pages.example', limit: 7 })).next, undefined);
    });

    it('people: search ignores case, matches email or name, takes % _ and \\ literally; none is an empty page', async () => {
      await t.deps.stores.users.create({ email: 'percent@search.example', name: '100% Real_Name', passwordHash: null }, 1_700_000_100);
      await t.deps.stores.users.create({ email: 'plain@search.example', name: '1000 RealXName', passwordHash: null }, 1_700_000_101);
      await t.deps.stores.users.create({ email: 'slash@search.example', name: 'Back\\slash', passwordHash: null }, 1_700_000_102);
      const names = async (query: string) => (await searchPeople(deps, { query, limit: 50 })).people.map((p) => p.email).sort();
      assert.deepEqual(await names('100%'), ['percent@search.example']);
      assert.deepEqual(await names('real_name'), ['percent@search.example'], '_ is no wildcard');
      assert.deepEqual(await names('REALXNAME'), ['plain@search.example']);
      assert.deepEqual(await names('k\\s'), ['slash@search.example']);
      assert.deepEqual(await names('PLAIN@SEARCH'), ['plain@search.example']);
      assert.deepEqual(await names('%'), ['percent@search.example']);
      const none = await searchPeople(deps, { query: 'nobody-has-this', limit: 50 });
      assert.deepEqual(none, { people: [] });
    });

    it('people: disabled and operator filters, last sign-in, bounded limit, bad cursors', async () => {
      const on = await createUser(t.deps, 'on@filter.example');
      const off = await createUser(t.deps, 'off@filter.example');
      await t.deps.stores.users.disable(off.id, t.clock.now());
      const now = t.clock.now();
      await t.deps.stores.sessions.create({ id: digest(randomId()), userId: on.id, authTime: now - 5, amr: ['pwd'], createdAt: now - 5, lastSeenAt: now, expiresAt: now + 3600, ip: '192.0.2.1', userAgent: 'UA' });
      const disabled = (await searchPeople(deps, { query: '@filter.example', disabled: true, limit: 10 })).people;
      assert.deepEqual(disabled.map((p) => [p.email, p.disabledAt !== null, p.lastSignInAt]), [['off@filter.example', true, null]]);
      const enabled = (await searchPeople(deps, { query: '@filter.example', disabled: false, limit: 10 })).people;
      assert.deepEqual(enabled.map((p) => [p.email, p.kind, p.lastSignInAt]), [['on@filter.example', 'personal', now - 5]]);
      await t.deps.stores.users.setPlatformOperator(on.id, true, now, { type: 'user.operator_granted', userId: on.id });
      const operators = (await searchPeople(deps, { query: '@filter.example', operators: true, limit: 10 })).people;
      assert.deepEqual(operators.map((p) => [p.email, p.platformOperatorAt]), [['on@filter.example', now]]);
      assert.deepEqual((await searchPeople(deps, { query: '@filter.example', operators: false, limit: 10 })).people.map((p) => p.email), ['off@filter.example']);
      assert.deepEqual((await searchPeople(deps, { query: '@filter.example', operators: true, disabled: true, limit: 10 })).people, []);

      // More than a page can hold: the limit is cut to MAX_PAGE, and 0 or less means 1.
      const rows = Array.from({ length: MAX_PAGE + 3 }, (_, i) => ({
        id: randomId(),
        email: `bulk${i}@bound.example`,
        name: 'Bulk',
        password_hash: null,
        created_at: 1_600_000_000,
        updated_at: 1_600_000_000,
        password_changed_at: null,
        disabled_at: null,
        kind: 'personal' as const,
        directory_id: null,
        email_verified_at: null,
      }));
      await t.deps.database.db.insertInto('users').values(rows).execute();
      const big = await searchPeople(deps, { query: '@bound.example', limit: 1_000_000 });
      assert.equal(big.people.length, MAX_PAGE);
      assert.ok(big.next);
      const rest = await searchPeople(deps, { query: '@bound.example', limit: 1_000_000, after: big.next });
      assert.equal(rest.people.length, 3);
      assert.equal(rest.next, undefined);
      assert.equal((await searchPeople(deps, { query: '@bound.example', limit: 0 })).people.length, 1);

      for (const after of ['not a cursor', 'eyJ4IjoxfQ', Buffer.from('[1,2]').toString('base64url'), 'x'.repeat(500)]) {
        await assert.rejects(searchPeople(deps, { limit: 5, after }), BadCursor, after);
      }
    });

    it('services: pages across ties; search by name, publisher or client id; filters; owners and people', async () => {
      const tie = 1_700_000_500;
      const owner = await createUser(t.deps, 'owner@services.example');
      const created: App[] = [];
      for (let i = 0; i < 5; i++) {
        const app = appNamed(`Svc ${i} zq`, i === 0 ? 'Acme 50%_off' : 'Zq Publisher', i === 1 ? owner.id : null);
        await t.deps.stores.apps.create(app, undefined, tie);
        created.push(app);
      }
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await searchServices(deps, { query: 'zq', limit: 2, ...(after === undefined ? {} : { after }) });
        assert.ok(page.services.length <= 2);
        seen.push(...page.services.map((s) => s.clientId));
        after = page.next;
      } while (after !== undefined);
      assert.deepEqual(seen, created.map((a) => a.id).sort().reverse());

      const ids = async (query: Parameters<typeof searchServices>[1]) => (await searchServices(deps, query)).services.map((s) => s.clientId).sort();
      assert.deepEqual(await ids({ query: 'ACME 50%_', limit: 10 }), [created[0]!.id]);
      assert.deepEqual(await ids({ query: '50%x', limit: 10 }), []);
      assert.deepEqual(await ids({ query: created[3]!.id.toUpperCase(), limit: 10 }), [created[3]!.id]);
      assert.deepEqual(await searchServices(deps, { query: 'no such service', limit: 10 }), { services: [] });

      // Organization-owned: its owners count, its members do not.
      const org = (await t.deps.stores.organizations.create({ slug: 'zq-org', name: 'Zq Org', ownerUserId: owner.id }, t.clock.now()))!;
      const second = await createUser(t.deps, 'second@services.example');
      const member = await createUser(t.deps, 'member@services.example');
      await t.deps.stores.organizations.setMember(org.id, second.id, 'owner', t.clock.now());
      await t.deps.stores.organizations.setMember(org.id, member.id, 'member', t.clock.now());
      await t.deps.stores.appOwners.moveToOrg(created[2]!.id, org.id, t.clock.now());
      // Two people with live grants of app 1, one whose grant is revoked.
      const now = t.clock.now();
      await t.deps.stores.grants.approve(owner.id, created[1]!.id, ['openid'], now);
      await t.deps.stores.grants.approve(member.id, created[1]!.id, ['openid'], now);
      const gone = await t.deps.stores.grants.approve(second.id, created[1]!.id, ['openid'], now);
      await t.deps.stores.grants.revoke(gone.id, now, now + 3600);
      await t.deps.stores.apps.setVerified(created[4]!.id, true);
      await t.deps.stores.appSuspensions.suspend(created[3]!.id, 'Phishing', now, { type: 'app.suspended', appId: created[3]!.id });

      const rows = new Map((await searchServices(deps, { query: 'zq', limit: 10 })).services.map((s) => [s.clientId, s]));
      assert.deepEqual(
        created.map((a) => {
          const r = rows.get(a.id)!;
          return [r.name, r.owners, r.people, r.verified, r.suspension?.reason ?? null];
        }),
        [
          ['Svc 0 zq', 0, 0, false, null],
          ['Svc 1 zq', 1, 2, false, null],
          ['Svc 2 zq', 2, 0, false, null],
          ['Svc 3 zq', 0, 0, false, 'Phishing'],
          ['Svc 4 zq', 0, 0, true, null],
        ],
      );
      assert.deepEqual(rows.get(created[3]!.id)!.suspension, { reason: 'Phishing', since: now });
      assert.equal(rows.get(created[0]!.id)!.company, 'Acme 50%_off');
      assert.equal(rows.get(created[0]!.id)!.createdAt, tie);
      assert.deepEqual(await ids({ query: 'zq', suspended: true, limit: 10 }), [created[3]!.id]);
      assert.equal((await ids({ query: 'zq', suspended: false, limit: 10 })).length, 4);
      assert.deepEqual(await ids({ query: 'zq', verified: true, limit: 10 }), [created[4]!.id]);
      assert.deepEqual(await ids({ query: 'zq', verified: true, suspended: true, limit: 10 }), []);

      const overview = (await serviceOverview(deps, created[2]!.id))!;
      assert.deepEqual(overview.owners, ['owner@services.example', 'second@services.example']);
      assert.deepEqual((await serviceOverview(deps, created[1]!.id))!.owners, ['owner@services.example']);
      assert.deepEqual((await serviceOverview(deps, created[0]!.id))!.owners, []);
    });

    it('service overview: suspension, people, scopes and URIs, error codes over 30 days; undefined when unknown', async () => {
      const client = await createClient(t.deps, { name: 'Overview Svc', backchannelLogoutUri: 'https://app.example/logout' });
      const alice = await createUser(t.deps, 'alice@overview.example');
      const now = t.clock.now();
      await t.deps.stores.grants.approve(alice.id, client.clientId, ['openid', 'profile'], now);
      await t.deps.stores.appErrors.add([
        { appId: client.clientId, day: isoDay(now), code: 'invalid_grant', count: 3 },
        { appId: client.clientId, day: isoDay(now - 86_400), code: 'invalid_grant', count: 2 },
        { appId: client.clientId, day: isoDay(now - 86_400), code: 'app_suspended', count: 7 },
        { appId: client.clientId, day: isoDay(now - 40 * 86_400), code: 'invalid_client', count: 9 },
      ]);
      await t.deps.stores.appSuspensions.suspend(client.clientId, 'Leaked secret', now, { type: 'app.suspended', appId: client.clientId });
      const o = (await serviceOverview(deps, client.clientId))!;
      assert.equal(o.app.name, 'Overview Svc');
      assert.deepEqual(o.app.redirectUris, ['https://app.example/cb']);
      assert.equal(o.app.backchannelLogoutUri, 'https://app.example/logout');
      assert.deepEqual(o.suspension, { reason: 'Leaked secret', since: now });
      assert.equal(o.lastLifted, null);
      assert.equal(o.people, 1);
      assert.deepEqual(o.usage.errorsByCode, [
        { code: 'app_suspended', count: 7 },
        { code: 'invalid_grant', count: 5 },
      ]);
      await t.deps.stores.appSuspensions.lift(client.clientId, now + 1, { type: 'app.unsuspended', appId: client.clientId });
      const lifted = (await serviceOverview(deps, client.clientId))!;
      assert.equal(lifted.suspension, null);
      assert.deepEqual(lifted.lastLifted, { reason: 'Leaked secret', suspendedAt: now, liftedAt: now + 1 });
      assert.equal(await serviceOverview(deps, 'no-such-client'), undefined);
      assert.equal(await serviceOverview(deps, 'x'.repeat(300)), undefined);
    });

    it('person overview: sessions, grants with organizations, factors, memberships, the last 20 events; undefined when unknown', async () => {
      const bob = await createUser(t.deps, 'bob@person.example', 'Bob');
      const now = t.clock.now();
      const sessionId = digest(randomId());
      await t.deps.stores.sessions.create({ id: sessionId, userId: bob.id, authTime: now, amr: ['pwd', 'otp'], createdAt: now, lastSeenAt: now, expiresAt: now + 3600, ip: '198.51.100.7', userAgent: 'Firefox' });
      const ended = digest(randomId());
      await t.deps.stores.sessions.create({ id: ended, userId: bob.id, authTime: now, amr: ['pwd'], createdAt: now, lastSeenAt: now, expiresAt: now + 3600, ip: null, userAgent: null });
      await t.deps.stores.sessions.end(ended, now);
      const org = (await t.deps.stores.organizations.create({ slug: 'bob-org', name: 'Bob Org', ownerUserId: bob.id }, now))!;
      const client = await createClient(t.deps, { name: 'Bob Svc' });
      await t.deps.stores.grants.approve(bob.id, client.clientId, ['openid', 'orgs:read'], now, { orgIds: [org.id], expiresAt: null, narrowingUntil: now + 600 });
      const other = await createClient(t.deps, { name: 'Revoked Svc' });
      const revoked = await t.deps.stores.grants.approve(bob.id, other.clientId, ['openid'], now);
      await t.deps.stores.grants.revoke(revoked.id, now, now + 3600);
      await t.deps.stores.users.startTotp(bob.id, 'sealed-secret', now);
      await t.deps.stores.users.enableTotp(bob.id, 1, [digest('code-1'), digest('code-2'), digest('code-3')], now);
      await t.deps.stores.users.useRecoveryCode(bob.id, digest('code-2'), now);
      await t.deps.stores.passkeys.add(
        { id: randomId(), userId: bob.id, userHandle: randomId(), publicKey: 'pk', counter: 0, transports: [], backupEligible: false, backedUp: false, name: 'Laptop', aaguid: null, createdAt: now, lastUsedAt: null },
        { type: 'passkey.added', userId: bob.id },
      );
      for (let i = 0; i < PERSON_EVENTS + 5; i++) await t.deps.stores.audit.record({ type: 'test.event', userId: bob.id, detail: { n: i } }, now + i);

      const o = (await personOverview(deps, bob.id))!;
      assert.equal(o.person.email, 'bob@person.example');
      assert.equal(o.person.name, 'Bob');
      assert.equal(o.person.lastSignInAt, now);
      assert.deepEqual(o.sessions, [{ idPrefix: sessionId.slice(0, 8), createdAt: now, lastSeenAt: now, ip: '198.51.100.7', userAgent: 'Firefox', amr: ['pwd', 'otp'] }]);
      assert.deepEqual(o.grants, [{ clientId: client.clientId, appName: 'Bob Svc', scopes: ['openid', 'orgs:read'], orgs: [{ id: org.id, name: 'Bob Org' }], createdAt: now, lastUsedAt: null }]);
      assert.deepEqual(o.factors, { password: true, totp: true, recoveryCodesLeft: 2, passkeys: [{ name: 'Laptop', createdAt: now, lastUsedAt: null }] });
      assert.deepEqual(o.organizations, [{ id: org.id, slug: 'bob-org', name: 'Bob Org', role: 'owner' }]);
      assert.equal(o.events.length, PERSON_EVENTS);
      assert.deepEqual(o.events[0]!.detail, { n: PERSON_EVENTS + 4 });
      assert.ok(o.events.every((e, i) => i === 0 || e.at <= o.events[i - 1]!.at));
      // Nothing secret comes back: no hash, no digest, no sealed secret.
      const text = JSON.stringify(o);
      for (const secret of [bob.passwordHash!, sessionId, 'sealed-secret', digest('code-1')]) assert.equal(text.includes(secret), false);

      assert.equal(await personOverview(deps, 'no-such-person'), undefined);
      assert.equal(await personOverview(deps, ''), undefined);
    });
  });
}
