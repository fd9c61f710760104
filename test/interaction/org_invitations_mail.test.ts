/**
 * Invitations by email (issue 15), on both dialects with a real SMTP server: an owner's invitation
 * (the settings page or `tessera org add-member`) is mailed with the organization, who invited and
 * a link to /orgs; inviting again mails again. The account with that address cannot accept it
 * until it verifies the address with the link mailed at sign-up, then it can. It lasts 7 days.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, dialects, type TestApp } from '../support/app.ts';
import { TestSmtpServer, type ReceivedMail } from '../support/smtp.ts';
import { createUser, PASSWORD } from '../support/fixtures.ts';
import { Browser, parseForms, type Response } from '../support/browser.ts';
import { createPlatform, type Platform } from '../api/platform_fixture.ts';
import { CliTarget } from '../cli/cli.ts';
import { digest } from '../../src/crypto/digest.ts';
import { invitationFormToken } from '../../src/interaction/orgs/access.ts';

const INVITED = 'You are invited to join Acme on Tessera';

function linkTo(mail: ReceivedMail, path: string): string {
  const link = mail.links.find((l) => new URL(l).pathname === path);
  assert.ok(link, `a ${path} link in: ${mail.text}`);
  return link;
}

function decisionForm(page: Response, invitationId: string) {
  return parseForms(page.body).find((f) => f.action === '/orgs' && f.hidden.invitation === invitationId);
}

for (const dialect of dialects()) {
  describe(`invitations by email (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let cli: CliTarget;
    let t: TestApp;
    let p: Platform;
    let owner: Browser;

    before(async () => {
      smtp = await TestSmtpServer.start();
      cli = await CliTarget.create(dialect);
      // The server shares the CLI's database: mail the CLI writes is sent by the server's sender.
      t = await startTestApp({
        database: cli.dialect === 'sqlite' ? { dialect: 'sqlite', sqlitePath: cli.sqlitePath! } : { dialect: 'postgres', schema: cli.schema! },
        keyEncryptionKey: cli.kek,
        env: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100', THROTTLE_LOGIN_PER_IP: '100000/300' },
      });
      p = await createPlatform(t);
      owner = new Browser(t);
      assert.equal((await owner.signIn(p.alice.email)).statusCode, 303);
    });
    after(async () => {
      await t?.close();
      await cli?.close();
      await smtp?.stop();
    });

    async function invite(email: string): Promise<void> {
      const page = await owner.get(`/orgs/${p.acme.slug}/settings`);
      const form = parseForms(page.body).find((f) => f.action.endsWith('/settings/members/add'))!;
      const res = await owner.post(form.action, { ...form.hidden, email, role: 'member' });
      assert.equal(res.statusCode, 303, res.body.slice(0, 500));
      assert.match(String(res.headers.location), /done=invited/);
    }

    async function pending(email: string) {
      const [invitation] = (await t.deps.stores.invitations.listPending(p.acme.id, t.clock.now())).filter((i) => i.email === email);
      assert.ok(invitation, `a pending invitation of ${email}`);
      return invitation;
    }

    it('is mailed with the organization, who invited and a link to /orgs; accepted only once the address is verified by the mailed link', async () => {
      await invite('Nina@Example.com');
      const mail = await smtp.waitFor((m) => m.to === 'nina@example.com');
      assert.equal(mail.subject, INVITED);
      assert.match(mail.text, /Alice invited nina@example\.com to join the organization Acme as a member/);
      assert.equal(linkTo(mail, '/orgs'), `${t.issuer}/orgs`);
      assert.match(mail.html, /See the invitation/);
      const invitation = await pending('nina@example.com');

      // Nina signs up with the address: the account exists but is not verified, so it cannot accept.
      const nina = new Browser(t);
      const signedUp = await nina.submit(await nina.get('/signup'), /^\/signup$/, { name: 'Nina', email: 'nina@example.com', password: PASSWORD });
      assert.equal(signedUp.statusCode, 200);
      assert.equal((await nina.signIn('nina@example.com')).statusCode, 303);
      const before = await nina.get('/orgs');
      assert.match(before.body, /Verify your email address to accept/);
      assert.equal(decisionForm(before, invitation.id), undefined);
      const token = invitationFormToken(t.deps, digest(nina.sessionCookie()!.value), invitation.id);
      const refused = await nina.post('/orgs', { token, invitation: invitation.id, decision: 'accept' });
      assert.equal(refused.statusCode, 403);
      const account = (await t.deps.stores.users.findByEmail('nina@example.com'))!;
      assert.equal(await t.deps.stores.organizations.isMember(p.acme.id, account.id), false);

      // The link from the sign-up mail verifies the address; then the invitation can be accepted.
      const verification = await smtp.waitFor((m) => m.to === 'nina@example.com' && m.subject === 'Confirm your email address');
      // In the browser that signed up, the link also signs her in again and goes home (issue 20).
      const confirmed = await nina.submit(await nina.get(linkTo(verification, '/verify-email')), /^\/verify-email$/);
      assert.deepEqual([confirmed.statusCode, confirmed.headers.location], [303, '/']);
      const list = await nina.get('/orgs');
      const form = decisionForm(list, invitation.id);
      assert.ok(form, 'Accept / Decline once verified');
      const accepted = await nina.post('/orgs', { ...form.hidden, decision: 'accept' });
      assert.equal(accepted.statusCode, 303, accepted.body.slice(0, 500));
      assert.equal(await t.deps.stores.organizations.isMember(p.acme.id, account.id), true);
    });

    it('inviting the same address again renews the invitation and mails it again', async () => {
      await invite('olga@example.com');
      await smtp.waitFor((m) => m.to === 'olga@example.com');
      const first = await pending('olga@example.com');
      await invite('olga@example.com');
      await smtp.waitFor(() => smtp.mailTo('olga@example.com').length === 2);
      assert.deepEqual(smtp.mailTo('olga@example.com').map((m) => m.subject), [INVITED, INVITED]);
      assert.equal((await pending('olga@example.com')).id, first.id, 'one pending invitation, renewed');
    });

    it('tessera org add-member mails the invitation too', async () => {
      const out = await cli.json(['org', 'add-member', '--org', p.acme.slug, '--email', 'pia@example.com']);
      assert.equal(out.status, 'invited');
      const mail = await smtp.waitFor((m) => m.to === 'pia@example.com');
      assert.equal(mail.subject, INVITED);
      assert.match(mail.text, /An administrator invited pia@example\.com/);
      assert.equal(linkTo(mail, '/orgs'), `${t.issuer}/orgs`);
    });

    it('lasts 7 days', async () => {
      await invite('quinn@example.com');
      const invitation = await pending('quinn@example.com');
      assert.equal(invitation.expiresAt - invitation.createdAt, 7 * 86_400);
      assert.match((await smtp.waitFor((m) => m.to === 'quinn@example.com')).text, /The invitation ends on/);
      // A verified account made after the invitation sees it, until it expires.
      await createUser(t.deps, 'quinn@example.com', 'Quinn', { verified: true });
      const early = new Browser(t);
      assert.equal((await early.signIn('quinn@example.com')).statusCode, 303);
      assert.ok(decisionForm(await early.get('/orgs'), invitation.id));
      t.clock.advance(7 * 86_400);
      const late = new Browser(t);
      assert.equal((await late.signIn('quinn@example.com')).statusCode, 303);
      assert.equal(decisionForm(await late.get('/orgs'), invitation.id), undefined);
      const token = invitationFormToken(t.deps, digest(late.sessionCookie()!.value), invitation.id);
      assert.equal((await late.post('/orgs', { token, invitation: invitation.id, decision: 'accept' })).statusCode, 410);
    });
  });
}
