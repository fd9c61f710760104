/**
 * A work account's address counts as verified when its company directory says so: the real
 * directory (node-oidc-provider, test/interaction/company_directory.ts) sends `email_verified`,
 * the sign-in records it, and an owner adding the address on the settings page adds the account
 * at once (true) or invites it (false). Verification that comes later adds no membership by itself.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/fixtures.ts';
import { Browser, parseForms, type Response } from '../support/browser.ts';
import { addDirectory, startCompanyDirectory, type CompanyDirectory } from './company_directory.ts';
import { CALLBACK_PATH } from '../../src/interaction/directory/paths.ts';
import { digest } from '../../src/crypto/digest.ts';
import { invitationFormToken } from '../../src/interaction/orgs/access.ts';
import type { Organization } from '../../src/domain/organizations.ts';
import type { User } from '../../src/domain/users.ts';

/** The hand-over page moves on by itself (Refresh); its address. */
function handOver(res: Response): string {
  assert.equal(res.statusCode, 200, res.body.slice(0, 500));
  const next = /^0; url=(.+)$/.exec(String(res.headers.refresh))?.[1];
  assert.ok(next?.startsWith('/login/directory/start?'), String(res.headers.refresh));
  return next!;
}

for (const dialect of dialects()) {
  describe(`work accounts' verified addresses (${dialect})`, () => {
    let t: TestApp;
    let corp: CompanyDirectory;
    let acme: Organization;
    let owner: Browser;

    /** Signs `login` in at the directory; returns the browser and the work account. */
    async function signInAtDirectory(login: string): Promise<{ browser: Browser; user: User }> {
      const browser = new Browser(t);
      const handOverPage = await browser.submit(await browser.get('/login'), /^\/login$/, { email: `${login}@corp.example` });
      const start = await browser.get(handOver(handOverPage));
      assert.equal(start.statusCode, 303, start.body.slice(0, 500));
      const callback = await corp.signIn(start.headers.location as string, login);
      assert.ok(callback.startsWith(t.issuer + CALLBACK_PATH + '?'), callback);
      assert.equal((await browser.get(callback)).statusCode, 303);
      const session = await t.deps.stores.sessions.findLive(digest(browser.sessionCookie()!.value), t.clock.now());
      assert.ok(session, 'a session after the directory vouched');
      const user = (await t.deps.stores.users.findById(session.userId))!;
      assert.equal(user.kind, 'work');
      return { browser, user };
    }

    async function add(email: string): Promise<string> {
      const page = await owner.get(`/orgs/${acme.slug}/settings`);
      const form = parseForms(page.body).find((f) => f.action.endsWith('/settings/members/add'))!;
      const res = await owner.post(form.action, { ...form.hidden, email, role: 'member' });
      assert.equal(res.statusCode, 303, res.body.slice(0, 800));
      return new URL(String(res.headers.location), 'http://x').searchParams.get('done')!;
    }

    before(async () => {
      t = await startTestApp({ dialect });
      corp = await startCompanyDirectory(t.issuer + CALLBACK_PATH);
      await addDirectory(t, 'Corp', corp.issuer, ['corp.example']);
      const alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      acme = (await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme', ownerUserId: alice.id }, t.clock.now()))!;
      owner = new Browser(t);
      assert.equal((await owner.signIn(alice.email)).statusCode, 303);
    });
    after(async () => {
      await corp?.close();
      await t?.close();
    });

    it('email_verified: true from the directory makes the address verified: an owner adds the account at once', async () => {
      corp.emailVerified = true;
      const { user } = await signInAtDirectory('vera');
      assert.notEqual(user.emailVerifiedAt, null);
      assert.equal((await t.deps.stores.audit.listForUser(user.id, ['user.email_verified'], 10)).length, 1);
      assert.equal(await add('vera@corp.example'), 'added');
      assert.ok(await t.deps.stores.organizations.isMember(acme.id, user.id));

      // When the directory stops saying so, the verification is withdrawn (the membership stays).
      corp.emailVerified = false;
      const again = await signInAtDirectory('vera');
      assert.equal(again.user.id, user.id);
      assert.equal(again.user.emailVerifiedAt, null);
      assert.ok(await t.deps.stores.organizations.isMember(acme.id, user.id));
    });

    it('email_verified: false does not: the address is invited, and the invitation waits until the directory vouches and the person accepts', async () => {
      corp.emailVerified = false;
      const first = await signInAtDirectory('uma');
      assert.equal(first.user.emailVerifiedAt, null);
      assert.equal(await add('uma@corp.example'), 'invited');
      assert.equal(await t.deps.stores.organizations.isMember(acme.id, first.user.id), false);
      const [invitation] = await t.deps.stores.invitations.listPending(acme.id, t.clock.now());
      assert.equal(invitation?.email, 'uma@corp.example');
      const list = await first.browser.get('/orgs');
      assert.match(list.body, /Verify your email address to accept/);
      const token = invitationFormToken(t.deps, digest(first.browser.sessionCookie()!.value), invitation.id);
      const refused = await first.browser.post('/orgs', { token, invitation: invitation.id, decision: 'accept' });
      assert.equal(refused.statusCode, 403);
      assert.equal(await t.deps.stores.organizations.isMember(acme.id, first.user.id), false);

      // The directory vouches at the next sign-in: verified, still not a member until she accepts.
      corp.emailVerified = true;
      const later = await signInAtDirectory('uma');
      assert.equal(later.user.id, first.user.id);
      assert.notEqual(later.user.emailVerifiedAt, null);
      assert.equal(await t.deps.stores.organizations.isMember(acme.id, first.user.id), false);
      const page = await later.browser.get('/orgs');
      const form = parseForms(page.body).find((f) => f.action === '/orgs' && f.hidden.invitation === invitation.id);
      assert.ok(form, page.body.slice(0, 1500));
      const accepted = await later.browser.post('/orgs', { ...form.hidden, decision: 'accept' });
      assert.equal(accepted.statusCode, 303, accepted.body.slice(0, 500));
      assert.ok(await t.deps.stores.organizations.isMember(acme.id, first.user.id));
    });
  });
}
