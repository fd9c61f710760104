/**
 * The loops people start (issue 20), clicked through in real Chromium as a member and an owner
 * would, with the service's tokens from the real /token endpoint:
 *
 * 1. Acme's owners set "approved only" on the settings page, after the confirmation of what it
 *    stops (Cancel saves nothing). A member authorizes Sprint Planner: the approval page lists Acme
 *    as "Not covered" with "Ask its owners to approve it"; they follow it (a new tab), read "What
 *    it may ask for", press "Request approval", and approve on the page they left, Globex only.
 * 2. An owner sees the request card (what it may ask for, in a details) and approves.
 * 3. The member is told: on their profile, and by a notice in the mail outbox.
 * 4. The member adds Acme from "Add an organization": a refreshed token reaches Acme's API.
 * 5. They drop Acme in the edit form and add it back from the same section, within one second:
 *    the refreshed token reaches Acme (it did not before the store revised the grant's narrowing).
 * 6. They revoke the service from its page, and the confirmation names it.
 *
 * Every page the member and the owner see is checked for CSP violations; the request page, the
 * owners' confirmation and the service's page with "Add an organization" pass axe-core at 320 px,
 * light and dark, without scrolling sideways (support/phone_audit.ts).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { authorizeUrl, codeRequest } from '../support/browser.ts';
import { cspViolations, recordingContext, startCallbackServer } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';
import { audit, phoneContext } from '../support/phone_audit.ts';
import { setMember } from '../../src/services/org_admin.ts';
import type { Organization } from '../../src/domain/organizations.ts';
import type { User } from '../../src/domain/users.ts';
import type { NoticeData } from '../../src/domain/mail.ts';

const chromium = chromiumPerFile();

interface Person {
  context: BrowserContext;
  page: Page;
  violations: string[];
  origins: Set<string>;
}

interface Tokens {
  access_token: string;
  refresh_token: string;
}

for (const dialect of dialects()) {
  describe(`the loops people start, in Chromium (${dialect})`, () => {
    let t: TestApp;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let alice: User;
    let bob: User;
    let acme: Organization;
    let service: TestClient;
    const contexts: BrowserContext[] = [];

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { THROTTLE_LOGIN_PER_IP: '1000/300' } });
      callback = await startCallbackServer();
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      bob = await createUser(t.deps, 'bob@example.com', 'Bob');
      const now = t.clock.now();
      acme = (await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme', ownerUserId: alice.id }, now))!;
      await t.deps.stores.organizations.create({ slug: 'globex', name: 'Globex', ownerUserId: bob.id }, now);
      await setMember({ stores: t.deps.stores, announce: { feed: t.deps.feed }, now, via: 'test' }, acme, bob.id, 'member');
      // A service bob already uses in every organization: "approved only" stops it, so the owners are asked first.
      const buildBot = await createClient(t.deps, { name: 'Build Bot' });
      await t.deps.stores.grants.approve(bob.id, buildBot.clientId, ['openid', 'orgs:read'], now);
      service = await createClient(t.deps, {
        name: 'Sprint Planner',
        redirectUris: [callback.url],
        scopes: ['openid', 'profile', 'offline_access', 'orgs:read', 'workitems:read', 'workitems:write'],
      });
    });
    after(async () => {
      for (const c of contexts) await c.close();
      await callback?.close();
      await t?.close();
    });

    async function person(): Promise<Person> {
      const { context, origins } = await recordingContext(chromium());
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return { context, page, origins, violations: cspViolations(page) };
    }

    async function signIn(page: Page, email: string): Promise<void> {
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    }

    /** A 320 px context signed in as `who` (its session cookie), for the axe-core audit. */
    async function phoneOf(who: Person): Promise<Page> {
      const context = await phoneContext(chromium(), 'light');
      contexts.push(context);
      await context.addCookies(await who.context.cookies(t.issuer));
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return page;
    }

    /** The page on screen audited light, then dark. */
    async function auditBoth(page: Page, name: string): Promise<string[]> {
      await page.emulateMedia({ colorScheme: 'light' });
      const failures = await audit(page, `${name} (light)`);
      await page.emulateMedia({ colorScheme: 'dark' });
      failures.push(...(await audit(page, `${name} (dark)`)));
      return failures;
    }

    async function token(body: Record<string, string>): Promise<Tokens> {
      const res = await fetch(`${t.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${service.clientId}:${service.clientSecret!}`).toString('base64')}`,
        },
        body: new URLSearchParams(body),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const tokens = (await res.json()) as Tokens;
      assert.ok(tokens.access_token && tokens.refresh_token);
      return tokens;
    }

    async function projects(slug: string, accessToken: string): Promise<{ status: number; code?: string }> {
      const res = await fetch(`${t.issuer}/api/v1/orgs/${slug}/projects`, { headers: { authorization: `Bearer ${accessToken}` } });
      return { status: res.status, code: ((await res.json()) as { code?: string }).code };
    }

    it('ask the owners, be told, add the organization, drop it and add it back, revoke', async () => {
      const failures: string[] = [];
      const settingsUrl = `${t.issuer}/orgs/acme/settings`;
      const requestPath = `/orgs/acme/third-party/${service.clientId}/request`;

      // 1a. The owners approve services one by one: the settings page asks first what it stops.
      const owner = await person();
      await owner.page.goto(`${t.issuer}/login`);
      await signIn(owner.page, alice.email);
      await owner.page.waitForURL(`${t.issuer}/`);
      const ownerPhone = await phoneOf(owner);
      await ownerPhone.goto(settingsUrl);
      await ownerPhone.getByLabel('Only services the owners approved').check();
      await ownerPhone.getByRole('button', { name: 'Save policy' }).click();
      await ownerPhone.getByRole('heading', { name: 'This stops 1 service used by 1 member' }).waitFor();
      failures.push(...(await auditBoth(ownerPhone, 'the owners\u2019 confirmation')));
      await ownerPhone.getByRole('link', { name: 'Cancel' }).click();
      await ownerPhone.waitForURL(settingsUrl);
      assert.equal((await t.deps.stores.organizations.policyOf(acme.id)).thirdParty, 'allow', 'Cancel saves nothing');

      await owner.page.goto(settingsUrl);
      await owner.page.getByLabel('Only services the owners approved').check();
      await owner.page.getByRole('button', { name: 'Save policy' }).click();
      await owner.page.getByRole('heading', { name: 'This stops 1 service used by 1 member' }).waitFor();
      assert.equal(await owner.page.locator('ul.stopped-services li').innerText(), 'Build Bot, for 1 member');
      assert.equal((await t.deps.stores.organizations.policyOf(acme.id)).thirdParty, 'allow', 'nothing saved before the confirmation');
      await owner.page.getByRole('button', { name: 'Save and stop them' }).click();
      await owner.page.getByText('The policy was saved').waitFor();
      assert.equal((await t.deps.stores.organizations.policyOf(acme.id)).thirdParty, 'approved');

      // 1b. The member authorizes Sprint Planner: Acme is not covered, and the page says where to ask.
      const member = await person();
      const { params, verifier } = codeRequest(service.clientId, callback.url, { scope: 'openid offline_access orgs:read workitems:read' });
      await member.page.goto(t.issuer + authorizeUrl(params));
      await signIn(member.page, bob.email);
      await member.page.getByRole('button', { name: 'Approve' }).waitFor();
      const excluded = member.page.locator('fieldset.orgs ul.excluded li');
      assert.equal(await member.page.locator('fieldset.orgs .excluded-title').innerText(), 'Not covered, whatever you choose:');
      assert.match(await excluded.innerText(), /^Acme: Its owners approve services one by one, and have not approved this one\. Ask its owners to approve it/);

      // 1c. They follow the link (a new tab, so the approval page stays open), read what it may ask for, and ask.
      const [ask] = await Promise.all([member.context.waitForEvent('page'), excluded.getByRole('link', { name: /^Ask its owners to approve it/ }).click()]);
      ask.setDefaultTimeout(10_000);
      const askViolations = cspViolations(ask);
      await ask.waitForURL((u) => u.pathname === requestPath);
      await ask.getByRole('heading', { name: 'Sprint Planner in Acme' }).waitFor();
      await ask.getByRole('heading', { name: 'What it may ask for' }).waitFor();
      const asked = await ask.locator('ul.scopes').innerText();
      for (const sentence of ['See your name.', 'See the organizations you belong to.', 'Read work items in your organizations.', 'Create, change and delete work items in your organizations.']) {
        assert.ok(asked.includes(sentence), `${sentence} in ${asked}`);
      }
      assert.match(asked, /Create, change and delete work items in your organizations\.\s*High privilege/i, 'the high-privilege mark');
      const memberPhone = await phoneOf(member);
      await memberPhone.goto(ask.url());
      await memberPhone.getByRole('button', { name: 'Request approval' }).waitFor();
      failures.push(...(await auditBoth(memberPhone, 'the request page')));
      await ask.getByRole('button', { name: 'Request approval' }).click();
      await ask.getByText('Your request was sent to the owners.').waitFor();
      assert.equal(await ask.getByRole('button', { name: 'Request approval' }).count(), 0);
      assert.deepEqual(askViolations, []);
      await ask.close();

      // 1d. Back on the approval page, they approve it for Globex only.
      await member.page.getByLabel('Only the ones I tick:').check();
      assert.ok(await member.page.getByLabel('Globex').isChecked());
      await Promise.all([member.page.waitForURL((u) => u.href.startsWith(callback.url)), member.page.getByRole('button', { name: 'Approve' }).click()]);
      const back = new URL(member.page.url());
      assert.equal(back.searchParams.get('state'), params.state);
      let tokens = await token({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: callback.url, code_verifier: verifier });
      assert.deepEqual(await projects('acme', tokens.access_token), { status: 404, code: 'not_found' }, 'the grant does not cover Acme');
      assert.equal((await projects('globex', tokens.access_token)).status, 200);

      // 1e. Its page under Manage applications: Acme cannot be added yet, and says where to ask.
      await member.page.goto(`${t.issuer}/`);
      await member.page.getByRole('link', { name: 'Manage applications' }).first().click();
      await member.page.waitForURL(`${t.issuer}/profile/applications`);
      const listed = member.page.locator('li.grant').filter({ has: member.page.getByRole('heading', { name: 'Sprint Planner' }) });
      assert.match(await listed.locator('dl.facts').innerText(), /In\s+Globex\n/);
      await listed.getByRole('link', { name: 'Details and changes' }).click();
      await member.page.waitForURL(/\/profile\/applications\/[^/]+$/);
      const grantUrl = member.page.url();
      await member.page.getByRole('heading', { name: 'Add an organization' }).waitFor();
      assert.equal(await member.page.getByRole('button', { name: 'Add Acme' }).count(), 0, 'not while the owners have not approved it');
      assert.equal(await member.page.locator('ul.add-orgs').getByRole('link', { name: /^Ask its owners to approve it/ }).getAttribute('href'), requestPath);

      // 2. An owner sees the request card, reads what it may ask for, and approves.
      await owner.page.goto(settingsUrl);
      const card = owner.page.locator('ul.org-requests > li');
      await card.getByText('Asked by Bob since').waitFor();
      const scopes = card.locator('details.request-scopes');
      assert.equal(await scopes.getByText('Read work items in your organizations.').isVisible(), false, 'collapsed');
      await scopes.locator('summary', { hasText: 'What it may ask for' }).click();
      assert.ok(await scopes.getByText('Create, change and delete work items in your organizations.').isVisible());
      await card.getByRole('button', { name: 'Approve Sprint Planner' }).click();
      await owner.page.getByText('The service is approved.').waitFor();
      assert.equal(await owner.page.locator('ul.org-requests').count(), 0);
      assert.deepEqual(await projects('acme', tokens.access_token), { status: 404, code: 'not_found' }, 'approved in Acme, still not in this grant');

      // 3. The member is told, on the profile and by mail.
      await member.page.getByRole('link', { name: 'Profile' }).first().click();
      await member.page.waitForURL(`${t.issuer}/profile`);
      await member.page.getByText('The owners of Acme approved Sprint Planner, as you asked').waitFor();
      const notices = (await t.deps.stores.outbox.list({ limit: 200 })).filter(
        (m) => m.kind === 'notice' && m.to === bob.email && m.data.event === 'org_app.request_answered',
      );
      assert.equal(notices.length, 1);
      assert.deepEqual((notices[0]!.data as NoticeData).detail, { app: 'Sprint Planner', org: 'Acme', org_slug: 'acme', answer: 'approved' });

      // 4. The member adds Acme to the grant; a refreshed token reaches Acme.
      await member.page.goto(grantUrl);
      await member.page.getByRole('heading', { name: 'Add an organization' }).waitFor();
      await memberPhone.goto(grantUrl);
      await memberPhone.getByRole('button', { name: 'Add Acme' }).waitFor();
      failures.push(...(await auditBoth(memberPhone, 'the service\u2019s page with "Add an organization"')));
      await member.page.getByRole('button', { name: 'Add Acme' }).click();
      await member.page.getByText('The organization was added.').waitFor();
      assert.equal(await member.page.getByRole('heading', { name: 'Add an organization' }).count(), 0);
      assert.match(await member.page.locator('dl.facts').first().innerText(), /In\s+Globex, Acme|In\s+Acme, Globex/);
      tokens = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      assert.equal((await projects('acme', tokens.access_token)).status, 200);

      // 5. Dropped in the edit form, and added back from the same section. Held within one second
      // (the clock stands still from the drop to the refresh): a token issued in the second of a
      // narrowing cannot be told from one issued before it (revocation_cache.ts), and adding the
      // organization back must still reach it — the refreshed token was refused in Acme before.
      const second = t.clock.nowMs();
      t.clock.nowMs = () => second;
      const edit = member.page.locator('form.edit-grant');
      await edit.getByLabel('Acme', { exact: true }).uncheck();
      assert.ok(await edit.getByLabel('Globex', { exact: true }).isChecked());
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await member.page.getByText('Your changes were saved.').waitFor();
      assert.deepEqual(await projects('acme', tokens.access_token), { status: 404, code: 'not_found' }, 'dropped: its current token loses Acme at once');
      assert.equal((await projects('globex', tokens.access_token)).status, 200);
      await member.page.getByRole('heading', { name: 'Add an organization' }).waitFor();
      await member.page.getByRole('button', { name: 'Add Acme' }).click();
      await member.page.getByText('The organization was added.').waitFor();
      tokens = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      assert.equal((await projects('acme', tokens.access_token)).status, 200, 'added back within the second of the drop');
      Reflect.deleteProperty(t.clock, 'nowMs'); // the class's moving clock again

      // 6. Revoked from its page: the confirmation names it, and its tokens stop.
      await member.page.getByRole('link', { name: 'Revoke Sprint Planner' }).click();
      await member.page.getByRole('heading', { name: 'Revoke Sprint Planner?' }).waitFor();
      await member.page.getByRole('button', { name: 'Revoke Sprint Planner' }).click();
      await member.page.getByText('Sprint Planner was revoked. It can no longer act for you.').waitFor();
      assert.equal((await projects('acme', tokens.access_token)).status, 401);

      assert.deepEqual(failures, [], `\n  ${failures.join('\n  ')}`);
      for (const who of [owner, member]) assert.deepEqual(who.violations, []);
      assert.deepEqual([...owner.origins], [t.issuer]);
      assert.deepEqual([...member.origins].sort(), [t.issuer, new URL(callback.url).origin].sort());
    });
  });
}
