/**
 * Issue 21, the console's Organizations pages over HTTP on each dialect: the search by name or
 * slug, its keyset pages (and a 400 for a cursor it did not hand out), and one organization
 * read-only with its policy, members and the services acting in it; an unknown slug is a 404 page.
 * (A non-operator's 404 on these routes is the route-table walk of admin_guard.test.ts.)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser } from '../support/browser.ts';
import type { Organization } from '../../src/domain/organizations.ts';
import type { User } from '../../src/domain/users.ts';
import { createOperator, nextLink, signedInOperator } from './admin_support.ts';
import { PAGE_SIZE } from '../../src/interaction/admin/services_route.tsx';

/** The organization links of a search page, in order. */
function orgLinks(body: string): string[] {
  return [...body.matchAll(/href="\/admin\/orgs\/([^"?]+)"/g)].map((m) => decodeURIComponent(m[1]!));
}

for (const dialect of dialects()) {
  describe(`issue 21: the console's Organizations pages (${dialect})`, () => {
    let t: TestApp;
    let browser: Browser;
    let acme: Organization;
    let alice: User;
    let bob: User;
    let tracker: TestClient;
    let blocked: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, env: { THROTTLE_LOGIN_PER_IP: '100000/300' } });
      browser = await signedInOperator(t, await createOperator(t, 'olga@example.com'));
      alice = await createUser(t.deps, 'alice@example.com', 'Alice', { verified: true });
      bob = await createUser(t.deps, 'bob@example.com', 'Bob', { verified: true });
      acme = (await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: alice.id }, t.clock.now()))!;
      await t.deps.stores.organizations.setMember(acme.id, bob.id, 'member', t.clock.now());
      await t.deps.stores.organizations.setThirdPartyMode(acme.id, 'approved', t.clock.now());
      await t.deps.stores.organizations.setRequireSecondFactor(acme.id, true, t.clock.now());
      await t.deps.stores.organizations.setDeviceFlowOff(acme.id, true, t.clock.now());
      tracker = await createClient(t.deps, { name: 'Time Tracker', redirectUris: ['https://tracker.example/cb'] });
      blocked = await createClient(t.deps, { name: 'Sketchy Sync', redirectUris: ['https://sketchy.example/cb'] });
      await t.deps.stores.organizations.setAppRule(acme.id, tracker.clientId, 'approved', t.clock.now());
      await t.deps.stores.organizations.setAppRule(acme.id, blocked.clientId, 'blocked', t.clock.now());
      await t.deps.stores.grants.approve(bob.id, tracker.clientId, ['orgs:read'], t.clock.now());
      // Enough organizations for more than one page, one second apart (the keyset is created_at, id).
      for (let i = 0; i < PAGE_SIZE + 2; i++) {
        t.clock.advance(1);
        await t.deps.stores.organizations.create({ slug: `team-${String(i).padStart(3, '0')}`, name: `Team ${i}` }, t.clock.now());
      }
    });
    after(() => t?.close());

    it('the search finds an organization by name or slug, any case, and links to its page', async () => {
      for (const q of ['acme corp', 'ACME', 'cme']) {
        const res = await browser.get(`/admin/orgs?${new URLSearchParams({ q })}`);
        assert.equal(res.statusCode, 200);
        assert.deepEqual(orgLinks(res.body), ['acme'], q);
        assert.match(res.body, /2 members/);
      }
      const none = await browser.get(`/admin/orgs?${new URLSearchParams({ q: '%' })}`);
      assert.deepEqual(orgLinks(none.body), [], 'a % is matched literally');
      assert.match(none.body, /No organization matches/);
    });

    it('pages through every organization, newest first, none twice; a made-up cursor is a 400 page', async () => {
      const seen: string[] = [];
      let url: string | undefined = '/admin/orgs';
      let pages = 0;
      while (url !== undefined) {
        const res = await browser.get(url);
        assert.equal(res.statusCode, 200, url);
        seen.push(...orgLinks(res.body));
        url = nextLink(res.body);
        pages += 1;
      }
      assert.equal(pages, 2);
      assert.equal(seen.length, PAGE_SIZE + 3);
      assert.equal(new Set(seen).size, seen.length);
      assert.equal(seen[0], `team-${String(PAGE_SIZE + 1).padStart(3, '0')}`);
      assert.equal(seen.at(-1), 'acme');
      const bad = await browser.get('/admin/orgs?after=not-a-cursor');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /Start the search again/);
    });

    it('the organization page shows its policy, members with roles, and the services acting in it, read-only', async () => {
      const res = await browser.get('/admin/orgs/acme');
      assert.equal(res.statusCode, 200);
      const body = res.body;
      assert.match(body, /<h1>Acme Corp<\/h1>/);
      assert.match(body, /changes are made by the organization’s owners/);
      assert.match(body, /<dt>Third-party services<\/dt>\s*<dd>Only services the owners approved<\/dd>/);
      assert.match(body, /<dt>Approved services<\/dt>\s*<dd>Time Tracker<\/dd>/);
      assert.match(body, /<dt>Cut-off services<\/dt>\s*<dd>Sketchy Sync<\/dd>/);
      assert.match(body, /<dt>Second factor<\/dt>\s*<dd>Required/);
      assert.match(body, /<dt>Sign-ins on a device<\/dt>\s*<dd>Off/);
      assert.match(body, new RegExp(`href="/admin/people/${alice.id}">Alice</a>[\\s\\S]*?Owner`));
      assert.match(body, new RegExp(`href="/admin/people/${bob.id}">Bob</a>[\\s\\S]*?Member`));
      assert.match(body, new RegExp(`href="/admin/services/${tracker.clientId}">Time Tracker</a>[\\s\\S]*?<td>Bob</td>[\\s\\S]*?<td>Approved</td>`));
      assert.match(body, new RegExp(`href="/admin/services/${blocked.clientId}">Sketchy Sync</a>[\\s\\S]*?<td>nobody now</td>[\\s\\S]*?<td>Cut off</td>`));
      const forms = [...body.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(forms, ['/logout/confirm'], 'no form but signing out');
    });

    it('an unknown or malformed slug is a 404 page', async () => {
      for (const slug of ['no-such-org', 'NOT a slug', 'x'.repeat(60)]) {
        const res = await browser.get(`/admin/orgs/${encodeURIComponent(slug)}`);
        assert.equal(res.statusCode, 404, slug);
        assert.match(res.body, /No such organization/);
      }
    });

    it('the navigation marks Organizations', async () => {
      const res = await browser.get('/admin/orgs');
      assert.match(res.body, /<a href="\/admin\/orgs" aria-current="page">Organizations<\/a>/);
    });
  });
}
