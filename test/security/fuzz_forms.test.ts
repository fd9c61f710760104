/**
 * SECURITY 40–44 by property-based fuzzing (fast-check) of every HTML form: sign-in, sign-up,
 * sign-out, the approval page's decision, /profile/* (name, password, sessions, two-step),
 * /profile/applications/* (edit, revoke, revoke all), /orgs/* settings and requests, and the
 * developer portal's /developers/apps forms. The forms are read from the real pages a signed-in
 * person sees (action, hidden fields and CSRF token included), then posted with one field
 * broken, polluting keys added, or everything broken, in a form, the query or a wrong body
 * type. Forms that would end the fixture (sign-out, revoke, delete, remove, password) are posted
 * only with a broken CSRF token or from another site, and must be refused. Every answer is a
 * page (200, 302, 303) or a 4xx HTML page; never a 5xx; nothing leaks; a refused post (4xx, or
 * 200 re-rendering its form) changes no row. Seed and size: test/support/fuzz.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { PASSWORD, createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { obtainTokens } from '../support/codes.ts';
import { Browser, authorizeUrl, codeRequest, parseForms, type Response } from '../support/browser.ts';
import { SECRETS, StateGuard, assertPrototypeClean, carrier, fuzz, hostileParams, hostileValue, requestFor, type Pair } from '../support/fuzz.ts';

const REDIRECT = 'https://app.example/cb';
const THROTTLES = { THROTTLE_LOGIN: '1000000/60', THROTTLE_LOGIN_PER_IP: '1000000/60', THROTTLE_LOGIN_PER_ACCOUNT: '1000000/60', THROTTLE_CLIENT_AUTH: '1000000/60', THROTTLE_CLIENT_AUTH_PER_IP: '1000000/60' };
const CSRF_FIELDS = new Set(['csrf', 'token', '_csrf']);
/** Actions whose success would end the fixture (its session, grant, app or membership). */
const DESTRUCTIVE = /logout|\/sessions\/end|revoke|delete|remove|\/password$|\/totp\/disable|\/settings\/apps$|\/members\/role$/;

/**
 * Actions whose success answers 200 with a page (not a redirect): the two-step set-up pages, and
 * sign-up's "Check your inbox" (issue 20; its refusals are 400 and 429).
 */
const SUCCESS_PAGE = /\/totp\/(?:start|confirm)$|^\/signup$/;

/** Plausible values for the visible inputs, by name; anything else gets "x". */
const VISIBLE: Record<string, string> = {
  email: 'carol@example.com',
  password: PASSWORD,
  current_password: PASSWORD,
  new_password: 'a much longer new passphrase',
  password_confirmation: 'a much longer new passphrase',
  name: 'Alice Liddell',
  code: '123456',
  description: 'A service.',
  company: 'Example Ltd',
  company_url: 'https://example.com/',
  website_url: 'https://ci.example.com/',
  redirect_uris: 'https://ci.example.com/cb',
  role: 'member',
  slug: 'acme',
};

interface FormSpec {
  page: string;
  action: string;
  base: Record<string, string>;
  /** The signed-in person's cookie, or none for sign-in and sign-up. */
  cookie: string;
}

/** The POST forms of a page, with hidden fields, a submit button's value and the visible inputs filled in. */
function formsOf(page: string, res: Response, cookie: string): FormSpec[] {
  const specs: FormSpec[] = [];
  for (const form of parseForms(res.body)) {
    if (form.method !== 'post' || !form.action.startsWith('/')) continue;
    const block = res.body.slice(res.body.indexOf(`action="${form.action.replaceAll('&', '&amp;')}"`));
    const visible: Record<string, string> = {};
    for (const m of block.slice(0, block.indexOf('</form>')).matchAll(/<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"[^>]*>/g)) {
      const name = m[1]!;
      if (/type="(?:hidden|checkbox|radio|submit)"/.test(m[0])) continue;
      visible[name] = VISIBLE[name] ?? 'x';
    }
    const button = form.buttons.find((b) => b.name !== '');
    specs.push({ page, action: form.action, base: { ...visible, ...form.hidden, ...(button ? { [button.name]: button.value } : {}) }, cookie });
  }
  return specs;
}

/** The same form with its CSRF token broken (changed, emptied or dropped) and nothing else. */
function brokenCsrf(base: Record<string, string>): fc.Arbitrary<Pair[]> {
  const keys = Object.keys(base);
  return fc.oneof(hostileValue, fc.constant(''), fc.constant(null)).map((v) =>
    keys.flatMap((k): Pair[] => (CSRF_FIELDS.has(k) ? (v === null ? [] : [[k, v]]) : [[k, encodeURIComponent(base[k]!)]])),
  );
}

for (const dialect of dialects()) {
  describe(`SECURITY 40–44 fuzzing: HTML forms (${dialect})`, () => {
    let t: TestApp;
    let guard: StateGuard;
    let alice: Browser;
    let aliceCookie: string;
    const forms: FormSpec[] = [];
    let c1: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, env: THROTTLES });
      const aliceUser = await createUser(t.deps, 'alice@example.com', 'Alice');
      const bob = await createUser(t.deps, 'bob@example.com', 'Bob');
      const now = t.clock.now();
      const acme = (await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme', ownerUserId: aliceUser.id }, now))!;
      await t.deps.stores.organizations.setMember(acme.id, bob.id, 'member', now);
      c1 = await createClient(t.deps, { redirectUris: [REDIRECT] });
      const tokens = await obtainTokens(t, { client: c1, user: aliceUser, scopes: ['openid', 'offline_access', 'orgs:read'] });
      alice = new Browser(t);
      assert.equal((await alice.signIn('alice@example.com')).statusCode, 303);
      const cookie = alice.sessionCookie()!;
      aliceCookie = `${cookie.name}=${cookie.value}`;
      // A second session of alice's, so /profile offers "sign out elsewhere".
      assert.equal((await new Browser(t).signIn('alice@example.com')).statusCode, 303);
      const made = await t.app.inject({ method: 'POST', url: '/developers/api/v1/apps', headers: { cookie: aliceCookie, 'content-type': 'application/json' }, payload: JSON.stringify({ kind: 'web', name: 'CI', description: 'x', company: 'Example', company_url: 'https://example.com/', website_url: 'https://ci.example.com/', redirect_uris: ['https://ci.example.com/cb'], scopes: ['openid'] }) });
      assert.equal(made.statusCode, 201, made.body);
      const appId = made.json().client_id as string;
      SECRETS.add(PASSWORD);
      SECRETS.add(c1.clientSecret!);
      SECRETS.add(tokens.refresh_token);

      const pages = [
        '/profile',
        '/profile/applications',
        `/profile/applications/${tokens.grantId}`,
        `/profile/applications/${tokens.grantId}/revoke`,
        '/profile/applications/revoke-all',
        '/orgs',
        '/orgs/acme',
        '/orgs/acme/settings',
        '/developers/apps',
        '/developers/apps/new',
        `/developers/apps/${appId}`,
        `/developers/apps/${appId}/edit`,
        '/logout',
      ];
      for (const page of pages) {
        const res = await alice.get(page);
        assert.equal(res.statusCode, 200, `${page}: ${res.statusCode}`);
        forms.push(...formsOf(page, res, aliceCookie));
      }
      // The approval page of a pending request.
      const { params } = codeRequest(c1.clientId, REDIRECT, { prompt: 'consent', scope: 'openid orgs:read' });
      const approval = await alice.follow(await alice.get(authorizeUrl(params)));
      forms.push(...formsOf('approval page', approval, aliceCookie));
      // Sign-in and sign-up, as someone signed out.
      const stranger = new Browser(t);
      for (const page of ['/login', '/signup']) forms.push(...formsOf(page, await stranger.get(page), ''));
      // One entry per action: the sign-out form is on every page.
      const seen = new Set<string>();
      forms.splice(0, forms.length, ...forms.filter((f) => !seen.has(f.action) && seen.add(f.action)));
      const actions = new Set(forms.map((f) => f.action.replace(/[0-9a-f]{16,}|tsn_[\w-]+/g, ':id')));
      for (const needed of ['/login', '/signup', '/logout', '/profile/name', '/profile/password', '/profile/sessions/end', '/orgs/acme/settings/policy', '/developers/apps']) {
        assert.ok([...actions].some((a) => a === needed || a.startsWith(needed)), `no form posts to ${needed}: ${[...actions].join(', ')}`);
      }
      assert.ok([...actions].some((a) => /^\/interaction\/.+\/decision$/.test(a)), 'the approval form was found');
      guard = new StateGuard(t);
    });
    after(async () => {
      assertPrototypeClean();
      await t?.close();
    });

    it('every form: hostile fields, keys, bodies and sites get a page or a 4xx page, and a refused post changes nothing', async (ctx) => {
      const arb = fc.integer({ min: 0, max: forms.length - 1 }).chain((i) => {
        const form = forms[i]!;
        const destructive = DESTRUCTIVE.test(form.action);
        return fc.record({
          form: fc.constant(form),
          destructive: fc.constant(destructive),
          pairs: destructive ? brokenCsrf(form.base) : hostileParams(form.base, ['csrf', 'decision', 'lifetime', 'next', 'return_to']),
          how: carrier(['form', 'form', 'form', 'form', 'form+query', 'json', 'text', 'latin1']),
          site: fc.constantFrom<Record<string, string>>({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, { origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }),
        });
      });
      await guard.reset();
      guard.group = 'forms';
      const count = await fuzz('forms', arb, async ({ form, destructive, pairs, how, site }) => {
        const options = requestFor('POST', form.action, pairs, how, { ...(form.cookie ? { cookie: form.cookie } : {}), ...site });
        const label = `POST ${form.action} (from ${form.page}) ${how} ${JSON.stringify(site)} ${String(options.payload ?? options.url).slice(0, 300)}`;
        // A post answered 200 re-renders its form with an error: a refusal, like a 4xx. Except where
        // 200 is the success page: a new secret (201, shown once) and the two-step set-up pages.
        const okWith200 = SUCCESS_PAGE.test(form.action);
        const res = await guard.send(options, 'page', label, [200, 201, 302, 303], (r) => r.statusCode >= 400 || (r.statusCode === 200 && !okWith200));
        if (destructive || site.origin === 'https://evil.example' || site['sec-fetch-site'] !== undefined) {
          if (form.cookie) assert.ok(res.statusCode >= 400 || res.statusCode === 200, `${label}: expected a refusal, got ${res.statusCode} ${String(res.headers.location ?? '')}`);
        }
      }, Number(process.env.FUZZ_RUNS ?? 150) * 3);
      ctx.diagnostic(`seed ${process.env.FUZZ_SEED ?? 20261129}; ${forms.length} forms; ${count} generated posts; statuses: ${JSON.stringify(guard.tally)}`);
    });

    it('afterwards alice is still signed in and her pages work; the process prototype is clean', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/profile', headers: { cookie: aliceCookie } });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /alice@example\.com/);
      assertPrototypeClean();
    });
  });
}
