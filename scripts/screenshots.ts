/**
 * Regenerates the screenshots of the two pages people trust Tessera with — the approval page (and
 * the warning an unverified service asking for high-privilege access gets before it) and
 * "Manage applications" — an /authorize error page (issue 20), and of the operator console's pages (issue 21: Services, a suspended
 * service, a person), in light and dark, on a phone and on a desktop, into docs/screenshots/.
 * Run with `npm run screenshots` (needs /usr/bin/chromium, or CHROMIUM_PATH); `npm run screenshots --
 * admin-audit approval` writes only the files whose names start with one of the words. It starts Tessera
 * on a throw-away SQLite database, seeds a person, organizations and a service, and drives the
 * real pages through a real sign-in and approval.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { startTestApp } from '../test/support/app.ts';
import { createClient, createUser, PASSWORD } from '../test/support/fixtures.ts';
import { launchChromium, startCallbackServer } from '../test/support/chromium.ts';
import { codeRequest, authorizeUrl } from '../test/support/browser.ts';
import { setThirdPartyMode } from '../src/services/org_admin.ts';
import { logoPath } from '../src/domain/app_logo.ts';
import { suspendApp } from '../src/services/app_suspensions.ts';
import { createOperator, signedInOperator } from '../test/interaction/admin_support.ts';
import type { Page } from 'playwright-core';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 812 } } as const;
const SCHEMES = ['light', 'dark'] as const;
/** Name prefixes to write (the command's arguments); none: every screenshot. */
const ONLY = process.argv.slice(2);

async function shoot(page: Page, name: string): Promise<number> {
  if (ONLY.length > 0 && !ONLY.some((prefix) => name.startsWith(prefix))) return 0;
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  return 1;
}

/** A 96×96 PNG logo (a rounded-looking gradient tile), so the pages show a real image from our origin. */
function logoPng(): Buffer {
  const size = 96;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const inside = (x - 48) ** 2 + (y - 48) ** 2 < 46 ** 2;
      const [r, g, b] = inside ? [20 + x, 110 + Math.floor(y / 2), 200] : [255, 255, 255];
      row.set([r, g, b], 1 + x * 3);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const t = await startTestApp({ listen: true });
  const callback = await startCallbackServer();
  const chromium = await launchChromium();
  try {
    const now = t.clock.now();
    const person = await createUser(t.deps, 'dana@example.com', 'Dana Scully');
    const orgs = t.deps.stores.organizations;
    await orgs.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: person.id }, now);
    await orgs.create({ slug: 'platform-team', name: 'Platform Team', ownerUserId: person.id }, now);
    const locked = (await orgs.create({ slug: 'finance', name: 'Finance', ownerUserId: person.id }, now))!;
    await setThirdPartyMode({ stores: t.deps.stores, announce: { feed: t.deps.feed }, now, via: 'screenshots' }, locked, 'approved');

    const service = await createClient(t.deps, { name: 'Sprint Planner', redirectUris: [callback.url] });
    await t.deps.stores.apps.setLogo(service.clientId, { contentType: 'image/png', bytes: logoPng() }, now);
    const app = { ...service.app, publisher: 'Planwise Ltd', websiteUrl: 'https://planwise.example', logoUrl: t.issuer + logoPath(service.clientId) };
    await t.deps.stores.apps.update(app, now);
    await t.deps.stores.apps.setVerified(service.clientId, true);
    // Issue 20: an unverified publisher asking for a write gets its warning page before the approval.
    const unverified = await createClient(t.deps, { name: 'Board Sync', redirectUris: [callback.url] });
    await t.deps.stores.apps.update({ ...unverified.app, publisher: 'Quick Tools Studio' }, now);
    const other = await createClient(t.deps, { name: 'Build Radar', redirectUris: [callback.url] });
    await t.deps.stores.apps.update({ ...other.app, publisher: 'Radar Labs' }, now);
    await t.deps.stores.grants.approve(person.id, other.clientId, ['openid', 'orgs:read', 'builds:read'], now - 86_400 * 12);

    // The Overview's charts: a month of counts, as the recorders would have written them.
    const caller = await createUser(t.deps, 'fox@example.com', 'Fox Mulder');
    const grantIds = [(await t.deps.stores.grants.approve(caller.id, other.clientId, ['openid'], now - 86_400 * 40)).id];
    for (let ago = 29; ago >= 0; ago--) {
      const day = new Date((now - ago * 86_400) * 1000).toISOString().slice(0, 10);
      const wave = 20 + Math.round(15 * Math.sin(ago / 3)) + (ago % 7 === 0 ? 0 : 10);
      await t.deps.stores.tokenCounts.add([{ day, count: wave * 3 }]);
      await t.deps.stores.grantActivity.record({ calls: new Map([[grantIds[0]!, new Map([[day, wave * 40]])]]), actions: new Map(), kinds: new Map() }, 5);
      await t.deps.stores.appErrors.add([
        { appId: service.clientId, day, code: 'invalid_grant', count: 1 + (ago % 5) },
        { appId: other.clientId, day, code: 'invalid_client', count: ago % 3 === 0 ? 6 : 1 },
      ]);
      for (let i = 0; i < wave % 9; i++) await t.deps.stores.audit.record({ type: 'user.signed_in', userId: person.id, detail: { amr: ['pwd'] } }, now - ago * 86_400);
    }

    // The device flow (issue 17): a command-line tool asking to be signed in, confirmed on /device.
    const tool = await createClient(t.deps, { name: 'Work CLI', public: true, redirectUris: ['http://127.0.0.1/callback'], scopes: ['openid', 'offline_access', 'workitems:read'] });
    await t.deps.stores.apps.update({ ...tool.app, deviceFlow: true }, now);
    t.deps.clients.invalidate(tool.clientId);
    const deviceCode = async (): Promise<string> => {
      const res = await fetch(`${t.issuer}/device_authorization`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'work-cli/1.4 (linux)' },
        body: new URLSearchParams({ client_id: tool.clientId, scope: 'openid offline_access workitems:read' }),
      });
      return ((await res.json()) as { user_code: string }).user_code;
    };

    // The operator console: an operator signed in with the password and TOTP, a suspended service.
    const operator = await createOperator(t, 'olga@example.com');
    const suspect = await createClient(t.deps, { name: 'Quick Invoices', redirectUris: [callback.url] });
    await t.deps.stores.grants.approve(person.id, suspect.clientId, ['openid', 'workitems:read'], now - 86_400 * 3);
    await suspendApp(t.deps, suspect.clientId, 'Phishing: asks people for their password on its own site', now, { via: 'admin', userId: operator.user.id });
    const operatorSession = (await signedInOperator(t, operator)).sessionCookie()!;
    const consolePages = [
      ['admin-overview', '/admin'],
      ['admin-services', '/admin/services'],
      ['admin-service', `/admin/services/${suspect.clientId}`],
      ['admin-person', `/admin/people/${person.id}`],
      ['admin-orgs', '/admin/orgs'],
      ['admin-org', '/admin/orgs/finance'],
      ['admin-keys', '/admin/keys'],
      ['admin-audit', '/admin/audit'],
    ] as const;
    let written = 0;

    for (const scheme of SCHEMES) {
      for (const [device, viewport] of Object.entries(VIEWPORTS)) {
        const context = await chromium.newContext({ colorScheme: scheme, viewport, deviceScaleFactor: device === 'phone' ? 2 : 1 });
        const page = await context.newPage();
        const { params } = codeRequest(service.clientId, callback.url, { scope: 'openid profile orgs:read workitems:read workitems:write', prompt: 'consent' });
        await page.goto(t.issuer + authorizeUrl(params));
        // Email first (issue 16): the address, then the password step.
        if (await page.getByLabel('Email').isVisible()) {
          await page.getByLabel('Email').fill('dana@example.com');
          await page.getByRole('button', { name: 'Continue' }).click();
          await page.getByLabel('Password').fill(PASSWORD);
          await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        }
        await page.getByRole('button', { name: 'Approve' }).waitFor();
        written += await shoot(page, `approval-${scheme}-${device}`);
        await Promise.all([page.waitForURL((u) => u.href.startsWith(callback.url)), page.getByRole('button', { name: 'Approve' }).click()]);
        await page.goto(`${t.issuer}/profile/applications`);
        written += await shoot(page, `applications-${scheme}-${device}`);
        await page.goto(t.issuer + authorizeUrl(codeRequest(unverified.clientId, callback.url, { scope: 'openid workitems:read workitems:write' }).params));
        await page.getByRole('button', { name: 'Back to safety' }).waitFor();
        written += await shoot(page, `unverified-${scheme}-${device}`);
        // The device confirm page: which device asked, from where and when, Deny focused first.
        await page.goto(`${t.issuer}/device/${(await deviceCode()).replace('-', '')}`);
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForSelector('#requester-ip');
        written += await shoot(page, `device-${scheme}-${device}`);
        // Home, with the header's way around (issue 20).
        await page.goto(`${t.issuer}/`);
        written += await shoot(page, `home-${scheme}-${device}`);
        // Issue 20: an error page in plain words, the service named, its developer detail opened.
        await page.goto(t.issuer + authorizeUrl(codeRequest(service.clientId, 'https://elsewhere.example/callback').params));
        await page.getByText('For the service’s developer').click();
        written += await shoot(page, `error-${scheme}-${device}`);
        await context.close();

        const operatorContext = await chromium.newContext({ colorScheme: scheme, viewport, deviceScaleFactor: device === 'phone' ? 2 : 1 });
        await operatorContext.addCookies([{ name: operatorSession.name, value: operatorSession.value, url: t.issuer }]);
        const operatorPage = await operatorContext.newPage();
        for (const [name, path] of consolePages) {
          await operatorPage.goto(t.issuer + path);
          written += await shoot(operatorPage, `${name}-${scheme}-${device}`);
        }
        await operatorContext.close();
      }
    }
    console.log(`wrote ${written} screenshots to ${OUT}`);
  } finally {
    await chromium.close();
    await callback.close();
    await t.close();
  }
}

await main();
