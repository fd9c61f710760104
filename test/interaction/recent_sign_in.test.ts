/**
 * Sensitive account changes need a recent sign-in (issue 16, SECURITY 51), all within the one
 * window `STEP_UP_MAX_AGE` sets (300 s here, to show it is the setting that decides): changing the
 * password, turning TOTP off, removing a passkey, changing the address, and rotating a client
 * secret in the portal (pages and JSON API). For each, on each dialect: a sign-in 301 s old is sent
 * to sign in again (or answered 401 by the API) and nothing changes; after signing in again, 299 s
 * later the change goes through.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser, PASSWORD } from '../support/fixtures.ts';
import { Browser, findForm, hiddenInputs, type Response } from '../support/browser.ts';
import { SoftAuthenticator, type CeremonyOptions } from '../support/soft_authenticator.ts';
import { totpCode } from '../../src/crypto/totp.ts';
import { verifyPassword } from '../../src/crypto/passwords.ts';
import { Developer } from '../portal/helpers.ts';

const ORIGIN = 'http://localhost:3000';
const WINDOW = 300;
const NEW_PASSWORD = 'a brand new passphrase for this test';
const PROFILE_REAUTH = `/login?${new URLSearchParams({ return_to: '/profile', reauth: '1' })}`;

for (const dialect of dialects()) {
  describe(`sensitive changes need a sign-in within STEP_UP_MAX_AGE (${dialect})`, () => {
    let t: TestApp;

    before(async () => {
      t = await startTestApp({ dialect, env: { PUBLIC_URL: ORIGIN, STEP_UP_MAX_AGE: String(WINDOW), THROTTLE_LOGIN_PER_IP: '1000/300' } });
      assert.equal(t.config.ttl.stepUp, WINDOW);
    });
    after(() => t?.close());

    async function signedIn(email: string): Promise<Browser> {
      if (!(await t.deps.stores.users.findByEmail(email))) await createUser(t.deps, email);
      const b = new Browser(t);
      assert.equal((await b.signIn(email)).statusCode, 303);
      return b;
    }

    /** Posts a profile form with the page's token. */
    async function profilePost(b: Browser, action: string, fields: Record<string, string>): Promise<Response> {
      const token = hiddenInputs((await b.get('/profile')).body, /^\/profile\/name$/).token!;
      return b.post(action, { token, ...fields });
    }

    /** Signs in again on the page a stale change was sent to; back where it came from. */
    async function signInAgain(b: Browser, location: string, email: string, extra: Record<string, string> = {}): Promise<Response> {
      const page = await b.get(location);
      assert.match(page.body, /Sign in again/);
      return b.submit(page, /^\/login$/, { email, password: PASSWORD, ...extra });
    }

    it('changing the password', async () => {
      const b = await signedIn('pam@example.com');
      t.clock.advance(WINDOW + 1);
      const stale = await profilePost(b, '/profile/password', { current: PASSWORD, password: NEW_PASSWORD });
      assert.deepEqual([stale.statusCode, stale.headers.location], [303, PROFILE_REAUTH]);
      const user = (await t.deps.stores.users.findByEmail('pam@example.com'))!;
      assert.ok(await verifyPassword(user.passwordHash, PASSWORD), 'unchanged');

      assert.equal((await signInAgain(b, PROFILE_REAUTH, 'pam@example.com')).headers.location, '/profile');
      t.clock.advance(WINDOW - 1);
      const done = await profilePost(b, '/profile/password', { current: PASSWORD, password: NEW_PASSWORD });
      assert.equal(done.headers.location, '/profile?done=password');
      assert.ok(await verifyPassword((await t.deps.stores.users.findById(user.id))!.passwordHash, NEW_PASSWORD));
    });

    it('turning two-step verification off', async () => {
      const b = await signedIn('tom@example.com');
      const setup = await b.follow(await b.submit(await b.get('/profile'), /^\/profile\/totp\/start$/));
      const secret = /class="secret">([A-Z2-7]+)</.exec(setup.body)![1]!;
      assert.equal((await b.submit(setup, /^\/profile\/totp\/confirm$/, { code: totpCode(secret, t.clock.now()) })).statusCode, 200);
      const user = (await t.deps.stores.users.findByEmail('tom@example.com'))!;

      t.clock.advance(WINDOW + 1);
      const stale = await profilePost(b, '/profile/totp/disable', { password: PASSWORD, code: totpCode(secret, t.clock.now()) });
      assert.deepEqual([stale.statusCode, stale.headers.location], [303, PROFILE_REAUTH]);
      assert.notEqual((await t.deps.stores.users.findTotp(user.id))?.enabledAt ?? null, null, 'still on');

      const pending = await signInAgain(b, PROFILE_REAUTH, 'tom@example.com');
      assert.equal(pending.headers.location, '/login/code');
      t.clock.advance(30);
      assert.equal((await b.submit(await b.get('/login/code'), /^\/login\/code$/, { code: totpCode(secret, t.clock.now()) })).headers.location, '/profile');
      t.clock.advance(WINDOW - 31);
      const done = await profilePost(b, '/profile/totp/disable', { password: PASSWORD, code: totpCode(secret, t.clock.now()) });
      assert.equal(done.headers.location, '/profile?done=totp_off');
      assert.equal((await t.deps.stores.users.findTotp(user.id))?.enabledAt ?? null, null);
    });

    it('removing a passkey', async () => {
      const b = await signedIn('pia@example.com');
      const user = (await t.deps.stores.users.findByEmail('pia@example.com'))!;
      const key = new SoftAuthenticator(ORIGIN);
      const opts = (await b.postJson('/profile/passkeys/options', {})).json() as { options: CeremonyOptions };
      assert.equal((await b.postJson('/profile/passkeys/add', { name: 'Key', credential: key.register(opts.options).response })).statusCode, 200);
      const id = key.credentials[0]!.id.toString('base64url');
      const token = hiddenInputs((await b.get('/profile/passkeys')).body, /^\/profile\/passkeys\/rename$/).token!;

      t.clock.advance(WINDOW + 1);
      const stale = await b.post('/profile/passkeys/remove', { token, id });
      assert.deepEqual([stale.statusCode, stale.headers.location], [303, `/login?${new URLSearchParams({ return_to: '/profile/passkeys', reauth: '1' })}`]);
      assert.equal(await t.deps.stores.passkeys.countForUser(user.id), 1);

      // The account has a passkey: signing in again is the password and then that passkey.
      assert.equal((await signInAgain(b, String(stale.headers.location), 'pia@example.com')).headers.location, '/login/code');
      const second = (await b.postJson('/login/code/passkey/options', {})).json() as { options: CeremonyOptions };
      assert.deepEqual((await b.postJson('/login/code/passkey', { credential: key.assert(second.options) })).json(), { location: '/profile/passkeys' });
      t.clock.advance(WINDOW - 1);
      const fresh = hiddenInputs((await b.get('/profile/passkeys')).body, /^\/profile\/passkeys\/rename$/).token!;
      assert.equal((await b.post('/profile/passkeys/remove', { token: fresh, id })).headers.location, '/profile/passkeys?done=removed');
      assert.equal(await t.deps.stores.passkeys.countForUser(user.id), 0);
    });

    it('changing the address', async () => {
      const b = await signedIn('eve@example.com');
      t.clock.advance(WINDOW + 1);
      const stale = await profilePost(b, '/profile/email', { email: 'eve.new@example.com', password: PASSWORD });
      assert.deepEqual([stale.statusCode, stale.headers.location], [303, PROFILE_REAUTH]);
      const links = async () => (await t.deps.stores.outbox.list({ limit: 500 })).filter((m) => m.to === 'eve.new@example.com').length;
      assert.equal(await links(), 0, 'no link mailed');

      await signInAgain(b, PROFILE_REAUTH, 'eve@example.com');
      t.clock.advance(WINDOW - 1);
      const done = await profilePost(b, '/profile/email', { email: 'eve.new@example.com', password: PASSWORD });
      assert.equal(done.statusCode, 200);
      assert.match(done.body, /We sent a link to eve\.new@example\.com/);
      assert.equal(await links(), 1);
    });

    it('rotating a client secret in the portal, on its pages and its API', async () => {
      const dev = await Developer.signIn(t, 'dev@example.com');
      const app = await dev.createApp();
      const secrets = async () => (await t.deps.stores.apps.listSecrets(app.client_id)).length;
      const page = `/developers/apps/${app.client_id}`;
      const before = await secrets();

      t.clock.advance(WINDOW + 1);
      const form = findForm((await dev.browser.get(page)).body, /\/secrets$/)!;
      const stale = await dev.browser.post(form.action, form.hidden);
      assert.deepEqual([stale.statusCode, stale.headers.location], [303, `/login?${new URLSearchParams({ return_to: page, reauth: '1' })}`]);
      const api = await dev.api('POST', `/apps/${app.client_id}/secrets`, {});
      assert.deepEqual([api.statusCode, (api.json() as { error: string }).error], [401, 'reauthentication_required']);
      assert.match((api.json() as { error_description: string }).error_description, /within the last 5 minutes/);
      assert.equal(await secrets(), before);

      assert.equal((await signInAgain(dev.browser, String(stale.headers.location), 'dev@example.com')).headers.location, page);
      t.clock.advance(WINDOW - 1);
      const made = await dev.browser.post(form.action, { ...form.hidden, token: findForm((await dev.browser.get(page)).body, /\/secrets$/)!.hidden.token! });
      assert.equal(made.statusCode, 201, 'the new secret, shown once');
      assert.equal(await secrets(), before + 1);
      const revoke = await dev.api('DELETE', `/apps/${app.client_id}/secrets/${(await t.deps.stores.apps.listSecrets(app.client_id))[0]!.id}`);
      assert.ok(revoke.statusCode < 300, revoke.body);
    });
  });
}
