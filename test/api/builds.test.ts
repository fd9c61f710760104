/**
 * Builds through the API and the built-in runner: definitions, queuing, the runner taking builds
 * to succeeded / failed with their logs, lists with filters and cursors, scope and organization
 * refusals, bad input (400 problem, never 500), a lost runner's build retried or failed after the
 * lease, a stopping runner handing its build back, and two runners on one database never running
 * one build twice.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { databaseOf, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { call, createPlatform, type Platform } from './platform_fixture.ts';
import { removeMember, setMember } from '../../src/services/org_admin.ts';
import { BuildRunner } from '../../src/jobs/builds/runner.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { startServerProcess } from '../support/processes.ts';
import { postgresUrlFor } from '../cli/cli.ts';

const EVERYTHING = 'openid profile email orgs:read workitems:write code:write builds:execute full_access'.split(' ');

function assertProblem(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().code, code, res.body);
}

/** A platform where alice's acme has a project, a repository with files and definitions. */
async function seed(t: TestApp, suffix = '') {
  const p = await createPlatform(t, suffix);
  // The fixture's grants cover work items; these tests need code and builds too.
  await t.deps.stores.grants.approve(p.alice.id, p.service.clientId, EVERYTHING, t.clock.now());
  await t.deps.stores.grants.approve(p.bob.id, p.service.clientId, EVERYTHING, t.clock.now());
  const token = await p.token('alice', 'workitems:write code:write builds:execute');
  const org = p.acme.slug;
  assert.equal((await call(t, 'POST', `/orgs/${org}/projects`, token, { body: { name: 'Web' } })).statusCode, 201);
  assert.equal((await call(t, 'POST', `/orgs/${org}/repos`, token, { body: { name: 'web' } })).statusCode, 201);
  for (const [path, content] of [
    ['README.md', '# web\nTODO: write the docs\n'],
    ['src/index.ts', 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n'],
  ] as const) {
    const res = await call(t, 'PUT', `/orgs/${org}/repos/web/contents/${path}`, token, { body: { content, message: `add ${path}` } });
    assert.equal(res.statusCode, 201, res.body);
  }
  return { p, token, base: `/orgs/${org}/projects/web` };
}

async function waitFor(t: TestApp, path: string, token: string, done: (build: { status: string }) => boolean, ms = 15000): Promise<Record<string, unknown> & { status: string }> {
  const started = Date.now();
  for (;;) {
    const res = await call(t, 'GET', path, token);
    assert.equal(res.statusCode, 200, res.body);
    const build = res.json();
    if (done(build)) return build;
    if (Date.now() - started > ms) assert.fail(`${path} still ${build.status} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const finished = (b: { status: string }) => b.status === 'succeeded' || b.status === 'failed';

const CHECK = [
  { run: 'checkout' },
  { run: 'require-file', path: 'README.md' },
  { run: 'count-lines', path: 'src' },
  { run: 'echo', message: 'all good' },
];

for (const dialect of dialects()) {
  describe(`API builds (${dialect})`, () => {
    let t: TestApp;
    let p: Platform;
    let token: string;
    let base: string;

    before(async () => {
      t = await startTestApp({ dialect, env: { BUILD_POLL_MS: '100' } });
      ({ p, token, base } = await seed(t));
    });
    after(() => t.close());

    it('defines builds; lists and reads definitions; a taken name is 409', async () => {
      const created = await call(t, 'POST', `${base}/build-definitions`, token, { body: { name: 'check', repository: 'web', steps: CHECK } });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.headers.location, `${t.issuer}/api/v1${base}/build-definitions/check`);
      assert.deepEqual({ ...(created.json() as object), created_at: 0 }, { name: 'check', repository: 'web', branch: 'main', steps: CHECK, created_by: p.alice.id, created_at: 0 });
      const lint = await call(t, 'POST', `${base}/build-definitions`, token, {
        body: { name: 'lint', repository: 'web', branch: 'main', steps: [{ run: 'checkout' }, { run: 'forbid-text', text: 'TODO' }] },
      });
      assert.equal(lint.statusCode, 201, lint.body);
      assertProblem(await call(t, 'POST', `${base}/build-definitions`, token, { body: { name: 'lint', repository: 'web', steps: CHECK } }), 409, 'conflict');
      assert.deepEqual((await call(t, 'GET', `${base}/build-definitions`, token)).json().items.map((d: { name: string }) => d.name), ['check', 'lint']);
      assert.equal((await call(t, 'GET', `${base}/build-definitions/lint`, token)).json().steps[1].text, 'TODO');
      assertProblem(await call(t, 'GET', `${base}/build-definitions/nope`, token), 404, 'not_found');
    });

    it('refuses bad definitions and bad queue requests with a 400 problem, never a 500', async () => {
      const defs = `${base}/build-definitions`;
      const bad: [string, unknown][] = [
        ['a shell step', { name: 'x', repository: 'web', steps: [{ run: 'shell', command: 'rm -rf /' }] }],
        ['a command member', { name: 'x', repository: 'web', steps: [{ run: 'echo', message: 'hi', command: 'id' }] }],
        ['a file step before checkout', { name: 'x', repository: 'web', steps: [{ run: 'require-file', path: 'README.md' }] }],
        ['a path with ..', { name: 'x', repository: 'web', steps: [{ run: 'checkout' }, { run: 'require-file', path: 'a/../../etc/passwd' }] }],
        ['no steps', { name: 'x', repository: 'web', steps: [] }],
        ['too many steps', { name: 'x', repository: 'web', steps: Array.from({ length: 21 }, () => ({ run: 'checkout' })) }],
        ['a long sleep', { name: 'x', repository: 'web', steps: [{ run: 'sleep', ms: 3_600_000 }] }],
        ['a sleep as text', { name: 'x', repository: 'web', steps: [{ run: 'sleep', ms: '10' }] }],
        ['a line break in a message', { name: 'x', repository: 'web', steps: [{ run: 'echo', message: 'a\nforged line' }] }],
        ['an unknown repository', { name: 'x', repository: 'nope', steps: CHECK }],
        ['an unknown branch', { name: 'x', repository: 'web', branch: 'nope', steps: CHECK }],
        ['a bad name', { name: '..', repository: 'web', steps: CHECK }],
        ['a name with a slash', { name: 'a/b', repository: 'web', steps: CHECK }],
        ['an unknown member', { name: 'x', repository: 'web', steps: CHECK, script: 'x' }],
        ['a step missing its member', { name: 'x', repository: 'web', steps: [{ run: 'sleep' }] }],
        ['a member the step does not take', { name: 'x', repository: 'web', steps: [{ run: 'checkout', path: 'src' }] }],
        ['an empty path', { name: 'x', repository: 'web', steps: [{ run: 'checkout' }, { run: 'count-lines', path: '/' }] }],
        ['not an object', ['x']],
      ];
      for (const [what, body] of bad) {
        const res = await call(t, 'POST', defs, token, { body });
        assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
        assertProblem(res, 400, 'invalid_request');
      }
      // The problem names what is wrong.
      const details = async (steps: unknown) => (await call(t, 'POST', defs, token, { body: { name: 'x', repository: 'web', steps } })).json().detail;
      assert.match(await details([{ run: 'shell' }]), /^body\.steps\.0\.run /);
      assert.equal(await details([{ run: 'echo' }]), 'steps: step 1 (echo) needs message');
      assert.equal(await details([{ run: 'fail', ms: 3 }]), 'steps: step 1 (fail) takes no ms');
      assert.equal(await details([{ run: 'forbid-text', text: 'x' }]), 'steps: step 1 (forbid-text) reads files: put a checkout step before it');
      assertProblem(await call(t, 'POST', defs, token, { raw: { payload: '{"name":', contentType: 'application/json' } }), 400, 'invalid_request');
      assertProblem(await call(t, 'POST', defs, token, { raw: { payload: 'name=x', contentType: 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');

      const builds = `${base}/builds`;
      for (const body of [{ definition: 'nope' }, { definition: 'check', branch: 'nope' }, { definition: 'check', extra: 1 }, {}, { definition: 42 }]) {
        assertProblem(await call(t, 'POST', builds, token, { body }), 400, 'invalid_request');
      }
      for (const query of ['status=bogus', 'limit=0', 'limit=101', 'cursor=%21%21', 'cursor=' + Buffer.from('-3').toString('base64url'), 'other=1']) {
        assertProblem(await call(t, 'GET', `${builds}?${query}`, token), 400, 'invalid_request');
      }
      assertProblem(await call(t, 'GET', `${builds}/abc`, token), 400, 'invalid_request');
      assertProblem(await call(t, 'GET', `${builds}/0`, token), 400, 'invalid_request');
      assertProblem(await call(t, 'GET', `${builds}/999`, token), 404, 'not_found');
      assertProblem(await call(t, 'GET', `${builds}/999/log`, token), 404, 'not_found');
      const put = await call(t, 'PUT', `${builds}/1`, token, { body: {} });
      assertProblem(put, 405, 'method_not_allowed');
      assert.equal(put.headers.allow, 'GET, HEAD');
    });

    it('runs builds: queued → running → succeeded with its log', async () => {
      const head = (await call(t, 'GET', `/orgs/${p.acme.slug}/repos/web`, token)).json().head;
      const queued = await call(t, 'POST', `${base}/builds`, token, { body: { definition: 'check' } });
      assert.equal(queued.statusCode, 201, queued.body);
      const build = queued.json();
      assert.equal(build.status, 'queued');
      assert.equal(build.commit, head, 'pinned to the branch head when queued');
      assert.equal(build.queued_by, p.alice.id);
      assert.equal(queued.headers.location, `${t.issuer}/api/v1${base}/builds/${build.id}`);

      const done = await waitFor(t, `${base}/builds/${build.id}`, token, finished);
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      assert.equal(done.attempts, 1);
      assert.equal(done.result, null);
      assert.ok(typeof done.started_at === 'number' && typeof done.finished_at === 'number');

      const log = await call(t, 'GET', `${base}/builds/${build.id}/log`, token);
      assert.equal(log.statusCode, 200);
      assert.match(String(log.headers['content-type']), /^text\/plain/);
      const lines = log.body.trimEnd().split('\n');
      for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /);
      const texts = lines.map((l) => l.slice(21));
      assert.match(texts[0]!, new RegExp(`^build #${build.id} started by runner \\S+ at commit ${head}$`));
      assert.deepEqual(texts.slice(1), [
        'step 1/4: checkout',
        `checked out commit ${head}: 2 files`,
        'step 2/4: require-file README.md',
        'found: README.md',
        'step 3/4: count-lines src',
        '     3 src/index.ts',
        '     3 lines in 1 files',
        'step 4/4: echo',
        'all good',
        'build succeeded',
      ]);
    });

    it('runs builds that fail, with the reason in the result and the log', async () => {
      const queued = await call(t, 'POST', `${base}/builds`, token, { body: { definition: 'lint' } });
      assert.equal(queued.statusCode, 201, queued.body);
      const done = await waitFor(t, `${base}/builds/${queued.json().id}`, token, finished);
      assert.equal(done.status, 'failed');
      assert.equal(done.result, 'step 2 (forbid-text) failed: forbidden text found 1 times, first at README.md:2');
      const log = (await call(t, 'GET', `${base}/builds/${queued.json().id}/log`, token)).body;
      assert.match(log, /Z found at README\.md:2\n/);
      assert.match(log, /Z 2 files scanned, 1 matches\n/);
      assert.match(log, /Z build failed: step 2 \(forbid-text\) failed: .*\n$/);
      assert.doesNotMatch(log, /write the docs/, 'the log names the place, not the content');
    });

    it('lists builds newest first, filtered by definition and status, page by page', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await call(t, 'POST', `${base}/builds`, token, { body: { definition: 'check' } })).statusCode, 201);
      await waitFor(t, `${base}/builds/5`, token, finished);
      const first = await call(t, 'GET', `${base}/builds?limit=2`, token);
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(first.json().items.map((b: { id: number }) => b.id), [5, 4]);
      assert.equal(first.headers.link, `<${first.json().next}>; rel="next"`);
      const second = await call(t, 'GET', first.json().next.slice(`${t.issuer}/api/v1`.length), token);
      assert.deepEqual(second.json().items.map((b: { id: number }) => b.id), [3, 2]);
      const third = await call(t, 'GET', second.json().next.slice(`${t.issuer}/api/v1`.length), token);
      assert.deepEqual(third.json().items.map((b: { id: number }) => b.id), [1]);
      assert.equal(third.json().next, undefined);

      const failed = (await call(t, 'GET', `${base}/builds?status=failed`, token)).json().items;
      assert.deepEqual(failed.map((b: { id: number; definition: string }) => [b.id, b.definition]), [[2, 'lint']]);
      assert.equal((await call(t, 'GET', `${base}/builds?definition=lint`, token)).json().items.length, 1);
      assert.equal((await call(t, 'GET', `${base}/builds?definition=check&status=succeeded`, token)).json().items.length, 4);
      assert.deepEqual((await call(t, 'GET', `${base}/builds?definition=nope`, token)).json().items, []);
    });

    it('needs builds:read to read and builds:execute to define and queue; full_access covers both', async () => {
      const reader = await p.token('alice', 'builds:read');
      assert.equal((await call(t, 'GET', `${base}/builds`, reader)).statusCode, 200);
      assert.equal((await call(t, 'GET', `${base}/builds/1/log`, reader)).statusCode, 200);
      for (const [path, body] of [
        [`${base}/builds`, { definition: 'check' }],
        [`${base}/build-definitions`, { name: 'y', repository: 'web', steps: CHECK }],
      ] as const) {
        const refused = await call(t, 'POST', path, reader, { body });
        assertProblem(refused, 403, 'insufficient_scope');
        assert.equal(refused.json().scope, 'builds:execute');
        assert.equal(refused.headers['www-authenticate'], 'Bearer realm="tessera", error="insufficient_scope", scope="builds:execute"');
      }
      const other = await p.token('alice', 'workitems:write code:write');
      for (const path of [`${base}/builds`, `${base}/builds/1`, `${base}/builds/1/log`, `${base}/build-definitions`, `${base}/build-definitions/check`]) {
        const refused = await call(t, 'GET', path, other);
        assertProblem(refused, 403, 'insufficient_scope');
        assert.equal(refused.json().scope, 'builds:read');
      }
      const full = await p.token('alice', 'full_access');
      const queued = await call(t, 'POST', `${base}/builds`, full, { body: { definition: 'check' } });
      assert.equal(queued.statusCode, 201, queued.body);
      await waitFor(t, `${base}/builds/${queued.json().id}`, full, finished);
      assertProblem(await call(t, 'GET', `${base}/builds`, undefined), 401, 'invalid_token');
    });

    it("another organization's builds are not_found; a member who left gets not_a_member", async () => {
      const bob = await p.token('bob', 'builds:execute');
      for (const [method, path, body] of [
        ['GET', `${base}/builds`, undefined],
        ['GET', `${base}/builds/1`, undefined],
        ['GET', `${base}/builds/1/log`, undefined],
        ['GET', `${base}/build-definitions/check`, undefined],
        ['POST', `${base}/builds`, { definition: 'check' }],
        ['POST', `${base}/build-definitions`, { name: 'evil', repository: 'web', steps: CHECK }],
      ] as const) {
        assertProblem(await call(t, method, path, bob, body ? { body } : {}), 404, 'not_found');
      }
      await setMember(p.admin(), p.acme, p.bob.id, 'member');
      assert.equal((await call(t, 'GET', `${base}/builds/1`, bob)).statusCode, 200);
      assert.equal(await removeMember(p.admin(), p.acme, p.bob.id), true);
      const refused = await call(t, 'GET', `${base}/builds/1/log`, bob);
      assertProblem(refused, 403, 'not_a_member');
      assert.equal((await t.deps.stores.builds.list((await t.deps.stores.projects.findByKey(p.acme.id, 'web'))!.id, { status: 'queued', limit: 10 })).length, 0, 'bob queued nothing');
    });

    it('documents every builds operation in the OpenAPI document, the log as text/plain', async () => {
      const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
      const at = '/orgs/{org}/projects/{project}';
      assert.deepEqual(Object.keys(doc.paths[`${at}/builds`]).sort(), ['get', 'post']);
      assert.deepEqual(Object.keys(doc.paths[`${at}/build-definitions`]).sort(), ['get', 'post']);
      assert.ok(doc.paths[`${at}/build-definitions/{definition}`].get);
      assert.ok(doc.paths[`${at}/builds/{id}`].get);
      const log = doc.paths[`${at}/builds/{id}/log`].get;
      assert.ok(log.responses['200'].content['text/plain'], JSON.stringify(log.responses['200']));
      assert.deepEqual(doc.paths[`${at}/builds`].post.security, [{ bearer: ['builds:execute'] }]);
      assert.ok(doc.paths[`${at}/builds`].post.requestBody.content['application/json'].schema.properties.definition);
      const page = await t.app.inject({ method: 'GET', url: '/api/v1/docs' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /\/api\/v1\/orgs\/\{org\}\/projects\/\{project\}\/builds\/\{id\}\/log/);
    });
  });

  describe(`build runner lifecycle (${dialect})`, () => {
    let t: TestApp;
    let base: string;
    let token: string;
    let projectId: string;
    const options = { pollMs: 50, leaseSeconds: 30, maxAttempts: 2, concurrency: 2 };
    const runner = () => new BuildRunner(t.deps.stores, t.clock, createLogger('silent'), options);

    before(async () => {
      // No runner in the app: the tests drive runners (and "dead" ones) themselves.
      t = await startTestApp({ dialect, env: { BUILD_RUNNER: 'off' } });
      const seeded = await seed(t, '-rl');
      ({ base, token } = seeded);
      projectId = (await t.deps.stores.projects.findByKey(seeded.p.acme.id, 'web'))!.id;
      for (const [name, steps] of [
        ['check', CHECK],
        ['slow', [{ run: 'echo', message: 'before' }, { run: 'sleep', ms: 5000 }, { run: 'echo', message: 'after' }]],
      ] as const) {
        assert.equal((await call(t, 'POST', `${base}/build-definitions`, token, { body: { name, repository: 'web', steps } })).statusCode, 201);
      }
    });
    after(() => t.close());

    const queue = async (definition: string) => {
      const res = await call(t, 'POST', `${base}/builds`, token, { body: { definition } });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as number;
    };
    const build = async (id: number) => (await t.deps.stores.builds.find(projectId, id))!;

    it('a build whose runner died is retried after the lease; the dead runner can no longer write', async () => {
      const id = await queue('check');
      const now = t.clock.now();
      const dead = await t.deps.stores.builds.claimNext('dead-node', now, now + 30);
      assert.equal(dead?.number, id);
      assert.equal((await build(id)).status, 'running');

      const live = runner();
      await live.drain();
      assert.equal((await build(id)).status, 'running', 'the lease has not run out: nobody takes it');

      t.clock.advance(31);
      await live.drain();
      const retried = await build(id);
      assert.equal(retried.status, 'succeeded');
      assert.equal(retried.attempts, 2);
      assert.equal(await t.deps.stores.builds.finish(retried.id, 'dead-node', 1, 'failed', 'late', t.clock.now()), false, 'a late write of the lost attempt changes nothing');
      assert.equal((await build(id)).status, 'succeeded');
      const log = (await call(t, 'GET', `${base}/builds/${id}/log`, token)).body;
      assert.match(log, /Z attempt 2: the runner of the previous attempt stopped answering\n/);
      assert.match(log, /Z build succeeded\n$/);
    });

    it('a build whose runner died on every attempt fails with the reason', async () => {
      const id = await queue('check');
      for (let attempt = 1; attempt <= 2; attempt++) {
        await t.deps.stores.builds.reapExpired(t.clock.now(), 2);
        const now = t.clock.now();
        assert.equal((await t.deps.stores.builds.claimNext(`dead-${attempt}`, now, now + 30))?.attempt, attempt);
        t.clock.advance(31);
      }
      await runner().drain();
      const failed = await build(id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.attempts, 2);
      assert.match(failed.result ?? '', /runner stopped answering/);
    });

    it('a stopping runner interrupts its build and puts it back in the queue', async () => {
      const id = await queue('slow');
      const stopping = runner();
      stopping.start();
      const started = Date.now();
      while ((await build(id)).status !== 'running') {
        assert.ok(Date.now() - started < 10000, 'never started');
        await new Promise((r) => setTimeout(r, 20));
      }
      const stopAt = Date.now();
      await stopping.stop();
      assert.ok(Date.now() - stopAt < 3000, 'stop does not wait for the sleep to end');
      const back = await build(id);
      assert.equal(back.status, 'queued');
      assert.equal(back.startedAt, null);
      const log = (await call(t, 'GET', `${base}/builds/${id}/log`, token)).body;
      assert.match(log, /Z before\n/);
      assert.match(log, /Z interrupted: this runner is stopping; the build goes back to the queue\n$/);
      assert.doesNotMatch(log, /after/);
    });

    it('two runners on one database never run one build twice', async () => {
      // Clear the slow build left queued by the previous test.
      await runner().drain();
      const ids: number[] = [];
      for (let i = 0; i < 12; i++) ids.push(await queue('check'));
      const a = await startTestApp({ database: databaseOf(t), env: { BUILD_POLL_MS: '50', BUILD_CONCURRENCY: '3' } });
      const b = await startTestApp({ database: databaseOf(t), env: { BUILD_POLL_MS: '50', BUILD_CONCURRENCY: '3' } });
      try {
        const started = Date.now();
        while (!(await Promise.all(ids.map(build))).every((x) => x.status === 'succeeded')) {
          assert.ok(Date.now() - started < 30000, 'builds did not finish');
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await a.close();
        await b.close();
      }
      const runners = new Set<string>();
      for (const id of ids) {
        const x = await build(id);
        assert.equal(x.attempts, 1, `build ${id} claimed ${x.attempts} times`);
        const lines = await t.deps.stores.builds.readLog(x.id);
        const starts = lines.filter((l) => / started by runner /.test(l.text));
        assert.equal(starts.length, 1, `build ${id} started ${starts.length} times`);
        assert.equal(lines.filter((l) => l.text === 'build succeeded').length, 1);
        runners.add(/ started by runner (\S+) /.exec(starts[0]!.text)![1]!);
      }
      assert.ok([...runners].every((r) => r === a.deps.builds.id || r === b.deps.builds.id), 'run by the two nodes');
    });

    it('a server process stopped with SIGTERM mid-build hands the build back and exits 0', async () => {
      const db = t.config.database;
      const server = await startServerProcess({
        DATABASE_URL: db.dialect === 'sqlite' ? `sqlite:${db.path}` : postgresUrlFor(db.schema!),
        DATA_DIR: t.config.dataDir,
        KEY_ENCRYPTION_KEY: t.config.keyEncryptionKey!,
        BUILD_POLL_MS: '50',
      });
      let id: number;
      try {
        id = await queue('slow');
        const started = Date.now();
        while ((await build(id)).status !== 'running') {
          assert.ok(Date.now() - started < 15000, `never started:\n${server.output()}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        assert.equal(await server.stop('SIGTERM'), 0, server.output());
      }
      const back = await build(id);
      assert.equal(back.status, 'queued');
      assert.match((await call(t, 'GET', `${base}/builds/${id}/log`, token)).body, /Z interrupted: this runner is stopping; the build goes back to the queue\n$/);
      // Run it to the end here, so the next test starts with an empty queue.
      await runner().drain();
      assert.equal((await build(id)).status, 'succeeded');
    });

    it('racing claims from two nodes hand each queued build to exactly one of them', async () => {
      const other = await startTestApp({ database: databaseOf(t), env: { BUILD_RUNNER: 'off' } });
      try {
        const ids = new Set<number>();
        for (let i = 0; i < 20; i++) ids.add(await queue('check'));
        const claimed: string[] = [];
        const claimAll = async (stores: typeof t.deps.stores, node: string) => {
          for (;;) {
            const now = t.clock.now();
            const c = await stores.builds.claimNext(node, now, now + 30);
            if (!c) return;
            claimed.push(`${c.number}`);
          }
        };
        await Promise.all([claimAll(t.deps.stores, 'n1'), claimAll(other.deps.stores, 'n2'), claimAll(t.deps.stores, 'n3'), claimAll(other.deps.stores, 'n4')]);
        assert.equal(claimed.length, 20, `claimed: ${claimed.join(',')}`);
        assert.equal(new Set(claimed).size, 20, 'no build claimed twice');
        for (const id of ids) assert.equal((await build(id)).attempts, 1);
      } finally {
        await other.close();
      }
    });

    it('refuses a build beyond 50 queued or running in the project with 409', async () => {
      const pending = await t.deps.stores.builds.countPending(projectId);
      assert.ok(pending > 0 && pending <= 50, `pending ${pending}`);
      for (let i = pending; i < 50; i++) await queue('check');
      const refused = await call(t, 'POST', `${base}/builds`, token, { body: { definition: 'check' } });
      assertProblem(refused, 409, 'conflict');
      assert.match(refused.json().detail, /already has 50 builds queued or running/);
      assert.equal(await t.deps.stores.builds.countPending(projectId), 50);
    });
  });
}
