import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { POSTGRES_URL, dialects, type TestApp } from '../support/app.ts';
import { digest } from '../../src/crypto/digest.ts';
import { CliTarget, assertRefused } from './cli.ts';

/** Every byte the database holds for this installation, as text, to search for a plaintext secret. */
async function databaseText(cli: CliTarget): Promise<string> {
  if (cli.dialect === 'sqlite') {
    const files = [cli.sqlitePath!, `${cli.sqlitePath!}-wal`].filter((f) => existsSync(f));
    return files.map((f) => readFileSync(f).toString('latin1')).join('\n');
  }
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [cli.schema]);
    const parts: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${cli.schema}"."${table_name}" t`);
      parts.push(...rows.rows.map((r) => r.row));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

for (const dialect of dialects()) {
  describe(`tessera app create (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    before(async () => {
      cli = await CliTarget.create(dialect);
      await cli.json(['user', 'create', '--email', 'alice@example.com', '--name', 'Alice Liddell', '--password', 'long enough']);
      server = await cli.startApp();
    });
    after(async () => {
      await server.close();
      await cli.close();
    });

    it('a confidential app gets a client_id and a secret shown once and stored only as its digest (SECURITY 16)', async () => {
      const out = await cli.json<{ client_id: string; client_secret: string }>([
        'app', 'create', '--name', 'CI Dashboard', '--redirect-uri', 'https://ci.example.com/cb', '--redirect-uri', 'http://127.0.0.1/cb',
        '--owner', 'alice@example.com', '--description', 'Shows your builds.',
      ]);
      assert.deepEqual(Object.keys(out).sort(), ['client_id', 'client_secret']);
      assert.match(out.client_id, /^[0-9a-f]{32}$/);
      assert.match(out.client_secret, /^tss_[\w-]{43}$/);

      const app = await server.deps.stores.apps.find(out.client_id);
      assert.ok(app);
      assert.equal(app.clientType, 'confidential');
      assert.equal(app.name, 'CI Dashboard');
      assert.deepEqual(app.redirectUris, ['https://ci.example.com/cb', 'http://127.0.0.1/cb']);
      assert.deepEqual(app.scopes, ['openid', 'profile', 'email', 'offline_access', 'orgs:read', 'workitems:read']);
      assert.equal(app.publisher, 'Alice Liddell');
      assert.equal(app.description, 'Shows your builds.');
      assert.equal(app.verified, false);
      const alice = await server.deps.stores.users.findByEmail('alice@example.com');
      assert.equal(app.ownerUserId, alice!.id);

      const secrets = await server.deps.stores.apps.liveSecrets(out.client_id, server.clock.now());
      assert.deepEqual(secrets.map((s) => s.digest), [digest(out.client_secret)]);
      const stored = await databaseText(cli);
      assert.ok(stored.includes(out.client_id), 'the search reads the database');
      assert.ok(stored.includes(digest(out.client_secret)), 'the digest is stored');
      assert.ok(!stored.includes(out.client_secret), 'the secret is not stored');
      assert.ok(!stored.includes(out.client_secret.slice(4)), 'not even without its prefix');
    });

    it('each confidential app gets a different secret', async () => {
      const args = ['app', 'create', '--name', 'Twin', '--redirect-uri', 'https://twin.example/cb'];
      const [a, b] = await Promise.all([cli.json<{ client_secret: string; client_id: string }>(args), cli.json<{ client_secret: string; client_id: string }>(args)]);
      assert.notEqual(a.client_id, b.client_id);
      assert.notEqual(a.client_secret, b.client_secret);
    });

    it('the text output shows the secret once with a warning', async () => {
      const result = await cli.run(['app', 'create', '--name', 'Bot', '--redirect-uri', 'https://bot.example/cb']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /client_id: +[0-9a-f]{32}\n/);
      assert.match(result.stdout, /client_secret: tss_[\w-]{43}\n/);
      assert.match(result.stdout, /cannot be shown again/);
    });

    it('a public app gets no secret, and may use a reverse-DNS private-use scheme', async () => {
      const out = await cli.json(['app', 'create', '--name', 'Tessera CLI', '--public', '--redirect-uri', 'com.example.app:/oauth/cb', '--scopes', 'openid offline_access']);
      assert.deepEqual(Object.keys(out), ['client_id']);
      const app = await server.deps.stores.apps.find(String(out.client_id));
      assert.equal(app?.clientType, 'public');
      assert.deepEqual(app?.scopes, ['openid', 'offline_access']);
      assert.equal(app?.publisher, 'Unknown publisher');
      assert.equal(app?.description, '');
      assert.equal(app?.ownerUserId, null);
      assert.deepEqual(await server.deps.stores.apps.liveSecrets(String(out.client_id), server.clock.now()), []);
    });

    it('--publisher overrides the owner name', async () => {
      const out = await cli.json(['app', 'create', '--name', 'X', '--redirect-uri', 'https://x.example/cb', '--owner', 'alice@example.com', '--publisher', 'Example Ltd']);
      assert.equal((await server.deps.stores.apps.find(String(out.client_id)))?.publisher, 'Example Ltd');
    });

    it('refuses invalid redirect URIs with one line each (SECURITY 50)', async () => {
      const bad = [
        'https://a.example/cb#x',
        'http://a.example/cb',
        'https://*.a.example/cb',
        'javascript:alert(1)',
        'data:text/html,hi',
        'file:///etc/passwd',
        'myapp:/cb',
        '/cb',
        'http://localhost/cb',
        'http://localhost.evil.com/cb',
        'https://user:pw@a.example/cb',
        'com.example.app:/cb', // private-use scheme on a confidential app
      ];
      const results = await Promise.all(bad.map((uri) => cli.run(['app', 'create', '--name', 'Bad', '--redirect-uri', uri])));
      results.forEach((result) => assertRefused(result, 2, /invalid --redirect-uri/));
      assertRefused(await cli.run(['app', 'create', '--name', 'None']), 2, /needs --redirect-uri/);
    });

    it('--post-logout-redirect-uri registers sign-out return addresses (none by default) under the redirect URI rules', async () => {
      const out = await cli.json(['app', 'create', '--name', 'Y', '--redirect-uri', 'https://y.example/cb', '--post-logout-redirect-uri', 'https://y.example/bye', '--post-logout-redirect-uri', 'http://127.0.0.1/bye']);
      assert.deepEqual((await server.deps.stores.apps.find(String(out.client_id)))?.postLogoutRedirectUris, ['https://y.example/bye', 'http://127.0.0.1/bye']);
      const plain = await cli.json(['app', 'create', '--name', 'Z', '--redirect-uri', 'https://z.example/cb']);
      assert.deepEqual((await server.deps.stores.apps.find(String(plain.client_id)))?.postLogoutRedirectUris, []);
      for (const uri of ['https://y.example/bye#x', 'http://y.example/bye', 'javascript:alert(1)']) {
        assertRefused(await cli.run(['app', 'create', '--name', 'Bad', '--redirect-uri', 'https://y.example/cb', '--post-logout-redirect-uri', uri]), 2, /invalid --post-logout-redirect-uri/);
      }
    });

    it('rotate-secret: a new secret, stored as a digest, and every other live secret revoked; public and unknown apps refused', async () => {
      const out = await cli.json<{ client_id: string; client_secret: string }>(['app', 'create', '--name', 'Leaky', '--redirect-uri', 'https://leaky.example/cb']);
      const rotated = await cli.json<{ client_id: string; client_secret: string; secret_id: string; revoked: number }>(['app', 'rotate-secret', '--client-id', out.client_id]);
      assert.equal(rotated.client_id, out.client_id);
      assert.equal(rotated.revoked, 1);
      assert.notEqual(rotated.client_secret, out.client_secret);
      const live = await server.deps.stores.apps.liveSecrets(out.client_id, server.clock.now());
      assert.deepEqual(live.map((s) => [s.id, s.digest]), [[rotated.secret_id, digest(rotated.client_secret)]]);
      const audit = await cli.run(['audit', 'list', '--app', out.client_id, '--json']);
      assert.match(audit.stdout, /"type":"app_secret\.replaced"/);

      const publicApp = await cli.json<{ client_id: string }>(['app', 'create', '--name', 'Phone', '--public', '--redirect-uri', 'com.example.phone:/cb']);
      assertRefused(await cli.run(['app', 'rotate-secret', '--client-id', publicApp.client_id]), 1, /public client: it has no secret/);
      assertRefused(await cli.run(['app', 'rotate-secret', '--client-id', 'nope']), 1, /no app has client_id nope/);
      assertRefused(await cli.run(['app', 'rotate-secret']), 2, /--client-id/);
    });

    it('refuses unknown scopes and an unknown owner', async () => {
      const [scope, owner] = await Promise.all([
        cli.run(['app', 'create', '--name', 'S', '--redirect-uri', 'https://s.example/cb', '--scopes', 'openid admin']),
        cli.run(['app', 'create', '--name', 'S', '--redirect-uri', 'https://s.example/cb', '--owner', 'nobody@example.com']),
      ]);
      assertRefused(scope, 2, /unknown scope admin/);
      assertRefused(owner, 1, /no user has email nobody@example\.com/);
    });
  });
}
