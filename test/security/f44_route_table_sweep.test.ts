/**
 * SECURITY 42/44, driven by Fastify's own route table: every route the app registers (collected
 * with an `onRoute` hook added through the `fastify.initialization` diagnostics channel, so a new
 * route is swept without editing this file) gets NUL bytes and out-of-range numbers
 * (99999999999999999999999, -1, 1e400, 2^63, …) in every path segment, with the other segments
 * real (alice's organization, project, repository, work item, build, app), so the hostile value
 * reaches the code behind the organization check; NUL in headers (Basic and Bearer credentials,
 * the session cookie); the same values in form fields and in every member of JSON bodies built
 * from the route's schema. No answer may be a 5xx other than 503, nor show a stack or SQL.
 * The fixed cases are the ones that were 500s on PostgreSQL: `Basic ADoA` at /introspect and an
 * id beyond bigint at /api/v1/…/workitems/{id}. (f44_error_hygiene_sweep.test.ts sweeps a
 * hand-written list of paths with malformed encodings; this one sweeps every route.)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, type TestClient } from '../support/fixtures.ts';
import { basic } from '../support/codes.ts';
import { Browser } from '../support/browser.ts';
import { call, createPlatform } from '../api/platform_fixture.ts';
import { nextAddress } from './helpers.ts';
import { collectRoutes, type Route } from '../support/route_table.ts';

/** Numbers that overflow PostgreSQL's integer types or JavaScript's safe integers, or are no number at all. */
const NUMBERS = ['99999999999999999999999', '-1', '1e400', '9223372036854775808', '18446744073709551616', '-9223372036854775809', '0', '1.5', '-0'];
/** The same, as path segments (percent-encoded where needed), with NUL in several places. */
const SEGMENTS = [...NUMBERS, '%00', 'a%00b', '%00%00', '1%00'];
const FORM = 'application/x-www-form-urlencoded';
/** Form fields of the pages and OAuth endpoints (their bodies have no JSON schema to read them from). */
const FORM_FIELDS = [
  'client_id', 'client_secret', 'grant_type', 'code', 'code_verifier', 'redirect_uri', 'refresh_token', 'token', 'token_type_hint', 'scope', 'state',
  'response_type', 'nonce', 'max_age', 'prompt', 'email', 'password', 'name', 'csrf', 'decision', 'interaction', 'expires_in_days', 'lifetime',
  'role', 'mode', 'app', 'grant', 'session', 'totp', 'id', 'number', 'id_token_hint', 'post_logout_redirect_uri', 'ui_locales',
];

/** A JSON value the schema accepts (TypeBox schemas are JSON Schema), every member present. */
function sample(schema: unknown): unknown {
  const s = (schema ?? {}) as Record<string, unknown>;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  const anyOf = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (anyOf) return sample(anyOf.find((m) => (m as { type?: string }).type !== 'null') ?? anyOf[0]);
  switch (s.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) out[name] = sample(member);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, Number(s.minItems ?? 1)) }, () => sample(s.items));
    case 'integer':
    case 'number':
      return Number(s.minimum ?? 1);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return 'x'.repeat(Math.max(1, Number(s.minLength ?? 1)));
  }
}

/** The JSON texts of `base` with one leaf replaced by each hostile value (numbers as raw JSON, so 1e400 stays 1e400). */
function mutations(base: unknown): { label: string; payload: string }[] {
  const out: { label: string; payload: string }[] = [];
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path); // objects and arrays are replaced whole, too
    if (v !== null && typeof v === 'object') for (const [k, child] of Object.entries(v)) walk(child, [...path, Array.isArray(v) ? Number(k) : k]);
  };
  walk(base, []);
  const MARK = '\u0001hostile\u0001';
  for (const path of paths) {
    const holder = structuredClone({ root: base }) as Record<string | number, unknown>;
    let at = holder;
    for (const key of ['root', ...path].slice(0, -1)) at = at[key] as Record<string | number, unknown>;
    at[['root', ...path].at(-1)!] = MARK;
    const text = JSON.stringify(holder.root);
    const put = (value: string) => text.replace(JSON.stringify(MARK), () => value);
    const where = path.join('.') || '(body)';
    for (const n of NUMBERS) out.push({ label: `${where}=${n}`, payload: put(n) });
    for (const n of NUMBERS) out.push({ label: `${where}="${n}"`, payload: put(JSON.stringify(n)) });
    for (const s of ['a\u0000b', '\u0000', 'xxxxx\u0000']) out.push({ label: `${where}=${JSON.stringify(s)}`, payload: put(JSON.stringify(s)) });
  }
  return out;
}

/** A stack frame, a source location, SQL or a database error text: what a 500 leaks. */
const LEAKS = /\bat \S+ \(|\.ts:\d+:\d+|node_modules|\bSELECT\b|\bINSERT INTO\b|out of range|invalid byte sequence|invalid input syntax|\bError:/;

for (const dialect of dialects()) {
  describe(`SECURITY 44: every route of the route table, NUL and out-of-range numbers everywhere (${dialect})`, () => {
    let t: TestApp;
    let routes: Route[];
    let client: TestClient;
    let bearer: string;
    let cookie: string;
    /** Real values for path parameters, so a hostile value in one segment meets real ones in the others. */
    let real: Record<string, string>;

    before(async () => {
      const collector = collectRoutes();
      try {
        t = await startTestApp({ dialect, env: { API_RATE_LIMIT: '1000000/60', THROTTLE_CLIENT_AUTH: '1000000/60', THROTTLE_INVALID_GRANT: '1000000/60', BUILD_POLL_MS: '60000' } });
      } finally {
        collector.stop();
      }
      routes = collector.routes;
      const p = await createPlatform(t);
      const all = 'openid profile email orgs:read workitems:write code:write builds:execute full_access'.split(' ');
      await t.deps.stores.grants.approve(p.alice.id, p.service.clientId, all, t.clock.now());
      bearer = await p.token('alice', all.join(' '));
      const org = p.acme.slug;
      for (const [path, body] of [
        [`/orgs/${org}/projects`, { name: 'Web' }],
        [`/orgs/${org}/projects/web/workitems`, { title: 'first' }],
        [`/orgs/${org}/repos`, { name: 'web' }],
        [`/orgs/${org}/projects/web/build-definitions`, { name: 'check', repository: 'web', steps: [{ run: 'echo', message: 'hi' }] }],
        [`/orgs/${org}/projects/web/builds`, { definition: 'check' }],
      ] as const) {
        const res = await call(t, 'POST', path, bearer, { body });
        assert.equal(res.statusCode, 201, `${path}: ${res.body}`);
      }
      client = await createClient(t.deps, { redirectUris: ['https://app.example/cb'] });
      const browser = new Browser(t);
      assert.equal((await browser.signIn(p.alice.email)).statusCode, 303);
      const session = browser.sessionCookie()!;
      cookie = `${session.name}=${session.value}`;
      real = { org, slug: org, project: 'web', repo: 'web', id: '1', number: '1', definition: 'check', clientId: client.clientId, client_id: client.clientId, '*': 'README.md' };
    });
    after(() => t?.close());

    async function send(label: string, options: InjectOptions): Promise<void> {
      const res = await t.app.inject({ remoteAddress: nextAddress(), ...options });
      assert.ok(res.statusCode < 500 || res.statusCode === 503, `${label}: ${res.statusCode}\n${res.body.slice(0, 500)}`);
      assert.doesNotMatch(res.body, LEAKS, `${label}: ${res.body.slice(0, 500)}`);
      assert.equal(res.headers['x-powered-by'], undefined, label);
    }

    /** The route's URL with `replace` at segment `index` and real values everywhere else. */
    function urlOf(route: Route, index: number | undefined, replace: string): string {
      return route.url
        .split('/')
        .map((segment, i) => {
          if (i === index) return replace;
          if (segment.startsWith(':')) return encodeURIComponent(real[segment.slice(1)] ?? 'x');
          if (segment === '*') return real['*']!;
          return segment;
        })
        .join('/');
    }

    it('collected the route table, the platform API and the OAuth endpoints included', () => {
      const urls = new Set(routes.map((r) => `${r.method} ${r.url}`));
      for (const expected of ['POST /introspect', 'POST /token', 'GET /authorize', 'GET /api/v1/orgs/:org/projects/:project/workitems/:id', 'PUT /api/v1/orgs/:org/repos/:repo/contents/*']) {
        assert.ok(urls.has(expected), `${expected} in ${[...urls].join(', ')}`);
      }
      assert.ok(routes.length > 60, `${routes.length} routes`);
    });

    it('the two 500s of the issue are clean refusals now', async () => {
      const introspect = await t.app.inject({ method: 'POST', url: '/introspect', headers: { authorization: 'Basic ADoA', 'content-type': FORM }, payload: 'token=x', remoteAddress: nextAddress() });
      assert.equal(introspect.statusCode, 401, introspect.body);
      assert.equal(introspect.json().error, 'invalid_client');
      const item = await call(t, 'GET', `/orgs/${real.org}/projects/web/workitems/99999999999999999999999`, bearer);
      assert.equal(item.statusCode, 400, item.body);
      assert.equal(item.json().code, 'invalid_request');
      assert.equal((await call(t, 'GET', `/orgs/${real.org}/projects/web/workitems/1`, bearer)).statusCode, 200, 'the real item is there');
    });

    it('every path segment of every route, NUL and out-of-range numbers: no 500', async () => {
      let count = 0;
      for (const route of routes) {
        if (route.method === 'HEAD' || route.method === 'OPTIONS') continue;
        const segments = route.url.split('/');
        const headers = { authorization: `Bearer ${bearer}`, cookie, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { 'content-type': 'application/json' }) };
        const payload = route.method === 'GET' || route.method === 'DELETE' ? undefined : JSON.stringify(sample(route.schema?.body) ?? {});
        for (const [index, segment] of segments.entries()) {
          if (segment === '') continue;
          for (const hostile of SEGMENTS) {
            const url = urlOf(route, index, hostile);
            await send(`${route.method} ${url}`, { method: route.method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
            count++;
          }
        }
      }
      assert.ok(count > 1000, `${count} requests`);
    });

    it('NUL in Basic and Bearer credentials and in the cookies, on every route: no 500', async () => {
      const sets: Record<string, Record<string, string>> = {
        'Basic of NUL:NUL': { authorization: 'Basic ADoA' },
        'Basic of NUL client id, real secret': { authorization: 'Basic ' + Buffer.from(`\0:${client.clientSecret}`).toString('base64') },
        'Basic of the real client id and a NUL secret': { authorization: 'Basic ' + Buffer.from(`${client.clientId}:a\0b`).toString('base64') },
        'Basic of a NUL client id, form-encoded': { authorization: basic('a\0b', 'c\0d') },
        'Bearer with NUL': { authorization: 'Bearer a\0b' },
        'Bearer of NUL only': { authorization: 'Bearer \0' },
        'Bearer, a real token with a NUL inside': { authorization: `Bearer ${bearer.slice(0, 20)}\0${bearer.slice(20)}` },
        'session cookie with NUL': { cookie: cookie.replace('=', '=tsn_\0') },
        'cookies of NUL': { cookie: `${cookie.split('=')[0]}=%00; \0=\0; a=%00` },
        'cookies with out-of-range numbers': { cookie: `${cookie.split('=')[0]}=99999999999999999999999; csrf=1e400` },
      };
      for (const route of routes) {
        if (route.method === 'HEAD' || route.method === 'OPTIONS') continue;
        const url = urlOf(route, undefined, '');
        for (const [name, headers] of Object.entries(sets)) {
          const withBody = route.method !== 'GET' && route.method !== 'DELETE';
          await send(`${route.method} ${url} [${name}]`, {
            method: route.method as 'GET',
            url,
            headers: { ...headers, ...(withBody ? { 'content-type': FORM } : {}) },
            ...(withBody ? { payload: 'token=x&grant_type=refresh_token&refresh_token=x' } : {}),
          });
        }
      }
    });

    it('NUL and out-of-range numbers in every form field and every JSON member of every route: no 500', async () => {
      for (const route of routes) {
        if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method)) continue;
        const url = urlOf(route, undefined, '');
        const headers = { authorization: `Bearer ${bearer}`, cookie };
        const form = (value: string) => FORM_FIELDS.map((f) => `${f}=${value}`).join('&');
        for (const value of [...NUMBERS, '%00', 'a%00b']) {
          await send(`${route.method} ${url} form ${value}`, { method: route.method as 'POST', url, headers: { ...headers, 'content-type': FORM }, payload: form(value) });
          // The real client authenticating, so the fields reach the endpoint's own checks.
          await send(`${route.method} ${url} form ${value} as the client`, {
            method: route.method as 'POST',
            url,
            headers: { authorization: basic(client.clientId, client.clientSecret!), 'content-type': FORM },
            payload: form(value).replace(/(^|&)client_id=[^&]*/, ''),
          });
        }
        const base = sample(route.schema?.body) ?? Object.fromEntries(FORM_FIELDS.map((f) => [f, 'x']));
        for (const m of mutations(base)) {
          await send(`${route.method} ${url} json ${m.label}`, { method: route.method as 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: m.payload });
        }
      }
    });

    it('numbers out of range in the query of every GET route: no 500', async () => {
      for (const route of routes) {
        if (route.method !== 'GET') continue;
        const url = urlOf(route, undefined, '');
        const names = Object.keys(((route.schema?.querystring ?? {}) as { properties?: object }).properties ?? {});
        for (const value of [...NUMBERS, 'a%00b']) {
          const query = [...new Set([...names, 'limit', 'cursor', 'max_age', 'id'])].map((n) => `${n}=${value}`).join('&');
          await send(`GET ${url}?${query}`, { method: 'GET', url: `${url}?${query}`, headers: { authorization: `Bearer ${bearer}`, cookie } });
          for (const n of names) {
            await send(`GET ${url}?${n}=${value}`, { method: 'GET', url: `${url}?${n}=${value}`, headers: { authorization: `Bearer ${bearer}`, cookie } });
          }
          const cursor = Buffer.from(value).toString('base64url');
          await send(`GET ${url}?cursor=${cursor}`, { method: 'GET', url: `${url}?cursor=${cursor}`, headers: { authorization: `Bearer ${bearer}`, cookie } });
        }
      }
    });
  });
}
