/**
 * Passkeys over real HTTP on each dialect (issue 16), with a software authenticator that signs what
 * a browser would post (test/support/soft_authenticator.ts); the same ceremonies in real Chromium
 * are in test/e2e/passkeys_browser.test.ts.
 *
 * - adding a passkey on the profile (recent sign-in only; listed; recorded and mailed);
 * - a password account with a passkey gets the second step, where another account's passkey is
 *   refused and its own opens a session with amr [pwd, hwk, user, mfa];
 * - sign-in with a passkey alone through an authorization: the ID token's amr is [hwk, user];
 * - refused: a replayed assertion, another origin, another RP ID, no user verification, a
 *   challenge of another ceremony, a counter that goes back (recorded as a suspected copy);
 * - passkey-only sign-up: no password, the verification link mailed, no password ever opens it,
 *   a taken address answers the same;
 * - removing needs a recent sign-in and never removes the last way in; a disabled account never
 *   signs in.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, decideOn, findForm, hiddenInputs, isApprovalPage, redirectLocation } from '../support/browser.ts';
import { exchangeCode } from '../support/codes.ts';
import { FLAGS, SoftAuthenticator, type CeremonyOptions } from '../support/soft_authenticator.ts';
import type { User } from '../../src/domain/users.ts';

const ORIGIN = 'http://localhost:3000';
const CALLBACK = 'https://app.example/cb';

for (const dialect of dialects()) {
  describe(`passkeys over HTTP (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;
    let alice: User;
    let bob: User;
    const aliceKey = new SoftAuthenticator(ORIGIN);
    const bobKey = new SoftAuthenticator(ORIGIN, 'localhost', { backupEligible: true });
    const patKey = new SoftAuthenticator(ORIGIN);
    /** Pat's second passkey, added on the profile. */
    const patSecond = new SoftAuthenticator(ORIGIN);

    async function options(b: Browser, path: string, body: Record<string, unknown> = {}): Promise<CeremonyOptions & Record<string, unknown>> {
      const res = await b.postJson(path, body);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { options: CeremonyOptions & Record<string, unknown> }).options;
    }

    /** A fresh password sign-in (no passkey yet), then a passkey added on the profile. */
    async function addPasskey(b: Browser, key: SoftAuthenticator, name: string) {
      const opts = await options(b, '/profile/passkeys/options');
      const { response } = key.register(opts);
      const res = await b.postJson('/profile/passkeys/add', { name, credential: response });
      assert.equal(res.statusCode, 200, res.body);
      return { opts, response, res };
    }

    async function sessionOf(b: Browser) {
      return t.deps.accounts.signedIn(b.sessionCookie()?.value);
    }

    before(async () => {
      t = await startTestApp({ dialect, env: { PUBLIC_URL: ORIGIN, THROTTLE_LOGIN_PER_IP: '1000/300' } });
      client = await createClient(t.deps, { redirectUris: [CALLBACK] });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      bob = await createUser(t.deps, 'bob@example.com', 'Bob');
      const b = new Browser(t);
      assert.equal((await b.signIn(bob.email)).statusCode, 303);
      await addPasskey(b, bobKey, 'Bob’s phone');
    });
    after(() => t?.close());

    it('adds a passkey on the profile: resident, verifying the person, listed, recorded and mailed; its registration cannot be replayed', async () => {
      const b = new Browser(t);
      assert.equal((await b.signIn(alice.email)).statusCode, 303);
      const page = await b.get('/profile/passkeys');
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'; connect-src 'self'/);
      assert.match(page.body, /data-passkey="add"/);

      const { opts, response, res } = await addPasskey(b, aliceKey, 'Laptop');
      assert.deepEqual(res.json(), { location: '/profile/passkeys?done=added' });
      assert.equal((opts.rp as { id: string }).id, 'localhost', 'rpId: the host of PUBLIC_URL');
      assert.deepEqual(opts.authenticatorSelection, { residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
      assert.equal((opts.user as { name: string }).name, 'alice@example.com');
      assert.notEqual((opts.user as { id: string }).id, alice.id, 'the user handle is not the account id');

      const listed = await b.get('/profile/passkeys?done=added');
      assert.match(listed.body, /The passkey was added/);
      assert.match(listed.body, /<strong>Laptop<\/strong>/);
      assert.match(listed.body, /never used/);
      assert.match((await b.get('/profile')).body, /1 passkey\./);
      const events = await t.deps.stores.audit.listForUser(alice.id, ['user.passkey_added'], 5);
      assert.deepEqual(events.map((e) => e.detail.name), ['Laptop']);
      const notices = (await t.deps.stores.outbox.list({ limit: 100 })).filter((m) => m.to === alice.email && m.kind === 'notice');
      assert.equal(notices.length, 1);

      // The next registration excludes it; the same response again finds no challenge.
      const next = await options(b, '/profile/passkeys/options');
      assert.deepEqual((next.excludeCredentials as { id: string }[]).map((c) => c.id), [response.id]);
      assert.equal((next.user as { id: string }).id, (opts.user as { id: string }).id, 'one user handle per account');
      const again = await b.postJson('/profile/passkeys/add', { name: 'Again', credential: response });
      assert.equal(again.statusCode, 400);
      assert.equal(await t.deps.stores.passkeys.countForUser(alice.id), 1);
    });

    it('the second step offers the passkey; another account’s passkey is refused; the account’s own opens the session (amr pwd hwk user mfa)', async () => {
      const b = new Browser(t);
      const signIn = await b.signIn(alice.email);
      assert.equal(signIn.headers.location, '/login/code', 'a passkey is a second factor: the password alone opens nothing');
      assert.equal(b.sessionCookie(), undefined);
      const code = await b.get('/login/code');
      assert.match(code.body, /Use your passkey/);
      assert.equal(findForm(code.body, /^\/login\/code$/), undefined, 'no code to ask for: the account has no TOTP');

      const first = await options(b, '/login/code/passkey/options');
      assert.equal(first.userVerification, 'preferred');
      assert.deepEqual((first.allowCredentials as { id: string }[]).map((c) => c.id), [aliceKey.credentials[0]!.id.toString('base64url')]);
      const bobs = await b.postJson('/login/code/passkey', { credential: bobKey.assert(first) });
      assert.equal(bobs.statusCode, 401);
      assert.equal(b.sessionCookie(), undefined);
      const failed = await t.deps.stores.audit.listForUser(alice.id, ['user.sign_in_failed'], 5);
      assert.equal(failed[0]?.detail.reason, 'credential of another account');

      // That challenge is spent; a new one, answered by Alice's own passkey, finishes the sign-in.
      assert.equal((await b.postJson('/login/code/passkey', { credential: aliceKey.assert(first) })).statusCode, 401);
      const second = await options(b, '/login/code/passkey/options');
      const done = await b.postJson('/login/code/passkey', { credential: aliceKey.assert(second) });
      assert.equal(done.statusCode, 200, done.body);
      assert.deepEqual(done.json(), { location: '/' });
      assert.deepEqual((await sessionOf(b))?.session.amr, ['pwd', 'hwk', 'user', 'mfa']);
      assert.equal([...b.cookies.keys()].some((n) => n.endsWith('tessera_pending')), false, 'the pending sign-in is over');
    });

    it('signs in with a passkey alone through an authorization: discoverable, user verification required; the ID token says amr [hwk, user]', async () => {
      const b = new Browser(t);
      const { params, verifier } = codeRequest(client.clientId, CALLBACK);
      const login = await b.follow(await b.get(authorizeUrl(params)));
      assert.match(login.body, /autocomplete="username webauthn"/);
      assert.match(login.body, /Sign in with a passkey/);
      const interaction = hiddenInputs(login.body, /^\/login$/).interaction!;
      const opts = await options(b, '/login/passkey/options', { interaction });
      assert.deepEqual([opts.allowCredentials, opts.userVerification, opts.rpId], [[], 'required', 'localhost']);
      const res = await b.postJson('/login/passkey', { interaction, credential: bobKey.assert(opts) });
      assert.equal(res.statusCode, 200, res.body);
      const approval = await b.follow(await b.get((res.json() as { location: string }).location));
      assert.ok(isApprovalPage(approval), approval.body.slice(0, 500));
      const back = new URL(redirectLocation(await decideOn(b, approval, true))!);
      const tokens = await exchangeCode(t, client, { code: back.searchParams.get('code')!, verifier }, { redirect_uri: CALLBACK });
      assert.equal(tokens.statusCode, 200, tokens.body);
      const idToken = decodeJwt((tokens.json() as { id_token: string }).id_token);
      // Bob's passkey is backup-eligible (synced): a software-kept key, swk.
      assert.deepEqual(idToken.amr, ['swk', 'user']);
      assert.equal(idToken.sub, bob.id);
      const used = await t.deps.stores.passkeys.listForUser(bob.id);
      assert.deepEqual([used[0]!.lastUsedAt !== null, used[0]!.counter], [true, bobKey.credentials[0]!.counter], 'the use and its counter are recorded');
    });

    it('refuses a replayed assertion, another origin or RP ID, no user verification, another ceremony’s challenge, and a counter that goes back (a suspected copy)', async () => {
      const b = new Browser(t);
      const ok = await options(b, '/login/passkey/options');
      const good = aliceKey.assert(ok);
      assert.equal((await b.postJson('/login/passkey', { credential: good })).statusCode, 200);
      assert.deepEqual((await sessionOf(b))?.session.amr, ['hwk', 'user']);

      /** Refused, and for what (the reason goes to the log and, once the account is known, to its failed sign-in event). */
      const refused = async (label: string, credential: Record<string, unknown>, reason?: RegExp) => {
        const res = await new Browser(t).postJson('/login/passkey', { credential });
        assert.equal(res.statusCode, 401, `${label}: ${res.body}`);
        assert.equal((res.json() as { error: string }).error, 'refused');
        if (reason) assert.match(String((await t.deps.stores.audit.listForUser(alice.id, ['user.sign_in_failed'], 1))[0]?.detail.reason), reason, label);
      };
      await refused('replayed', good);
      await refused('a page on another origin (another port)', aliceKey.assert(await options(b, '/login/passkey/options'), undefined, { origin: 'http://localhost:4000' }), /origin "http:\/\/localhost:4000"/);
      await refused('a phishing origin', aliceKey.assert(await options(b, '/login/passkey/options'), undefined, { origin: 'https://evil.example' }), /origin "https:\/\/evil.example"/);
      await refused('another RP ID', aliceKey.assert(await options(b, '/login/passkey/options'), undefined, { rpId: 'evil.example' }), /RP ID/);
      await refused('no user verification', aliceKey.assert(await options(b, '/login/passkey/options'), undefined, { flags: FLAGS.up }), /User verification required/);
      await refused('a made-up challenge', aliceKey.assert({ challenge: 'bm90LW91cnM' }));
      await refused('a create() answer in a get()', aliceKey.assert(await options(b, '/login/passkey/options'), undefined, { type: 'webauthn.create' }), /response type/);
      await refused('no user handle (discoverable sign-in needs it)', aliceKey.assert(await options(b, '/login/passkey/options'), undefined, { noUserHandle: true }), /no user handle/);
      // A registration's challenge answered as a sign-in.
      const signedIn = new Browser(t);
      await signedIn.signIn(bob.email);
      const second = await options(signedIn, '/login/code/passkey/options');
      assert.equal((await signedIn.postJson('/login/code/passkey', { credential: bobKey.assert(second) })).statusCode, 200);
      await refused('a challenge of another ceremony', bobKey.assert(await options(signedIn, '/profile/passkeys/options')));

      const stored = (await t.deps.stores.passkeys.find(aliceKey.credentials[0]!.id.toString('base64url')))!;
      await refused('the same counter again', aliceKey.assert(await options(b, '/login/passkey/options'), undefined, { counter: stored.counter }));
      await refused('a lower counter', aliceKey.assert(await options(b, '/login/passkey/options'), undefined, { counter: stored.counter - 1 }));
      const suspected = await t.deps.stores.audit.listForUser(alice.id, ['user.passkey_clone_suspected'], 5);
      assert.equal(suspected.length, 2);
      assert.deepEqual([suspected[0]!.detail.name, suspected[0]!.detail.stored], ['Laptop', stored.counter]);
      assert.equal((await t.deps.stores.passkeys.find(stored.id))?.counter, stored.counter, 'the stored counter stays');
      assert.ok((await t.deps.stores.outbox.list({ limit: 200 })).some((m) => m.to === alice.email && m.kind === 'notice' && JSON.stringify(m).includes('passkey_clone_suspected')), 'the person is told');
      // Nothing else changed: the genuine authenticator, ahead of the copy, still signs in.
      assert.equal((await new Browser(t).postJson('/login/passkey', { credential: aliceKey.assert(await options(b, '/login/passkey/options')) })).statusCode, 200);
    });

    it('signs up with a passkey and no password: the address gets its link, no password opens the account, a taken address answers the same', async () => {
      const b = new Browser(t);
      const page = await b.get('/signup');
      assert.match(page.body, /Create an account with a passkey/);
      assert.equal((await b.postJson('/signup/passkey/options', { name: 'Pat', email: 'not an address' })).statusCode, 400);
      assert.equal((await b.postJson('/signup/passkey/options', { name: ' ', email: 'pat@example.com' })).statusCode, 400);
      const opts = await options(b, '/signup/passkey/options', { name: 'Pat', email: 'Pat@Example.com' });
      assert.equal((opts.user as { name: string }).name, 'pat@example.com');
      const done = await b.postJson('/signup/passkey', { credential: patKey.register(opts).response });
      assert.equal(done.statusCode, 200, done.body);
      assert.deepEqual(done.json(), { location: '/login?created=1' });
      const pat = (await t.deps.stores.users.findByEmail('pat@example.com'))!;
      assert.equal(pat.passwordHash, null);
      assert.equal(pat.emailVerifiedAt, null);
      assert.equal(await t.deps.stores.passkeys.countForUser(pat.id), 1);
      assert.ok((await t.deps.stores.outbox.list({ limit: 200 })).some((m) => m.to === 'pat@example.com' && m.kind === 'verify_email'), 'the verification link is mailed');

      // An empty password is the email-first step (the password is asked for); any other is refused.
      for (const password of ['', 'anything', PASSWORD]) {
        const other = new Browser(t);
        const res = await other.signIn('pat@example.com', password);
        assert.equal(res.statusCode, password === '' ? 200 : 401, `password ${JSON.stringify(password)}`);
        assert.deepEqual([...other.cookies.keys()].filter((n) => /tessera_(session|pending)$/.test(n)), [], 'no session, no second step');
      }
      const signIn = new Browser(t);
      const res = await signIn.postJson('/login/passkey', { credential: patKey.assert(await options(signIn, '/login/passkey/options')) });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((await sessionOf(signIn))?.user.id, pat.id);

      // Alice's address, taken: the same answer, nothing stored for anyone.
      const taken = await options(new Browser(t), '/signup/passkey/options', { name: 'Mallory', email: alice.email });
      const other = new SoftAuthenticator(ORIGIN);
      const same = await new Browser(t).postJson('/signup/passkey', { credential: other.register(taken).response });
      assert.deepEqual([same.statusCode, same.json()], [200, { location: '/login?created=1' }]);
      assert.equal(await t.deps.stores.passkeys.find(other.credentials[0]!.id.toString('base64url')), undefined);
      assert.equal(await t.deps.stores.passkeys.countForUser(alice.id), 1);
    });

    it('removing needs a recent sign-in and never removes the only way into an account without a password; renaming works', async () => {
      const pat = (await t.deps.stores.users.findByEmail('pat@example.com'))!;
      const b = new Browser(t);
      await b.postJson('/login/passkey', { credential: patKey.assert(await options(b, '/login/passkey/options')) });
      const page = await b.get('/profile/passkeys');
      assert.match(page.body, /only way into your account/);
      assert.doesNotMatch(page.body, /action="\/profile\/passkeys\/remove"/, 'no Remove button for the last one');
      const token = hiddenInputs(page.body, /^\/profile\/passkeys\/rename$/).token!;
      const first = patKey.credentials[0]!.id.toString('base64url');
      const last = await b.post('/profile/passkeys/remove', { token, id: first });
      assert.equal(last.statusCode, 409);
      assert.match(last.body, /only way into your account/);
      assert.equal(await t.deps.stores.passkeys.countForUser(pat.id), 1);

      // With a second passkey, the first may go.
      await addPasskey(b, patSecond, 'Security key');
      assert.equal((await b.post('/profile/passkeys/rename', { token, id: first, name: '  Old   phone ' })).statusCode, 303);
      assert.equal((await t.deps.stores.passkeys.find(first))?.name, 'Old phone');
      const removed = await b.post('/profile/passkeys/remove', { token, id: first });
      assert.equal(removed.headers.location, '/profile/passkeys?done=removed');
      assert.equal(await t.deps.stores.passkeys.find(first), undefined);
      const events = await t.deps.stores.audit.listForUser(pat.id, ['user.passkey_removed'], 5);
      assert.deepEqual(events.map((e) => e.detail.name), ['Old phone']);

      // Eleven minutes on, the sign-in is no longer recent: sign in again first.
      t.clock.advance(t.config.ttl.stepUp + 60);
      const stale = await b.post('/profile/passkeys/remove', { token, id: patSecond.credentials[0]!.id.toString('base64url') });
      assert.equal(stale.headers.location, '/login?return_to=%2Fprofile%2Fpasskeys&reauth=1');
      assert.equal((await b.postJson('/profile/passkeys/options', {})).statusCode, 401);
      assert.match((await b.get('/profile/passkeys')).body, /Sign in again/);
    });

    it('a disabled account never signs in with its passkey', async () => {
      const pat = (await t.deps.stores.users.findByEmail('pat@example.com'))!;
      const b = new Browser(t);
      const before = await options(b, '/login/passkey/options');
      await t.deps.accounts.disableAccount(pat, 'test', 600);
      const res = await b.postJson('/login/passkey', { credential: patSecond.assert(before) });
      assert.equal(res.statusCode, 401);
      assert.equal(b.sessionCookie(), undefined);
    });
  });
}
