/**
 * Password reset and passkeys (issues 15 and 16) on both dialects, over real HTTP with a software
 * authenticator (test/support/soft_authenticator.ts) and a real SMTP server:
 *
 * - a password account whose second factor is a passkey resets with that passkey, through the JSON
 *   pair the reset page's script calls, bound to the mailed link: the form alone cannot reset it;
 *   another account's passkey, a replayed answer, a sign-in challenge and another link's challenge
 *   are refused and change nothing; the right one sets the password in one go (link used,
 *   sessions ended, notice mailed), and the same answer again finds the link used;
 * - an account with TOTP and a passkey is offered both, and a code still works;
 * - an account that signs in with a passkey and has no password gets no link: the same answer as
 *   any address, a mail saying an administrator can help, and a link made for it anyway opens
 *   nothing (page, JSON and the store's own transaction).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import { Browser, redirectLocation } from '../support/browser.ts';
import { createUser, PASSWORD } from '../support/fixtures.ts';
import { SoftAuthenticator, type CeremonyOptions } from '../support/soft_authenticator.ts';
import { totpCode } from '../../src/crypto/totp.ts';
import { linkIdOf, linkValue, newLinkId } from '../../src/crypto/account_links.ts';
import { accountLinkKey } from '../../src/crypto/derived_keys.ts';
import { hashPassword } from '../../src/crypto/passwords.ts';
import { RESET_PASSKEY } from '../../src/interaction/passkey_paths.ts';
import { USE_PASSKEY } from '../../src/interaction/recovery/reset_view.tsx';
import { RESET_MAILS_PER_ADDRESS } from '../../src/services/accounts/recovery.ts';
import type { User } from '../../src/domain/users.ts';

const ORIGIN = 'http://localhost:3000';
const NEW_PASSWORD = 'a lantern on the quay at low tide';

function escaped(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, '(?:\'|&#39;|&#x27;)'));
}

for (const dialect of dialects()) {
  describe(`password reset with a passkey (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;
    let alice: User;
    let bob: User;
    const aliceKey = new SoftAuthenticator(ORIGIN);
    const bobKey = new SoftAuthenticator(ORIGIN);
    const patKey = new SoftAuthenticator(ORIGIN);

    async function options(b: Browser, path: string, body: Record<string, unknown> = {}): Promise<CeremonyOptions & Record<string, unknown>> {
      const res = await b.postJson(path, body);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { options: CeremonyOptions & Record<string, unknown> }).options;
    }

    /** Signs in with the password (no second factor yet) and adds a passkey on the profile. */
    async function withPasskey(user: User, key: SoftAuthenticator): Promise<Browser> {
      const b = new Browser(t);
      assert.equal((await b.signIn(user.email)).statusCode, 303);
      const { response } = key.register(await options(b, '/profile/passkeys/options'));
      assert.equal((await b.postJson('/profile/passkeys/add', { name: 'Laptop', credential: response })).statusCode, 200);
      return b;
    }

    async function askReset(email: string) {
      const b = new Browser(t);
      return b.submit(await b.get('/forgot-password'), /^\/forgot-password$/, { email });
    }

    /** Asks for a reset and returns the link's path and value from the mail that arrives. */
    async function resetLink(email: string): Promise<{ path: string; value: string; id: string }> {
      const before = smtp.mailTo(email).length;
      assert.equal((await askReset(email)).statusCode, 200);
      const mail = await smtp.waitFor((m) => m.to === email && m.subject === 'Reset your Tessera password' && smtp.mailTo(email).indexOf(m) >= before);
      const link = mail.links.find((l) => l.startsWith(ORIGIN + '/reset-password?link='));
      assert.ok(link, mail.text);
      const value = new URL(link).searchParams.get('link')!;
      return { path: link.slice(ORIGIN.length), value, id: linkIdOf(accountLinkKey(t.deps.formKey), 'reset_password', value)! };
    }

    before(async () => {
      smtp = await TestSmtpServer.start();
      t = await startTestApp({
        dialect,
        env: { PUBLIC_URL: ORIGIN, SMTP_URL: smtp.url, MAIL_POLL_MS: '100', THROTTLE_LOGIN_PER_IP: '1000/300', THROTTLE_PASSWORD_RESET_PER_IP: '1000/900' },
      });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      bob = await createUser(t.deps, 'bob@example.com', 'Bob');
      await withPasskey(bob, bobKey);
    });
    after(async () => {
      await t?.close();
      await smtp?.stop();
    });

    it('a passkey as the second factor: the form alone cannot reset; other passkeys, replays and other challenges are refused; the account’s own sets the password in one go', async () => {
      const signedIn = await withPasskey(alice, aliceKey);
      const before = (await t.deps.stores.users.findById(alice.id))!;
      const link = await resetLink(alice.email);
      const b = new Browser(t);
      const page = await b.get(link.path);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-passkey="reset"/);
      assert.match(page.body, /Confirm it is you with one of your passkeys\./);
      assert.doesNotMatch(page.body, /name="code"/, 'no code to ask for: the account has no TOTP');
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'; connect-src 'self'/);

      /** Nothing was used or changed. */
      const unchanged = async (label: string) => {
        assert.equal((await t.deps.stores.accountLinks.find(link.id))?.usedAt, null, `${label}: the link is unused`);
        assert.equal((await t.deps.stores.users.findById(alice.id))?.passwordHash, before.passwordHash, `${label}: the password stays`);
      };

      // The form's POST has no passkey to give: refused, with the way to do it.
      const plain = await b.submit(page, /^\/reset-password$/, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
      assert.equal(plain.statusCode, 400);
      assert.match(plain.body, escaped(USE_PASSKEY));
      await unchanged('the form alone');

      // The link and the password are checked before anyone touches their authenticator.
      const body = { link: link.value, password: NEW_PASSWORD, confirm: NEW_PASSWORD };
      const weak = await b.postJson(RESET_PASSKEY.options, { ...body, password: 'password', confirm: 'password' });
      assert.deepEqual([weak.statusCode, (weak.json() as { error: string }).error], [400, 'weak_password']);
      const differ = await b.postJson(RESET_PASSKEY.options, { ...body, confirm: NEW_PASSWORD + '!' });
      assert.deepEqual([differ.statusCode, (differ.json() as { error: string }).error], [400, 'passwords_differ']);
      const forged = await b.postJson(RESET_PASSKEY.options, { ...body, link: link.value.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) });
      assert.deepEqual([forged.statusCode, (forged.json() as { error: string }).error], [400, 'link_unknown']);

      const first = await options(b, RESET_PASSKEY.options, body);
      assert.equal(first.userVerification, 'preferred');
      assert.deepEqual((first.allowCredentials as { id: string }[]).map((c) => c.id), [aliceKey.credentials[0]!.id.toString('base64url')], 'only the account’s own passkeys');

      const refused = async (label: string, credential: Record<string, unknown>, linkValue = link.value) => {
        const res = await b.postJson(RESET_PASSKEY.verify, { ...body, link: linkValue, credential });
        assert.deepEqual([res.statusCode, (res.json() as { error: string }).error], [401, 'refused'], `${label}: ${res.body}`);
        await unchanged(label);
      };
      await refused('another account’s passkey', bobKey.assert(first));
      assert.equal((await t.deps.stores.audit.listForUser(alice.id, ['user.sign_in_failed'], 1))[0]?.detail.reason, 'credential of another account');
      await refused('a replay of a spent challenge', aliceKey.assert(first));
      await refused('a sign-in challenge', aliceKey.assert(await options(new Browser(t), '/login/passkey/options')));
      // A second link of the same account: its challenge does not answer for the first link.
      const other = await resetLink(alice.email);
      await refused('another link’s challenge', aliceKey.assert(await options(b, RESET_PASSKEY.options, { ...body, link: other.value })));
      await refused('no credential at all', {});

      const good = aliceKey.assert(await options(b, RESET_PASSKEY.options, body));
      const done = await b.postJson(RESET_PASSKEY.verify, { ...body, credential: good });
      assert.equal(done.statusCode, 200, done.body);
      assert.deepEqual(done.json(), { location: '/login?reset=1' });

      assert.notEqual((await t.deps.stores.accountLinks.find(link.id))?.usedAt, null, 'the link is used');
      assert.equal((await signedIn.get('/profile')).statusCode, 302, 'the session from before is over');
      assert.equal((await new Browser(t).signIn(alice.email, PASSWORD)).statusCode, 401, 'the old password fails');
      assert.equal(redirectLocation(await new Browser(t).signIn(alice.email, NEW_PASSWORD)), '/login/code', 'the new one works, and still asks for the passkey');
      const [event] = await t.deps.stores.audit.listForUser(alice.id, ['user.password_reset'], 1);
      assert.equal(event?.detail.second_factor, 'passkey');
      await smtp.waitFor((m) => m.to === alice.email && m.subject === 'Your password was reset');

      // The same answer again: the link is used (and its challenge gone).
      const again = await b.postJson(RESET_PASSKEY.verify, { ...body, password: NEW_PASSWORD + '!', confirm: NEW_PASSWORD + '!', credential: good });
      assert.deepEqual([again.statusCode, (again.json() as { error: string }).error], [410, 'link_used']);
      const stale = await b.postJson(RESET_PASSKEY.options, { ...body, link: other.value });
      assert.deepEqual([stale.statusCode, (stale.json() as { error: string }).error], [410, 'link_stale'], 'the other link died with the old password');
    });

    it('TOTP and a passkey: the page offers both, and a code still works', async () => {
      const carol = await createUser(t.deps, 'carol@example.com', 'Carol');
      await withPasskey(carol, new SoftAuthenticator(ORIGIN));
      assert.ok(await t.deps.accounts.startTotp(carol));
      const secret = (await t.deps.accounts.totpSetupSecret(carol))!;
      assert.equal(typeof (await t.deps.accounts.confirmTotp(carol, totpCode(secret, t.clock.now()), { ip: '203.0.113.1', userAgent: null })), 'object');
      t.clock.advance(30);

      const b = new Browser(t);
      const page = await b.get((await resetLink(carol.email)).path);
      assert.match(page.body, /name="code"/);
      assert.match(page.body, /data-passkey="reset"/);
      assert.match(page.body, /with one of your passkeys, or with a code/);
      const done = await b.submit(page, /^\/reset-password$/, { password: NEW_PASSWORD, confirm: NEW_PASSWORD, code: totpCode(secret, t.clock.now()) });
      assert.equal(done.statusCode, 303);
      assert.equal(redirectLocation(done), '/login?reset=1');
    });

    it('an account that signs in with a passkey and has no password gets no link: the same answer, a word about administrators, and a link made anyway opens nothing', async () => {
      const signUp = new Browser(t);
      const opts = await options(signUp, '/signup/passkey/options', { name: 'Pat', email: 'pat@example.com' });
      assert.equal((await signUp.postJson('/signup/passkey', { credential: patKey.register(opts).response })).statusCode, 200);
      const pat = (await t.deps.stores.users.findByEmail('pat@example.com'))!;
      assert.equal(pat.passwordHash, null);

      const answer = await askReset('pat@example.com');
      const unknown = await askReset('nobody@example.com');
      assert.deepEqual([answer.statusCode, answer.body], [unknown.statusCode, unknown.body], 'the same answer as an address with no account');
      const mail = await smtp.waitFor((m) => m.to === 'pat@example.com' && m.subject === 'Password reset requested');
      assert.match(mail.text, /signs in with a passkey/);
      assert.match(mail.text, /ask your administrator/);
      assert.ok(!mail.links.some((l) => l.includes('/reset-password')), 'no reset link');
      const kinds = (await t.deps.stores.outbox.list({ limit: 200 })).filter((m) => m.to === 'pat@example.com').map((m) => m.kind);
      assert.deepEqual(kinds.filter((k) => k.startsWith('reset')), ['reset_passkey_account']);
      assert.equal(await t.deps.stores.accountLinks.latest(pat.id, 'reset_password'), undefined);
      // Throttled per address like every reset mail: past RESET_MAILS_PER_ADDRESS an hour, nothing more is written.
      for (let i = 0; i < RESET_MAILS_PER_ADDRESS + 1; i++) assert.equal((await askReset('pat@example.com')).body, unknown.body);
      assert.equal(await t.deps.stores.outbox.countRecent('pat@example.com', ['reset_passkey_account'], 0), RESET_MAILS_PER_ADDRESS);

      // A link made for it anyway (none is ever mailed) opens nothing: the page, the JSON, the store.
      const id = newLinkId();
      const now = t.clock.now();
      await t.deps.stores.accountLinks.create({ id, userId: pat.id, purpose: 'reset_password', email: pat.email, stamp: null, createdAt: now, expiresAt: now + 1800 }, { kind: 'reset_unknown', to: 'ignored@example.com', userId: null, data: {} });
      const value = linkValue(accountLinkKey(t.deps.formKey), 'reset_password', id);
      const page = await new Browser(t).get(`/reset-password?link=${value}`);
      assert.equal(page.statusCode, 400);
      assert.match(page.body, /This account signs in with a passkey/);
      assert.match(page.body, /ask your administrator/);
      assert.doesNotMatch(page.body, /<form/);
      const json = await new Browser(t).postJson(RESET_PASSKEY.options, { link: value, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
      assert.deepEqual([json.statusCode, (json.json() as { error: string }).error], [400, 'passkey_account']);
      const event = { type: 'user.password_reset', userId: pat.id };
      assert.equal(await t.deps.stores.users.resetPasswordWithLink(id, pat.id, { email: pat.email, previousHash: null, passwordHash: await hashPassword(NEW_PASSWORD) }, now, event), 'stale', 'the store refuses too');
      assert.equal((await t.deps.stores.accountLinks.find(id))?.usedAt, null);
      assert.equal((await t.deps.stores.users.findById(pat.id))?.passwordHash, null);
    });
  });
}
