/**
 * `tessera demo`: the real CLI seeds a fresh database; a server on the same database then lets the
 * printed people sign in (their passwords verify), the printed client secret works at /token,
 * and the API shows the seeded organizations, work items and finished builds with their logs.
 * A second run refuses and changes nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { obtainTokens } from '../support/codes.ts';
import { verifyPassword } from '../../src/crypto/passwords.ts';
import { CliTarget, assertRefused } from './cli.ts';

interface DemoOutput {
  issuer: string;
  people: { email: string; password: string; name: string; orgs: string }[];
  organizations: string[];
  app: { name: string; client_id: string; client_secret: string; redirect_uri: string; scopes: string; backchannel_logout_uri: string | null; ssf_endpoint_url: string | null };
  builds: { org: string; project: string; id: number; definition: string; status: string }[];
}

for (const dialect of dialects()) {
  describe(`tessera demo (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    let out: DemoOutput;
    before(async () => {
      cli = await CliTarget.create(dialect);
      out = await cli.json<DemoOutput>(['demo', '--redirect-uri', 'http://127.0.0.1:8765/callback']);
      // The builds were run to the end by the CLI itself (the demo output says so before any server starts).
      server = await cli.startApp();
    });
    after(async () => {
      await server?.close();
      await cli.close();
    });

    it('prints the people with working passwords, and seeds their organizations', async () => {
      assert.deepEqual(
        out.people.map((p) => [p.email, p.orgs]),
        [
          ['alice@demo.example.com', 'owner of acme, member of globex'],
          ['bob@demo.example.com', 'member of acme'],
          ['carol@demo.example.com', 'owner of globex'],
        ],
      );
      const passwords = new Set(out.people.map((p) => p.password));
      assert.equal(passwords.size, 3, 'each person gets a password of their own');
      for (const p of out.people) {
        assert.ok(p.password.length >= 20, 'generated, not a known default');
        const user = await server.deps.stores.users.findByEmail(p.email);
        assert.equal(await verifyPassword(user?.passwordHash, p.password), true, p.email);
      }
      const alice = (await server.deps.stores.users.findByEmail('alice@demo.example.com'))!;
      const memberships = await server.deps.stores.organizations.listForUser(alice.id);
      assert.deepEqual(memberships.map((m) => [m.org.slug, m.role]).sort(), [
        ['acme', 'owner'],
        ['globex', 'member'],
      ]);
    });

    it('registers the sample service: the printed secret works at /token, and the API shows projects, work items and finished builds', async () => {
      const app = await server.deps.stores.apps.find(out.app.client_id);
      assert.ok(app);
      assert.deepEqual(app.redirectUris, ['http://127.0.0.1:8765/callback']);
      // Issue 19: the sample's receivers, on its callback's origin, as its README registers them.
      assert.equal(app.backchannelLogoutUri, 'http://127.0.0.1:8765/backchannel-logout');
      assert.equal(app.ssfEndpointUrl, 'http://127.0.0.1:8765/security-events');
      assert.equal(out.app.backchannel_logout_uri, app.backchannelLogoutUri);
      assert.equal(out.app.ssf_endpoint_url, app.ssfEndpointUrl);
      assert.equal(app.clientType, 'confidential');
      const alice = (await server.deps.stores.users.findByEmail('alice@demo.example.com'))!;
      const tokens = await obtainTokens(server, {
        client: { app, clientId: app.id, clientSecret: out.app.client_secret },
        user: alice,
        scopes: ['openid', 'orgs:read', 'workitems:read', 'code:read', 'builds:read'],
      });
      const get = async (path: string) => {
        const res = await server.app.inject({ method: 'GET', url: `/api/v1${path}`, headers: { authorization: `Bearer ${tokens.access_token}` } });
        assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
        return res;
      };
      assert.deepEqual((await get('/orgs')).json().items.map((o: { slug: string }) => o.slug).sort(), ['acme', 'globex']);
      assert.deepEqual((await get('/orgs/acme/projects')).json().items.map((p: { key: string }) => p.key).sort(), ['mobile', 'web']);
      const mine = (await get(`/orgs/acme/projects/web/workitems?assignee=me`)).json().items;
      assert.deepEqual(mine.map((i: { state: string }) => i.state).sort(), ['active', 'new']);
      assert.deepEqual((await get('/orgs/acme/repos/web/contents/')).json().entries.map((e: { name: string }) => e.name), ['README.md', 'src']);

      assert.deepEqual(
        out.builds.map((b) => [b.id, b.definition, b.status]),
        [
          [1, 'check', 'succeeded'],
          [2, 'no-todos', 'failed'],
        ],
      );
      const builds = (await get('/orgs/acme/projects/web/builds')).json().items;
      assert.deepEqual(builds.map((b: { id: number; status: string }) => [b.id, b.status]), [
        [2, 'failed'],
        [1, 'succeeded'],
      ]);
      assert.match((await get('/orgs/acme/projects/web/builds/1/log')).body, /Z all checks passed\n.*Z build succeeded\n$/s);
      assert.match((await get('/orgs/acme/projects/web/builds/2/log')).body, /Z found at README\.md:5\n/);
      assert.deepEqual((await get('/orgs/acme/projects/web/build-definitions')).json().items.map((d: { name: string }) => d.name), ['check', 'no-todos']);
    });

    it('refuses to seed twice, changing nothing', async () => {
      const again = await cli.run(['demo']);
      assertRefused(again, 1, /already in this database/);
      const acme = (await server.deps.stores.organizations.findBySlug('acme'))!;
      const project = (await server.deps.stores.projects.findByKey(acme.id, 'web'))!;
      assert.equal((await server.deps.stores.builds.list(project.id, { limit: 10 })).length, 2);
      assert.equal((await server.deps.stores.repositories.listForOrg(acme.id)).length, 1);
    });

    it('refuses a bad --redirect-uri before touching the database', async () => {
      assertRefused(await cli.run(['demo', '--redirect-uri', 'http://evil.example/cb']), 2, /invalid --redirect-uri/);
    });
  });
}
