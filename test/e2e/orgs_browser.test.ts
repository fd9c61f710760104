/**
 * Organization settings in real Chromium (issue 6): an owner opens "Your organizations" from the
 * home page and sets the third-party policy to "approved only" — the service is refused by the
 * API at once; a member follows the refusal's approval link and asks; the owner approves from the
 * settings page — the API answers. Checks what only a browser checks: every form submits under
 * the pages' CSP (Chromium sends `Origin: null` on same-origin posts from no-referrer pages), and
 * nothing loads from elsewhere.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { PASSWORD } from '../support/fixtures.ts';
import { launchChromium, recordingContext, cspViolations } from '../support/chromium.ts';
import { createPlatform, type Platform } from '../api/platform_fixture.ts';
import { setMember } from '../../src/services/org_admin.ts';

for (const dialect of dialects()) {
  describe(`organization settings in Chromium (${dialect})`, () => {
    let t: TestApp;
    let p: Platform;
    let browser: Browser;
    const contexts: BrowserContext[] = [];

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      p = await createPlatform(t);
      await setMember(p.admin(), p.acme, p.bob.id, 'member');
      browser = await launchChromium();
    });
    after(async () => {
      for (const c of contexts) await c.close();
      await browser?.close();
      await t.close();
    });

    async function signedInPage(email: string): Promise<{ page: Page; origins: Set<string>; violations: string[] }> {
      const { context, origins } = await recordingContext(browser);
      contexts.push(context);
      const page = await context.newPage();
      const violations = cspViolations(page);
      await page.goto(`${t.issuer}/login`);
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${t.issuer}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
      return { page, origins, violations };
    }

    async function projects(who: 'alice' | 'bob') {
      const res = await fetch(`${t.issuer}/api/v1/orgs/${p.acme.slug}/projects`, { headers: { authorization: `Bearer ${await p.token(who)}` } });
      return { status: res.status, body: (await res.json()) as { code?: string; approval_url?: string } };
    }

    it('owner sets "approved only", the API refuses; member requests approval, owner approves, the API answers', async () => {
      assert.equal((await projects('bob')).status, 200);

      const owner = await signedInPage(p.alice.email);
      await owner.page.getByRole('link', { name: 'Your organizations' }).click();
      await owner.page.getByRole('link', { name: 'Settings' }).click();
      await owner.page.waitForURL(`${t.issuer}/orgs/${p.acme.slug}/settings`);
      await owner.page.getByLabel('Only services the owners approved').check();
      await owner.page.getByRole('button', { name: 'Save policy' }).click();
      // What it stops, before it is saved (issue 20).
      await owner.page.getByRole('heading', { name: /^This stops 1 service used by \d members?$/ }).waitFor({ timeout: 5000 });
      assert.match(await owner.page.content(), /<strong>Test Service<\/strong>, for \d members?/);
      await owner.page.getByRole('button', { name: 'Save and stop them' }).click();
      await owner.page.getByText('The policy was saved').waitFor({ timeout: 5000 });

      const refused = await projects('bob');
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'org_policy_blocked');
      assert.ok(refused.body.approval_url?.startsWith(`${t.issuer}/orgs/${p.acme.slug}/third-party/`));

      // The member follows the link the service was given.
      const member = await signedInPage(p.bob.email);
      await member.page.goto(refused.body.approval_url!);
      await member.page.getByRole('heading', { name: /Test Service in Acme/ }).waitFor();
      assert.equal(await member.page.getByText('Unverified publisher').count(), 1);
      await member.page.getByRole('button', { name: 'Request approval' }).click();
      await member.page.getByText('Your request was sent to the owners.').waitFor({ timeout: 5000 });
      assert.equal(await member.page.getByRole('button', { name: 'Request approval' }).count(), 0);

      // A member cannot open the settings.
      const settingsUrl = `${t.issuer}/orgs/${p.acme.slug}/settings`;
      const forbidden = await member.page.goto(settingsUrl);
      assert.equal(forbidden?.status(), 403);

      // The owner sees the request and approves it.
      await owner.page.reload();
      await owner.page.getByText('Asked by Bob').waitFor();
      await owner.page.locator('.org-requests').getByRole('button', { name: 'Approve Test Service' }).click();
      await owner.page.getByText('The service is approved.').waitFor({ timeout: 5000 });
      assert.equal((await projects('bob')).status, 200);

      // Cut off from the list of services acting here, then restored.
      await owner.page.getByRole('button', { name: 'Cut off Test Service' }).click();
      await owner.page.getByText('The service is cut off').waitFor({ timeout: 5000 });
      assert.equal((await projects('alice')).body.code, 'org_policy_blocked');
      await owner.page.getByRole('button', { name: 'Restore Test Service' }).click();
      await owner.page.getByText('The service is no longer cut off.').waitFor({ timeout: 5000 });
      // Restoring clears the approval too (withdraw-app semantics): under "approved only" it must be approved again.
      assert.equal((await projects('alice')).body.code, 'org_policy_blocked');

      for (const who of [owner, member]) {
        assert.deepEqual(who.violations, []);
        assert.deepEqual([...who.origins], [t.issuer]);
      }
    });
  });
}
