/**
 * Email-first sign-in and step-up before a risky approval (issue 16) in real Chromium, at 320 px,
 * with the keyboard alone, against Tessera listening at http://localhost:PORT (so the pages offer
 * passkeys). SQLite only: the same flows run on both dialects over HTTP in
 * test/interaction/email_first.test.ts and test/interaction/step_up.test.ts.
 *
 * - keyboard only: the email, Enter, the password step, Enter, the approval, Approve;
 * - without script: the email step posts the address and the server answers the password step;
 * - step-up: a 15-minute-old sign-in asked for `workitems:write` gets "Confirm it is you", signs in
 *   again (the email already there), and comes back to the same approval;
 * - a passkey-only person confirming who they are gets the passkey step, and its passkey signs in;
 * - axe-core finds no violation on the email step, the password step, the passkey step and the
 *   approval asking to confirm; nothing scrolls sideways at 320 px; the pages' CSP holds.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { BrowserContext, Page } from 'playwright-core';
import { freePort, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { authorizeUrl, codeRequest } from '../support/browser.ts';
import { cspViolations, startCallbackServer } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const chromium = chromiumPerFile();
const PHONE = { width: 320, height: 640 };

describe('email-first sign-in and step-up in Chromium (sqlite)', () => {
  let t: TestApp;
  let issuer: string;
  let client: TestClient;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;
  const contexts: BrowserContext[] = [];
  const failures: string[] = [];

  before(async () => {
    const port = await freePort();
    t = await startTestApp({ dialect: 'sqlite', env: { PORT: String(port), PUBLIC_URL: `http://localhost:${port}`, THROTTLE_LOGIN_PER_IP: '1000/300' } });
    await t.app.listen({ port, host: '127.0.0.1' });
    issuer = t.issuer;
    callback = await startCallbackServer();
    client = await createClient(t.deps, { name: 'Work Tracker', redirectUris: [callback.url] });
    // Verified: its write scope goes straight to the approval page (an unverified one's warning comes first, issue 20).
    await t.deps.stores.apps.setVerified(client.clientId, true);
    await createUser(t.deps, 'kay@example.com', 'Kay');
    await createUser(t.deps, 'ned@example.com', 'Ned');
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await callback?.close();
    await t?.close();
  });

  async function open(options: { javaScriptEnabled?: boolean; bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; violations: string[] }> {
    const context = await chromium().newContext({ viewport: PHONE, ...options });
    contexts.push(context);
    const page = await context.newPage();
    return { context, page, violations: cspViolations(page) };
  }

  /** axe-core (WCAG 2.0 A/AA, 2.1 AA) and the 320 px layout of what is on screen; failures are collected. */
  async function audit(page: Page, name: string): Promise<void> {
    await page.addScriptTag({ content: AXE_SOURCE });
    await page.evaluate('globalThis.__name = (f) => f');
    const results = await page.evaluate(() =>
      (globalThis as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] }, resultTypes: ['violations'] }),
    );
    for (const v of results.violations) failures.push(`${name}: axe ${v.id} [${v.impact}] ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    const layout = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, width: window.innerWidth, h1s: document.querySelectorAll('h1').length }));
    if (layout.scrollWidth > layout.width) failures.push(`${name}: scrolls sideways (${layout.scrollWidth}px in ${layout.width}px)`);
    if (layout.h1s !== 1) failures.push(`${name}: ${layout.h1s} <h1>`);
  }

  /** Presses Tab until the focused element is the one `matches` accepts; how many presses, or fails. */
  async function tabTo(page: Page, what: string, matches: () => boolean): Promise<void> {
    for (let presses = 0; presses < 15; presses++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(matches)) return;
    }
    assert.fail(`Tab never reached ${what}`);
  }

  it('with the keyboard alone: the email, the password step, the approval (fresh: no confirmation)', async () => {
    const { page, violations } = await open();
    const { params } = codeRequest(client.clientId, callback.url, { scope: 'openid workitems:write' });
    await page.goto(issuer + authorizeUrl(params));
    await tabTo(page, 'the email field', () => document.activeElement?.getAttribute('name') === 'email');
    await page.keyboard.type('kay@example.com');
    await page.keyboard.press('Enter');
    await page.getByLabel('Password').waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), 'kay@example.com', 'the address is kept');
    await tabTo(page, 'the password field', () => document.activeElement?.getAttribute('name') === 'password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 10_000 });
    await tabTo(page, 'Approve', () => document.activeElement?.textContent?.trim() === 'Approve');
    await Promise.all([page.waitForURL((url) => url.href.startsWith(callback.url)), page.keyboard.press('Enter')]);
    assert.ok(new URL(page.url()).searchParams.get('code'));
    assert.deepEqual(violations, []);
  });

  it('without script: the email step posts the address and the password step signs in', async () => {
    const { page } = await open({ javaScriptEnabled: false });
    await page.goto(`${issuer}/login`);
    assert.equal(await page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible(), false, 'no passkey button without script');
    await page.getByLabel('Email').fill('ned@example.com');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${issuer}/`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  });

  it('step-up: a 15-minute-old sign-in confirms first, by keyboard, and comes back to the same approval', async () => {
    const { page, violations } = await open();
    await page.goto(`${issuer}/login`);
    await page.getByLabel('Email').fill('ned@example.com');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${issuer}/`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    t.clock.advance(15 * 60);

    const { params } = codeRequest(client.clientId, callback.url, { scope: 'openid workitems:write' });
    await page.goto(issuer + authorizeUrl(params));
    const confirm = page.getByRole('link', { name: 'Confirm it is you' });
    await confirm.waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'no Approve before confirming');
    const decision = await page.locator('form.approval').getAttribute('action');
    await tabTo(page, 'Confirm it is you', () => document.activeElement?.textContent?.trim() === 'Confirm it is you');
    await page.keyboard.press('Enter');
    await page.getByLabel('Password').waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), 'ned@example.com', 'the person’s own address');
    await page.getByLabel('Password').focus();
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('form.approval').getAttribute('action'), decision, 'the same approval');
    await Promise.all([page.waitForURL((url) => url.href.startsWith(callback.url)), page.getByRole('button', { name: 'Approve' }).click()]);
    assert.ok(new URL(page.url()).searchParams.get('code'));
    assert.deepEqual(violations, []);
  });

  it('a passkey-only person confirming who they are gets the passkey step, and the passkey signs in', async () => {
    // bypassCSP only so that axe-core can be injected into the passkey step.
    const { context, page } = await open({ bypassCSP: true });
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    assert.ok(authenticatorId);
    // The button, not the email field's autofill, runs the ceremonies here.
    await context.addInitScript(() => {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    await page.goto(`${issuer}/signup`);
    await page.getByLabel('Name').fill('Pat');
    await page.getByLabel('Email').fill('pat@example.com');
    await Promise.all([page.waitForURL(`${issuer}/login?created=1`), page.getByRole('button', { name: 'Create an account with a passkey' }).click()]);
    await Promise.all([page.waitForURL(`${issuer}/`), page.getByRole('button', { name: 'Sign in with a passkey' }).click()]);

    await page.goto(`${issuer}/login?reauth=1&return_to=/profile`);
    await page.getByText('Use your passkey to continue.').waitFor();
    assert.equal(await page.getByLabel('Password').count(), 0, 'no password to ask for');
    assert.ok(await page.getByRole('link', { name: 'Use another way' }).isVisible());
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    await audit(page, 'passkey step');
    await Promise.all([page.waitForURL(`${issuer}/profile`), page.getByRole('button', { name: 'Sign in with a passkey' }).click()]);
  });

  it('axe-core finds nothing on the changed pages, at 320 px, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      // bypassCSP only so that axe-core can be injected; the pages' own script runs as it would.
      const context = await chromium().newContext({ bypassCSP: true, colorScheme, viewport: PHONE });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${issuer}/login`);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
      await audit(page, `${colorScheme} email step`);
      await page.getByLabel('Email').fill('kay@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').waitFor();
      await audit(page, `${colorScheme} password step`);
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${issuer}/`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);

      t.clock.advance(11 * 60);
      await page.goto(issuer + authorizeUrl(codeRequest(client.clientId, callback.url, { scope: 'openid workitems:write', prompt: 'consent' }).params));
      await page.getByRole('link', { name: 'Confirm it is you' }).waitFor({ timeout: 10_000 });
      await audit(page, `${colorScheme} approval asking to confirm`);
    }
    // The passkey step was audited above, for Pat (a passkey-only account).
    assert.deepEqual(failures, [], `\n  ${failures.join('\n  ')}`);
  });
});
