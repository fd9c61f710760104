/**
 * Issue 21, the guard of the operator console, over HTTP on each dialect. Every /admin route is
 * taken from Fastify's route table (test/support/route_table.ts), not from a list:
 *
 * - signed out: to /login, which comes back to the page asked for;
 * - signed in but not a platform operator: the root's 404, byte for byte the answer to an address
 *   that does not exist, on every route and method (also other methods: no 405 here);
 * - an operator signed in with the password alone (a session from before TOTP was on), or with
 *   the second factor but more than 15 minutes ago (TestClock.advance): "Confirm it is you",
 *   which is /login?reauth=1 returning to the page; a form posted meanwhile does nothing;
 * - an operator with no second factor at all is told to add one on /profile;
 * - a form without its token, or with another page's token, or cross-site: 403, nothing done;
 * - a sign-in with a passkey (amr hwk or swk) opens it like one with TOTP (amr otp).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, findForm, hiddenInputs } from '../support/browser.ts';
import { collectRoutes, type Route } from '../support/route_table.ts';
import { createOperator, nextCode, signedInOperator, type Operator } from './admin_support.ts';
import { SoftAuthenticator, type CeremonyOptions } from '../support/soft_authenticator.ts';

/** The route's URL with its parameters filled in with a real service and person (and a well-formed organization slug). */
function urlOf(route: Route, ids: { clientId: string; id: string }): string {
  return route.url.replace(':clientId', ids.clientId).replace(':id', ids.id).replace(':slug', 'some-org');
}

const CONFIRM = (path: string) => `/login?${new URLSearchParams({ return_to: path, reauth: '1' })}`;

for (const dialect of dialects()) {
  describe(`issue 21: the /admin guard (${dialect})`, () => {
    let t: TestApp;
    let routes: Route[];
    let client: TestClient;
    let olga: Operator;

    before(async () => {
      const collector = collectRoutes();
      try {
        t = await startTestApp({ dialect, env: { THROTTLE_LOGIN_PER_IP: '100000/300' } });
      } finally {
        collector.stop();
      }
      await t.app.ready();
      routes = collector.routes.filter((r) => r.url === '/admin' || r.url.startsWith('/admin/'));
      client = await createClient(t.deps, { name: 'Guarded service' });
      olga = await createOperator(t, 'olga@example.com');
    });
    after(() => t?.close());

    it('the console has its pages and forms in the route table', () => {
      const keys = new Set(routes.map((r) => `${r.method} ${r.url}`));
      for (const expected of ['GET /admin', 'GET /admin/services', 'GET /admin/services/:clientId', 'POST /admin/services/:clientId/suspend', 'GET /admin/people/:id', 'POST /admin/people/:id/disable', 'GET /admin/orgs', 'GET /admin/orgs/:slug', 'GET /admin/audit', 'GET /admin/audit/export']) {
        assert.ok(keys.has(expected), `${expected} in the route table`);
      }
    });

    it('signed out: every page goes to /login and comes back to it; every form too, to its page', async () => {
      const browser = new Browser(t);
      const ids = { clientId: client.clientId, id: olga.user.id };
      for (const route of routes) {
        if (route.method === 'HEAD') continue;
        const url = urlOf(route, ids);
        const res = await browser.request({ method: route.method as 'GET', url, ...(route.method === 'POST' ? { form: { token: 'x' } } : {}) });
        const page = route.method === 'GET' ? url : url.slice(0, url.lastIndexOf('/'));
        assert.equal(res.statusCode, route.method === 'GET' ? 302 : 303, `${route.method} ${url}`);
        assert.equal(res.headers.location, `/login?${new URLSearchParams({ return_to: page })}`, `${route.method} ${url}`);
      }
    });

    it('a signed-in account that is not an operator gets the 404 of an unknown address on every route and method', async () => {
      await createUser(t.deps, 'nina@example.com', 'Nina', { verified: true });
      const browser = new Browser(t);
      assert.equal((await browser.signIn('nina@example.com')).statusCode, 303);
      const unknown = await browser.get('/no-such-address');
      assert.equal(unknown.statusCode, 404);
      const ids = { clientId: client.clientId, id: olga.user.id };
      const seen: string[] = [];
      for (const route of routes) {
        const url = urlOf(route, ids);
        for (const method of [route.method, 'PUT', 'DELETE']) {
          const res = await browser.request({ method: method as 'GET', url, ...(method === 'POST' ? { form: { token: 'x', reason: 'r' } } : {}) });
          assert.equal(res.statusCode, 404, `${method} ${url}`);
          if (method !== 'HEAD') assert.equal(res.body, unknown.body, `${method} ${url}: the same body as an unknown address`);
          assert.equal(res.headers['content-type'], unknown.headers['content-type']);
          seen.push(`${method} ${route.url}`);
        }
      }
      assert.ok(seen.length >= 3 * 12, `${seen.length} requests`);
      assert.equal((await t.deps.stores.appSuspensions.find(client.clientId)), undefined, 'nothing was suspended');
    });

    it('an operator signed in with the password alone is sent to confirm; after the password and the code, back to the page', async () => {
      // A sign-in from before TOTP was turned on: the session carries only `pwd`.
      const paul = await createOperator(t, 'paul@example.com', { totp: false });
      const browser = new Browser(t);
      assert.equal((await browser.signIn('paul@example.com')).statusCode, 303);
      assert.ok(await t.deps.accounts.startTotp(paul.user));
      const secret = (await t.deps.accounts.totpSetupSecret(paul.user))!;
      assert.equal(typeof (await t.deps.accounts.confirmTotp(paul.user, nextCode(t, secret), { ip: '203.0.113.9', userAgent: null })), 'object');

      const page = await browser.get('/admin/services');
      assert.equal(page.statusCode, 403);
      assert.match(page.body, /Confirm it is you/);
      const link = /<a class="button" href="([^"]+)">\s*Confirm it is you/.exec(page.body)?.[1]?.replaceAll('&amp;', '&');
      assert.equal(link, CONFIRM('/admin/services'));

      // A form posted meanwhile does nothing and goes back to its page, which asks.
      const token = 'whatever';
      const forged = await browser.post(`/admin/services/${client.clientId}/suspend`, { token, reason: 'stale session' });
      assert.deepEqual([forged.statusCode, forged.headers.location], [303, `/admin/services/${client.clientId}`]);
      assert.equal(await t.deps.stores.appSuspensions.find(client.clientId), undefined);

      // The ordinary re-authentication: its own account's password step, then its code.
      const confirm = await browser.get(link!);
      assert.equal(confirm.statusCode, 200);
      const afterPassword = await browser.submit(confirm, /^\/login$/, { email: 'paul@example.com', password: 'correct horse battery staple' });
      assert.equal(afterPassword.headers.location, '/login/code');
      const done = await browser.submit(await browser.get('/login/code'), /^\/login\/code$/, { code: nextCode(t, secret) });
      assert.equal(done.headers.location, '/admin/services');
      assert.equal((await browser.get('/admin/services')).statusCode, 200);
    });

    it('an operator whose strong sign-in is older than 15 minutes is sent to confirm; at 15 minutes it still works', async () => {
      const browser = await signedInOperator(t, olga);
      const page = `/admin/services/${client.clientId}`;
      t.clock.advance(15 * 60 - 1);
      assert.equal((await browser.get(page)).statusCode, 200);
      t.clock.advance(2);
      const stale = await browser.get(page);
      assert.equal(stale.statusCode, 403);
      assert.match(stale.body, /Confirm it is you/);
      assert.ok(stale.body.includes(CONFIRM(page).replaceAll('&', '&amp;')), 'the link returns to the page asked for');

      const confirm = await browser.get(CONFIRM(page));
      const afterPassword = await browser.submit(confirm, /^\/login$/, { email: olga.user.email, password: 'correct horse battery staple' });
      assert.equal(afterPassword.headers.location, '/login/code');
      const done = await browser.submit(await browser.get('/login/code'), /^\/login\/code$/, { code: nextCode(t, olga.secret!) });
      assert.equal(done.headers.location, page);
      assert.equal((await browser.get(page)).statusCode, 200);
    });

    it('an operator with no second factor and no passkey is told to add one on /profile', async () => {
      await createOperator(t, 'zoe@example.com', { totp: false });
      const browser = new Browser(t);
      assert.equal((await browser.signIn('zoe@example.com')).statusCode, 303);
      const res = await browser.get('/admin/people');
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /Add a second factor first/);
      assert.match(res.body, /href="\/profile"/);
    });

    it('a forged form is refused: no token, another service’s token, cross-site with a real token (403, nothing done)', async () => {
      const other = await createClient(t.deps, { name: 'Other service' });
      const browser = await signedInOperator(t, olga);
      const page = await browser.get(`/admin/services/${client.clientId}`);
      assert.equal(page.statusCode, 200);
      const real = hiddenInputs(page.body, /\/suspend$/).token!;
      assert.ok(real);
      const otherToken = hiddenInputs((await browser.get(`/admin/services/${other.clientId}`)).body, /\/suspend$/).token!;
      const url = `/admin/services/${client.clientId}/suspend`;
      for (const [form, headers] of [
        [{ reason: 'forged' }, {}],
        [{ reason: 'forged', token: otherToken }, {}],
        [{ reason: 'forged', token: real }, { origin: 'https://evil.example' }],
        [{ reason: 'forged', token: real }, { 'sec-fetch-site': 'cross-site' }],
      ] as [Record<string, string>, Record<string, string>][]) {
        const res = await browser.post(url, form, headers);
        assert.equal(res.statusCode, 403, JSON.stringify({ form, headers }));
      }
      assert.equal(await t.deps.stores.appSuspensions.find(client.clientId), undefined, 'nothing was suspended');
      // The same form, as the page posts it, works.
      const ok = await browser.submit(page, /\/suspend$/, { reason: 'the real one' });
      assert.equal(ok.statusCode, 303);
      assert.ok(findForm((await browser.follow(ok)).body, /\/unsuspend$/));
    });
  });
}

for (const dialect of dialects()) {
  describe(`issue 21: a passkey sign-in opens the console (${dialect})`, () => {
    const ORIGIN = 'http://localhost:3000';
    let t: TestApp;

    before(async () => {
      t = await startTestApp({ dialect, env: { PUBLIC_URL: ORIGIN, THROTTLE_LOGIN_PER_IP: '100000/300' } });
    });
    after(() => t?.close());

    it('an operator with only a passkey as a second factor: a passkey sign-in (amr hwk|swk) opens /admin, the password alone does not', async () => {
      const pia = await createOperator(t, 'pia@example.com', { totp: false });
      const setup = new Browser(t);
      assert.equal((await setup.signIn(pia.user.email)).statusCode, 303);
      const key = new SoftAuthenticator(ORIGIN);
      const creation = (await setup.postJson('/profile/passkeys/options', {})).json() as { options: CeremonyOptions };
      assert.equal((await setup.postJson('/profile/passkeys/add', { name: 'Key', credential: key.register(creation.options).response })).statusCode, 200);
      // That session began with the password alone, before the passkey existed: confirm.
      assert.match((await setup.get('/admin/services')).body, /Confirm it is you/);

      const browser = new Browser(t);
      const request = (await browser.postJson('/login/passkey/options', {})).json() as { options: CeremonyOptions };
      const signedIn = await browser.postJson('/login/passkey', { return_to: '/admin/services', credential: key.assert(request.options) });
      assert.deepEqual(signedIn.json(), { location: '/admin/services' });
      const [event] = await t.deps.stores.audit.listForUser(pia.user.id, ['user.signed_in'], 1);
      assert.ok((event!.detail.amr as string[]).some((v) => v === 'hwk' || v === 'swk'), JSON.stringify(event!.detail.amr));
      assert.equal((await browser.get('/admin/services')).statusCode, 200);
    });
  });
}
