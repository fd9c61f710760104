/**
 * SECURITY 44 (with 40, 42, 43) — errors leak nothing: a table-driven sweep sends every endpoint,
 * by every method, malformed, oversized, duplicated, wrongly typed, prototype-polluting and
 * unicode-laden input, in the query, the body and the headers. Every answer must be a refusal in
 * {400, 401, 403, 404, 405, 413, 415, 429, 503} or the endpoint's own 200/302/303; `error` and
 * `error_description` stay within RFC 6749's character set; no body shows a stack, SQL, a path or
 * a class name; no header names the software's version; no redirect leaves the origin. Afterwards
 * no row was added to or removed from any state table (counted in the real database), and
 * Object.prototype is untouched.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { InjectOptions } from 'fastify';
import { POSTGRES_URL, dialects, freePort, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic } from '../support/codes.ts';
import { REFUSALS, assertErrorFields, assertNoLeak, countRows, nextAddress, type Answer } from './helpers.ts';

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS' | 'TRACE';
const METHODS: Method[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'];

/** Every path the app serves, with the non-refusal statuses each method may legitimately answer. */
const ENDPOINTS: { path: string; legit: Partial<Record<Method, number[]>> }[] = [
  { path: '/authorize', legit: { GET: [200, 302, 303], HEAD: [200, 302, 303], POST: [200, 302, 303] } },
  { path: '/authorize/resume', legit: { GET: [200, 302, 303], HEAD: [200, 302, 303] } },
  { path: '/login', legit: { GET: [200], HEAD: [200], POST: [200, 303] } },
  // POST 200: a service's RP-initiated logout request sent as a form (OIDC RP-Initiated Logout §2).
  { path: '/logout', legit: { GET: [200, 302], HEAD: [200, 302], POST: [200, 303] } },
  { path: '/', legit: { GET: [302], HEAD: [302] } },
  { path: '/interaction/x/decision', legit: {} },
  { path: '/interaction/%E2%80%AE%F0%9F%98%80/decision', legit: {} },
  { path: '/token', legit: {} },
  { path: '/revoke', legit: { POST: [200] } },
  { path: '/introspect', legit: { POST: [200] } },
  { path: '/userinfo', legit: {} },
  { path: '/.well-known/openid-configuration', legit: { GET: [200], HEAD: [200] } },
  { path: '/.well-known/oauth-authorization-server', legit: { GET: [200], HEAD: [200] } },
  { path: '/.well-known/jwks.json', legit: { GET: [200], HEAD: [200] } },
  { path: '/api/v1/me', legit: {} },
  { path: '/api/v1/orgs', legit: {} },
  { path: '/api/v1/orgs/__proto__', legit: {} },
  { path: '/healthz', legit: { GET: [200], HEAD: [200] } },
  { path: '/readyz', legit: { GET: [200], HEAD: [200] } },
  { path: '/metrics', legit: { GET: [200], HEAD: [200] } },
  { path: '/assets/tessera.css', legit: { GET: [200], HEAD: [200] } },
  { path: '/assets/..%2f..%2fpackage.json', legit: {} },
  { path: '/%2e%2e/%2e%2e/etc/passwd', legit: {} },
];

const FORM = 'application/x-www-form-urlencoded';

/** Parameter strings sent as the query and, on POST, as the form body. `CLIENT` is replaced. */
const PARAMS: Record<string, string> = {
  'bad percent-encoding': 'client_id=%E0%A4%A&token=%&code=%ZZ&%FF=1',
  'NUL': 'token=a%00b&code=%00&client_id=x%00&grant_type=refresh_token%00',
  'overlong UTF-8': 'code=%C0%AF&token=%C0%AF&client_id=%C0%80',
  'duplicated': 'client_id=CLIENT&client_id=CLIENT&grant_type=refresh_token&grant_type=refresh_token&token=a&token=b&code=a&code=b&refresh_token=a&refresh_token=b&redirect_uri=x&redirect_uri=y&interaction=a&interaction=b',
  'bracket syntax': 'client_id[]=CLIENT&scope[a]=b&token[]=1&grant_type[]=authorization_code&redirect_uri[0]=https://app.example/cb&code[$ne]=1',
  'prototype keys': '__proto__[admin]=1&__proto__=x&constructor[prototype][admin]=1&constructor=1&prototype=1&hasOwnProperty=1&toString=1&valueOf=1',
  'prototype values': 'grant_type=__proto__&token=constructor&client_id=__proto__&code=toString&refresh_token=hasOwnProperty&response_type=__proto__&scope=constructor&interaction=__proto__',
  'unicode': 'client_id=%F0%9F%98%80&state=%E2%80%AE%F0%9F%98%80%C3%A9%EF%BF%BF&scope=%E2%80%8Bopenid&redirect_uri=https%3A%2F%2F%D0%B0pp.example%2Fcb&token=%F0%9F%98%80&grant_type=authorization_code&code=%EF%BB%BF&email=%C3%A9%40%F0%9F%98%80.example&password=%F0%9F%94%91',
  'CRLF and HTML': 'state=%0d%0aSet-Cookie:x%3D1&client_id=a%0d%0aLocation:%20https://evil.example&error=%0d%0a&token=%3Cscript%3E&email=%3Cimg%20src%3Dx%3E',
  'oversized values': `token=${'a'.repeat(8000)}&state=${'x'.repeat(8000)}&client_id=${'c'.repeat(2000)}`,
  'empty values': 'client_id=&grant_type=&token=&code=&refresh_token=&redirect_uri=&response_type=&csrf=&decision=',
  'odd keys': '=&&&=x&a==b&&=&%20=%20',
  'wrong grant, real client': 'client_id=CLIENT&grant_type=authorization_code&code=tsc_guess&code_verifier=short&redirect_uri=https%3A%2F%2Fevil.example%2Fcb',
  'authorize with a foreign redirect': 'client_id=CLIENT&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&response_type=code&scope=openid&code_challenge=' + 'A'.repeat(43) + '&code_challenge_method=S256&state=s',
  'open redirect bait': 'next=https%3A%2F%2Fevil.example&return_to=%2F%2Fevil.example&redirect_uri=%2F%5Cevil.example&post_logout_redirect_uri=https%3Aevil.example&continue=javascript%3Aalert(1)&interaction=%2F%2Fevil.example',
};

/** Bodies with other content types (POST only). */
const BODIES: Record<string, { type: string; payload: string }> = {
  'JSON __proto__': { type: 'application/json', payload: '{"__proto__":{"admin":true},"token":"x"}' },
  'JSON constructor.prototype': { type: 'application/json', payload: '{"constructor":{"prototype":{"admin":true}}}' },
  'JSON operator object': { type: 'application/json', payload: '{"token":{"$ne":1},"client_id":["a","b"],"grant_type":{"toString":1}}' },
  'JSON array': { type: 'application/json', payload: '[1,2,3]' },
  'truncated JSON': { type: 'application/json', payload: '{"token":' },
  'JSON duplicate keys': { type: 'application/json', payload: '{"token":"a","token":"b"}' },
  'text/plain': { type: 'text/plain', payload: 'token=x' },
  'multipart': { type: 'multipart/form-data; boundary=x', payload: '--x\r\nContent-Disposition: form-data; name="token"\r\n\r\nx\r\n--x--' },
  'latin-1 form': { type: `${FORM}; charset=iso-8859-1`, payload: 'token=%E9' },
  'form over the body limit': { type: FORM, payload: `token=${'a'.repeat(70 * 1024)}` },
  'XML': { type: 'application/xml', payload: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' },
};

/** Header sets: credentials that are wrong, odd, huge or polluting. `CLIENT`/`SECRET` are replaced. */
const HEADERS: Record<string, Record<string, string>> = {
  'no credentials': {},
  'the sweep client': { authorization: 'BASIC_SWEEP' },
  'Basic with a huge value': { authorization: 'Basic ' + 'A'.repeat(6000) },
  'Basic of ":"': { authorization: 'Basic Og==' },
  'Basic __proto__': { authorization: 'Basic ' + Buffer.from('__proto__:constructor').toString('base64') },
  'Bearer garbage': { authorization: 'Bearer ' + 'x'.repeat(4000) },
  'Bearer alg none': { authorization: 'Bearer eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4In0.' },
  'two schemes': { authorization: 'Bearer a, Basic b' },
  'odd cookies': { cookie: 'tessera_session=tsn_guess; __Host-tessera_session=__proto__; __proto__=1; constructor=2' },
  'cross-site': { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'x-forwarded-for': '10.0.0.1, ::1', 'x-forwarded-host': 'evil.example' },
};

interface Case {
  label: string;
  options: InjectOptions;
  allowed: Set<number>;
}

function buildCases(client: TestClient): Case[] {
  const cases: Case[] = [];
  const sweepAuth = basic(client.clientId, client.clientSecret!);
  const fill = (s: string) => s.replaceAll('CLIENT', client.clientId);
  for (const endpoint of ENDPOINTS) {
    for (const method of METHODS) {
      const allowed = new Set<number>([...REFUSALS, ...(endpoint.legit[method] ?? [])]);
      const push = (label: string, options: Omit<InjectOptions, 'method' | 'url'> & { query?: string }) => {
        const { query, ...rest } = options;
        cases.push({
          label: `${method} ${endpoint.path} ${label}`,
          options: { method, url: query ? `${endpoint.path}?${query}` : endpoint.path, remoteAddress: nextAddress(), ...rest },
          allowed,
        });
      };
      for (const [headerName, headerSet] of Object.entries(HEADERS)) {
        const headers = Object.fromEntries(Object.entries(headerSet).map(([k, v]) => [k, v === 'BASIC_SWEEP' ? sweepAuth : v]));
        push(`[${headerName}]`, { headers });
      }
      if (method !== 'GET' && method !== 'POST') continue;
      for (const [name, params] of Object.entries(PARAMS)) {
        for (const auth of [{}, { authorization: sweepAuth }]) {
          const who = auth.authorization ? ' as the sweep client' : '';
          push(`query: ${name}${who}`, { query: fill(params), headers: auth });
          if (method === 'POST') push(`form: ${name}${who}`, { headers: { ...auth, 'content-type': FORM }, payload: fill(params) });
        }
      }
      if (method === 'POST') {
        for (const [name, body] of Object.entries(BODIES)) {
          push(`body: ${name}`, { headers: { authorization: sweepAuth, 'content-type': body.type }, payload: body.payload });
        }
      }
    }
  }
  return cases;
}

function check(res: Answer, c: Case): void {
  assert.ok(c.allowed.has(res.statusCode), `${c.label}: status ${res.statusCode}\n${res.body.slice(0, 300)}`);
  assertNoLeak(res, c.label);
  assertErrorFields(res, c.label);
  const location = res.headers.location;
  if (location !== undefined) {
    // No valid redirect URI is ever part of the sweep, so a redirect may only stay on our origin.
    assert.match(String(location), /^\/(?![/\\])/, `${c.label}: Location ${location}`);
  }
  for (const [name, value] of Object.entries(res.headers)) {
    assert.doesNotMatch(String(value), /[\r\n]/, `${c.label}: header ${name} carries CR/LF`);
    if (name === 'set-cookie') assert.doesNotMatch(String(value), /^x=1/, `${c.label}: an injected cookie`);
  }
}

for (const dialect of dialects()) {
  describe(`SECURITY 44: every endpoint, every method, hostile input (${dialect})`, () => {
    let t: TestApp;
    let sweep: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      await createClient(t.deps, { redirectUris: ['https://app.example/cb'] });
      // Its own client: the sweep's bad values must not spend another test's throttle allowance.
      sweep = await createClient(t.deps, { redirectUris: ['https://app.example/cb'] });
    });
    after(() => t.close());

    it('answers every case with a clean refusal or its legitimate answer, and changes no state', async (ctx) => {
      const cases = buildCases(sweep);
      assert.ok(cases.length > 1500, `${cases.length} cases`);
      const before = await countRows(t.deps);
      const statuses = new Map<number, number>();
      for (const c of cases) {
        const res = await t.app.inject(c.options);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        check(res, c);
      }
      ctx.diagnostic(`${cases.length} cases; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
      // The sweep reached the places it meant to: every kind of refusal it can provoke was seen.
      for (const status of [400, 401, 403, 404, 405, 413, 415]) assert.ok(statuses.has(status), `no ${status} seen: ${JSON.stringify([...statuses])}`);
      assert.deepEqual(await countRows(t.deps), before, 'no row was added or removed');
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'admin'), false, 'Object.prototype is untouched');
      assert.equal(({} as Record<string, unknown>).admin, undefined);
    });

    it('after the sweep, the same client still works: nothing was locked or corrupted', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/introspect',
        headers: { authorization: basic(sweep.clientId, sweep.clientSecret!), 'content-type': FORM },
        payload: 'token=x',
        remoteAddress: nextAddress(),
      });
      assert.ok([200, 429].includes(res.statusCode), String(res.statusCode));
      const meta = await t.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
      assert.equal(meta.json().issuer, t.issuer);
    });
  });
}

/**
 * A TCP relay between Tessera and PostgreSQL that the test can cut and restore: a real outage
 * (refused and reset connections), not a mocked one.
 */
class DatabaseRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(readonly port: number, private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    if (this.server) return;
    const server = createNetServer((inbound) => {
      const outbound = connect(this.target.port, this.target.host);
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

for (const dialect of dialects().filter((d) => d === 'postgres')) {
  describe(`SECURITY 44 and R3: hostile input while the database is down (${dialect})`, () => {
    let t: TestApp;
    let relay: DatabaseRelay;
    let c1: TestClient;

    before(async () => {
      const target = new URL(POSTGRES_URL);
      relay = new DatabaseRelay(await freePort(), { host: target.hostname, port: Number(target.port || 5432) });
      await relay.up();
      const viaRelay = new URL(POSTGRES_URL);
      viaRelay.port = String(relay.port);
      t = await startTestApp({ dialect, env: { DATABASE_URL: viaRelay.toString() } });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      c1 = await createClient(t.deps, { redirectUris: ['https://app.example/cb'] });
    });
    after(async () => {
      await relay.up().catch(() => {});
      await t.close();
      await relay.down();
    });

    it('every endpoint answers a refusal (503 where it needs the database), leaks nothing, and recovers', async (ctx) => {
      await relay.down();
      const auth = basic(c1.clientId, c1.clientSecret!);
      const statuses = new Map<number, number>();
      for (const endpoint of ENDPOINTS) {
        for (const method of ['GET', 'POST'] as const) {
          for (const params of [PARAMS['prototype values']!, PARAMS.unicode!, `client_id=${c1.clientId}&grant_type=refresh_token&refresh_token=tsr_guess&token=x&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=openid&code_challenge=${'A'.repeat(43)}&code_challenge_method=S256`]) {
            const c: Case = {
              label: `[database down] ${method} ${endpoint.path} ${params.slice(0, 40)}`,
              options: {
                method,
                url: method === 'GET' ? `${endpoint.path}?${params}` : endpoint.path,
                headers: { authorization: auth, cookie: 'tessera_session=tsn_guess', ...(method === 'POST' ? { 'content-type': FORM } : {}) },
                payload: method === 'POST' ? params : undefined,
                remoteAddress: nextAddress(),
              },
              allowed: new Set([...REFUSALS, ...(endpoint.legit[method] ?? [])]),
            };
            const started = performance.now();
            const res = await t.app.inject(c.options);
            const elapsed = performance.now() - started;
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
            check(res, c);
            assert.ok(elapsed < 10_000, `${c.label}: took ${elapsed.toFixed(0)} ms`);
          }
        }
      }
      ctx.diagnostic(`statuses while down: ${JSON.stringify(Object.fromEntries(statuses))}`);

      // The back-channel endpoints say so explicitly: 503 with Retry-After, never a 200.
      for (const [url, payload] of [
        ['/token', 'grant_type=refresh_token&refresh_token=tsr_guess'],
        ['/revoke', 'token=tsr_guess'],
        ['/introspect', 'token=tsr_guess'],
      ] as const) {
        const res = await t.app.inject({ method: 'POST', url, headers: { authorization: auth, 'content-type': FORM }, payload, remoteAddress: nextAddress() });
        assert.equal(res.statusCode, 503, `${url}: ${res.statusCode} ${res.body}`);
        assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/, url);
        assert.equal(res.json().error, 'temporarily_unavailable', url);
      }
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 503);

      // Restored: the same process serves again without a restart.
      await relay.up();
      const deadline = Date.now() + 15_000;
      let status = 0;
      while (Date.now() < deadline) {
        status = (await t.app.inject({ method: 'POST', url: '/introspect', headers: { authorization: auth, 'content-type': FORM }, payload: 'token=x', remoteAddress: nextAddress() })).statusCode;
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 200, 'introspection works again after the database is back');
    });
  });
}
