/**
 * Passkeys in real Chromium (issue 16), through its virtual authenticator (the DevTools Protocol's
 * WebAuthn domain: ctap2, internal, resident keys, user verification), against Tessera listening
 * at http://localhost:PORT (an RP ID is a domain, never 127.0.0.1). SQLite only: the same flows run
 * on both dialects over HTTP in test/interaction/passkeys.test.ts.
 *
 * - registration on the profile; sign-in with the button through an authorization, whose ID token
 *   says amr [hwk, user]; sign-in from the email field's autofill (conditional mediation);
 * - a passkey as the second factor after a password, where another account's passkey is refused;
 * - passkey-only sign-up, then sign-in with it; its only passkey cannot be removed;
 * - refused: the ceremony run on a page of another origin (a relaying proxy on another port), a
 *   replayed assertion, a counter that goes backwards;
 * - removing needs a recent sign-in;
 * - the new and changed pages: axe-core finds nothing, nothing scrolls sideways at 320 px.
 *
 * Every page runs under its real CSP (script-src 'self'), and nothing is loaded from elsewhere.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeJwt } from 'jose';
import type { AxeResults } from 'axe-core';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { freePort, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { authorizeUrl, codeRequest } from '../support/browser.ts';
import { exchangeCode } from '../support/codes.ts';
import { cspViolations, startCallbackServer } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const chromium = chromiumPerFile();

/** A credential as the virtual authenticator reports it (WebAuthn.getCredentials), private key included. */
type VirtualCredential = { credentialId: string; isResidentCredential: boolean; rpId?: string; privateKey: string; userHandle?: string; signCount: number };

interface Person {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  violations: string[];
  origins: Set<string>;
}

/** A relaying proxy on another port (a phishing page would be one): same paths, its own origin. */
async function startRelay(target: number): Promise<{ port: number; close(): Promise<void> }> {
  const port = await freePort();
  const server: Server = createServer((req, res) => {
    // The relay speaks for its visitor; it says it comes from Tessera's origin so that the
    // same-origin check lets it through, and only the signed clientDataJSON tells the truth.
    const headers = { ...req.headers, ...(req.headers.origin ? { origin: `http://localhost:${target}` } : {}) };
    const upstream = httpRequest({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('passkeys in Chromium (sqlite)', () => {
  let t: TestApp;
  let issuer: string;
  let client: TestClient;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;
  /** Alice's passkey as registered in the first test, to put into other authenticators. */
  let aliceCredential: VirtualCredential;
  const contexts: BrowserContext[] = [];

  before(async () => {
    const port = await freePort();
    t = await startTestApp({ dialect: 'sqlite', env: { PORT: String(port), PUBLIC_URL: `http://localhost:${port}`, THROTTLE_LOGIN_PER_IP: '1000/300' } });
    await t.app.listen({ port, host: '127.0.0.1' });
    issuer = t.issuer;
    callback = await startCallbackServer();
    client = await createClient(t.deps, { name: 'Build Dashboard', redirectUris: [callback.url] });
    await createUser(t.deps, 'alice@example.com', 'Alice');
    await createUser(t.deps, 'bob@example.com', 'Bob');
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await callback?.close();
    await t?.close();
  });

  /**
   * A browser context with its own virtual authenticator. `autofill: false` makes the page see a
   * browser without conditional mediation, so that the button, not the autofill, runs the ceremony.
   */
  async function person(options: { autofill?: boolean; credentials?: VirtualCredential[] } = {}): Promise<Person> {
    const context = await chromium().newContext({ viewport: { width: 1000, height: 800 } });
    contexts.push(context);
    const origins = new Set<string>();
    context.on('request', (r) => origins.add(new URL(r.url()).origin));
    if (options.autofill === false) {
      await context.addInitScript(() => {
        PublicKeyCredential.isConditionalMediationAvailable = async () => false;
      });
    }
    const page = await context.newPage();
    const violations = cspViolations(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    for (const credential of options.credentials ?? []) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    return { context, page, cdp, authenticatorId, violations, origins };
  }

  async function credentialsOf(p: Person): Promise<VirtualCredential[]> {
    return (await p.cdp.send('WebAuthn.getCredentials', { authenticatorId: p.authenticatorId })).credentials as VirtualCredential[];
  }

  async function signInWithPassword(page: Page, email: string, then: string): Promise<void> {
    await page.goto(`${issuer}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${issuer}${then}`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  }

  async function addPasskey(page: Page, name: string): Promise<void> {
    await page.goto(`${issuer}/profile/passkeys`);
    await page.getByLabel('Name for the new passkey').fill(name);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey was added.').waitFor({ timeout: 10_000 });
  }

  async function signedInAs(p: Person): Promise<string | undefined> {
    const cookie = (await p.context.cookies()).find((c) => c.name.endsWith('tessera_session'));
    return (await t.deps.accounts.signedIn(cookie?.value))?.user.email;
  }

  async function lastFailure(email: string): Promise<string> {
    const user = (await t.deps.stores.users.findByEmail(email))!;
    return String((await t.deps.stores.audit.listForUser(user.id, ['user.sign_in_failed'], 1))[0]?.detail.reason);
  }

  it('registers a passkey on the profile, then signs in with the button through an authorization: the ID token says amr [hwk, user]', async () => {
    const alice = await person({ autofill: false });
    const { page } = alice;
    await signInWithPassword(page, 'alice@example.com', '/');
    await addPasskey(page, 'Laptop');
    assert.match(await page.locator('ul.passkeys').innerText(), /Laptop[\s\S]*never used/);
    const [stored] = await credentialsOf(alice);
    assert.ok(stored?.isResidentCredential, 'a discoverable credential');
    assert.equal(stored.rpId, 'localhost');
    aliceCredential = stored;

    await alice.context.clearCookies();
    const { params, verifier } = codeRequest(client.clientId, callback.url);
    await page.goto(issuer + authorizeUrl(params));
    // With the keyboard alone: Tab from the top of the page to the button, then Enter.
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    let focused: string | undefined;
    for (let presses = 0; presses < 10 && focused !== 'Sign in with a passkey'; presses++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    }
    assert.equal(focused, 'Sign in with a passkey', 'Tab reaches the passkey button');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 10_000 });
    await Promise.all([page.waitForURL((url) => url.href.startsWith(callback.url)), page.getByRole('button', { name: 'Approve' }).click()]);
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get('state'), params.state);
    const tokens = await exchangeCode(t, client, { code: landed.searchParams.get('code')!, verifier }, { redirect_uri: callback.url });
    assert.equal(tokens.statusCode, 200, tokens.body);
    const idToken = decodeJwt((tokens.json() as { id_token: string }).id_token);
    assert.deepEqual(idToken.amr, ['hwk', 'user'], 'a device-bound key, and the authenticator verified the person');

    assert.deepEqual(alice.violations, []);
    assert.deepEqual([...alice.origins].sort(), [issuer, new URL(callback.url).origin].sort(), 'nothing loaded from elsewhere');
    // The key as it is now, its counter past the stored one, for the authenticators of the next tests.
    aliceCredential = (await credentialsOf(alice))[0]!;
  });

  it('signs in from the email field’s autofill (conditional mediation), without a click', async () => {
    const alice = await person({ credentials: [aliceCredential] });
    const started = alice.page.waitForRequest((r) => r.url() === `${issuer}/login/passkey/options`);
    await alice.page.goto(`${issuer}/login`);
    assert.equal(await alice.page.getByLabel('Email').getAttribute('autocomplete'), 'username webauthn');
    await started;
    // The virtual authenticator answers a conditional request at once, as a person picking the passkey would.
    await alice.page.waitForURL(`${issuer}/`, { timeout: 10_000 });
    assert.equal(await signedInAs(alice), 'alice@example.com');
    await alice.page.getByText('You are signed in as').waitFor();
    assert.deepEqual(alice.violations, []);
    aliceCredential = (await credentialsOf(alice))[0]!;
  });

  it('a passkey as the second factor after a password; another account’s passkey is refused there', async () => {
    const bob = await person({ autofill: false });
    const { page } = bob;
    await signInWithPassword(page, 'bob@example.com', '/');
    await addPasskey(page, 'Phone');
    await bob.context.clearCookies();

    await signInWithPassword(page, 'bob@example.com', '/login/code');
    await page.getByRole('button', { name: 'Use your passkey' }).waitFor();
    // A tampered page asks for Alice's passkey (in this authenticator too) instead of Bob's.
    await bob.cdp.send('WebAuthn.addCredential', { authenticatorId: bob.authenticatorId, credential: aliceCredential });
    await page.route(`${issuer}/login/code/passkey/options`, async (route) => {
      const answer = await route.fetch();
      const body = (await answer.json()) as { options: { allowCredentials: { id: string; type: string }[] } };
      body.options.allowCredentials = [{ id: Buffer.from(aliceCredential.credentialId, 'base64').toString('base64url'), type: 'public-key' }];
      await route.fulfill({ response: answer, json: body });
    });
    await page.getByRole('button', { name: 'Use your passkey' }).click();
    await page.getByText('That passkey was not accepted.').waitFor({ timeout: 10_000 });
    assert.equal(new URL(page.url()).pathname, '/login/code');
    assert.equal(await signedInAs(bob), undefined);
    assert.equal(await lastFailure('bob@example.com'), 'credential of another account');

    await page.unroute(`${issuer}/login/code/passkey/options`);
    await Promise.all([page.waitForURL(`${issuer}/`), page.getByRole('button', { name: 'Use your passkey' }).click()]);
    assert.equal(await signedInAs(bob), 'bob@example.com');
    const cookie = (await bob.context.cookies()).find((c) => c.name.endsWith('tessera_session'));
    assert.deepEqual((await t.deps.accounts.signedIn(cookie?.value))?.session.amr, ['pwd', 'hwk', 'user', 'mfa']);
    assert.deepEqual(bob.violations, []);
  });

  it('signs up with a passkey and no password, then signs in with it; that only passkey cannot be removed', async () => {
    const pat = await person({ autofill: false });
    const { page } = pat;
    await page.goto(`${issuer}/signup`);
    await page.getByLabel('Name').fill('Pat Example');
    await page.getByLabel('Email').fill('pat@example.com');
    await Promise.all([page.waitForURL(`${issuer}/login?created=1`), page.getByRole('button', { name: 'Create an account with a passkey' }).click()]);
    await page.getByText('Your account is ready').waitFor();
    const account = (await t.deps.stores.users.findByEmail('pat@example.com'))!;
    assert.equal(account.passwordHash, null, 'no password');

    await Promise.all([page.waitForURL(`${issuer}/`), page.getByRole('button', { name: 'Sign in with a passkey' }).click()]);
    assert.equal(await signedInAs(pat), 'pat@example.com');
    await page.goto(`${issuer}/profile/passkeys`);
    await page.getByText('This passkey is the only way into your account').waitFor();
    assert.equal(await page.getByRole('button', { name: /^Remove/ }).count(), 0);
    assert.deepEqual(pat.violations, []);
  });

  it('refuses the ceremony of a page on another origin, a replayed assertion, and a counter that goes backwards', async () => {
    const alice = await person({ autofill: false, credentials: [aliceCredential] });
    const { page } = alice;

    // The same pages relayed from another port: the passkey signs, for the relay's origin.
    const relay = await startRelay(Number(new URL(issuer).port));
    try {
      await page.goto(`http://localhost:${relay.port}/login`);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.getByText('That passkey was not accepted.').waitFor({ timeout: 10_000 });
      assert.equal(await signedInAs(alice), undefined);
      assert.match(await lastFailure('alice@example.com'), new RegExp(`origin "http://localhost:${relay.port}"`));
    } finally {
      await relay.close();
    }

    // A sign-in, whose assertion is then posted again.
    await page.goto(`${issuer}/login`);
    const posted = page.waitForRequest((r) => r.url() === `${issuer}/login/passkey` && r.method() === 'POST');
    await Promise.all([page.waitForURL(`${issuer}/`), page.getByRole('button', { name: 'Sign in with a passkey' }).click()]);
    const replay = await fetch(`${issuer}/login/passkey`, { method: 'POST', headers: { 'content-type': 'application/json', origin: issuer }, body: (await posted).postData()! });
    assert.equal(replay.status, 401);
    assert.equal(((await replay.json()) as { error: string }).error, 'refused');

    // The authenticator's key, with its counter set back: a copy of it.
    const [current] = await credentialsOf(alice);
    const storedCounter = (await t.deps.stores.passkeys.find(Buffer.from(current!.credentialId, 'base64').toString('base64url')))!.counter;
    assert.ok(storedCounter > 1, `the stored counter grew (${storedCounter})`);
    await alice.cdp.send('WebAuthn.removeCredential', { authenticatorId: alice.authenticatorId, credentialId: current!.credentialId });
    await alice.cdp.send('WebAuthn.addCredential', { authenticatorId: alice.authenticatorId, credential: { ...current!, signCount: 0 } });
    await alice.context.clearCookies();
    await page.goto(`${issuer}/login`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByText('That passkey was not accepted.').waitFor({ timeout: 10_000 });
    assert.equal(await signedInAs(alice), undefined);
    const user = (await t.deps.stores.users.findByEmail('alice@example.com'))!;
    const suspected = await t.deps.stores.audit.listForUser(user.id, ['user.passkey_clone_suspected'], 1);
    assert.deepEqual([suspected[0]?.detail.name, suspected[0]?.detail.presented], ['Laptop', 1]);
    assert.deepEqual(alice.violations, []);
  });

  it('removing a passkey needs a recent sign-in: an old one signs in again and comes back', async () => {
    await createUser(t.deps, 'carol@example.com', 'Carol');
    const carol = await person({ autofill: false });
    const { page } = carol;
    await signInWithPassword(page, 'carol@example.com', '/');
    await addPasskey(page, 'Laptop');
    await page.getByRole('button', { name: 'Remove Laptop' }).waitFor();

    // Eleven minutes later, Remove (on the page loaded before) first asks to sign in again.
    t.clock.advance(t.config.ttl.stepUp + 60);
    await Promise.all([page.waitForURL(`${issuer}/login?return_to=%2Fprofile%2Fpasskeys&reauth=1`), page.getByRole('button', { name: 'Remove Laptop' }).click()]);
    await page.getByText('Sign in again to continue').waitFor();
    const account = (await t.deps.stores.users.findByEmail('carol@example.com'))!;
    assert.equal(await t.deps.stores.passkeys.countForUser(account.id), 1, 'nothing removed on a stale sign-in');

    await Promise.all([page.waitForURL(`${issuer}/profile/passkeys`), page.getByRole('button', { name: 'Sign in with a passkey' }).click()]);
    await Promise.all([page.waitForURL(`${issuer}/profile/passkeys?done=removed`), page.getByRole('button', { name: 'Remove Laptop' }).click()]);
    await page.getByText('The passkey was removed.').waitFor();
    assert.equal(await t.deps.stores.passkeys.countForUser(account.id), 0);
    const removed = await t.deps.stores.audit.listForUser(account.id, ['user.passkey_removed'], 1);
    assert.equal(removed[0]?.detail.name, 'Laptop');
    assert.deepEqual(carol.violations, []);
  });

  it('the new and changed pages: axe-core finds no violation, light and dark, and nothing scrolls sideways at 320 px', async () => {
    const failures: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) failures.push(...(await auditPages(colorScheme)));
    assert.deepEqual(failures, [], failures.join('\n'));
  });

  /** Audits the pages at 320 px in one color scheme, as a new person with a password (then two passkeys). */
  async function auditPages(colorScheme: 'light' | 'dark'): Promise<string[]> {
    const email = `dana-${colorScheme}@example.com`;
    const dana = await createUser(t.deps, email, 'Dana');
    // bypassCSP only so that axe-core can be injected; the pages' own script runs as it would.
    const context = await chromium().newContext({ bypassCSP: true, colorScheme, viewport: { width: 320, height: 640 } });
    contexts.push(context);
    const page = await context.newPage();
    const failures: string[] = [];
    const audit = async (name: string, ready: string) => {
      await page.getByRole('button', { name: ready }).or(page.getByRole('link', { name: ready })).first().waitFor();
      await page.addScriptTag({ content: AXE_SOURCE });
      // tsx (esbuild keepNames) wraps named functions in __name(), which the page must then know.
      await page.evaluate('globalThis.__name = (f) => f');
      const results = await page.evaluate(
        () => (globalThis as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] }, resultTypes: ['violations'] }),
      );
      for (const v of results.violations) failures.push(`${colorScheme} ${name}: axe ${v.id} [${v.impact}] ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      const layout = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, width: window.innerWidth, h1s: document.querySelectorAll('h1').length }));
      const { scrollWidth, width, h1s } = layout;
      if (scrollWidth > width) failures.push(`${colorScheme} ${name}: scrolls sideways (${scrollWidth}px in ${width}px)`);
      if (h1s !== 1) failures.push(`${colorScheme} ${name}: ${h1s} <h1>`);
    };

    await page.goto(`${issuer}/login`);
    await audit('sign-in page with its passkey button', 'Sign in with a passkey');
    await page.goto(`${issuer}/signup`);
    await audit('sign-up page with its passkey button', 'Create an account with a passkey');
    await page.goto(`${issuer}/login`);
    await page.getByLabel('Email').fill('bob@example.com');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${issuer}/login/code`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await audit('second step with a passkey', 'Use your passkey');

    await context.clearCookies();
    await page.goto(`${issuer}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${issuer}/`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await page.goto(`${issuer}/profile/passkeys`);
    await audit('passkeys page, none yet', 'Add a passkey');
    await addFakePasskeys(dana.id);
    await page.goto(`${issuer}/profile/passkeys?done=added`);
    await audit('passkeys page with two', 'Remove Phone');
    await page.goto(`${issuer}/profile`);
    await audit('profile with its passkeys section', 'Manage passkeys');
    await context.close();
    return failures;
  }

  /** Two passkeys as rows (their keys are never used: the page only lists them). */
  async function addFakePasskeys(userId: string): Promise<void> {
    const now = t.clock.now();
    for (const name of ['Work laptop with a rather long name for a passkey', 'Phone']) {
      const key = { id: `${userId}-${name.length}`, userId, userHandle: 'h', publicKey: 'k', counter: 0, transports: [], backupEligible: name === 'Phone', backedUp: false, name, aaguid: null, createdAt: now, lastUsedAt: name === 'Phone' ? now : null };
      await t.deps.stores.passkeys.add(key, { type: 'user.passkey_added', userId, detail: { name } });
    }
  }
});
