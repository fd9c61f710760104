/**
 * Paths named like Object.prototype members (`constructor`, `__proto__`, `toString`,
 * `hasOwnProperty`, `valueOf`) are files like any other: reading one that is absent is 404 (not
 * 500), writing one makes it appear, deleting one that is absent is refused with 404 and makes no
 * commit, and a build step that requires one fails when it is absent and passes when it is there.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { call, createPlatform, type Platform } from './platform_fixture.ts';

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];
const EVERYTHING = 'openid profile email orgs:read workitems:write code:write builds:execute full_access'.split(' ');

for (const dialect of dialects()) {
  describe(`API repositories: paths named like Object.prototype members (${dialect})`, () => {
    let t: TestApp;
    let p: Platform;
    let token: string;
    let base: string;

    const head = async () => {
      const res = await call(t, 'GET', `${base}/web`, token);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().head as string;
    };

    before(async () => {
      t = await startTestApp({ dialect, env: { BUILD_POLL_MS: '100' } });
      p = await createPlatform(t);
      await t.deps.stores.grants.approve(p.alice.id, p.service.clientId, EVERYTHING, t.clock.now());
      token = await p.token('alice', 'workitems:write code:write builds:execute');
      base = `/orgs/${p.acme.slug}/repos`;
      assert.equal((await call(t, 'POST', base, token, { body: { name: 'web' } })).statusCode, 201);
      assert.equal((await call(t, 'PUT', `${base}/web/contents/README.md`, token, { body: { content: '# web\n', message: 'readme' } })).statusCode, 201);
    });
    after(() => t.close());

    it('reading an absent file with such a name is 404 at the root and in a directory, never 500', async () => {
      for (const name of NAMES) {
        for (const at of [name, `docs/${name}`, `${name}/x`]) {
          const res = await call(t, 'GET', `${base}/web/contents/${at}`, token);
          assert.equal(res.statusCode, 404, `${at}: ${res.body}`);
          assert.equal(res.json().code, 'not_found', at);
        }
      }
    });

    it('deleting a file that does not exist is 404 and makes no commit', async () => {
      for (const at of ['nope.txt', 'src/nope.ts', ...NAMES]) {
        const before = await head();
        const res = await call(t, 'PUT', `${base}/web/contents/${at}`, token, { body: { content: null, message: `drop ${at}` } });
        assert.equal(res.statusCode, 404, `${at}: ${res.body}`);
        assert.equal(res.json().code, 'not_found', at);
        assert.equal(await head(), before, `${at}: the branch did not move`);
      }
    });

    it('writes, reads, lists, rewrites and deletes files with such names', async () => {
      for (const name of NAMES) {
        const content = `the file ${name}\n`;
        const put = await call(t, 'PUT', `${base}/web/contents/${name}`, token, { body: { content, message: `add ${name}` } });
        assert.equal(put.statusCode, 201, `${name}: ${put.body}`);
        const read = await call(t, 'GET', `${base}/web/contents/${name}`, token);
        assert.equal(read.statusCode, 200, `${name}: ${read.body}`);
        assert.deepEqual({ type: read.json().type, content: read.json().content, commit: read.json().commit }, { type: 'file', content, commit: put.json().id }, name);
        const nested = await call(t, 'PUT', `${base}/web/contents/lib/${name}`, token, { body: { content, message: `add lib/${name}` } });
        assert.equal(nested.statusCode, 201, `lib/${name}: ${nested.body}`);
        assert.equal((await call(t, 'PUT', `${base}/web/contents/${name}`, token, { body: { content, message: 'again' } })).statusCode, 409, `${name}: unchanged`);
      }
      const root = (await call(t, 'GET', `${base}/web/contents/`, token)).json().entries.map((e: { name: string }) => e.name);
      for (const name of NAMES) assert.ok(root.includes(name), `${name} listed at the root: ${root}`);
      const lib = (await call(t, 'GET', `${base}/web/contents/lib`, token)).json().entries.map((e: { name: string }) => e.name);
      assert.deepEqual([...lib].sort(), [...NAMES].sort());

      for (const name of NAMES) {
        const before = await head();
        const removed = await call(t, 'PUT', `${base}/web/contents/${name}`, token, { body: { content: null, message: `drop ${name}` } });
        assert.equal(removed.statusCode, 201, `${name}: ${removed.body}`);
        assert.equal(removed.json().parent, before);
        assert.equal((await call(t, 'GET', `${base}/web/contents/${name}`, token)).statusCode, 404, `${name} is gone`);
      }
      // The others are untouched.
      assert.equal((await call(t, 'GET', `${base}/web/contents/README.md`, token)).json().content, '# web\n');
      assert.equal((await call(t, 'GET', `${base}/web/contents/lib/constructor`, token)).json().content, 'the file constructor\n');
    });

    it('a build step requiring such a file fails when it is absent and passes when it is there', async () => {
      const project = `/orgs/${p.acme.slug}/projects`;
      assert.equal((await call(t, 'POST', project, token, { body: { name: 'Web' } })).statusCode, 201);
      const steps = [{ run: 'checkout' }, ...['constructor', 'toString'].map((path) => ({ run: 'require-file', path })), { run: 'count-lines' }];
      const def = await call(t, 'POST', `${project}/web/build-definitions`, token, { body: { name: 'protos', repository: 'web', steps } });
      assert.equal(def.statusCode, 201, def.body);

      const run = async () => {
        const queued = await call(t, 'POST', `${project}/web/builds`, token, { body: { definition: 'protos' } });
        assert.equal(queued.statusCode, 201, queued.body);
        const url = `${project}/web/builds/${queued.json().id}`;
        const deadline = Date.now() + 15_000;
        for (;;) {
          const build = (await call(t, 'GET', url, token)).json();
          if (build.status === 'succeeded' || build.status === 'failed') return build as { status: string; result: string | null };
          assert.ok(Date.now() < deadline, `build still ${build.status}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      };

      const absent = await run();
      assert.equal(absent.status, 'failed', JSON.stringify(absent));
      assert.match(String(absent.result), /constructor is missing/);

      for (const name of ['constructor', 'toString']) {
        assert.equal((await call(t, 'PUT', `${base}/web/contents/${name}`, token, { body: { content: 'a\nb\n', message: `add ${name}` } })).statusCode, 201);
      }
      const present = await run();
      assert.equal(present.status, 'succeeded', JSON.stringify(present));
    });
  });
}
