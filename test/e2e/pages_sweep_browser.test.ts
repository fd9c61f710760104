/**
 * Every page, on a 320 px phone, light and dark (issue 20, "Phones: nothing may scroll sideways at
 * 320 px"): real Chromium visits every GET page a signed-in person can reach, the developer portal's
 * pages, the public pages and the error pages, plus the pages a form post answers with (the TOTP
 * setup, the secret shown once), and for each asserts that nothing scrolls sideways
 * (`document.scrollingElement.scrollWidth <= innerWidth`) and that axe-core finds no violation
 * (WCAG 2.0 A/AA, 2.1 AA).
 *
 * The list of pages is checked against Fastify's own route table (test/support/route_table.ts): a
 * GET route that this file neither visits nor names as skipped, with the reason, fails the test, so
 * a new page cannot escape the sweep. One browser, one context per color scheme, pages in sequence.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest } from '../support/browser.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';
import { audit, phoneContext } from '../support/phone_audit.ts';
import { collectRoutes, type Route } from '../support/route_table.ts';
import { setThirdPartyMode } from '../../src/services/org_admin.ts';
import { randomClientId } from '../../src/crypto/random.ts';
import type { App } from '../../src/domain/apps.ts';

const chromium = chromiumPerFile();

/** The reason a GET route that answers 405 gives for its CSRF exemption (http/methods.ts): no page there. */
const ANSWERS_405 = 'answers 405 and changes nothing';

/**
 * GET routes the sweep does not visit, each with why. A prefix ends in `/`, or names an area
 * covered elsewhere; everything else is an exact route URL as Fastify lists it.
 */
const SKIPPED: Record<string, string> = {
  '/admin': 'the operator console: covered by test/e2e/admin_browser.test.ts',
  '/api/': 'the platform API answers JSON (its one page, /api/v1/docs, is visited)',
  '/developers/api/': 'the portal API answers JSON',
  '/.well-known/': 'protocol metadata and keys (JSON)',
  '/assets/': 'stylesheet, scripts and icons',
  '/healthz': 'operations probe (JSON)',
  '/readyz': 'operations probe (JSON)',
  '/metrics': 'Prometheus text',
  '/userinfo': 'bearer-token JSON endpoint',
  '/ssf/': 'Shared Signals stream management (JSON, bearer token)',
  '/authorize/resume': 'redirects back into the authorization it resumes; its pages are /authorize’s',
  '/developers/sign-in': 'redirect only',
  '/developers/logos/:id': 'an image',
  '/favicon.ico': 'an image',
  '/login/directory/start': 'redirects to the company directory',
  '/login/directory/callback': 'the company directory’s redirect back; covered by test/e2e/work_account_browser.test.ts',
  '/login/code': 'the second-factor step of a sign-in in progress; covered by test/e2e/accessibility.test.ts and the sign-in tests',
};

function skipReason(route: Route): string | undefined {
  const why = (route.options.config as { csrf?: { why?: string } } | undefined)?.csrf?.why;
  if (why === ANSWERS_405) return 'answers 405 to GET (its form posts elsewhere)';
  for (const [prefix, reason] of Object.entries(SKIPPED)) {
    if (route.url === prefix || (prefix.endsWith('/') && route.url.startsWith(prefix)) || (!prefix.endsWith('/') && route.url.startsWith(`${prefix}/`))) return reason;
  }
  return undefined;
}

interface Visit {
  /** The route URL as Fastify lists it (`/orgs/:slug`), or undefined for a page a form post answers with. */
  route: string | undefined;
  name: string;
  /** Goes there (and waits for what must be on screen). */
  go(page: Page): Promise<unknown>;
}

describe('every page at 320 px, light and dark, in Chromium (sqlite)', () => {
  let t: TestApp;
  let routes: Route[];
  let session: { name: string; value: string };
  /** The pages in the order visited; `portalApp` is an app of Dana's with no secret yet, one per color scheme. */
  let visitsWith: (portalApp: App) => Visit[];
  const portalApps: App[] = [];

  before(async () => {
    const collector = collectRoutes();
    try {
      t = await startTestApp({ dialect: 'sqlite', listen: true, env: { THROTTLE_LOGIN_PER_IP: '1000/300' } });
    } finally {
      collector.stop();
    }
    routes = collector.routes;
    const now = t.clock.now();
    const dana = await createUser(t.deps, 'dana.scully.with.a.long.address@example.com', 'Dana Scully', { verified: true });
    const bob = await createUser(t.deps, 'bob@example.com', 'Bob');
    const orgs = t.deps.stores.organizations;
    const acme = (await orgs.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: dana.id }, now))!;
    const finance = (await orgs.create({ slug: 'finance', name: 'Finance', ownerUserId: dana.id }, now))!;
    await setThirdPartyMode({ stores: t.deps.stores, announce: { feed: t.deps.feed }, now, via: 'test' }, finance, 'approved');
    await orgs.setMember(acme.id, bob.id, 'member', now);
    const service = await createClient(t.deps, { name: 'Sprint Planner', redirectUris: ['https://planner.example/callback', 'https://collector.example/callback'] });
    // A website, so the approval page can say the second callback is elsewhere (issue 20, trust signals).
    await t.deps.stores.apps.update({ ...service.app, websiteUrl: 'https://planner.example' }, now);
    const grant = await t.deps.stores.grants.approve(dana.id, service.clientId, ['openid', 'orgs:read', 'workitems:read', 'workitems:write'], now);
    await t.deps.stores.approvalRequests.create(acme.id, service.clientId, bob.id, now);
    for (const name of ['Dana Tools', 'Dana Tools (dark)']) {
      const own: App = { ...service.app, id: randomClientId(), name, publisher: 'Dana Scully', ownerUserId: dana.id, createdAt: now };
      await t.deps.stores.apps.create(own, undefined, now);
      portalApps.push(own);
    }

    const http = new Browser(t);
    assert.equal((await http.signIn(dana.email)).statusCode, 303);
    session = http.sessionCookie()!;

    const at = (route: string | undefined, name: string, path: string, status = 200): Visit => ({
      route,
      name,
      go: async (page) => {
        const res = await page.goto(t.issuer + path);
        assert.equal(res?.status(), status, `${name} (${path}) answers ${status}`);
      },
    });
    visitsWith = (own) => [
    // Before signing in: the public pages.

      at('/login', 'sign-in', '/login'),
      at('/signup', 'sign-up', '/signup'),
      {
        // What POST /signup answers (issue 20), for a new address and a taken one alike.
        route: undefined,
        name: 'check your inbox (after sign-up)',
        go: async (page) => {
          await page.goto(`${t.issuer}/signup`);
          await page.getByLabel('Name').fill('Quentin Example');
          await page.getByLabel('Email').fill('quentin.with.a.rather.long.address@subdomain.example.com');
          await page.getByLabel('Password').fill('amber gulls over the quay');
          await page.getByRole('button', { name: 'Create account' }).click();
          await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
        },
      },
      at('/forgot-password', 'forgot password', '/forgot-password'),
      at('/reset-password', 'a reset link that is not valid', '/reset-password?link=x', 400),
      at('/verify-email', 'a mailed link that is not valid', '/verify-email?link=x', 400),
      at('/login/directory', 'sign in with a work account', '/login/directory'),
      at('/authorize', 'error page: an unknown client', '/authorize?client_id=unknown-client&response_type=code', 400),
      // Issue 20: the service named and its website linked, the developer detail folded below.
      at('/authorize', 'error page: a return address the service did not register', authorizeUrl(codeRequest(service.clientId, 'https://elsewhere.example/callback').params), 400),
      at(undefined, 'error page: nothing here (404)', '/no/such/page', 404),
      at(undefined, 'error page: a form’s address opened as a link (405)', '/logout/confirm', 405),
      at('/api/v1/docs', 'API reference', '/api/v1/docs'),
      at('/developers/guide', 'developer guide', '/developers/guide'),
      { route: undefined, name: '(signing in)', go: (page) => page.context().addCookies([{ ...session, url: t.issuer }]) },
      // Signed in.
      at('/', 'home', '/'),
      at('/profile', 'profile', '/profile'),
      at('/profile/passkeys', 'passkeys', '/profile/passkeys'),
      at('/profile/totp', 'two-step verification', '/profile/totp'),
      at('/profile/email/confirm', 'a change-of-address link that is not valid', '/profile/email/confirm?link=x', 400),
      {
        route: undefined,
        name: 'TOTP setup (after Turn on)',
        go: async (page) => {
          await page.goto(`${t.issuer}/profile`);
          await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
          await page.getByRole('heading', { name: 'Turn on two-step verification' }).waitFor();
        },
      },
      at('/authorize', 'approval page, the callback on another host', authorizeUrl(codeRequest(service.clientId, 'https://collector.example/callback', { scope: 'openid orgs:read workitems:read', prompt: 'consent' }).params)),
      at('/profile/applications', 'manage applications', '/profile/applications'),
      at('/profile/applications/:grant', 'one application', `/profile/applications/${grant.id}`),
      at('/profile/applications/:grant/revoke', 'revoke confirmation', `/profile/applications/${grant.id}/revoke`),
      at('/profile/applications/revoke-all', 'revoke-all confirmation', '/profile/applications/revoke-all'),
      at('/orgs', 'organizations', '/orgs'),
      at('/orgs/:slug', 'one organization', '/orgs/acme'),
      at('/orgs/:slug/settings', 'organization settings', '/orgs/acme/settings'),
      at('/orgs/:slug/third-party/:clientId/request', 'ask owners to approve a service', `/orgs/finance/third-party/${service.clientId}/request`),
      at('/device', 'device: enter the code', '/device'),
      at('/device/:code', 'device: the code from a link', '/device/BCDF-GHJK'),
      at('/logout', 'sign out?', '/logout'),
      at('/developers/apps', 'portal: your apps', '/developers/apps'),
      at('/developers/apps/new', 'portal: register an app', '/developers/apps/new'),
      at('/developers/apps/:id', 'portal: an app and its secrets', `/developers/apps/${own.id}`),
      at('/developers/apps/:id/edit', 'portal: edit an app', `/developers/apps/${own.id}/edit`),
      {
        route: undefined,
        name: 'portal: the secret shown once',
        go: async (page) => {
          await page.goto(`${t.issuer}/developers/apps/${own.id}`);
          await page.getByRole('button', { name: 'Create a new secret' }).click();
          await page.locator('#client-secret').waitFor();
        },
      },
      {
        route: undefined,
        name: 'portal: the secrets table with two secrets',
        go: async (page) => {
          await page.goto(`${t.issuer}/developers/apps/${own.id}`);
          await page.getByRole('button', { name: 'Create a new secret' }).click();
          await page.locator('#client-secret').waitFor();
          await page.goto(`${t.issuer}/developers/apps/${own.id}`);
        },
      },
    ];
  });
  after(async () => {
    await t?.close();
  });

  it('visits every GET page of the route table, or names why not', () => {
    const visited = new Set(visitsWith(portalApps[0]!).map((v) => v.route).filter((r) => r !== undefined));
    const escaped = [...new Set(routes.filter((r) => r.method === 'GET').map((r) => r))]
      .filter((r) => !visited.has(r.url) && skipReason(r) === undefined)
      .map((r) => r.url);
    assert.deepEqual(escaped, [], `GET routes neither visited nor skipped with a reason: ${escaped.join(', ')}`);
    // The skip list names only what exists: a stale entry would hide nothing, but misleads.
    for (const v of visited) assert.ok(routes.some((r) => r.method === 'GET' && r.url === v), `${v} is a GET route`);
  });

  it('no page scrolls sideways and axe-core finds no violation, light and dark', async () => {
    const failures: string[] = [];
    for (const [i, colorScheme] of (['light', 'dark'] as const).entries()) {
      const context = await phoneContext(chromium(), colorScheme);
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(10_000);
        for (const visit of visitsWith(portalApps[i]!)) {
          await visit.go(page);
          if (visit.name.startsWith('(')) continue;
          failures.push(...(await audit(page, `${colorScheme} ${visit.name}`)));
        }
      } finally {
        await context.close();
      }
    }
    assert.deepEqual(failures, [], `\n  ${failures.join('\n  ')}`);
  });

  it('the audit itself catches a page wider than the phone and a violation', async () => {
    const context = await phoneContext(chromium(), 'light');
    try {
      const page = await context.newPage();
      await page.goto(`${t.issuer}/login`);
      assert.equal(await page.evaluate('typeof globalThis.axe'), 'object', 'axe-core is in every page the context opens');
      await page.setContent('<!doctype html><html lang="en"><title>Broken</title><body><main><h1>One</h1><input type="text"><div style="width:600px">Wide</div></main></body></html>');
      const found = (await audit(page, 'broken')).join('\n');
      assert.match(found, /scrolls sideways \(\d+px in 320px/);
      assert.match(found, /axe label/);
    } finally {
      await context.close();
    }
  });
});
