/** Repositories through the API: create, commit files, read files and directories at a branch or commit; scopes and isolation. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { digest } from '../../src/crypto/digest.ts';
import { call, createPlatform, type Platform } from './platform_fixture.ts';

for (const dialect of dialects()) {
  describe(`API repositories (${dialect})`, () => {
    let t: TestApp;
    let p: Platform;
    let token: string;
    let base: string;

    before(async () => {
      t = await startTestApp({ dialect });
      p = await createPlatform(t);
      token = await p.token('alice', 'code:write');
      base = `/orgs/${p.acme.slug}/repos`;
    });
    after(() => t.close());

    it('creates a repository with an empty main branch; a taken or bad name is refused', async () => {
      const created = await call(t, 'POST', base, token, { body: { name: 'web' } });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().default_branch, 'main');
      assert.ok(created.json().head);
      assert.equal((await call(t, 'POST', base, token, { body: { name: 'web' } })).statusCode, 409);
      assert.equal((await call(t, 'POST', base, token, { body: { name: '..' } })).statusCode, 400);
      assert.equal((await call(t, 'POST', base, token, { body: { name: 'a/b' } })).statusCode, 400);
      assert.deepEqual((await call(t, 'GET', base, token)).json().items.map((r: { name: string }) => r.name), ['web']);
      assert.deepEqual((await call(t, 'GET', `${base}/web/contents/`, token)).json().entries, []);
    });

    it('commits files (content-addressed), reads them at the branch and at an older commit, lists directories', async () => {
      const first = await call(t, 'PUT', `${base}/web/contents/src/index.ts`, token, { body: { content: 'export {};\n', message: 'add index' } });
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(first.json().sha, digest('export {};\n'));
      const second = await call(t, 'PUT', `${base}/web/contents/README.md`, token, { body: { content: '# web\n', message: 'readme', parent: first.json().id } });
      assert.equal(second.statusCode, 201, second.body);
      assert.equal(second.json().parent, first.json().id);

      const file = await call(t, 'GET', `${base}/web/contents/src/index.ts`, token);
      assert.deepEqual({ type: file.json().type, content: file.json().content, commit: file.json().commit }, { type: 'file', content: 'export {};\n', commit: second.json().id });
      assert.deepEqual((await call(t, 'GET', `${base}/web/contents/`, token)).json().entries, [
        { name: 'README.md', type: 'file' },
        { name: 'src', type: 'dir' },
      ]);
      const old = await call(t, 'GET', `${base}/web/contents/README.md?ref=${first.json().id}`, token);
      assert.equal(old.statusCode, 404, 'README did not exist at the first commit');
      assert.equal((await call(t, 'GET', `${base}/web/contents/src?ref=main`, token)).json().entries[0].name, 'index.ts');

      // A change based on a commit the branch has moved past is refused, not merged over.
      const stale = await call(t, 'PUT', `${base}/web/contents/README.md`, token, { body: { content: 'lost', message: 'x', parent: first.json().id } });
      assert.equal(stale.statusCode, 409);
      assert.equal(stale.json().code, 'conflict');
      const removed = await call(t, 'PUT', `${base}/web/contents/README.md`, token, { body: { content: null, message: 'drop readme' } });
      assert.equal(removed.statusCode, 201);
      assert.equal((await call(t, 'GET', `${base}/web/contents/README.md`, token)).statusCode, 404);
      assert.equal((await call(t, 'GET', `${base}/web/contents/README.md?ref=${second.json().id}`, token)).json().content, '# web\n');
    });

    it('refuses bad paths, unknown refs, missing scope, and another organization (not_found)', async () => {
      // (A bare ../ or %2E%2E segment is resolved by URL parsing before it gets here.)
      for (const bad of ['a//b', 'a/%2E%2E%2Fb', 'a%5Cb', 'a%00b', '%E0%A4%A']) {
        const res = await call(t, 'GET', `${base}/web/contents/${bad}`, token);
        assert.equal(res.statusCode, 400, `${bad}: ${res.body}`);
      }
      assert.equal((await call(t, 'GET', `${base}/web/contents/x?ref=nope`, token)).statusCode, 404);
      assert.equal((await call(t, 'PUT', `${base}/web/contents/x`, token, { body: { content: 'x' } })).statusCode, 400, 'message required');
      const readOnly = await p.token('alice', 'code:read');
      const refused = await call(t, 'PUT', `${base}/web/contents/x`, readOnly, { body: { content: 'x', message: 'm' } });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().scope, 'code:write');
      const workitems = await p.token('alice', 'workitems:write');
      assert.equal((await call(t, 'GET', base, workitems)).json().scope, 'code:read');
      const bob = await p.token('bob', 'code:write');
      for (const [method, path, body] of [
        ['GET', `${base}/web/contents/src/index.ts`, undefined],
        ['PUT', `${base}/web/contents/evil.sh`, { content: 'rm -rf', message: 'x' }],
        ['GET', base, undefined],
      ] as const) {
        const res = await call(t, method, path, bob, body ? { body } : {});
        assert.equal(res.statusCode, 404, `${method} ${path}`);
        assert.equal(res.json().code, 'not_found');
      }
    });
  });
}
