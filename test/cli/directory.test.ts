/**
 * `tessera directory add|list|remove` (issue 3): issuers must be https except on loopback, the
 * client secret is stored sealed under the KEK, `add` prints the callback URL to register, a
 * domain belongs to one directory, and removing a directory ends its people's sessions.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { CliTarget, assertRefused } from './cli.ts';
import { loadKeyEncryptionKey } from '../../src/crypto/key_encryption.ts';
import { unsealDirectorySecret } from '../../src/crypto/directory_secrets.ts';
import { randomToken } from '../../src/crypto/random.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomId } from '../../src/crypto/random.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import type { Deps } from '../../src/deps.ts';

const PUBLIC_URL = 'https://tessera.example.org';

for (const dialect of dialects()) {
  describe(`tessera directory (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    const env = { PUBLIC_URL };
    const add = (...args: string[]) => cli.run(['directory', 'add', ...args], env);

    before(async () => {
      cli = await CliTarget.create(dialect);
      await cli.json(['db', 'migrate']);
      server = await cli.startApp();
    });
    after(async () => {
      await server.close();
      await cli.close();
    });

    it('add stores the directory with its secret sealed and prints the callback URL to register', async () => {
      const result = await add(
        '--name', 'Example Corp', '--issuer', 'https://login.example.com/tenant-1', '--client-id', 'tessera',
        '--client-secret', 's3cret-value', '--domain', 'Example.COM', '--domain', 'corp.example.com', '--json',
      );
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout) as Record<string, unknown>;
      assert.equal(out.name, 'Example Corp');
      assert.equal(out.issuer, 'https://login.example.com/tenant-1');
      assert.deepEqual(out.domains, ['corp.example.com', 'example.com']);
      assert.equal(out.callback_url, `${PUBLIC_URL}/login/directory/callback`);
      assert.equal(JSON.stringify(out).includes('s3cret'), false, 'the secret is never printed');

      const stored = (await server.deps.stores.directories.findByDomain('example.com'))!;
      assert.equal(stored?.id, out.id);
      assert.equal(stored.clientSecretSealed.includes('s3cret'), false);
      assert.equal(unsealDirectorySecret(loadKeyEncryptionKey({ keyEncryptionKey: cli.kek, dataDir: cli.dataDir }), stored.id, stored.clientSecretSealed), 's3cret-value');

      const text = await cli.run(['directory', 'list'], env);
      assert.equal(text.code, 0);
      assert.match(text.stdout, /Example Corp/);
      assert.match(text.stdout, /domains corp\.example\.com, example\.com/);
      const listed = await cli.json<{ directories: { name: string; callback_url: string }[] }>(['directory', 'list']);
      assert.deepEqual(listed.directories.map((d) => d.name), ['Example Corp']);
    });

    it('add without --json tells the operator what to register', async () => {
      const result = await add('--name', 'Local Dev', '--issuer', 'http://127.0.0.1:9000', '--client-id', 'x', '--client-secret', 'y', '--domain', 'dev.test');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^added directory Local Dev \(id [\w-]{22}\) for dev\.test\n/);
      assert.match(result.stdout, /register this redirect URI \(callback URL\) at the directory: https:\/\/tessera\.example\.org\/login\/directory\/callback\n$/);
    });

    it('issuers must be https, except loopback addresses', async () => {
      const base = ['--client-id', 'x', '--client-secret', 'y'];
      const accepted = await Promise.all([
        add('--name', 'L1', '--issuer', 'http://localhost:8080', ...base, '--domain', 'l1.test'),
        add('--name', 'L2', '--issuer', 'http://[::1]:8080', ...base, '--domain', 'l2.test'),
        add('--name', 'L3', '--issuer', 'http://127.1.2.3', ...base, '--domain', 'l3.test'),
      ]);
      for (const result of accepted) assert.equal(result.code, 0, result.stderr);
      for (const issuer of ['http://login.example.com', 'http://10.0.0.1', 'http://127.0.0.1.example.com', 'ftp://login.example.com', 'https://login.example.com/?tenant=1', 'not a url']) {
        assertRefused(await add('--name', 'Bad', '--issuer', issuer, ...base, '--domain', 'bad.test'), 2, /--issuer/);
      }
      assertRefused(await add('--name', 'Bad', '--issuer', 'https://a.example', ...base, '--domain', 'not_a_domain'), 2, /--domain/);
      assertRefused(await add('--name', 'Bad', '--issuer', 'https://a.example', ...base), 2, /--domain/);
    });

    it('a domain belongs to one directory, and names are unique', async () => {
      const base = ['--issuer', 'https://other.example', '--client-id', 'x', '--client-secret', 'y'];
      assertRefused(await add('--name', 'Other', ...base, '--domain', 'fresh.test', '--domain', 'example.com'), 1, /example\.com \(Example Corp\)/);
      assertRefused(await add('--name', 'Example Corp', ...base, '--domain', 'fresh.test'), 1, /already exists/);
      assert.equal(await server.deps.stores.directories.findByDomain('fresh.test'), undefined, 'nothing half-written');
    });

    /** A refresh token of a fresh grant of `userId`, stored as a code exchange stores it; returns its id. */
    async function refreshTokenOf(deps: Deps, userId: string, appId: string): Promise<string> {
      const now = deps.clock.now();
      const grant = await deps.stores.grants.approve(userId, appId, ['openid', 'offline_access'], now);
      const base = { appId, userId, grantId: grant.id, familyId: randomId(), scopes: ['openid', 'offline_access'], authTime: now, amr: ['fed'], createdAt: now };
      const codeId = randomId();
      await deps.stores.tokens.createCode({ ...base, id: codeId, redirectUri: 'https://rp.example/cb', codeChallenge: 'x', nonce: null, expiresAt: now + 60, consumedAt: null });
      const id = randomId();
      assert.ok(await deps.stores.tokens.redeemCode(codeId, now, { ...base, id, parentId: null, expiresAt: now + 3600, familyExpiresAt: now + 3600, rotatedAt: null, revokedAt: null }));
      return id;
    }

    it('remove ends the sessions of its people and leaves the directory unknown', async () => {
      const directory = (await server.deps.stores.directories.findByName('Local Dev'))!;
      const now = server.clock.now();
      const worker = await server.deps.stores.directories.createAccount({ issuer: directory.issuer, subject: 'w1', directoryId: directory.id, email: 'w1@dev.test', name: 'W1' }, now);
      const sessionId = digest(randomToken('session'));
      await server.deps.stores.sessions.create({ id: sessionId, userId: worker.id, authTime: now, amr: ['fed'], createdAt: now, lastSeenAt: now, expiresAt: now + 3600, ip: null, userAgent: null });
      // Their services lose the refresh tokens too; a personal account's stay (SECURITY 37).
      const client = await createClient(server.deps);
      const workerToken = await refreshTokenOf(server.deps, worker.id, client.clientId);
      const personalToken = await refreshTokenOf(server.deps, (await createUser(server.deps, 'personal@example.org')).id, client.clientId);

      const out = await cli.json(['directory', 'remove', '--name', 'Local Dev']);
      assert.deepEqual(out, { id: directory.id, name: 'Local Dev', removed: true, sessions_ended: 1 });
      assert.equal(await server.deps.stores.sessions.findLive(sessionId, server.clock.now()), undefined);
      assert.notEqual((await server.deps.stores.tokens.findRefresh(workerToken))?.revokedAt ?? null, null, "the directory's person's refresh token is revoked");
      assert.equal((await server.deps.stores.tokens.findRefresh(personalToken))?.revokedAt, null, 'a personal account keeps its refresh token');
      assert.equal(await server.deps.stores.directories.findByDomain('dev.test'), undefined);
      assert.equal((await server.deps.stores.users.findById(worker.id))?.directoryId, null);
      assertRefused(await cli.run(['directory', 'remove', '--name', 'Local Dev']), 1, /no directory named "Local Dev"/);
      // An id may start with "-" (base64url, 1 in 64): given as --name=ID, as the CLI asks for such values.
      const byId = await cli.json(['directory', 'remove', `--name=${(await server.deps.stores.directories.findByName('L1'))!.id}`]);
      assert.equal(byId.name, 'L1');
    });
  });
}
