/**
 * Issue 21, the operator console in Chromium (sqlite):
 *
 * - an operator opens /admin/services signed out, signs in with the password and a TOTP code on
 *   Tessera's own pages, lands back on Services, finds a service, suspends it with a reason and
 *   sees it marked "Suspended by the platform" (and its refresh token refused);
 * - on the Audit log, the operator filters by event type with the form, sees the events in the
 *   table, and the "Export JSON lines" link downloads them as a file;
 * - axe-core finds no violation, and nothing scrolls sideways at 320 px, on each /admin page
 *   (Overview, Services, a service suspended and not, People, a person, Organizations, an organization,
 *   Keys, the Audit log, "Confirm it is you", "Add a second factor first"), light and dark.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { BrowserContext, Page } from 'playwright-core';
import { freePort, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { Browser } from '../support/browser.ts';
import { cspViolations } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';
import { obtainTokens, refresh } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';
import { createOperator, nextCode, signedInOperator, type Operator } from '../interaction/admin_support.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const chromium = chromiumPerFile();
const REASON = 'Phishing: asks people for their password on its own site';

describe('the operator console in Chromium (sqlite)', () => {
  let t: TestApp;
  let issuer: string;
  let olga: Operator;
  let client: TestClient;
  let other: TestClient;
  let alice: User;
  const contexts: BrowserContext[] = [];

  before(async () => {
    const port = await freePort();
    t = await startTestApp({ dialect: 'sqlite', env: { PORT: String(port), PUBLIC_URL: `http://localhost:${port}`, THROTTLE_LOGIN_PER_IP: '1000/300' } });
    await t.app.listen({ port, host: '127.0.0.1' });
    issuer = t.issuer;
    olga = await createOperator(t, 'olga@example.com');
    client = await createClient(t.deps, { name: 'Quick Invoices', redirectUris: ['https://invoices.example/cb'] });
    other = await createClient(t.deps, { name: 'A service with a rather long name that has to wrap on a phone', redirectUris: ['https://long.example/a/very/long/callback/path/that/wraps'] });
    alice = await createUser(t.deps, 'alice.with.a.long.address@example.com', 'Alice', { verified: true });
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await t?.close();
  });

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

  it('an operator signs in with the password and TOTP, opens Services, suspends a service with a reason and sees it marked', async () => {
    const tokens = await obtainTokens(t, { client, user: alice, scopes: ['openid', 'offline_access'] });
    const context = await chromium().newContext({ viewport: { width: 1000, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    const violations = cspViolations(page);

    await page.goto(`${issuer}/admin/services`);
    await page.getByLabel('Email').fill(olga.user.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${issuer}/login/code`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await page.getByLabel('Code').fill(nextCode(t, olga.secret!));
    await Promise.all([page.waitForURL(`${issuer}/admin/services`), page.getByRole('button', { name: 'Verify' }).click()]);
    await page.getByRole('heading', { name: 'Services' }).waitFor();

    await page.getByLabel('Name, publisher or client id').fill('quick inv');
    await page.getByRole('button', { name: 'Search' }).click();
    await Promise.all([page.waitForURL(`${issuer}/admin/services/${client.clientId}`), page.getByRole('link', { name: 'Quick Invoices' }).click()]);
    await page.getByLabel('Reason (shown to its owners)').fill(REASON);
    await Promise.all([page.waitForURL(`${issuer}/admin/services/${client.clientId}?done=suspended`), page.getByRole('button', { name: 'Suspend' }).click()]);
    await page.getByRole('heading', { name: /Suspended by the platform/ }).waitFor();
    await page.getByText(REASON).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Unsuspend' }).count(), 1);

    const refused = await refresh(t, client, tokens.refresh_token);
    assert.equal(refused.json().error, 'invalid_grant');
    const [event] = await t.deps.stores.audit.listForUser(olga.user.id, ['user.signed_in'], 1);
    assert.deepEqual(event?.detail.amr, ['pwd', 'otp']);
    assert.deepEqual(violations, [], 'no CSP violation');
  });

  it('the Audit log: filtered with its form, its events in the table, exported as a JSON lines file', async () => {
    const http = await signedInOperator(t, olga);
    const context = await chromium().newContext({ viewport: { width: 1000, height: 800 }, acceptDownloads: true });
    contexts.push(context);
    const session = http.sessionCookie()!;
    await context.addCookies([{ name: session.name, value: session.value, url: issuer }]);
    const page = await context.newPage();
    const violations = cspViolations(page);
    await page.goto(`${issuer}/admin`);
    await Promise.all([page.waitForURL(`${issuer}/admin/audit`), page.getByRole('link', { name: 'Audit log' }).click()]);
    await page.getByLabel('Event type').fill('user.signed_in');
    await page.getByLabel('Person').fill(olga.user.email);
    await Promise.all([page.waitForURL(/\/admin\/audit\?/), page.getByRole('button', { name: 'Search' }).click()]);
    const rows = page.locator('table.audit-events tbody tr');
    assert.ok((await rows.count()) >= 2, 'her sign-ins');
    assert.equal(await rows.filter({ hasNotText: 'user.signed_in' }).count(), 0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export JSON lines' }).click()]);
    assert.match(download.suggestedFilename(), /^tessera-audit-\d{4}-\d{2}-\d{2}\.jsonl$/);
    const lines = readFileSync((await download.path())!, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; user_email: string });
    assert.equal(lines.length, await rows.count());
    assert.ok(lines.every((l) => l.type === 'user.signed_in' && l.user_email === olga.user.email));
    assert.deepEqual(violations, [], 'no CSP violation');
  });

  it('axe-core finds no violation and nothing scrolls sideways at 320 px on each /admin page, light and dark', async () => {
    // The operator's session (password and TOTP, over HTTP), and two operators the guard stops.
    const http = await signedInOperator(t, olga);
    const paul = await createOperator(t, 'paul@example.com', { totp: false });
    const paulHttp = new Browser(t);
    assert.equal((await paulHttp.signIn(paul.user.email)).statusCode, 303);
    // Tina signed in with her password alone, before she turned TOTP on: she is asked to confirm.
    const tina = await createOperator(t, 'tina@example.com', { totp: false });
    const tinaHttp = new Browser(t);
    assert.equal((await tinaHttp.signIn(tina.user.email)).statusCode, 303);
    assert.ok(await t.deps.accounts.startTotp(tina.user));
    const secret = (await t.deps.accounts.totpSetupSecret(tina.user))!;
    assert.equal(typeof (await t.deps.accounts.confirmTotp(tina.user, nextCode(t, secret), { ip: '203.0.113.9', userAgent: null })), 'object');
    await new Browser(t).signIn(alice.email);
    await obtainTokens(t, { client: other, user: alice, scopes: ['openid', 'offline_access'] });
    const org = (await t.deps.stores.organizations.create({ slug: 'a-rather-long-organization-slug', name: 'An organization with a rather long name', ownerUserId: alice.id }, t.clock.now()))!;
    await t.deps.stores.organizations.setAppRule(org.id, client.clientId, 'blocked', t.clock.now());

    const pages: [Browser, string, string][] = [
      [http, '/admin', 'Overview'],
      [http, '/admin/services', 'Services'],
      [http, `/admin/services/${client.clientId}`, 'a suspended service'],
      [http, `/admin/services/${other.clientId}`, 'a service'],
      [http, '/admin/people', 'People'],
      [http, `/admin/people/${alice.id}`, 'a person'],
      [http, '/admin/orgs', 'Organizations'],
      [http, `/admin/orgs/${org.slug}`, 'an organization'],
      [http, '/admin/keys', 'Keys'],
      [http, '/admin/audit', 'Audit log'],
      [http, `/admin/audit?${new URLSearchParams({ service: client.clientId, type: 'app.' })}`, 'Audit log of a service'],
      [tinaHttp, '/admin/services', 'Confirm it is you'],
      [paulHttp, '/admin/people', 'Add a second factor first'],
    ];
    const failures: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [who, path, name] of pages) {
        // bypassCSP only so that axe-core can be injected.
        const context = await chromium().newContext({ bypassCSP: true, colorScheme, viewport: { width: 320, height: 640 } });
        contexts.push(context);
        const session = who.sessionCookie()!;
        await context.addCookies([{ name: session.name, value: session.value, url: issuer }]);
        const page = await context.newPage();
        const res = await page.goto(`${issuer}${path}`);
        assert.equal(page.url(), `${issuer}${path}`, `${name}: not redirected`);
        assert.ok(res && (res.status() === 200 || res.status() === 403), `${name}: ${res?.status()}`);
        failures.push(...(await audit(page, `${colorScheme} ${name}`)));
        await context.close();
      }
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });
});
