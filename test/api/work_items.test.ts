/**
 * Projects and work items through the API: success, bad input, JSON only, ETag / If-Match
 * optimistic concurrency, cursor pagination, comments; the OpenAPI document and docs page.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { call, createPlatform, type Platform } from './platform_fixture.ts';

for (const dialect of dialects()) {
  describe(`API projects and work items (${dialect})`, () => {
    let t: TestApp;
    let p: Platform;
    let token: string;
    let items: string;

    before(async () => {
      t = await startTestApp({ dialect });
      p = await createPlatform(t);
      token = await p.token('alice');
      items = `/orgs/${p.acme.slug}/projects/mobile-app-v2/workitems`;
    });
    after(() => t.close());

    it('creates a project whose key derives from its name, lists and reads it', async () => {
      const created = await call(t, 'POST', `/orgs/${p.acme.slug}/projects`, token, { body: { name: 'Mobile App (v2)', description: 'phones' } });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().key, 'mobile-app-v2');
      assert.match(String(created.headers.location), /\/api\/v1\/orgs\/acme\/projects\/mobile-app-v2$/);
      const again = await call(t, 'POST', `/orgs/${p.acme.slug}/projects`, token, { body: { name: 'mobile app v2' } });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().code, 'conflict');
      const list = await call(t, 'GET', `/orgs/${p.acme.slug}/projects`, token);
      assert.deepEqual(list.json().items.map((x: { key: string }) => x.key), ['mobile-app-v2']);
      const one = await call(t, 'GET', `/orgs/${p.acme.slug}/projects/mobile-app-v2`, token);
      assert.equal(one.json().name, 'Mobile App (v2)');
      assert.equal((await call(t, 'GET', `/orgs/${p.acme.slug}/projects/nope`, token)).json().code, 'not_found');
    });

    it('creates, reads, changes with If-Match and deletes a work item', async () => {
      const created = await call(t, 'POST', items, token, { body: { title: 'Crash on start', type: 'bug', assignee: p.alice.id } });
      assert.equal(created.statusCode, 201, created.body);
      const item = created.json();
      assert.deepEqual(
        { id: item.id, type: item.type, state: item.state, assignee: item.assignee, revision: item.revision, description: item.description },
        { id: 1, type: 'bug', state: 'new', assignee: p.alice.id, revision: 1, description: '' },
      );
      assert.equal(created.headers.etag, '"1"');

      const read = await call(t, 'GET', `${items}/1`, token);
      assert.equal(read.headers.etag, '"1"');
      assert.equal(read.json().title, 'Crash on start');

      const noIfMatch = await call(t, 'PATCH', `${items}/1`, token, { body: { state: 'active' } });
      assert.equal(noIfMatch.statusCode, 428);
      assert.equal(noIfMatch.json().code, 'precondition_required');

      const changed = await call(t, 'PATCH', `${items}/1`, token, { body: { state: 'active', description: 'on Android' }, headers: { 'if-match': '"1"' } });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(changed.json().revision, 2);
      assert.equal(changed.json().state, 'active');
      assert.equal(changed.headers.etag, '"2"');

      // A writer still holding revision 1 is refused instead of overwriting the change.
      const stale = await call(t, 'PATCH', `${items}/1`, token, { body: { state: 'closed' }, headers: { 'if-match': '"1"' } });
      assert.equal(stale.statusCode, 412);
      assert.equal(stale.json().code, 'precondition_failed');
      assert.equal((await call(t, 'PATCH', `${items}/1`, token, { body: { state: 'closed' }, headers: { 'if-match': 'W/"2"' } })).statusCode, 412);

      assert.equal((await call(t, 'DELETE', `${items}/1`, token)).statusCode, 428);
      assert.equal((await call(t, 'DELETE', `${items}/1`, token, { headers: { 'if-match': '"1"' } })).statusCode, 412);
      assert.equal((await call(t, 'DELETE', `${items}/1`, token, { headers: { 'if-match': '"2"' } })).statusCode, 204);
      const gone = await call(t, 'GET', `${items}/1`, token);
      assert.equal(gone.statusCode, 404);
      assert.equal(gone.json().code, 'not_found');
      assert.equal((await call(t, 'PATCH', `${items}/1`, token, { body: { state: 'new' }, headers: { 'if-match': '*' } })).statusCode, 404);
    });

    it('filters by state, type and assignee and pages with a cursor and a next link', async () => {
      const specs = [
        { title: 'a', type: 'task', state: 'new' },
        { title: 'b', type: 'bug', state: 'active', assignee: p.alice.id },
        { title: 'c', type: 'bug', state: 'new' },
        { title: 'd', type: 'feature', state: 'new', assignee: p.alice.id },
        { title: 'e', type: 'bug', state: 'new', assignee: p.alice.id },
      ];
      for (const body of specs) assert.equal((await call(t, 'POST', items, token, { body })).statusCode, 201);
      const titles = (res: { json(): { items: { title: string }[] } }) => res.json().items.map((x) => x.title);

      assert.deepEqual(titles(await call(t, 'GET', `${items}?type=bug`, token)), ['b', 'c', 'e']);
      assert.deepEqual(titles(await call(t, 'GET', `${items}?state=new&type=bug`, token)), ['c', 'e']);
      assert.deepEqual(titles(await call(t, 'GET', `${items}?assignee=me`, token)), ['b', 'd', 'e']);
      assert.deepEqual(titles(await call(t, 'GET', `${items}?assignee=${p.alice.id}&type=bug`, token)), ['b', 'e']);

      const first = await call(t, 'GET', `${items}?limit=2&type=bug`, token);
      assert.deepEqual(titles(first), ['b', 'c']);
      const next = new URL(first.json().next);
      assert.match(String(first.headers.link), /rel="next"/);
      assert.equal(next.searchParams.get('type'), 'bug', 'filters carry over');
      const second = await call(t, 'GET', `${next.pathname.replace('/api/v1', '')}${next.search}`, token);
      assert.deepEqual(titles(second), ['e']);
      assert.equal(second.json().next, undefined, 'the last page has no next');
    });

    it('concurrent writers: creates get distinct ids; of two changes based on one revision, one wins and one gets 412', async () => {
      const created = await Promise.all(Array.from({ length: 8 }, (_, i) => call(t, 'POST', items, token, { body: { title: `parallel ${i}` } })));
      assert.ok(created.every((r) => r.statusCode === 201));
      const ids = created.map((r) => r.json().id as number);
      assert.equal(new Set(ids).size, ids.length);
      const target = ids[0]!;
      const results = await Promise.all(
        ['active', 'resolved', 'closed'].map((state) => call(t, 'PATCH', `${items}/${target}`, token, { body: { state }, headers: { 'if-match': '"1"' } })),
      );
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 412, 412]);
      assert.equal((await call(t, 'GET', `${items}/${target}`, token)).json().revision, 2);
      for (const id of ids) assert.equal((await call(t, 'DELETE', `${items}/${id}`, token, { headers: { 'if-match': '*' } })).statusCode, 204);
    });

    it('comments on a work item', async () => {
      const item = (await call(t, 'POST', items, token, { body: { title: 'needs talk' } })).json();
      const posted = await call(t, 'POST', `${items}/${item.id}/comments`, token, { body: { body: 'I can take it' } });
      assert.equal(posted.statusCode, 201, posted.body);
      assert.equal(posted.json().author, p.alice.id);
      const list = await call(t, 'GET', `${items}/${item.id}/comments`, token);
      assert.deepEqual(list.json().items.map((c: { body: string }) => c.body), ['I can take it']);
      assert.equal((await call(t, 'GET', `${items}/999/comments`, token)).statusCode, 404);
    });

    it('refuses bad input with 400 invalid_request problems, other media types with 415', async () => {
      const bad: [string, string, unknown, Record<string, string>?][] = [
        ['POST', items, { title: '' }],
        ['POST', items, { title: 'x', type: 'epic' }],
        ['POST', items, { title: 'x', state: 'open' }],
        ['POST', items, { title: 42 }],
        ['POST', items, { title: 'x', assignee: p.bob.id }],
        ['POST', items, ['not', 'an', 'object']],
        ['PATCH', `${items}/2`, {}, { 'if-match': '*' }],
        ['POST', `/orgs/${p.acme.slug}/projects`, { name: '!!' }],
        ['POST', `/orgs/${p.acme.slug}/projects`, { name: 'x'.repeat(101) }],
        ['GET', `${items}?state=open`, undefined],
        ['GET', `${items}?limit=0`, undefined],
        ['GET', `${items}?limit=abc`, undefined],
        ['GET', `${items}?cursor=%%%`, undefined],
        ['GET', `${items}?cursor=bm90LWEtbnVtYmVy`, undefined],
        ['GET', `${items}?state=new&state=active`, undefined],
        ['GET', `${items}/abc`, undefined],
      ];
      for (const [method, path, body, headers] of bad) {
        const res = await call(t, method, path, token, { ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
        assert.equal(res.statusCode, 400, `${method} ${path} ${JSON.stringify(body)}: ${res.body}`);
        assert.equal(res.json().code, 'invalid_request');
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      }
      const malformed = await call(t, 'POST', items, token, { raw: { payload: '{"title": ', contentType: 'application/json' } });
      assert.equal(malformed.statusCode, 400);
      assert.equal(malformed.json().code, 'invalid_request');
      for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
        const res = await call(t, 'POST', items, token, { raw: { payload: 'title=x', contentType } });
        assert.equal(res.statusCode, 415, contentType);
        assert.equal(res.json().code, 'unsupported_media_type');
      }
    });

    it('rejects unknown members consistently (additionalProperties: false), naming them', async () => {
      const res = await call(t, 'POST', items, token, { body: { title: 'extra', revision: 99, created_by: p.bob.id } });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().detail, /additional properties/);
      const patch = await call(t, 'PATCH', `${items}/2`, token, { body: { titel: 'typo' }, headers: { 'if-match': '*' } });
      assert.equal(patch.statusCode, 400);
      const list = await call(t, 'GET', `${items}?sort=title`, token);
      assert.equal(list.statusCode, 400, 'an unknown query parameter too');
    });

    it('answers 405 with Allow for a method a path does not take', async () => {
      const res = await call(t, 'PUT', `${items}/1`, token, { body: { title: 'x' } });
      assert.equal(res.statusCode, 405);
      assert.equal(res.json().code, 'method_not_allowed');
      assert.equal(res.headers.allow, 'GET, PATCH, DELETE, HEAD');
      assert.equal((await call(t, 'DELETE', '/orgs', token)).statusCode, 405);
    });

    it('serves an OpenAPI 3.1 document generated from the routes and a readable docs page, without a token', async () => {
      const doc = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
      assert.equal(doc.statusCode, 200);
      const json = doc.json();
      assert.equal(json.openapi, '3.1.0');
      const paths = Object.keys(json.paths);
      for (const path of ['/me', '/orgs', '/orgs/{org}/projects', '/orgs/{org}/projects/{project}/workitems/{id}', '/orgs/{org}/projects/{project}/workitems/{id}/comments']) {
        assert.ok(paths.includes(path), `${path} in ${paths.join(', ')}`);
      }
      assert.ok(!paths.some((x) => x.includes('openapi') || x.includes('docs')));
      assert.deepEqual(json.paths['/orgs/{org}/projects/{project}/workitems/{id}'].patch.security, [{ bearer: ['workitems:write'] }]);
      assert.equal(json.paths['/orgs/{org}/projects/{project}/workitems'].post.requestBody.content['application/json'].schema.additionalProperties, false);
      assert.ok(json.components.securitySchemes.bearer.flows.authorizationCode.scopes['workitems:read']);

      const page = await t.app.inject({ method: 'GET', url: '/api/v1/docs' });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
      assert.match(page.body, /<code>PATCH<\/code>/);
      assert.match(page.body, /\/api\/v1\/orgs\/\{org\}\/projects\/\{project\}\/workitems\/\{id\}/);
      assert.doesNotMatch(page.body, /<script/);
    });
  });
}
