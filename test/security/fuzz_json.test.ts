/**
 * SECURITY 42–44 by property-based fuzzing (fast-check) of the two JSON APIs: the platform API
 * (/api/v1/*, with a valid access token) and the developer portal's API (/developers/api/v1/*,
 * with a signed-in developer). Bodies start valid and are broken (wrong types, `{"$ne":1}`,
 * `__proto__` and `constructor.prototype` keys, duplicate keys, lone surrogates, 20 kB strings,
 * truncation); path segments and query values get hostile bytes. Every answer is the route's own
 * success or a 4xx RFC 9457 problem with a known `code` (platform) / a known `error` (portal); no
 * 5xx; nothing leaks; a refused request changes no row. Seed and size: test/support/fuzz.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createPlatform, type Platform } from '../api/platform_fixture.ts';
import { Browser } from '../support/browser.ts';
import { StateGuard, assertPrototypeClean, encodeAll, fuzz, hostileJson, hostileParams, hostileValue, joinPairs, wellFormedValue } from '../support/fuzz.ts';
import { nextAddress } from './helpers.ts';

const GOOD_APP = {
  kind: 'web',
  name: 'CI Dashboard',
  description: 'Shows your builds.',
  company: 'Example Ltd',
  company_url: 'https://example.com/',
  website_url: 'https://ci.example.com/',
  redirect_uris: ['https://ci.example.com/cb'],
  scopes: ['openid', 'workitems:read'],
};

/** A path segment: the real one, or a hostile one (percent-encoded bytes, traversal, prototype names). */
const segment = (real: string) => fc.oneof({ weight: 2, arbitrary: fc.constant(real) }, { weight: 2, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '..', '%2e%2e', '%2F', '0', '-1', '1e3', '99999999999999999999') }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeAll) });

for (const dialect of dialects()) {
  describe(`SECURITY 42–44 fuzzing: JSON APIs (${dialect})`, () => {
    let t: TestApp;
    let platform: Platform;
    let token: string;
    let guard: StateGuard;
    let cookie: string;
    let appId: string;
    const counts: Record<string, number> = {};

    before(async () => {
      t = await startTestApp({ dialect, env: { API_RATE_LIMIT: '1000000/60' } });
      platform = await createPlatform(t);
      const now = t.clock.now();
      const project = (await t.deps.stores.projects.create({ orgId: platform.acme.id, key: 'web', name: 'Website', description: '' }, now))!;
      await t.deps.stores.workItems.create(project.id, { title: 'First', type: 'task', state: 'new', assigneeId: platform.alice.id, description: '', createdBy: platform.alice.id }, now);
      token = await platform.token('alice');
      const browser = new Browser(t);
      assert.equal((await browser.signIn(platform.alice.email)).statusCode, 303);
      const c = browser.sessionCookie()!;
      cookie = `${c.name}=${c.value}`;
      const made = await t.app.inject({ method: 'POST', url: '/developers/api/v1/apps', headers: { cookie, 'content-type': 'application/json' }, payload: JSON.stringify(GOOD_APP) });
      assert.equal(made.statusCode, 201, made.body);
      appId = made.json().client_id;
      guard = new StateGuard(t);
    });
    after(async () => {
      assertPrototypeClean();
      await t?.close();
    });

    it('/api/v1: hostile bodies, paths, queries and tokens get a problem code, never a 5xx, and refusals change nothing', async () => {
      const route = fc.constantFrom(
        ['GET', '/me'],
        ['GET', '/orgs'],
        ['GET', '/orgs/ORG/projects'],
        ['POST', '/orgs/ORG/projects'],
        ['GET', '/orgs/ORG/projects/PROJECT'],
        ['GET', '/orgs/ORG/projects/PROJECT/workitems'],
        ['POST', '/orgs/ORG/projects/PROJECT/workitems'],
        ['GET', '/orgs/ORG/projects/PROJECT/workitems/ID'],
        ['PATCH', '/orgs/ORG/projects/PROJECT/workitems/ID'],
        ['DELETE', '/orgs/ORG/projects/PROJECT/workitems/ID'],
        ['GET', '/orgs/ORG/projects/PROJECT/workitems/ID/comments'],
        ['POST', '/orgs/ORG/projects/PROJECT/workitems/ID/comments'],
        ['GET', '/orgs/ORG/projects/PROJECT/builds'],
        ['POST', '/orgs/ORG/projects/PROJECT/builds'],
        ['GET', '/orgs/ORG/projects/PROJECT/build-definitions'],
        ['GET', '/orgs/ORG/repos'],
        ['GET', '/orgs/ORG/repos/REPO/tree/main'],
      ) as fc.Arbitrary<[string, string]>;
      const arb = fc.record({
        route,
        org: segment(platform.acme.slug),
        project: segment('web'),
        id: segment('1'),
        query: hostileParams({ state: 'new', limit: '10' }, ['cursor', 'type', 'assignee']),
        withQuery: fc.boolean(),
        body: hostileJson({ title: 'A title', type: 'task', state: 'new', description: 'x', body: 'comment', name: 'P', key: 'p', definition: 'ci' }),
        auth: fc.oneof({ weight: 6, arbitrary: fc.constant(`Bearer ${token}`) }, { weight: 1, arbitrary: wellFormedValue.map((v) => `Bearer ${decodeURIComponent(v.replace(/%(?![0-9A-F]{2})/gi, '%25')).replace(/[^\x21-\x7e]/g, '')}`) }, { weight: 1, arbitrary: fc.constantFrom('', 'Bearer', `Basic ${token}`, `Bearer ${token}x`, `Bearer ${token} ${token}`) }),
        contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded'),
        ifMatch: fc.constantFrom(undefined, '"1"', '1', '*', 'W/"1"', '"__proto__"', '"99999999999999999999"'),
      });
      await guard.reset();
      guard.group = '/api/v1';
      counts['/api/v1'] = await fuzz('/api/v1', arb, async ({ route: [method, path], org, project, id, query, withQuery, body, auth, contentType, ifMatch }) => {
        const url = `/api/v1${path.replace('ORG', org).replace('PROJECT', project).replace('ID', id).replace('REPO', 'web')}${withQuery ? '?' + joinPairs(query) : ''}`;
        const hasBody = method === 'POST' || method === 'PATCH';
        const headers: Record<string, string> = { ...(auth ? { authorization: auth } : {}), ...(hasBody ? { 'content-type': contentType } : {}), ...(ifMatch ? { 'if-match': ifMatch } : {}) };
        const options = { method: method as 'GET', url, headers, payload: hasBody ? body : undefined, remoteAddress: nextAddress() };
        await guard.send(options, 'api', `${method} ${url.slice(0, 200)} ${JSON.stringify(headers).slice(0, 200)} ${hasBody ? body.slice(0, 300) : ''}`, [200, 201, 204]);
      });
    });

    it('/developers/api/v1: hostile app metadata, ids and secrets requests get a portal error, never a 5xx, and refusals change nothing', async () => {
      const route = fc.constantFrom(['GET', '/apps'], ['POST', '/apps'], ['POST', '/apps'], ['GET', '/apps/ID'], ['PUT', '/apps/ID'], ['PUT', '/apps/ID'], ['GET', '/apps/ID/secrets'], ['POST', '/apps/ID/secrets'], ['GET', '/apps/ID/usage'], ['DELETE', '/apps/OTHER'], ['DELETE', '/apps/ID/secrets/OTHER'], ['PUT', '/apps/ID/logo']) as fc.Arbitrary<[string, string]>;
      const arb = fc.record({
        route,
        id: segment(appId),
        other: segment('x'),
        body: hostileJson({ ...GOOD_APP, expires_in_days: 30, owner: { type: 'user' } }),
        contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'),
        site: fc.constantFrom<Record<string, string>>({}, {}, {}, { origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }),
        signedIn: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      });
      await guard.reset();
      guard.group = '/developers/api/v1';
      counts['/developers/api/v1'] = await fuzz('/developers/api/v1', arb, async ({ route: [method, path], id, other, body, contentType, site, signedIn }) => {
        // DELETE only ever names something that is not there: deleting the fixture app is not a refusal.
        const url = `/developers/api/v1${path.replace('ID', id).replace('OTHER', other === appId ? 'x' : other)}`;
        const hasBody = method === 'POST' || method === 'PUT';
        const headers: Record<string, string> = { ...(signedIn ? { cookie } : {}), ...(hasBody ? { 'content-type': contentType } : {}), ...site };
        const options = { method: method as 'GET', url, headers, payload: hasBody ? body : undefined, remoteAddress: nextAddress() };
        const label = `${method} ${url.slice(0, 200)} ${JSON.stringify(headers).slice(0, 200)} ${hasBody ? body.slice(0, 300) : ''}`;
        const res = await guard.send(options, 'portal', label, [200, 201, 204]);
        if (method !== 'GET' && site.origin === 'https://evil.example') assert.equal(res.statusCode >= 400, true, label);
        if (res.statusCode === 201 && path === '/apps') {
          // Mass assignment (SECURITY 43): whatever the body said, the new app is unverified and the caller's.
          const app = await t.deps.stores.apps.find(res.json().client_id);
          assert.equal(app?.verified, false, label);
          assert.equal(app?.ownerUserId, platform.alice.id, label);
        }
      });
    });

    it('afterwards the token and the developer session still work, and the process prototype is clean', async (ctx) => {
      ctx.diagnostic(`seed ${process.env.FUZZ_SEED ?? 20261129}; generated requests: ${JSON.stringify(counts)}; statuses: ${JSON.stringify(guard.tally)}`);
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.statusCode, 200, me.body);
      const apps = await t.app.inject({ method: 'GET', url: '/developers/api/v1/apps', headers: { cookie } });
      assert.equal(apps.statusCode, 200);
      assertPrototypeClean();
    });
  });
}
