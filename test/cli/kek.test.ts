/**
 * `tessera keys rotate-kek` (issue 8, "Keys and secrets at rest"): every value sealed under the
 * key-encryption key (signing keys, TOTP secrets, directory client secrets) is re-sealed under a
 * new one in one transaction; tokens signed before still verify after a restart with the new key,
 * the JWKS is unchanged, a node still on the old key fails naming both keys, a value the old key
 * cannot open aborts the whole rotation, and a second run finishes an interrupted one.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { POSTGRES_URL, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createParties, type Parties } from '../support/fixtures.ts';
import { introspect, obtainTokens, refresh, type ObtainedTokens } from '../support/codes.ts';
import { CliTarget, assertRefused, postgresUrlFor } from './cli.ts';
import { kekId, sealedKekId } from '../../src/crypto/key_encryption.ts';
import { sealDirectorySecret, unsealDirectorySecret } from '../../src/crypto/directory_secrets.ts';
import { sealSecret, unsealSecret } from '../../src/services/accounts/second_factor.ts';
import { SqlSealedValueStore } from '../../src/persistence/stores/sealed_values.ts';
import type { SealedValue } from '../../src/domain/sealed_values.ts';

interface RotateOut {
  old_kek_id: string;
  new_kek_id: string;
  resealed: { signing_keys: number; totp_secrets: number; directory_secrets: number };
  unchanged: number;
  kek_file: string | null;
  generated: boolean;
  next_steps: string[];
}

const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const DIRECTORY_SECRET = 'directory-client-secret-value';

function key(): string {
  return randomBytes(32).toString('base64url');
}

function sealedValues(t: TestApp): Promise<SealedValue[]> {
  return new SqlSealedValueStore(t.deps.database.db, t.config.database.dialect).listAll();
}

async function jwks(t: TestApp): Promise<unknown> {
  return (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
}

for (const dialect of dialects()) {
  describe(`tessera keys rotate-kek (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    let parties: Parties;
    let tokens: ObtainedTokens;
    let jwksBefore: unknown;
    const oldKek = () => cli.kek;
    const newKek = key();
    let newKeyFile: string;
    const withNewKey = () => startTestApp({ database: cli.dialect === 'sqlite' ? { dialect: 'sqlite', sqlitePath: cli.sqlitePath! } : { dialect: 'postgres', schema: cli.schema! }, keyEncryptionKey: newKek });

    before(async () => {
      cli = await CliTarget.create(dialect);
      newKeyFile = join(cli.dataDir, 'new-kek');
      writeFileSync(newKeyFile, newKek + '\n', { mode: 0o600 });
      server = await cli.startApp();
      parties = await createParties(server.deps);
      tokens = await obtainTokens(server, { client: parties.c1, user: parties.alice, scopes: ['openid', 'workitems:read', 'offline_access'] });
      // A second signing key, so both a current and a previous key are re-sealed.
      await server.deps.keys.rotate();
      const now = server.deps.clock.now();
      await server.deps.stores.users.startTotp(parties.alice.id, sealSecret(server.deps, parties.alice.id, TOTP_SECRET), now);
      await server.deps.stores.users.enableTotp(parties.alice.id, 1, [], now);
      const kek = Buffer.from(cli.kek, 'base64url');
      await server.deps.stores.directories.create({
        id: 'dir1', name: 'Corp', issuer: 'https://login.corp.example', clientId: 'tessera',
        clientSecretSealed: sealDirectorySecret(kek, 'dir1', DIRECTORY_SECRET), domains: ['corp.example'], createdAt: now,
      });
      jwksBefore = await jwks(server);
      await server.close();
    });
    after(async () => {
      await cli.close();
    });

    it('without a new key while KEY_ENCRYPTION_KEY is set, or with the same key, it is a usage error', async () => {
      assertRefused(await cli.run(['keys', 'rotate-kek']), 2, /--new-key-file FILE or NEW_KEY_ENCRYPTION_KEY/);
      const same = join(cli.dataDir, 'same-kek');
      writeFileSync(same, cli.kek);
      assertRefused(await cli.run(['keys', 'rotate-kek', '--new-key-file', same]), 2, /is the key in use/);
      writeFileSync(same, 'c2hvcnQ');
      assertRefused(await cli.run(['keys', 'rotate-kek', '--new-key-file', same]), 2, /base64 of exactly 32 bytes/);
      assertRefused(await cli.run(['keys', 'rotate-kek', '--new-key-file', join(cli.dataDir, 'missing')]), 2, /does not exist/);
    });

    it('re-seals every signing key, TOTP secret and directory secret under the new key', async () => {
      const out = await cli.json<RotateOut>(['keys', 'rotate-kek', '--new-key-file', newKeyFile]);
      assert.equal(out.old_kek_id, kekId(Buffer.from(oldKek(), 'base64url')));
      assert.equal(out.new_kek_id, kekId(Buffer.from(newKek, 'base64url')));
      assert.deepEqual(out.resealed, { signing_keys: 2, totp_secrets: 1, directory_secrets: 1 });
      assert.equal(out.unchanged, 0);
      assert.equal(out.kek_file, null);
      assert.match(out.next_steps.join('\n'), /Set KEY_ENCRYPTION_KEY to the new key .* on every node/);
    });

    it('after a restart with the new key: same JWKS, tokens issued before verify and refresh, secrets open', async () => {
      const t = await withNewKey();
      try {
        assert.deepEqual(await jwks(t), jwksBefore, 'the signing keys themselves did not change');
        const info = await introspect(t, parties.c1, tokens.access_token);
        assert.equal(info.active, true, 'an access token signed before the rotation still verifies');
        const userinfo = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
        assert.equal(userinfo.statusCode, 200, userinfo.body);
        const refreshed = await refresh(t, parties.c1, tokens.refresh_token);
        assert.equal(refreshed.statusCode, 200, refreshed.body);
        tokens = { ...tokens, ...(refreshed.json() as Partial<ObtainedTokens>) };

        const totp = (await t.deps.stores.users.findTotp(parties.alice.id))!;
        assert.equal(unsealSecret(t.deps, parties.alice.id, totp.secretSealed), TOTP_SECRET, 'the app opens the re-sealed TOTP secret');
        const dir = (await t.deps.stores.directories.find('dir1'))!;
        assert.equal(unsealDirectorySecret(Buffer.from(newKek, 'base64url'), 'dir1', dir.clientSecretSealed), DIRECTORY_SECRET);
        for (const value of await sealedValues(t)) {
          if (value.kind !== 'totp_secret') assert.equal(sealedKekId(value.sealed), kekId(Buffer.from(newKek, 'base64url')), `${value.kind} ${value.id}`);
        }
      } finally {
        await t.close();
      }
    });

    it('a node still on the old key fails at start, naming both keys', async () => {
      await assert.rejects(cli.startApp(), (err: Error) => {
        assert.match(err.message, new RegExp(`sealed under key-encryption key ${kekId(Buffer.from(newKek, 'base64url'))}, but this process holds ${kekId(Buffer.from(oldKek(), 'base64url'))}`));
        return true;
      });
    });

    it('run again after the roll, it finds everything under the new key and changes nothing', async () => {
      const out = await cli.json<RotateOut>(['keys', 'rotate-kek', '--new-key-file', newKeyFile]);
      assert.deepEqual(out.resealed, { signing_keys: 0, totp_secrets: 0, directory_secrets: 0 });
      assert.equal(out.unchanged, 4);
    });

    it('a value the key in use cannot open aborts the rotation: nothing changes', async () => {
      const t = await withNewKey();
      try {
        // A directory secret sealed under some third key, e.g. written by a misconfigured node.
        await t.deps.stores.directories.create({
          id: 'dir2', name: 'Stray', issuer: 'https://login.stray.example', clientId: 'tessera',
          clientSecretSealed: sealDirectorySecret(randomBytes(32), 'dir2', 'x'), domains: ['stray.example'], createdAt: t.deps.clock.now(),
        });
        const before = await sealedValues(t);
        const third = join(cli.dataDir, 'third-kek');
        writeFileSync(third, key());
        const result = await cli.run(['keys', 'rotate-kek', '--new-key-file', third], { KEY_ENCRYPTION_KEY: newKek });
        assertRefused(result, 1, /cannot open directory secret dir2 \(it is sealed under another key-encryption key\); nothing was changed/);
        assert.deepEqual(await sealedValues(t), before, 'every value is still sealed as it was');
        await t.deps.stores.directories.remove('dir2', t.deps.clock.now());
      } finally {
        await t.close();
      }
    });

    it('killed in the middle of its transaction, it leaves every value under the key in use', { skip: dialect !== 'postgres' && 'needs a row lock to stop the CLI mid-transaction (PostgreSQL)' }, async () => {
      // Another session holds the directory row, so the CLI re-seals the signing keys and the TOTP
      // secret, then waits on that row inside its transaction: there it is killed with SIGKILL.
      const blocker = new pg.Client({ connectionString: postgresUrlFor(cli.schema!) });
      await blocker.connect();
      const watcher = new pg.Client({ connectionString: POSTGRES_URL });
      await watcher.connect();
      const t = await withNewKey();
      const before = await sealedValues(t);
      await t.close();
      const third = join(cli.dataDir, 'crash-kek');
      writeFileSync(third, key());
      try {
        await blocker.query('begin');
        await blocker.query("select id from directories where id = 'dir1' for update");
        const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts'), 'keys', 'rotate-kek', '--new-key-file', third], {
          env: cli.env({ KEY_ENCRYPTION_KEY: newKek }),
          stdio: 'ignore',
        });
        const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
        const started = Date.now();
        for (;;) {
          const { rows } = await watcher.query(
            "select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like 'update \"directories\"%' and query like $1",
            ['%client_secret_sealed%'],
          );
          if (rows.length > 0) break;
          if (Date.now() - started > 60_000) throw new Error('the CLI never reached the directory row');
          await new Promise((r) => setTimeout(r, 50));
        }
        child.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL');
        await blocker.query('rollback');
        const after = await withNewKey();
        try {
          assert.deepEqual(await sealedValues(after), before, 'the updates of the killed transaction are gone');
          const totp = (await after.deps.stores.users.findTotp(parties.alice.id))!;
          assert.equal(unsealSecret(after.deps, parties.alice.id, totp.secretSealed), TOTP_SECRET, 'the key in use still opens everything');
        } finally {
          await after.close();
        }
      } finally {
        await blocker.end();
        await watcher.end();
      }
    });

    it('records kek.rotated in the audit log', async () => {
      const { events } = await cli.json<{ events: { type: string; detail: Record<string, unknown> }[] }>(['audit', 'list', '--type', 'kek.rotated'], );
      assert.equal(events.length, 2);
      assert.equal(events[1]!.detail.to, kekId(Buffer.from(newKek, 'base64url')));
      assert.deepEqual(events[1]!.detail.resealed, { signing_keys: 2, totp_secrets: 1, directory_secrets: 1 });
    });
  });

  describe(`tessera keys rotate-kek with the embedded DATA_DIR/kek (${dialect})`, () => {
    let cli: CliTarget;
    const embedded = { KEY_ENCRYPTION_KEY: '' };
    before(async () => {
      cli = await CliTarget.create(dialect);
    });
    after(async () => {
      await cli.close();
    });

    it('generates a new key, replaces the file, and the server starts with it', async () => {
      const first = await cli.run(['keys', 'rotate', '--json'], embedded); // generates DATA_DIR/kek and the first key
      assert.equal(first.code, 0, first.stderr);
      const file = join(cli.dataDir, 'kek');
      const oldKey = readFileSync(file, 'utf8').trim();
      const result = await cli.run(['keys', 'rotate-kek', '--json'], embedded);
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout) as RotateOut;
      assert.equal(out.kek_file, file);
      assert.equal(out.generated, true);
      assert.deepEqual(out.resealed, { signing_keys: 1, totp_secrets: 0, directory_secrets: 0 });
      const newKey = readFileSync(file, 'utf8').trim();
      assert.notEqual(newKey, oldKey);
      assert.equal(out.new_kek_id, kekId(Buffer.from(newKey, 'base64url')));
      assert.equal(existsSync(`${file}.next`), false);
      const listed = await cli.run(['keys', 'list', '--json'], embedded);
      assert.equal(listed.code, 0);
      const t = await startTestApp({ database: cli.dialect === 'sqlite' ? { dialect: 'sqlite', sqlitePath: cli.sqlitePath! } : { dialect: 'postgres', schema: cli.schema! }, keyEncryptionKey: newKey });
      await t.close();
    });

    it('a rotation that died after its commit is finished by running it again', async () => {
      const file = join(cli.dataDir, 'kek');
      const current = readFileSync(file, 'utf8').trim();
      // What a crash between the commit and the rename leaves: the data under kek.next's key, kek still the old one.
      const next = key();
      writeFileSync(`${file}.next`, next + '\n');
      const rotated = await cli.run(['keys', 'rotate-kek', '--json'], { KEY_ENCRYPTION_KEY: current, NEW_KEY_ENCRYPTION_KEY: next });
      assert.equal(rotated.code, 0, rotated.stderr);
      writeFileSync(file, current + '\n');
      writeFileSync(`${file}.next`, next + '\n');
      const again = await cli.run(['keys', 'rotate-kek', '--json'], embedded);
      assert.equal(again.code, 0, again.stderr);
      const out = JSON.parse(again.stdout) as RotateOut;
      assert.deepEqual(out.resealed, { signing_keys: 0, totp_secrets: 0, directory_secrets: 0 });
      assert.equal(out.unchanged, 1);
      assert.equal(readFileSync(file, 'utf8').trim(), next);
      assert.equal(existsSync(`${file}.next`), false);
    });
  });
}
