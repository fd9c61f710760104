/**
 * Step-up before risky approvals (issue 16) over real HTTP, on each dialect. Approving a
 * high-privilege scope (`workitems:write`) needs a sign-in within `STEP_UP_MAX_AGE` (10 minutes)
 * that used the account's second factor when it has one:
 * - a 15-minute-old session must confirm first, then comes back to the same approval and approves;
 * - a fresh one approves directly, and so does an old one for a scope that is not high privilege;
 * - a form posted with a stale session (the page left open) grants nothing and leaves the request
 *   waiting for the confirmation; Deny needs no confirmation;
 * - a session opened before TOTP was turned on (password only) must use the factor;
 * - a work account: only the time counts (its factors are its directory's), and confirming goes
 *   back through the directory;
 * - a code issued without a decision (a grant that covers the request, prompt=none) does not step up.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, decideOn, findForm, isApprovalPage, pastWarning, redirectLocation, type Response } from '../support/browser.ts';
import { totpCode } from '../../src/crypto/totp.ts';
import { digest } from '../../src/crypto/digest.ts';
import { STEP_UP_TEXT } from '../../src/interaction/consent/view.tsx';
import { CONFIRM_TO_APPROVE } from '../../src/interaction/login/view.tsx';

const CALLBACK = 'https://app.example/cb';
const WRITE = 'openid workitems:write';

/** The interaction id an approval page decides. */
function interactionOf(page: Response): string {
  const id = /action="\/interaction\/([^/"]+)\/decision"/.exec(page.body)?.[1];
  assert.ok(id, `an approval form:\n${page.body.slice(0, 1500)}`);
  return id;
}

/** The approval page asks the person to confirm who they are: no Approve, a link to the sign-in, Deny. */
function confirmUrl(page: Response): string | undefined {
  const form = findForm(page.body, /^\/interaction\/[^/]+\/decision$/);
  assert.ok(form, 'the approval form is there (for Deny)');
  const href = /<a class="button" href="([^"]+)">Confirm it is you<\/a>/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
  if (href !== undefined) assert.deepEqual(form.buttons.map((b) => b.value), ['deny'], 'only Deny until the person confirms');
  return href;
}

for (const dialect of dialects()) {
  describe(`step-up before high-privilege approvals (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, env: { THROTTLE_LOGIN_PER_IP: '1000/300' } });
      client = await createClient(t.deps, { redirectUris: [CALLBACK] });
    });
    after(() => t?.close());

    async function signedIn(email: string): Promise<Browser> {
      await createUser(t.deps, email);
      const b = new Browser(t);
      assert.equal((await b.signIn(email)).statusCode, 303);
      return b;
    }

    async function approvalPage(b: Browser, scope: string, extra: Record<string, string> = {}): Promise<Response> {
      // Past the unverified-service warning of a write, as a person who continues (issue 20).
      return pastWarning(b, await b.follow(await b.get(authorizeUrl(codeRequest(client.clientId, CALLBACK, { scope, ...extra }).params))));
    }

    async function grantOf(email: string) {
      const user = (await t.deps.stores.users.findByEmail(email))!;
      return t.deps.stores.grants.findLive(user.id, client.clientId, t.clock.now());
    }

    it('a fresh sign-in approves workitems:write directly', async () => {
      const b = await signedIn('fresh@example.com');
      const page = await approvalPage(b, WRITE);
      assert.ok(isApprovalPage(page));
      assert.equal(confirmUrl(page), undefined);
      const back = new URL(redirectLocation(await decideOn(b, page, true))!);
      assert.ok(back.searchParams.get('code'));
      assert.ok((await grantOf('fresh@example.com'))?.scopes.includes('workitems:write'));
    });

    it('a 15-minute-old session confirms first, then comes back to the same approval and approves', async () => {
      const b = await signedIn('old@example.com');
      t.clock.advance(15 * 60);
      // Not high privilege: no confirmation, whatever the age of the sign-in.
      const read = await approvalPage(b, 'openid workitems:read');
      assert.equal(confirmUrl(read), undefined);

      const page = await approvalPage(b, WRITE);
      assert.equal(page.statusCode, 200);
      const id = interactionOf(page);
      assert.ok(page.body.includes(STEP_UP_TEXT.stale));
      assert.match(page.body, /High privilege/, 'what is asked is still listed');
      assert.doesNotMatch(page.body, /name="scope_workitems:write"/, 'nothing to choose before confirming');
      const href = confirmUrl(page);
      assert.equal(href, `/login?interaction=${id}&reauth=1`);

      const step = await b.get(href!);
      assert.ok(step.body.includes(CONFIRM_TO_APPROVE));
      const form = findForm(step.body, /^\/login$/)!;
      assert.deepEqual([form.hidden.interaction, form.hidden.method], [id, 'password']);
      assert.match(step.body, /value="old@example\.com"/);
      const signIn = await b.submit(step, /^\/login$/, { email: 'old@example.com', password: PASSWORD });
      assert.equal(signIn.headers.location, `/authorize/resume?interaction=${id}`);
      const again = await b.follow(signIn);
      assert.ok(isApprovalPage(again));
      assert.equal(interactionOf(again), id, 'the same approval');
      assert.equal(confirmUrl(again), undefined);
      const back = new URL(redirectLocation(await decideOn(b, again, true))!);
      const code = await t.deps.stores.tokens.findCode(digest(back.searchParams.get('code')!));
      assert.deepEqual(code?.scopes, ['openid', 'workitems:write']);
      assert.ok(t.clock.now() - code!.authTime <= 2, 'the code carries the new sign-in');
    });

    it('a form posted with a stale session grants nothing and waits for the confirmation; Deny needs none', async () => {
      const b = await signedIn('late@example.com');
      const page = await approvalPage(b, WRITE);
      assert.equal(confirmUrl(page), undefined, 'fresh when the page was shown');
      const id = interactionOf(page);
      t.clock.advance(11 * 60);
      const posted = await decideOn(b, page, true);
      assert.equal(posted.statusCode, 303);
      assert.equal(posted.headers.location, `/authorize/resume?interaction=${id}`, 'back to the approval, not to the client');
      assert.equal(await grantOf('late@example.com'), undefined, 'no grant');
      const interaction = await t.deps.stores.interactions.find(id);
      assert.equal(interaction?.consumedAt, null, 'the request still waits');
      const shown = await b.follow(posted);
      assert.ok(confirmUrl(shown), 'now it asks to confirm');

      // The same stale session may still say no.
      const denied = new URL(redirectLocation(await decideOn(b, shown, false))!);
      assert.equal(denied.searchParams.get('error'), 'access_denied');
      assert.equal(await grantOf('late@example.com'), undefined);
    });

    it('an account with TOTP whose session was opened before it was turned on must use the factor', async () => {
      const b = await signedIn('tess@example.com');
      const setup = await b.follow(await b.submit(await b.get('/profile'), /^\/profile\/totp\/start$/));
      const secret = /class="secret">([A-Z2-7]+)</.exec(setup.body)![1]!;
      assert.equal((await b.submit(setup, /^\/profile\/totp\/confirm$/, { code: totpCode(secret, t.clock.now()) })).statusCode, 200);
      t.clock.advance(30); // the confirming code's step is used
      const session = await t.deps.accounts.signedIn(b.sessionCookie()!.value);
      assert.deepEqual(session?.session.amr, ['pwd'], 'a recent sign-in, with the password only');

      const page = await approvalPage(b, WRITE);
      assert.ok(page.body.includes(STEP_UP_TEXT.second_factor));
      const id = interactionOf(page);
      // A forged approval with that session is refused the same way.
      assert.equal((await decideOn(b, page, true)).headers.location, `/authorize/resume?interaction=${id}`);
      assert.equal(await grantOf('tess@example.com'), undefined);

      const step = await b.get(confirmUrl(page)!);
      const pending = await b.submit(step, /^\/login$/, { email: 'tess@example.com', password: PASSWORD });
      assert.equal(pending.headers.location, '/login/code', 'the password alone is not enough');
      const done = await b.submit(await b.get('/login/code'), /^\/login\/code$/, { code: totpCode(secret, t.clock.now()) });
      assert.equal(done.headers.location, `/authorize/resume?interaction=${id}`);
      const again = await b.follow(done);
      assert.equal(interactionOf(again), id);
      assert.equal(confirmUrl(again), undefined);
      assert.ok(new URL(redirectLocation(await decideOn(b, again, true))!).searchParams.get('code'));
      assert.deepEqual((await t.deps.accounts.signedIn(b.sessionCookie()!.value))?.session.amr, ['pwd', 'otp']);
    });

    it('a work account: only the time of its directory sign-in counts, whatever factor was set on it', async () => {
      const { directory } = await t.deps.stores.directories.create({ id: 'dir-corp', name: 'Corp', issuer: 'https://id.corp.example', clientId: 'c', clientSecretSealed: 'v1.x', domains: ['corp.example'], createdAt: t.clock.now() });
      assert.ok(directory);
      const identity = { issuer: directory.issuer, subject: 'wren', email: 'wren@corp.example', name: 'Wren', emailVerified: true };
      const opened = await t.deps.accounts.signInWorkAccount(directory, identity, { ip: '203.0.113.7', userAgent: null });
      assert.ok(opened);
      assert.deepEqual(opened.opened.session.amr, ['fed']);
      // A TOTP secret forced onto it (the profile offers none to a work account): still no factor asked for.
      assert.ok(await t.deps.accounts.startTotp(opened.user));
      const secret = (await t.deps.accounts.totpSetupSecret(opened.user))!;
      assert.ok(typeof (await t.deps.accounts.confirmTotp(opened.user, totpCode(secret, t.clock.now()), { ip: '203.0.113.7', userAgent: null })) === 'object');
      const b = new Browser(t);
      b.cookies.set('tessera_session', { name: 'tessera_session', value: opened.opened.cookieValue, raw: '' });
      assert.equal(confirmUrl(await approvalPage(b, WRITE)), undefined, 'a fresh directory sign-in approves');
      t.clock.advance(15 * 60);
      const old = await approvalPage(b, WRITE);
      assert.equal(confirmUrl(old), `/login?interaction=${interactionOf(old)}&reauth=1`, 'an old one confirms');
      // Confirming goes back through the directory: the email step, with the work address.
      const step = await b.get(confirmUrl(old)!);
      assert.doesNotMatch(step.body, /type="password"/);
      assert.match(step.body, /value="wren@corp\.example"/);
      assert.match(String((await b.submit(step, /^\/login$/, { email: 'wren@corp.example' })).headers.refresh), /directory=dir-corp/);
    });

    it('a code without a decision does not step up: a grant that covers the request, and prompt=none', async () => {
      const b = await signedIn('silent@example.com');
      const page = await approvalPage(b, WRITE);
      assert.ok(redirectLocation(await decideOn(b, page, true)));
      t.clock.advance(15 * 60);
      for (const extra of [{}, { prompt: 'none' }] as Record<string, string>[]) {
        const res = await b.get(authorizeUrl(codeRequest(client.clientId, CALLBACK, { scope: WRITE, ...extra }).params));
        assert.equal(res.statusCode, 302, JSON.stringify(extra));
        assert.ok(new URL(redirectLocation(res)!).searchParams.get('code'), `a code at once ${JSON.stringify(extra)}`);
      }
      // prompt=consent asks the person again, so it steps up.
      assert.ok(confirmUrl(await approvalPage(b, WRITE, { prompt: 'consent' })));
    });
  });
}
