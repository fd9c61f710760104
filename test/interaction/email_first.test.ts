/**
 * Email-first sign-in (issue 16) over real HTTP, on each dialect:
 * - /login asks for the email alone (its field offers passkeys to the browser's autofill, the
 *   passkey button is there, nothing asks for a password yet);
 * - after the email: a work address goes to its company directory; every other address — unknown,
 *   with a password, with a password and passkeys, with passkeys only — gets the one password step,
 *   whose passkey button (discoverable credentials) is how a passkey-only account signs in;
 * - that answer tells nobody which accounts exist: the same status and the same bytes (the email
 *   echoed is the only difference) and the same time (alternated pairs, as
 *   test/security/reset_enumeration.test.ts measures the reset request);
 * - sign-in keeps its semantics: the pending authorization, `return_to`, the second factor;
 * - `reauth=1` asks a signed-in person for their own account's step: the password (never their
 *   domain's directory), or the passkey step for an account without a password.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, findForm, isApprovalPage, type Response } from '../support/browser.ts';
import { SoftAuthenticator, type CeremonyOptions } from '../support/soft_authenticator.ts';
import { PASSWORD_NEXT, PASSKEY_NEXT, CONFIRM_TO_APPROVE, SIGN_IN_AGAIN } from '../../src/interaction/login/view.tsx';
import { hashPassword } from '../../src/crypto/passwords.ts';

const ORIGIN = 'http://localhost:3000';
const CALLBACK = 'https://app.example/cb';
const ROUNDS = 30;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The body with the one address it echoes taken out (in the field's value, where it belongs). */
function withoutEmail(res: Response, email: string): string {
  assert.equal(res.body.split(`value="${email}"`).length, 2, `the email is echoed once, in its field: ${email}`);
  return res.body.replace(`value="${email}"`, 'value="…"');
}

for (const dialect of dialects()) {
  describe(`email-first sign-in (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;
    /** Pat has only passkeys (passkey sign-up, no password). */
    const patKey = new SoftAuthenticator(ORIGIN);
    /** Kim has a password and a passkey (a second factor). */
    const kimKey = new SoftAuthenticator(ORIGIN);

    async function options(b: Browser, path: string, body: Record<string, unknown> = {}): Promise<CeremonyOptions & Record<string, unknown>> {
      const res = await b.postJson(path, body);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { options: CeremonyOptions & Record<string, unknown> }).options;
    }

    /** The email step, then what the email alone answers. */
    async function afterEmail(b: Browser, email: string, start = '/login'): Promise<Response> {
      const page = await b.get(start);
      assert.equal(page.statusCode, 200);
      return b.submit(page, /^\/login$/, { email });
    }

    before(async () => {
      t = await startTestApp({ dialect, env: { PUBLIC_URL: ORIGIN, THROTTLE_LOGIN_PER_IP: '1000/300' } });
      client = await createClient(t.deps, { redirectUris: [CALLBACK] });
      await createUser(t.deps, 'lee@example.com', 'Lee');
      const kim = await createUser(t.deps, 'kim@example.com', 'Kim');
      const { directory } = await t.deps.stores.directories.create({ id: 'dir-corp', name: 'Corp', issuer: 'https://id.corp.example', clientId: 'c', clientSecretSealed: 'v1.x', domains: ['corp.example'], createdAt: t.clock.now() });
      assert.ok(directory);

      // Pat signs up with a passkey: no password at all.
      const signUp = new Browser(t);
      const opts = await options(signUp, '/signup/passkey/options', { name: 'Pat', email: 'pat@example.com' });
      assert.equal((await signUp.postJson('/signup/passkey', { credential: patKey.register(opts).response })).statusCode, 200);
      assert.equal((await t.deps.stores.users.findByEmail('pat@example.com'))?.passwordHash, null);
      // Kim adds a passkey on the profile, next to the password.
      const b = new Browser(t);
      assert.equal((await b.signIn(kim.email)).statusCode, 303);
      const add = await options(b, '/profile/passkeys/options');
      assert.equal((await b.postJson('/profile/passkeys/add', { name: 'Phone', credential: kimKey.register(add).response })).statusCode, 200);
    });
    after(() => t?.close());

    it('asks for the email alone, offering passkeys through autofill and the button', async () => {
      const page = await new Browser(t).get('/login');
      assert.equal(page.statusCode, 200);
      const form = findForm(page.body, /^\/login$/);
      assert.ok(form);
      assert.deepEqual(form.buttons.map((b) => b.text), ['Continue']);
      assert.match(page.body, /<input type="email" name="email" autocomplete="username webauthn" required/);
      assert.doesNotMatch(page.body, /type="password"/, 'no password before the email');
      assert.match(page.body, /data-passkey="sign-in"[^>]*>\s*Sign in with a passkey/);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
      assert.match(page.body, /href="\/login\/directory"/);
    });

    it('a work address goes to its directory; every other address gets the password step', async () => {
      const work = await afterEmail(new Browser(t), 'noor@corp.example');
      assert.equal(work.statusCode, 200);
      assert.match(String(work.headers.refresh), /^0; url=\/login\/directory\/start\?directory=dir-corp&login_hint=noor%40corp\.example$/);
      assert.equal(findForm(work.body, /^\/login$/), undefined, 'no password is asked for a work address');

      for (const email of ['lee@example.com', 'kim@example.com', 'pat@example.com', 'nobody@example.com']) {
        const step = await afterEmail(new Browser(t), email);
        assert.equal(step.statusCode, 200, email);
        assert.ok(step.body.includes(PASSWORD_NEXT), email);
        assert.match(step.body, /<input type="password" name="password" autocomplete="current-password" required/, email);
        assert.match(step.body, /data-passkey="sign-in"/, `${email}: the passkey button, for whoever has one`);
        assert.match(step.body, /href="\/login">Use another email</, email);
        assert.equal(findForm(step.body, /^\/login$/)?.buttons[0]?.text, 'Sign in');
      }
    });

    it('the password step signs in with the password, or goes on to the second factor', async () => {
      const lee = new Browser(t);
      const step = await afterEmail(lee, 'lee@example.com');
      const done = await lee.submit(step, /^\/login$/, { email: 'lee@example.com', password: PASSWORD });
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, '/');
      assert.ok(lee.sessionCookie());

      // A password and a passkey: the passkey is the second factor.
      const kim = new Browser(t);
      const second = await kim.submit(await afterEmail(kim, 'kim@example.com'), /^\/login$/, { email: 'kim@example.com', password: PASSWORD });
      assert.equal(second.headers.location, '/login/code');
      assert.equal(kim.sessionCookie(), undefined);

      // A wrong password: the password step again, 401, the same words as for an unknown address.
      const wrong = new Browser(t);
      const failed = await wrong.submit(await afterEmail(wrong, 'lee@example.com'), /^\/login$/, { email: 'lee@example.com', password: 'not it' });
      assert.equal(failed.statusCode, 401);
      assert.match(failed.body, /Email or password is incorrect\./);
      assert.match(failed.body, /type="password"/);
    });

    it('a passkey-only account signs in with the password step’s passkey button, continuing the authorization', async () => {
      const b = new Browser(t);
      const { params } = codeRequest(client.clientId, CALLBACK, { scope: 'openid' });
      const first = await b.follow(await b.get(authorizeUrl(params)));
      const interaction = findForm(first.body, /^\/login$/)!.hidden.interaction!;
      const step = await b.submit(first, /^\/login$/, { email: 'pat@example.com' });
      assert.equal(findForm(step.body, /^\/login$/)?.hidden.interaction, interaction, 'the step carries the authorization');
      assert.match(step.body, new RegExp(`data-passkey="sign-in"[^>]*data-interaction="${interaction}"`));
      const opts = await options(b, '/login/passkey/options', { interaction });
      const res = await b.postJson('/login/passkey', { interaction, credential: patKey.assert(opts) });
      assert.equal(res.statusCode, 200, res.body);
      const approval = await b.follow(await b.get((res.json() as { location: string }).location));
      assert.ok(isApprovalPage(approval), approval.body.slice(0, 500));
      assert.match(approval.body, /pat@example\.com/);
    });

    it('return_to and the pending authorization survive the email step', async () => {
      const b = new Browser(t);
      const step = await afterEmail(b, 'lee@example.com', '/login?return_to=/profile');
      assert.equal(findForm(step.body, /^\/login$/)?.hidden.return_to, '/profile');
      assert.match(step.body, /href="\/login\?return_to=%2Fprofile">Use another email</);
      const done = await b.submit(step, /^\/login$/, { email: 'lee@example.com', password: PASSWORD });
      assert.equal(done.headers.location, '/profile');

      const other = new Browser(t);
      const { params } = codeRequest(client.clientId, CALLBACK, { scope: 'openid' });
      const first = await other.follow(await other.get(authorizeUrl(params)));
      const pwd = await other.submit(first, /^\/login$/, { email: 'lee@example.com' });
      const approval = await other.follow(await other.submit(pwd, /^\/login$/, { email: 'lee@example.com', password: PASSWORD }));
      assert.ok(isApprovalPage(approval));
    });

    it('unknown, known, passkey-and-password and passkey-only addresses: the same status and the same bytes', async () => {
      const answers = new Map<string, { status: number; body: string }>();
      for (const email of ['nobody@example.com', 'lee@example.com', 'kim@example.com', 'pat@example.com']) {
        const res = await afterEmail(new Browser(t), email);
        answers.set(email, { status: res.statusCode, body: withoutEmail(res, email) });
      }
      const unknown = answers.get('nobody@example.com')!;
      for (const [email, answer] of answers) {
        assert.equal(answer.status, unknown.status, email);
        assert.equal(answer.body, unknown.body, `${email}: the same bytes as an unknown address`);
      }
    });

    it(`the email step takes as long for a known address as for an unknown one (${ROUNDS} alternated pairs)`, async (ctx) => {
      const passwordHash = await hashPassword('timing test password');
      const WARM = 5;
      for (let i = 0; i < ROUNDS + WARM; i++) await t.deps.stores.users.create({ email: `timing${i}@example.com`, name: `T${i}`, passwordHash }, t.clock.now());
      const b = new Browser(t);
      const token = findForm((await b.get('/login')).body, /^\/login$/)!.hidden.token!;
      const timed = async (email: string) => {
        const start = performance.now();
        const res = await b.post('/login', { token, email });
        const ms = performance.now() - start;
        assert.equal(res.statusCode, 200);
        return ms;
      };
      for (let i = 0; i < WARM; i++) {
        await timed(`timing${ROUNDS + i}@example.com`);
        await timed(`warm${i}@nowhere.example`);
      }
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        // Alternated, each first in turn: the two of a pair run under the same load.
        for (const isKnown of i % 2 === 0 ? [true, false] : [false, true]) {
          if (isKnown) known.push(await timed(`timing${i}@example.com`));
          else unknown.push(await timed(`nobody${i}@nowhere.example`));
        }
      }
      const difference = Math.abs(median(known.map((k, i) => k - unknown[i]!)));
      const typical = Math.max(median(known), median(unknown));
      const summary = `known median ${median(known).toFixed(2)} ms, unknown median ${median(unknown).toFixed(2)} ms, median pair difference ${difference.toFixed(2)} ms`;
      ctx.diagnostic(summary);
      // An account read on one path only (a query, a hash) would move every pair.
      assert.ok(difference < 5, summary);
      assert.ok(difference < 0.5 * typical, summary);
    });

    it('reauth: a signed-in person gets their own account’s step — the password, or the passkey step without one', async () => {
      // Not signed in: the email step, saying why.
      const anonymous = await new Browser(t).get('/login?reauth=1&return_to=/profile');
      assert.ok(anonymous.body.includes(SIGN_IN_AGAIN));
      assert.doesNotMatch(anonymous.body, /type="password"/);

      const lee = new Browser(t);
      await lee.signIn('lee@example.com');
      const password = await lee.get('/login?reauth=1&return_to=/profile');
      assert.ok(password.body.includes(PASSWORD_NEXT));
      const form = findForm(password.body, /^\/login$/)!;
      assert.deepEqual([form.hidden.method, form.hidden.return_to], ['password', '/profile'], 'the password, not a directory');
      assert.match(password.body, /value="lee@example\.com"/);
      assert.equal((await lee.submit(password, /^\/login$/, { email: 'lee@example.com', password: PASSWORD })).headers.location, '/profile');

      const pat = new Browser(t);
      assert.equal((await pat.postJson('/login/passkey', { credential: patKey.assert(await options(pat, '/login/passkey/options')) })).statusCode, 200);
      const passkey = await pat.get('/login?reauth=1&return_to=/profile');
      assert.equal(passkey.statusCode, 200);
      assert.ok(passkey.body.includes(PASSKEY_NEXT));
      assert.equal(findForm(passkey.body, /^\/login$/), undefined, 'no password to type');
      assert.match(passkey.body, /data-passkey="sign-in"[^>]*data-return-to="\/profile"/);
      assert.match(passkey.body, /href="\/login\?return_to=%2Fprofile">Use another way</);
      assert.match(passkey.body, /<noscript>/);
      const again = await pat.postJson('/login/passkey', { return_to: '/profile', credential: patKey.assert(await options(pat, '/login/passkey/options')) });
      assert.deepEqual(again.json(), { location: '/profile' });

      // Step-up before an approval says so.
      const { params } = codeRequest(client.clientId, CALLBACK, { scope: 'openid' });
      const approval = await lee.follow(await lee.get(authorizeUrl(params)));
      const interaction = /\/interaction\/([^/]+)\/decision/.exec(approval.body)![1]!;
      const step = await lee.get(`/login?interaction=${interaction}&reauth=1`);
      assert.ok(step.body.includes(CONFIRM_TO_APPROVE));
      assert.equal(findForm(step.body, /^\/login$/)?.hidden.interaction, interaction);
    });
  });
}
