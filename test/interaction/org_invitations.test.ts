/**
 * Adding a member by email when nobody has proven the address (an invitation) versus an account
 * that has (added at once), through the real app: the settings page, /orgs with Accept / Decline,
 * the platform API. An invitation is never matched to an account on its own, only accepted by a
 * person signed in with a verified address equal to it; it expires; owners cancel it.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser, PASSWORD } from '../support/fixtures.ts';
import { Browser, parseForms, type Response } from '../support/browser.ts';
import { mintAccessToken } from '../support/tokens.ts';
import { ALL, call, createPlatform, type Platform } from '../api/platform_fixture.ts';
import { digest } from '../../src/crypto/digest.ts';
import { invitationFormToken } from '../../src/interaction/orgs/access.ts';
import { INVITATION_LIFETIME_SECONDS } from '../../src/domain/invitations.ts';
import type { User } from '../../src/domain/users.ts';

async function signedIn(t: TestApp, email: string): Promise<Browser> {
  const browser = new Browser(t);
  const res = await browser.signIn(email);
  assert.equal(res.statusCode, 303, res.body.slice(0, 500));
  return browser;
}

/** The form token `browser`'s /orgs page would carry for this invitation. */
function tokenFor(t: TestApp, browser: Browser, invitationId: string): string {
  return invitationFormToken(t.deps, digest(browser.sessionCookie()!.value), invitationId);
}

/** The Accept / Decline form of the invitation on a /orgs page. */
function decisionForm(page: Response, invitationId: string) {
  return parseForms(page.body).find((f) => f.action === '/orgs' && f.hidden.invitation === invitationId);
}

for (const dialect of dialects()) {
  describe(`organization invitations (${dialect})`, () => {
    let t: TestApp;
    let p: Platform;
    let owner: Browser;
    const settings = () => `/orgs/${p.acme.slug}/settings`;

    /** The owner adds `email` on the settings page; returns the 303's notice. */
    async function add(email: string, role = 'member'): Promise<string> {
      const page = await owner.get(settings());
      const form = parseForms(page.body).find((f) => f.action.endsWith('/settings/members/add'))!;
      const res = await owner.post(form.action, { ...form.hidden, email, role });
      assert.equal(res.statusCode, 303, res.body.slice(0, 800));
      return new URL(String(res.headers.location), 'http://x').searchParams.get('done')!;
    }

    async function pendingFor(email: string) {
      const [invitation] = (await t.deps.stores.invitations.listPending(p.acme.id, t.clock.now())).filter((i) => i.email === email);
      assert.ok(invitation, `a pending invitation of ${email}`);
      return invitation;
    }

    /** An API token of `user` for the platform's service. */
    async function tokenOf(user: User): Promise<string> {
      const grant = await t.deps.stores.grants.approve(user.id, p.service.clientId, ALL.split(' '), t.clock.now());
      return mintAccessToken(t.deps, { sub: user.id, gid: grant.id, client_id: p.service.clientId, scope: ALL });
    }

    const projects = () => `/orgs/${p.acme.slug}/projects`;

    before(async () => {
      t = await startTestApp({ dialect });
      // alice owns acme; bob made his own account (not verified), as sign-up does.
      p = await createPlatform(t);
      owner = await signedIn(t, p.alice.email);
    });
    after(() => t.close());

    it('adding an address nobody proved makes a pending invitation: not a member, the API refuses, the owner sees it pending', async () => {
      assert.equal(p.bob.emailVerifiedAt, null);
      assert.equal(await add('Bob@Example.com'), 'invited');
      assert.equal(await t.deps.stores.organizations.isMember(p.acme.id, p.bob.id), false);
      const refused = await call(t, 'GET', projects(), await p.token('bob'));
      assert.equal(refused.statusCode, 404, refused.body);
      assert.equal(JSON.parse(refused.body).code ?? JSON.parse(refused.body).error, 'not_found');

      const invitation = await pendingFor('bob@example.com');
      assert.equal(invitation.role, 'member');
      assert.equal(invitation.expiresAt - invitation.createdAt, INVITATION_LIFETIME_SECONDS);
      const page = await owner.get(settings());
      assert.match(page.body, /Pending invitations/);
      assert.ok(parseForms(page.body).some((f) => f.action.endsWith('/settings/invitations/cancel') && f.hidden.invitation === invitation.id));
      assert.match(page.body, /<td>bob@example\.com<br\/?>/);

      // Bob, signed in, learns that an invitation waits, but not from whom, and cannot accept it.
      const bob = await signedIn(t, p.bob.email);
      const list = await bob.get('/orgs');
      assert.match(list.body, /Verify your email address to accept/);
      assert.doesNotMatch(list.body, /Acme/);
      assert.equal(decisionForm(list, invitation.id), undefined);
      const attempt = await bob.post('/orgs', { token: tokenFor(t, bob, invitation.id), invitation: invitation.id, decision: 'accept' });
      assert.equal(attempt.statusCode, 403);
      assert.match(attempt.body, /Verify your email address/);
      assert.equal(await t.deps.stores.organizations.isMember(p.acme.id, p.bob.id), false);
      assert.equal((await call(t, 'GET', projects(), await p.token('bob'))).statusCode, 404);

      const audited = await t.deps.stores.audit.listForUser(p.alice.id, ['org.member_invited'], 10);
      assert.equal(audited.length, 1);
      assert.equal(audited[0]!.detail.email, 'bob@example.com');
      assert.equal(audited[0]!.detail.invitation, invitation.id);
    });

    it('an account made later with the invited address does not become a member, not even a verified one', async () => {
      assert.equal(await add('dave@example.com'), 'invited');
      // Dave signs up through the real page: no membership, and the invitation stays pending.
      const browser = new Browser(t);
      const signUp = await browser.submit(await browser.get('/signup'), /^\/signup$/, { name: 'Dave', email: 'dave@example.com', password: PASSWORD });
      assert.equal(signUp.statusCode, 200, signUp.body.slice(0, 500));
      const dave = await t.deps.stores.users.findByEmail('dave@example.com');
      assert.ok(dave);
      assert.equal(dave.emailVerifiedAt, null);
      assert.deepEqual(await t.deps.stores.organizations.listForUser(dave.id), []);
      assert.equal((await pendingFor('dave@example.com')).status, 'pending');

      assert.equal(await add('erin@example.com', 'owner'), 'invited');
      const erin = await createUser(t.deps, 'erin@example.com', 'Erin', { verified: true });
      assert.deepEqual(await t.deps.stores.organizations.listForUser(erin.id), []);
      assert.equal((await call(t, 'GET', projects(), await tokenOf(erin))).statusCode, 404);
    });

    it('an account whose address is verified (made by an operator) is added at once and the API lets it in', async () => {
      const carol = await createUser(t.deps, 'carol@example.com', 'Carol', { verified: true });
      assert.equal(await add('carol@example.com'), 'added');
      assert.ok(await t.deps.stores.organizations.isMember(p.acme.id, carol.id));
      assert.equal((await call(t, 'GET', projects(), await tokenOf(carol))).statusCode, 200);
      assert.equal((await t.deps.stores.invitations.listPending(p.acme.id, t.clock.now())).some((i) => i.email === 'carol@example.com'), false);
    });

    it('accepting needs the signed-in person with a verified address equal to the invitation; then the API lets them in at once', async () => {
      const invitation = await pendingFor('erin@example.com');
      const erin = (await t.deps.stores.users.findByEmail('erin@example.com'))!;
      const erinToken = await tokenOf(erin);

      // Someone else, verified and signed in, with a valid token for their own session: refused, as unknown.
      const mallory = await signedIn(t, (await createUser(t.deps, 'mallory@example.com', 'Mallory', { verified: true })).email);
      assert.equal(decisionForm(await mallory.get('/orgs'), invitation.id), undefined);
      const stolen = await mallory.post('/orgs', { token: tokenFor(t, mallory, invitation.id), invitation: invitation.id, decision: 'accept' });
      assert.equal(stolen.statusCode, 404);
      // Nobody signed in: to the sign-in page.
      const anonymous = await new Browser(t).post('/orgs', { token: 'x', invitation: invitation.id, decision: 'accept' });
      assert.equal(anonymous.statusCode, 303);
      assert.equal(anonymous.headers.location, '/login');

      const browser = await signedIn(t, erin.email);
      const list = await browser.get('/orgs');
      assert.match(list.body, /<strong>Acme<\/strong> invited you as an owner/);
      const form = decisionForm(list, invitation.id);
      assert.ok(form);
      // Erin's own form, but with no token, another session's token, or cross-site: 403.
      assert.equal((await browser.post('/orgs', { invitation: invitation.id, decision: 'accept' })).statusCode, 403);
      assert.equal((await browser.post('/orgs', { ...form.hidden, token: tokenFor(t, mallory, invitation.id), decision: 'accept' })).statusCode, 403);
      const crossSite = await browser.post('/orgs', { ...form.hidden, decision: 'accept' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
      assert.equal(crossSite.statusCode, 403);
      assert.equal(await t.deps.stores.organizations.isMember(p.acme.id, erin.id), false);
      assert.equal((await call(t, 'GET', projects(), erinToken)).statusCode, 404);

      const accepted = await browser.post('/orgs', { ...form.hidden, decision: 'accept' });
      assert.equal(accepted.statusCode, 303, accepted.body.slice(0, 500));
      assert.equal(accepted.headers.location, '/orgs/acme?done=joined');
      const memberships = await t.deps.stores.organizations.listForUser(erin.id);
      assert.deepEqual(memberships.map((m) => [m.org.slug, m.role]), [['acme', 'owner']]);
      assert.equal((await call(t, 'GET', projects(), erinToken)).statusCode, 200);
      assert.equal((await browser.post('/orgs', { ...form.hidden, decision: 'accept' })).statusCode, 409);
      assert.equal(parseForms((await owner.get(settings())).body).some((f) => f.hidden.invitation === invitation.id), false);

      const events = await t.deps.stores.audit.listForUser(erin.id, ['org.invitation_accepted', 'membership.changed'], 10);
      assert.deepEqual(events.map((e) => e.type).sort(), ['membership.changed', 'org.invitation_accepted']);
    });

    it('the person may decline; an owner may cancel; neither can be accepted afterwards', async () => {
      assert.equal(await add('ivy@example.com'), 'invited');
      const ivyInvitation = await pendingFor('ivy@example.com');
      const ivy = await createUser(t.deps, 'ivy@example.com', 'Ivy', { verified: true });
      const ivyBrowser = await signedIn(t, ivy.email);
      const declined = await ivyBrowser.post('/orgs', { ...decisionForm(await ivyBrowser.get('/orgs'), ivyInvitation.id)!.hidden, decision: 'decline' });
      assert.equal(declined.statusCode, 303);
      assert.equal(declined.headers.location, '/orgs?done=declined');
      assert.equal(await t.deps.stores.organizations.isMember(p.acme.id, ivy.id), false);
      const again = await ivyBrowser.post('/orgs', { token: tokenFor(t, ivyBrowser, ivyInvitation.id), invitation: ivyInvitation.id, decision: 'accept' });
      assert.equal(again.statusCode, 409);
      assert.equal((await t.deps.stores.audit.listForUser(ivy.id, ['org.invitation_declined'], 10)).length, 1);

      assert.equal(await add('jack@example.com'), 'invited');
      const jackInvitation = await pendingFor('jack@example.com');
      const jack = await createUser(t.deps, 'jack@example.com', 'Jack', { verified: true });
      const jackBrowser = await signedIn(t, jack.email);
      const jackForm = decisionForm(await jackBrowser.get('/orgs'), jackInvitation.id)!;
      const page = await owner.get(settings());
      const cancel = parseForms(page.body).find((f) => f.action.endsWith('/settings/invitations/cancel') && f.hidden.invitation === jackInvitation.id)!;
      const cancelled = await owner.post(cancel.action, cancel.hidden);
      assert.equal(cancelled.statusCode, 303);
      assert.equal(cancelled.headers.location, `${settings()}?done=cancelled`);
      assert.equal((await jackBrowser.post('/orgs', { ...jackForm.hidden, decision: 'accept' })).statusCode, 409);
      assert.equal(await t.deps.stores.organizations.isMember(p.acme.id, jack.id), false);
      const audited = await t.deps.stores.audit.listForUser(p.alice.id, ['org.invitation_cancelled'], 10);
      assert.equal(audited.length, 1);
      assert.equal(audited[0]!.detail.email, 'jack@example.com');
      // Cancelling it again: nothing pending, 400.
      assert.equal((await owner.post(cancel.action, cancel.hidden)).statusCode, 400);
    });

    it('an expired invitation cannot be accepted; inviting again renews it', async () => {
      assert.equal(await add('kim@example.com'), 'invited');
      const invitation = await pendingFor('kim@example.com');
      const kim = await createUser(t.deps, 'kim@example.com', 'Kim', { verified: true });
      const early = await signedIn(t, kim.email);
      assert.ok(decisionForm(await early.get('/orgs'), invitation.id));

      t.clock.advance(INVITATION_LIFETIME_SECONDS);
      // A new session (the first one may have ended by now), and a token valid for it.
      const late = await signedIn(t, kim.email);
      assert.equal(decisionForm(await late.get('/orgs'), invitation.id), undefined);
      const expired = await late.post('/orgs', { token: tokenFor(t, late, invitation.id), invitation: invitation.id, decision: 'accept' });
      assert.equal(expired.statusCode, 410, expired.body.slice(0, 300));
      assert.equal(await t.deps.stores.organizations.isMember(p.acme.id, kim.id), false);
      assert.equal((await t.deps.stores.invitations.listPending(p.acme.id, t.clock.now())).some((i) => i.id === invitation.id), false);

      // Inviting an address again renews its pending invitation (expired or not): same row, new role and expiry.
      owner = await signedIn(t, p.alice.email);
      assert.equal(await add('lee@example.com'), 'invited');
      const first = await pendingFor('lee@example.com');
      t.clock.advance(INVITATION_LIFETIME_SECONDS + 60);
      owner = await signedIn(t, p.alice.email);
      assert.equal(await add('lee@example.com', 'owner'), 'invited');
      const renewed = await pendingFor('lee@example.com');
      assert.equal(renewed.id, first.id);
      assert.equal(renewed.role, 'owner');
      assert.ok(renewed.createdAt >= first.createdAt + INVITATION_LIFETIME_SECONDS + 60);
      assert.equal(renewed.expiresAt - renewed.createdAt, INVITATION_LIFETIME_SECONDS);
      const lee = await createUser(t.deps, 'lee@example.com', 'Lee', { verified: true });
      const browser = await signedIn(t, lee.email);
      const accepted = await browser.post('/orgs', { ...decisionForm(await browser.get('/orgs'), renewed.id)!.hidden, decision: 'accept' });
      assert.equal(accepted.statusCode, 303);
      assert.deepEqual((await t.deps.stores.organizations.listForUser(lee.id)).map((m) => m.role), ['owner']);
    });
  });
}
