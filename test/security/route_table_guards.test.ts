/**
 * Issue 13, from Fastify's own route table (test/support/route_table.ts collects every route the
 * app registers, so a new route is checked without editing this file):
 *
 * - every route taking a method other than GET/HEAD/OPTIONS declares its CSRF rule (config.csrf);
 * - the `exempt` routes are the explicit list below, or answer 405 — adding an exempt route that
 *   does something takes a conscious change here;
 * - every `form` route bound to a session runs a sign-in guard (an onRequest hook) first;
 * - black-box, every `form` route refuses a signed-in POST without a token, and a cross-site POST
 *   (Origin https://evil.example) even with a valid token: 403, or 303 to /login where a guard
 *   runs first — never 2xx, never another redirect.
 *
 * And a static check over src/: nothing but the accounts service hashes or checks passwords,
 * creates sessions or accounts, changes passwords, or turns factors on or off, and only
 * src/http/signed_in.ts names the session cookie.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/fixtures.ts';
import { Browser, findForm } from '../support/browser.ts';
import { collectRoutes, csrfOf, onRequestHooksOf, type Route } from '../support/route_table.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The exempt routes that do something (everything else exempt must answer 405). Adding one here
 * means: it is not authenticated by a cookie, or it only shows a page.
 */
const EXEMPT = [
  // OAuth/OIDC endpoints: client authentication, bearer tokens, or a request read like its GET.
  'POST /authorize',
  'POST /token',
  // RFC 8628 §3.1 (issue 17): client authentication, like /token.
  'POST /device_authorization',
  // RFC 9126 §2 (issue 18): client authentication, like /token.
  'POST /par',
  'POST /revoke',
  'POST /introspect',
  'POST /userinfo',
  // RP-initiated logout request (OIDC RP-Initiated Logout §2): shows a page, changes nothing.
  'POST /logout',
  // The platform API: bearer tokens only.
  'POST /api/v1/orgs',
  'POST /api/v1/orgs/:org/projects',
  'POST /api/v1/orgs/:org/projects/:project/workitems',
  'PATCH /api/v1/orgs/:org/projects/:project/workitems/:id',
  'DELETE /api/v1/orgs/:org/projects/:project/workitems/:id',
  'POST /api/v1/orgs/:org/projects/:project/workitems/:id/comments',
  'POST /api/v1/orgs/:org/repos',
  'PUT /api/v1/orgs/:org/repos/:repo/contents/*',
  'POST /api/v1/orgs/:org/projects/:project/build-definitions',
  'POST /api/v1/orgs/:org/projects/:project/builds',
].sort();

/**
 * The same-origin (JSON) routes that answer without a session, each with why: the passkey
 * ceremonies that come before one (issue 16). Every other same-origin route runs a sign-in guard.
 * They are refused cross-site like the rest (below), and take JSON, which a cross-site page cannot
 * send without a CORS preflight we never answer.
 */
const SIGNED_OUT_JSON = [
  // Sign-in with a passkey alone: a challenge for any of ours, then its assertion.
  'POST /login/passkey/options',
  'POST /login/passkey',
  // A passkey as the second step: bound to the pending sign-in's cookie, not to a session.
  'POST /login/code/passkey/options',
  'POST /login/code/passkey',
  // Sign-up with a passkey and no password.
  'POST /signup/passkey/options',
  'POST /signup/passkey',
  // A passkey as the second factor of a password reset (issue 15): bound to the mailed link in the body, not to a session.
  'POST /reset-password/passkey/options',
  'POST /reset-password/passkey',
].sort();

const key = (r: Route) => `${r.method} ${r.url}`;

/** The route's URL with every parameter filled in. */
function urlOf(route: Route): string {
  return route.url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? 'x' : segment === '*' ? 'x' : segment))
    .join('/');
}

for (const dialect of dialects()) {
  describe(`issue 13: CSRF rules and sign-in guards over the whole route table (${dialect})`, () => {
    let t: TestApp;
    let routes: Route[];
    let browser: Browser;
    /** A real form token: the profile's, bound to the session. */
    let profileToken: string;

    before(async () => {
      const collector = collectRoutes();
      try {
        t = await startTestApp({ dialect, env: { THROTTLE_LOGIN_PER_IP: '100000/300' } });
      } finally {
        collector.stop();
      }
      await t.app.ready();
      routes = collector.routes;
      await createUser(t.deps, 'rt@example.com', 'rt', { verified: true });
      browser = new Browser(t);
      assert.equal((await browser.signIn('rt@example.com')).statusCode, 303);
      assert.ok(browser.sessionCookie());
      profileToken = findForm((await browser.get('/profile')).body, /^\/profile\/name$/)?.hidden.token ?? '';
      assert.ok(profileToken, 'the profile shows a form token');
    });
    after(() => t?.close());

    it('collected the route table', () => {
      const keys = new Set(routes.map(key));
      // Signed-out forms (pre-session tokens): sign-in, its code, account recovery and address verification (issue 15).
      for (const expected of ['POST /login', 'POST /login/code', 'POST /login/passkey', 'POST /profile/passkeys/add', 'POST /forgot-password', 'POST /reset-password', 'POST /verify-email', 'POST /logout/confirm', 'POST /profile/totp/disable', 'POST /developers/apps']) {
        assert.ok(keys.has(expected), `${expected} in the route table`);
      }
    });

    it('every route with a method other than GET/HEAD/OPTIONS declares config.csrf', () => {
      const undeclared = routes.filter((r) => !SAFE.has(r.method) && csrfOf(r) === undefined).map(key);
      assert.deepEqual(undeclared, [], `routes without a CSRF rule:\n${undeclared.join('\n')}`);
    });

    it('the exempt routes are the expected list, or answer 405', async () => {
      const exemptRoutes = routes.filter((r) => !SAFE.has(r.method) && csrfOf(r)?.kind === 'exempt');
      const doing: string[] = [];
      for (const route of exemptRoutes) {
        if (EXEMPT.includes(key(route))) continue;
        const res = await t.app.inject({ method: route.method as 'POST', url: urlOf(route) });
        if (res.statusCode !== 405) doing.push(`${key(route)} (${res.statusCode}; why: ${(csrfOf(route) as { why: string }).why})`);
      }
      assert.deepEqual(doing, [], `exempt routes that are not on the list and do not answer 405:\n${doing.join('\n')}`);
      const actual = exemptRoutes.map(key).filter((k) => EXEMPT.includes(k));
      assert.deepEqual([...new Set(actual)].sort(), EXEMPT, 'every listed exempt route exists and is exempt');
    });

    it('every same-origin route runs a sign-in guard, or is one of the listed signed-out passkey steps', () => {
      const sameOrigin = routes.filter((r) => !SAFE.has(r.method) && csrfOf(r)?.kind === 'same-origin');
      const unguarded = sameOrigin.filter((r) => onRequestHooksOf(r).length === 0).map(key);
      assert.deepEqual([...new Set(unguarded)].sort(), SIGNED_OUT_JSON, 'same-origin routes without a sign-in guard');
    });

    it('every same-origin route refuses a cross-site POST, signed in or not', async () => {
      const sameOrigin = routes.filter((r) => !SAFE.has(r.method) && csrfOf(r)?.kind === 'same-origin');
      assert.ok(sameOrigin.length >= 10, `${sameOrigin.length} same-origin routes`);
      const bad: string[] = [];
      for (const route of sameOrigin) {
        for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
          const res = await browser.request({ method: route.method as 'POST', url: urlOf(route), json: {}, headers });
          // 403 from the guard; 401 or a 303 to /login where a sign-in guard answers first.
          const refused = res.statusCode === 403 || res.statusCode === 401 || (res.statusCode === 303 && /^\/login(\?|$)/.test(String(res.headers.location)));
          if (!refused) bad.push(`${key(route)} (${JSON.stringify(headers)}): ${res.statusCode}`);
        }
      }
      assert.deepEqual(bad, [], `same-origin routes that did not refuse:\n${bad.join('\n')}`);
    });

    it('issue 16: every sensitive account change runs the recent sign-in guard (requireRecentSignIn, STEP_UP_MAX_AGE)', () => {
      // A factor off, a passkey added or removed, the password, the address, a client secret (SECURITY 51).
      const expected = [
        // Issue 17: the device flow's page, the code typed and the decision ("asks for a recent sign-in, as step-up does").
        'GET /device',
        'GET /device/:code',
        'HEAD /device',
        'HEAD /device/:code',
        'POST /developers/apps/:id/secrets',
        'POST /developers/apps/:id/secrets/:secret/revoke',
        'POST /device',
        'POST /device/decision',
        'POST /profile/email',
        'POST /profile/passkeys/add',
        'POST /profile/passkeys/options',
        'POST /profile/passkeys/remove',
        'POST /profile/password',
        'POST /profile/totp/disable',
      ];
      const guarded = routes.filter((r) => onRequestHooksOf(r).some((hook) => typeof hook === 'function' && hook.name === 'requireRecentSignIn')).map(key);
      assert.deepEqual([...new Set(guarded)].sort(), expected);
    });

    it('every form route bound to a session runs a sign-in guard (onRequest) first', () => {
      const unguarded = routes
        .filter((r) => {
          const rule = csrfOf(r);
          return rule?.kind === 'form' && rule.session && onRequestHooksOf(r).length === 0;
        })
        .map(key);
      assert.deepEqual(unguarded, [], `form routes bound to a session with no onRequest guard:\n${unguarded.join('\n')}`);
    });

    it('every form route: a signed-in POST without a token, and a cross-site POST, are refused', async () => {
      const formRoutes = routes.filter((r) => !SAFE.has(r.method) && csrfOf(r)?.kind === 'form');
      assert.ok(formRoutes.length > 20, `${formRoutes.length} form routes`);
      const bad: string[] = [];
      // Issue 21: the operator console answers a signed-in person who is not a platform operator
      // with the 404 of an unknown address (interaction/admin/guard.ts) before any form check.
      const refused = (status: number, location: unknown, url: string) =>
        status === 403 || (status === 303 && /^\/login(\?|$)/.test(String(location))) || (status === 404 && url.startsWith('/admin/'));
      for (const route of formRoutes) {
        const url = urlOf(route);
        const cases: [string, Record<string, string>, Record<string, string>][] = [
          ['no token', { name: 'x' }, { origin: t.issuer }],
          ['Origin evil.example, a real token', { name: 'x', token: profileToken }, { origin: 'https://evil.example' }],
          ['Sec-Fetch-Site cross-site, a real token', { name: 'x', token: profileToken }, { 'sec-fetch-site': 'cross-site' }],
        ];
        for (const [label, form, headers] of cases) {
          const res = await browser.request({ method: route.method as 'POST', url, form, headers });
          if (!refused(res.statusCode, res.headers.location, url)) bad.push(`${key(route)} (${label}): ${res.statusCode} ${String(res.headers.location ?? '')}`);
        }
      }
      assert.ok(browser.sessionCookie(), 'still signed in');
      assert.deepEqual(bad, [], `form routes that did not refuse:\n${bad.join('\n')}`);
      // The token was real: the same post from our own origin goes through.
      const ok = await browser.post('/profile/name', { name: 'Artie', token: profileToken }, { origin: t.issuer });
      assert.ok(ok.statusCode === 200 || ok.statusCode === 303, `the real token works from our origin: ${ok.statusCode}`);
    });
  });
}

describe('issue 13: only the accounts service touches passwords, factors and sessions (static)', () => {
  const root = join(import.meta.dirname, '..', '..');
  const files = (function walk(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return walk(path);
      return /\.tsx?$/.test(e.name) ? [relative(root, path)] : [];
    });
  })(join(root, 'src'));

  interface Rule {
    what: string;
    pattern: RegExp;
    /** Files (path prefixes) allowed to match. */
    allowed: string[];
  }
  const ACCOUNTS = 'src/services/accounts/';
  const rules: Rule[] = [
    { what: 'hashPassword/verifyPassword (src/crypto/passwords.ts)', pattern: /\b(hashPassword|verifyPassword)\b/, allowed: [ACCOUNTS, 'src/crypto/passwords.ts'] },
    { what: 'stores.sessions.create', pattern: /\bsessions\s*\.\s*create\s*\(/, allowed: [ACCOUNTS] },
    { what: 'stores.users.create', pattern: /\busers\s*\.\s*create\s*\(/, allowed: [ACCOUNTS] },
    { what: 'stores.users.changePassword', pattern: /\busers\s*\.\s*changePassword\s*\(/, allowed: [ACCOUNTS] },
    // Issue 15: a password set through a reset link goes through the accounts service too.
    { what: 'stores.users.resetPasswordWithLink', pattern: /\busers\s*\.\s*resetPasswordWithLink\s*\(/, allowed: [ACCOUNTS] },
    // An operator's removal of every second factor (TOTP, recovery codes, passkeys) goes through the accounts service too.
    { what: 'stores.users.removeSecondFactors', pattern: /\busers\s*\.\s*removeSecondFactors\s*\(/, allowed: [ACCOUNTS] },
    { what: 'stores.directories.createAccount (work accounts)', pattern: /\bdirectories\s*\.\s*createAccount\s*\(/, allowed: [ACCOUNTS] },
    { what: 'stores.users.disable/enable', pattern: /\busers\s*\.\s*(disable|enable)\s*\(/, allowed: [ACCOUNTS] },
    // Issue 15: an address is verified or changed only by using its mailed link, through the accounts service.
    { what: 'stores.users.verifyEmailWithLink/changeEmailWithLink', pattern: /\busers\s*\.\s*(verifyEmailWithLink|changeEmailWithLink)\s*\(/, allowed: [ACCOUNTS] },
    { what: 'stores.sessions.end/endOwn', pattern: /\bsessions\s*\.\s*(end|endOwn)\s*\(/, allowed: [ACCOUNTS] },
    {
      what: 'enableTotp/disableTotp/startTotp/createPending (other than through deps.accounts)',
      // A call, not a method's definition or declaration (src/persistence, src/domain) and not the accounts service's own API.
      pattern: /(?<!accounts\s*\.\s*)(?<=\.\s*)(enableTotp|disableTotp|startTotp|createPending)\s*\(/,
      allowed: [ACCOUNTS],
    },
    {
      // Issue 16: a passkey is a way in; adding, using, renaming or removing one, and its challenges, go through the accounts service.
      what: 'stores.passkeys writes (add, recordUse, rename, remove, createChallenge, takeChallenge)',
      pattern: /\bpasskeys\s*\.\s*(add|recordUse|rename|remove|createChallenge|takeChallenge)\s*\(/,
      allowed: [ACCOUNTS],
    },
    { what: 'sessionCookieName(', pattern: /\bsessionCookieName\s*\(/, allowed: ['src/http/signed_in.ts'] },
  ];

  it('scanned the sources, and the patterns find what they look for', () => {
    assert.ok(files.length > 50, `${files.length} files`);
    assert.ok(files.includes('src/services/accounts/accounts.ts'));
    const totp = rules.find((r) => r.what.startsWith('enableTotp'))!.pattern;
    assert.ok(totp.test('await deps.stores.users.enableTotp(user.id, step, digests, now);'));
    assert.ok(totp.test('await stores.sessions.createPending({ id });'));
    assert.ok(!totp.test('await deps.accounts.startTotp(user);'), 'through the accounts service');
    assert.ok(!totp.test('  async enableTotp(userId: string, step: number) {'), 'a definition');
    assert.ok(!totp.test('  disableTotp(userId: string): Promise<void>;'), 'a declaration');
    assert.ok(rules[0]!.pattern.test("import { hashPassword } from '../crypto/passwords.ts';"));
    assert.ok(rules[1]!.pattern.test('await this.deps.stores.sessions.create({ id });'));
    const passkeys = rules.find((r) => r.what.startsWith('stores.passkeys'))!.pattern;
    assert.ok(passkeys.test('await deps.stores.passkeys.remove(user.id, id, event, now);'));
    assert.ok(!passkeys.test('deps.stores.passkeys.countForUser(user.id),'), 'reads are free');
  });

  for (const rule of rules) {
    it(`only ${rule.allowed.join(', ')}: ${rule.what}`, () => {
      const offenders: string[] = [];
      for (const file of files) {
        if (rule.allowed.some((a) => file.startsWith(a))) continue;
        const lines = readFileSync(join(root, file), 'utf8').split('\n');
        for (const [i, line] of lines.entries()) if (rule.pattern.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      }
      assert.deepEqual(offenders, [], `${rule.what} outside ${rule.allowed.join(', ')}:\n${offenders.join('\n')}`);
    });
  }
});
