/**
 * An automated accessibility audit of the pages people use (issue 4, "How the pages are made"):
 * keyboard and screen-reader usable (labels, focus order, landmarks) with WCAG AA contrast, in
 * light and dark mode, from 320 px phones to desktop. Real Chromium renders each page as a person
 * would reach it — signed in, with a pending authorization, a grant, organizations (one excluded by
 * policy) and an app in the developer portal — and axe-core checks it against WCAG 2.0 A/AA and
 * 2.1 AA. Chromium's own accessibility tree (over CDP) checks that every form control has a name.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { launchChromium, startCallbackServer } from '../support/chromium.ts';
import { authorizeUrl, codeRequest } from '../support/browser.ts';
import { setThirdPartyMode } from '../../src/services/org_admin.ts';
import type { App } from '../../src/domain/apps.ts';
import { approvalRequestUrl } from '../../src/interaction/orgs/paths.ts';
import { randomClientId } from '../../src/crypto/random.ts';
import { linkValue } from '../../src/crypto/account_links.ts';
import { accountLinkKey } from '../../src/crypto/derived_keys.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa'];
const SCHEMES = ['light', 'dark'] as const;
const VIEWPORTS = [
  { width: 320, height: 640 },
  { width: 1280, height: 900 },
] as const;
/** Roles of the controls a person fills in or presses; each needs an accessible name (WCAG 4.1.2). */
const CONTROL_ROLES = new Set(['textbox', 'searchbox', 'checkbox', 'radio', 'combobox', 'listbox', 'spinbutton', 'slider', 'switch', 'button']);
/** Tab presses allowed before Approve has focus: the header, the service, scopes, organizations, lifetime. */
const MAX_TABS_TO_APPROVE = 30;

/**
 * In the page: for every visible text field, the contrast of its border and of its fill against the
 * background it sits on (the first opaque background among its ancestors).
 */
function fieldContrasts(): { what: string; border: number; fill: number }[] {
  const rgb = (color: string): [number, number, number, number] => {
    const [r = 0, g = 0, b = 0, a = 1] = (color.match(/[\d.]+/g) ?? []).map(Number);
    return [r, g, b, color.startsWith('rgba') ? a : 1];
  };
  const luminance = ([r, g, b]: number[]) => {
    const [R, G, B] = [r!, g!, b!].map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
    return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!;
  };
  const ratio = (x: number[], y: number[]) => {
    const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (a! + 0.05) / (b! + 0.05);
  };
  const behind = (el: Element): number[] => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color[3] === 1) return color;
    }
    return [255, 255, 255, 1]; // the canvas of a page that paints none (Tessera's body always paints one)
  };
  const fields = document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]):not([type=submit]), select, textarea');
  return [...fields]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => {
      const style = getComputedStyle(el);
      const around = behind(el);
      const border = rgb(style.borderTopColor);
      const fill = rgb(style.backgroundColor);
      return {
        what: `${el.tagName.toLowerCase()}[name=${el.getAttribute('name') ?? ''}]`,
        border: parseFloat(style.borderTopWidth) > 0 && border[3] === 1 ? ratio(border, around) : 1,
        fill: fill[3] === 1 ? ratio(fill, around) : 1,
      };
    });
}

interface Audit {
  status: number;
  failures: string[];
}

for (const dialect of dialects()) {
  describe(`accessibility audit in Chromium (${dialect})`, () => {
    let t: TestApp;
    let browser: Browser;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let service: TestClient;
    let grantId: string;
    let portalAppId: string;
    /** Dana's address is not confirmed: the page a mailed link opens (issue 15). */
    let verifyUrl: string;
    /** Bob asked for a password reset: the page its link opens (issue 15). */
    let resetUrl: string;
    const contexts: BrowserContext[] = [];

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      callback = await startCallbackServer();
      const now = t.clock.now();
      const dana = await createUser(t.deps, 'dana@example.com', 'Dana Scully');
      const bob = await createUser(t.deps, 'bob@example.com', 'Bob');
      assert.equal((await t.deps.accounts.resendVerification(dana)).kind, 'sent');
      const link = (await t.deps.stores.accountLinks.latest(dana.id, 'verify_email'))!;
      verifyUrl = `${t.issuer}/verify-email?${new URLSearchParams({ link: linkValue(accountLinkKey(t.deps.formKey), 'verify_email', link.id) })}`;
      assert.equal((await t.deps.accounts.requestPasswordReset('bob@example.com', { ip: '203.0.113.9', userAgent: null })).kind, 'accepted');
      const reset = (await t.deps.stores.accountLinks.latest(bob.id, 'reset_password'))!;
      resetUrl = `${t.issuer}/reset-password?${new URLSearchParams({ link: linkValue(accountLinkKey(t.deps.formKey), 'reset_password', reset.id) })}`;
      const orgs = t.deps.stores.organizations;
      const acme = (await orgs.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: dana.id }, now))!;
      // Platform Team requires a second factor Dana lacks: /profile and Manage applications say so (issue 16).
      const platform = (await orgs.create({ slug: 'platform-team', name: 'Platform Team', ownerUserId: dana.id }, now))!;
      await orgs.setRequireSecondFactor(platform.id, true, now);
      // Finance lets in only services its owners approved: the approval page lists it as excluded.
      const finance = (await orgs.create({ slug: 'finance', name: 'Finance', ownerUserId: dana.id }, now))!;
      await setThirdPartyMode({ stores: t.deps.stores, announce: { feed: t.deps.feed }, now, via: 'test' }, finance, 'approved');
      await orgs.setMember(acme.id, bob.id, 'member', now);

      service = await createClient(t.deps, { name: 'Sprint Planner', redirectUris: [callback.url] });
      await t.deps.stores.apps.update({ ...service.app, publisher: 'Planwise Ltd', websiteUrl: 'https://planwise.example' }, now);
      // Verified: its write scope goes straight to the approval page (an unverified one's warning comes first, issue 20;
      // that page is audited by e2e/unverified_warning_browser).
      await t.deps.stores.apps.setVerified(service.clientId, true);
      const other = await createClient(t.deps, { name: 'Build Radar', redirectUris: [callback.url] });
      grantId = (await t.deps.stores.grants.approve(dana.id, other.clientId, ['openid', 'orgs:read', 'workitems:read'], now)).id;
      // Acme's settings then show every table: members, a pending approval request, a service acting there.
      await t.deps.stores.approvalRequests.create(acme.id, other.clientId, bob.id, now);

      // An app Dana registered herself, for the developer portal's pages.
      const own: App = {
        ...service.app,
        id: randomClientId(),
        name: 'Dana Tools',
        publisher: 'Dana Scully',
        ownerUserId: dana.id,
        createdAt: now,
      };
      await t.deps.stores.apps.create(own, undefined, now);
      portalAppId = own.id;
      browser = await launchChromium();
    });
    after(async () => {
      for (const c of contexts) await c.close();
      await browser?.close();
      await callback?.close();
      await t.close();
    });

    /** Loads `url`, then audits what is on screen. Every problem is collected, none thrown, so one run lists them all. */
    async function audit(page: Page, name: string, url: string | undefined): Promise<Audit> {
      let status = 200;
      if (url !== undefined) status = (await page.goto(url))?.status() ?? 0;
      const failures: string[] = [];
      const fail = (what: string) => failures.push(`${name} (${page.url().replace(t.issuer, '')}): ${what}`);

      await page.addScriptTag({ content: AXE_SOURCE });
      // tsx (esbuild keepNames) wraps named functions in __name(), which the page must then know.
      await page.evaluate('globalThis.__name = (f) => f');
      const results = await page.evaluate(
        (tags) => (globalThis as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
        WCAG_TAGS,
      );
      for (const v of results.violations) {
        if (v.impact !== 'serious' && v.impact !== 'critical') continue;
        const nodes = v.nodes.map((n) => `      at ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`);
        fail(`axe ${v.id} [${v.impact}] ${v.help}\n${nodes.join('\n')}`);
      }

      const layout = await page.evaluate(() => ({
        scrollWidth: document.scrollingElement!.scrollWidth,
        innerWidth,
        mains: document.querySelectorAll('main, [role=main]').length,
        h1s: document.querySelectorAll('h1').length,
        // Focus order follows the page's order: nothing jumps the queue with a positive tabindex (WCAG 2.4.3).
        jumps: [...document.querySelectorAll('[tabindex]')].filter((el) => (el as HTMLElement).tabIndex > 0).map((el) => el.outerHTML.slice(0, 80)),
        // A reference to an id that is not on the page names or describes nothing (WCAG 1.3.1, 4.1.2).
        dangling: [...document.querySelectorAll('[aria-describedby], [aria-labelledby], [aria-controls], label[for]')].flatMap((el) =>
          ['aria-describedby', 'aria-labelledby', 'aria-controls', 'for']
            .flatMap((attr) => (el.getAttribute(attr) ?? '').split(/\s+/).filter(Boolean))
            .filter((id) => !document.getElementById(id))
            .map((id) => `${el.tagName.toLowerCase()}[name=${el.getAttribute('name') ?? ''}] -> #${id}`),
        ),
      }));
      if (layout.scrollWidth > layout.innerWidth) fail(`scrolls sideways: ${layout.scrollWidth}px of content in a ${layout.innerWidth}px viewport`);
      if (layout.mains !== 1) fail(`${layout.mains} <main> landmarks, not 1`);
      if (layout.h1s !== 1) fail(`${layout.h1s} <h1> headings, not 1`);
      for (const jump of layout.jumps) fail(`a positive tabindex changes the focus order: ${jump}`);
      for (const ref of layout.dangling) fail(`refers to a missing element: ${ref}`);

      // WCAG 1.4.11 (which axe does not check): a text field is found by its edge, so its border or its
      // fill must stand out 3:1 from what is around it.
      for (const field of await page.evaluate(fieldContrasts)) {
        if (field.border < 3 && field.fill < 3) fail(`the edge of ${field.what} contrasts ${Math.max(field.border, field.fill).toFixed(2)}:1 with its surroundings, under 3:1`);
      }

      // The names a screen reader announces, as Chromium computes them.
      const cdp = await page.context().newCDPSession(page);
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      await cdp.detach();
      for (const node of nodes) {
        const role = String(node.role?.value ?? '');
        if (node.ignored || !CONTROL_ROLES.has(role)) continue;
        if (String(node.name?.value ?? '').trim() === '') fail(`a ${role} has no accessible name`);
      }
      return { status, failures };
    }

    async function signIn(page: Page): Promise<void> {
      await page.goto(`${t.issuer}/login`);
      await page.getByLabel('Email').fill('dana@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${t.issuer}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
    }

    /** Presses Tab from the top of the page until Approve has focus; how many presses that took, or undefined. */
    async function tabsToApprove(page: Page): Promise<number | undefined> {
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      for (let presses = 1; presses <= MAX_TABS_TO_APPROVE; presses++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const el = document.activeElement;
          return el instanceof HTMLButtonElement ? el.textContent?.trim() : undefined;
        });
        if (focused === 'Approve') {
          // WCAG 2.4.7: the keyboard's focus shows.
          assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle), 'none', 'focused Approve shows a focus ring');
          return presses;
        }
      }
      return undefined;
    }

    it('the audit itself catches what it looks for', async () => {
      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 320, height: 640 } });
      contexts.push(context);
      const page = await context.newPage();
      await page.setContent(
        '<!doctype html><html lang="en"><title>Broken</title><body><main><h1>One</h1><h1>Two</h1>' +
          '<p style="color:#aaa;background:#fff">Pale text</p><input type="text"><input aria-label="Pale" aria-describedby="nowhere" tabindex="2" style="border:1px solid #eee;background:#fff"><div style="width:600px">Wide</div></main></body></html>',
      );
      const { failures } = await audit(page, 'broken page', undefined);
      const found = failures.join('\n');
      assert.match(found, /axe color-contrast \[serious\]/);
      assert.match(found, /axe label \[critical\]/);
      assert.match(found, /scrolls sideways: \d+px of content in a 320px viewport/);
      assert.match(found, /2 <h1> headings, not 1/);
      assert.match(found, /a textbox has no accessible name/);
      assert.match(found, /refers to a missing element: input\[name=\] -> #nowhere/);
      assert.match(found, /a positive tabindex changes the focus order/);
      assert.match(found, /the edge of input\[name=\] contrasts 1\.\d+:1 with its surroundings/);
    });

    for (const scheme of SCHEMES) {
      for (const viewport of VIEWPORTS) {
        it(`every page passes in ${scheme} mode at ${viewport.width}px`, async () => {
          // bypassCSP only so axe-core's script can be injected: the pages' CSP (rightly) allows no script.
          const context = await browser.newContext({ bypassCSP: true, colorScheme: scheme, viewport });
          contexts.push(context);
          const page = await context.newPage();
          const failures: string[] = [];
          const check = async (name: string, url: string | undefined, status = 200) => {
            const result = await audit(page, name, url);
            if (url !== undefined) assert.equal(result.status, status, `${name} answers ${status}`);
            failures.push(...result.failures);
          };

          await check('sign-in page', `${t.issuer}/login`);
          await page.getByLabel('Email').fill('dana@example.com');
          await page.getByRole('button', { name: 'Continue' }).click();
          await page.getByLabel('Password').waitFor();
          await check('sign-in: the password step (email first, issue 16)', undefined);
          await page.getByLabel('Password').fill('not the password');
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.getByRole('alert').waitFor();
          await check('sign-in page after a mistake', undefined);
          await check('create-account page', `${t.issuer}/signup`);
          await page.getByLabel('Name').fill('Pat Example');
          await page.getByLabel('Email').fill(`pat-${scheme}-${viewport.width}@example.com`);
          await page.getByLabel('Password').fill('amber gulls over the quay');
          await page.getByRole('button', { name: 'Create account' }).click();
          await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
          await check('check your inbox, after sign-up (issue 20)', undefined);
          await check('forgot password', `${t.issuer}/forgot-password`);
          await check('choose a new password (a mailed link)', resetUrl);
          await check('a reset link that is not valid', `${t.issuer}/reset-password?link=x`, 400);
          await signIn(page);

          // The approval page of a pending authorization: several scopes, three organizations, Finance excluded.
          const { params } = codeRequest(service.clientId, callback.url, { scope: 'openid profile offline_access orgs:read workitems:read workitems:write', prompt: 'consent' });
          await page.goto(t.issuer + authorizeUrl(params));
          await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 10_000 });
          assert.match((await page.locator('ul.excluded').textContent()) ?? '', /Finance/, 'Finance is listed as excluded');
          assert.ok((await page.locator('input[type=checkbox]').count()) >= 2, 'the person may choose among several organizations');
          await check('approval page', undefined);
          const presses = await tabsToApprove(page);
          assert.ok(presses !== undefined, `Tab reaches Approve within ${MAX_TABS_TO_APPROVE} presses`);

          await check('profile', `${t.issuer}/profile`);
          await check('manage applications', `${t.issuer}/profile/applications`);
          await check('one grant', `${t.issuer}/profile/applications/${grantId}`);
          await check('revoke confirmation', `${t.issuer}/profile/applications/${grantId}/revoke`);
          await check('organizations', `${t.issuer}/orgs`);
          await check('organization settings', `${t.issuer}/orgs/acme/settings`);
          await check('portal app list', `${t.issuer}/developers/apps`);
          await check('portal app page', `${t.issuer}/developers/apps/${portalAppId}`);
          // Beyond the list in the issue: the other pages a signed-in person reaches from these.
          await check('home', `${t.issuer}/`);
          await check('revoke-all confirmation', `${t.issuer}/profile/applications/revoke-all`);
          await check('organization overview', `${t.issuer}/orgs/acme`);
          await check('approval request (excluded organization)', t.issuer + approvalRequestUrl('finance', service.clientId));
          await check('portal: register an app', `${t.issuer}/developers/apps/new`);
          await check('portal: edit an app', `${t.issuer}/developers/apps/${portalAppId}/edit`);
          // The form as the server answers a submission with mistakes (the browser's own checks set aside).
          await page.goto(`${t.issuer}/developers/apps/new`);
          await page.evaluate(() => document.querySelectorAll('[required]').forEach((el) => el.removeAttribute('required')));
          await page.getByLabel('Callback URLs').fill('http://not-https.example/cb');
          await page.getByRole('button', { name: 'Register' }).click();
          await page.locator('#redirect_uris-errors').waitFor();
          await check('portal: register an app, with mistakes', undefined);
          await check('one grant, after a change', `${t.issuer}/profile/applications/${grantId}?done=changed`);
          await check('error page', `${t.issuer}/authorize?client_id=unknown-client&response_type=code`, 400);
          await check('confirm an address (a mailed link)', verifyUrl);
          await check('a mailed link that is not valid', `${t.issuer}/verify-email?link=x`, 400);
          // Issue 16, step-up: a sign-in 11 minutes old is asked to confirm before approving a write
          // scope, then signs in again for it (the clock goes back after, for the next round's reset link).
          t.clock.advance(11 * 60);
          try {
            await page.goto(t.issuer + authorizeUrl(codeRequest(service.clientId, callback.url, { scope: 'openid workitems:write', prompt: 'consent' }).params));
            await page.getByRole('link', { name: 'Confirm it is you' }).waitFor({ timeout: 10_000 });
            await check('approval page asking to confirm first (step-up)', undefined);
            await page.getByRole('link', { name: 'Confirm it is you' }).click();
            await page.getByLabel('Password').waitFor();
            await check('confirm it is you: the password step', undefined);
          } finally {
            t.clock.advance(-11 * 60);
          }

          assert.deepEqual(failures, [], `\n${scheme} mode, ${viewport.width}px:\n  ${failures.join('\n  ')}`);
        });
      }
    }
  });
}
