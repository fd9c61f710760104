/**
 * A password reset confirmed with a passkey, in real Chromium (issues 15 and 16): the reset page's
 * button runs our script (assets/passkeys.js, `data-passkey="reset"`) under the page's real CSP,
 * with Chromium's virtual authenticator (ctap2, internal, resident keys, user verification). The
 * same flow, and every refusal, runs on both dialects over HTTP in
 * test/interaction/password_reset_passkey.test.ts; this file shows the page and its script work:
 *
 * - the passkey registered on the profile confirms the reset, the new password is set, and the
 *   browser lands on the sign-in page, with no CSP violation;
 * - axe-core finds no violation on the reset page with its passkey button, nor on the page a link
 *   of a passkey-only account opens, light and dark, and neither scrolls sideways at 320 px.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { BrowserContext, Page } from 'playwright-core';
import { freePort, startTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/fixtures.ts';
import { Browser } from '../support/browser.ts';
import { cspViolations } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';
import { linkValue, newLinkId } from '../../src/crypto/account_links.ts';
import { accountLinkKey } from '../../src/crypto/derived_keys.ts';
import { verifyPassword } from '../../src/crypto/passwords.ts';
import type { User } from '../../src/domain/users.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const NEW_PASSWORD = 'a lantern on the quay at low tide';
const chromium = chromiumPerFile();

describe('password reset with a passkey in Chromium (sqlite)', () => {
  let t: TestApp;
  let issuer: string;
  let erin: User;
  const contexts: BrowserContext[] = [];

  before(async () => {
    const port = await freePort();
    t = await startTestApp({ dialect: 'sqlite', env: { PORT: String(port), PUBLIC_URL: `http://localhost:${port}`, THROTTLE_LOGIN_PER_IP: '1000/300' } });
    await t.app.listen({ port, host: '127.0.0.1' });
    issuer = t.issuer;
    erin = await createUser(t.deps, 'erin@example.com', 'Erin');
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await t?.close();
  });

  /**
   * The link the latest reset request mailed to `user` (read from the outbox, as the sender would
   * make it). The outbox orders by second, so two mails of one second come in either order: the
   * mail taken is the one no earlier call took.
   */
  const taken = new Set<string>();
  async function mailedLink(user: User): Promise<string> {
    const mail = (await t.deps.stores.outbox.list({ limit: 50 })).find((m) => m.to === user.email && m.kind === 'reset_password' && !taken.has(m.id));
    assert.ok(mail && mail.kind === 'reset_password');
    taken.add(mail.id);
    return `${issuer}/reset-password?link=${linkValue(accountLinkKey(t.deps.formKey), 'reset_password', mail.data.linkId)}`;
  }

  async function audit(page: Page, name: string): Promise<string[]> {
    await page.addScriptTag({ content: AXE_SOURCE });
    // tsx (esbuild keepNames) wraps named functions in __name(), which the page must then know.
    await page.evaluate('globalThis.__name = (f) => f');
    const results = await page.evaluate(
      () => (globalThis as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] }, resultTypes: ['violations'] }),
    );
    const failures = results.violations.map((v) => `${name}: axe ${v.id} [${v.impact}] ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    const { scrollWidth, width } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, width: window.innerWidth }));
    if (scrollWidth > width) failures.push(`${name}: scrolls sideways (${scrollWidth}px in ${width}px)`);
    return failures;
  }

  it('the passkey registered on the profile confirms the reset from the page’s button', async () => {
    const context = await chromium().newContext({ viewport: { width: 1000, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    const violations = cspViolations(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });

    // Signed in with the password (over HTTP, then the cookie in Chromium), Erin adds a passkey.
    const http = new Browser(t);
    assert.equal((await http.signIn(erin.email)).statusCode, 303);
    const session = http.sessionCookie()!;
    await context.addCookies([{ name: session.name, value: session.value, url: issuer }]);
    await page.goto(`${issuer}/profile/passkeys`);
    await page.getByLabel('Name for the new passkey').fill('Laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey was added.').waitFor({ timeout: 10_000 });
    await context.clearCookies();

    // "Forgot your password?", then the mailed link.
    await page.goto(`${issuer}/forgot-password`);
    await page.getByLabel('Email').fill(erin.email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByText('Check your email').first().waitFor();
    await page.goto(await mailedLink(erin));
    const button = page.getByRole('button', { name: 'Confirm with your passkey' });
    await button.waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole('button', { name: 'Set the new password' }).count(), 0, 'no form submit: the account confirms with its passkey');

    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await Promise.all([page.waitForURL(`${issuer}/login?reset=1`, { timeout: 10_000 }), button.click()]);
    const after = (await t.deps.stores.users.findById(erin.id))!;
    assert.ok(await verifyPassword(after.passwordHash, NEW_PASSWORD), 'the new password is set');
    const [event] = await t.deps.stores.audit.listForUser(erin.id, ['user.password_reset'], 1);
    assert.equal(event?.detail.second_factor, 'passkey');
    assert.deepEqual(violations, [], 'the script ran under the page’s own CSP');
  });

  it('axe-core finds no violation on the reset page with its passkey button, nor on a passkey-only account’s link, light and dark, at 320 px', async () => {
    // A new link for Erin, who still has her passkey.
    const http = new Browser(t);
    await http.submit(await http.get('/forgot-password'), /^\/forgot-password$/, { email: erin.email });
    const erinLink = await mailedLink(erin);

    // A link naming an account that signs in with a passkey alone (none is mailed) opens a page that says why.
    const pat = (await t.deps.stores.users.create({ email: 'pat@example.com', name: 'Pat', passwordHash: null }, t.clock.now()))!;
    await t.deps.stores.passkeys.add(
      { id: `${pat.id}-key`, userId: pat.id, userHandle: 'h', publicKey: 'k', counter: 0, transports: [], backupEligible: false, backedUp: false, name: 'Phone', aaguid: null, createdAt: t.clock.now(), lastUsedAt: null },
      { type: 'user.passkey_added', userId: pat.id, detail: { name: 'Phone' } },
    );
    const id = newLinkId();
    const now = t.clock.now();
    await t.deps.stores.accountLinks.create({ id, userId: pat.id, purpose: 'reset_password', email: pat.email, stamp: null, createdAt: now, expiresAt: now + 1800 }, { kind: 'reset_unknown', to: 'ignored@example.com', userId: null, data: {} });
    const patLink = `${issuer}/reset-password?link=${linkValue(accountLinkKey(t.deps.formKey), 'reset_password', id)}`;

    const failures: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      // bypassCSP only so that axe-core can be injected; the page's own script runs as it would.
      const context = await chromium().newContext({ bypassCSP: true, colorScheme, viewport: { width: 320, height: 640 } });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(erinLink);
      await page.getByRole('button', { name: 'Confirm with your passkey' }).waitFor({ timeout: 10_000 });
      failures.push(...(await audit(page, `${colorScheme} reset page with a passkey`)));
      await page.goto(patLink);
      await page.getByRole('heading', { name: 'This account signs in with a passkey' }).waitFor();
      failures.push(...(await audit(page, `${colorScheme} a passkey-only account’s link`)));
      await context.close();
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });
});
