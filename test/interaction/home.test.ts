/**
 * `/` for a signed-in person (issue 20, "Navigation"): their services, organizations and latest
 * security events, each leading on; and the header's way around every signed-in page.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { Browser } from '../support/browser.ts';
import { obtainTokens } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';

for (const dialect of dialects()) {
  describe(`the home page (${dialect})`, () => {
    let t: TestApp;
    let alice: User;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      await createUser(t.deps, 'bob@example.com', 'Bob');
      await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: alice.id }, t.clock.now());
    });
    after(() => t.close());

    it("lists the person's services, organizations and latest security events, each leading on", async () => {
      const names = ['Planner', 'Builds', 'Docs', 'Chat', 'Mail', 'Calendar'];
      const grants: string[] = [];
      for (const name of names) {
        const client = await createClient(t.deps, { name, redirectUris: ['https://app.example/cb'] });
        grants.push((await obtainTokens(t, { client, user: alice, scopes: ['openid', 'orgs:read'] })).grantId);
        t.clock.advance(1);
      }
      const browser = new Browser(t);
      await browser.signIn('alice@example.com');
      const home = await browser.get('/');
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /<h1>Welcome, Alice<\/h1>/);
      // Five services, each linking to its page, and the way to all six.
      assert.equal([...home.body.matchAll(/href="\/profile\/applications\/[^"/]+"/g)].length, 5);
      assert.match(home.body, new RegExp(`href="/profile/applications/${grants[5]}">Calendar</a>`), 'the newest first');
      assert.match(home.body, /All 6 in Manage applications/);
      assert.match(home.body, /href="\/orgs\/acme">Acme Corp<\/a> <span class="hint">Owner<\/span>/);
      assert.match(home.body, /<h2>Recent security events<\/h2><ul class="home-list"><li><time>[^<]+<\/time> Signed in<\/li>/);
      // The header leads to every place a signed-in person goes, and out.
      for (const [href, text] of [['/', 'Home'], ['/profile/applications', 'Manage applications'], ['/orgs', 'Organizations'], ['/developers/apps', 'Developer portal'], ['/profile', 'Profile']]) {
        assert.match(home.body, new RegExp(`<nav aria-label="Account">[\\s\\S]*<a href="${href}">${text}</a>`), text);
      }
      assert.match(home.body, /action="\/logout\/confirm"/);
    });

    it('someone with nothing yet is told so plainly; signed out, / asks to sign in', async () => {
      const browser = new Browser(t);
      await browser.signIn('bob@example.com');
      const home = await browser.get('/');
      assert.match(home.body, /You have not authorized any service\./);
      assert.match(home.body, /You do not belong to any organization\./);
      assert.doesNotMatch(home.body, /Planner/);
      const anonymous = await new Browser(t).get('/');
      assert.equal(anonymous.statusCode, 302);
      assert.match(String(anonymous.headers.location), /^\/login/);
    });
  });
}
