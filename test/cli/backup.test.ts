/**
 * Backup and restore (issue 8, "Keys and secrets at rest"): a backup taken while a server runs and
 * writes, restored into a fresh data directory, gives a server with every grant, working refresh
 * tokens, access tokens issued before still verifying, and the same JWKS, provided it runs with
 * the same key-encryption key, which is not in the backup. SQLite: `tessera db backup|restore`;
 * PostgreSQL: the pg_dump / pg_restore commands docs/operators.md gives.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_URL, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createParties, createUser, type Parties } from '../support/fixtures.ts';
import { introspect, obtainTokens, refresh, type ObtainedTokens } from '../support/codes.ts';
import { CliTarget, assertRefused, runCli } from './cli.ts';
import { kekId } from '../../src/crypto/key_encryption.ts';

const run = promisify(execFile);
const SCOPES = ['openid', 'workitems:read', 'offline_access'];

interface Before {
  parties: Parties;
  tokens: ObtainedTokens[];
  jwks: unknown;
  grantIds: string[];
  bobId: string;
}

async function jwks(t: TestApp): Promise<unknown> {
  return (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
}

/** Grants, tokens and two signing keys, as a server that has been running a while has. */
async function populate(t: TestApp): Promise<Before> {
  const parties = await createParties(t.deps);
  const bob = await createUser(t.deps, 'bob@example.com');
  const tokens = [
    await obtainTokens(t, { client: parties.c1, user: parties.alice, scopes: SCOPES }),
    await obtainTokens(t, { client: parties.c2, user: parties.alice, scopes: SCOPES }),
    await obtainTokens(t, { client: parties.c1, user: bob, scopes: SCOPES }),
  ];
  await t.deps.keys.rotate();
  // One more token, signed by the new current key.
  tokens.push(await obtainTokens(t, { client: parties.c2, user: bob, scopes: SCOPES }));
  return { parties, tokens, jwks: await jwks(t), grantIds: [...new Set(tokens.map((x) => x.grantId))].sort(), bobId: bob.id };
}

/** What must hold on a server started on the restored database. */
async function assertRestored(t: TestApp, before: Before): Promise<void> {
  assert.deepEqual(await jwks(t), before.jwks, 'JWKS unchanged');
  const { alice, c1, c2 } = before.parties;
  const now = t.deps.clock.now();
  const live = [...(await t.deps.stores.grants.listLive(alice.id, now)), ...(await t.deps.stores.grants.listLive(before.bobId, now))].map((g) => g.id).sort();
  assert.deepEqual(live, before.grantIds, 'every grant is there, and live');
  for (const [i, tokens] of before.tokens.entries()) {
    const client = i % 2 === 0 ? c1 : c2;
    const info = await introspect(t, client, tokens.access_token);
    assert.equal(info.active, true, `access token ${i} issued before the backup still verifies`);
    const refreshed = await refresh(t, client, tokens.refresh_token);
    assert.equal(refreshed.statusCode, 200, `refresh token ${i}: ${refreshed.body}`);
    const fresh = refreshed.json() as { access_token: string };
    assert.equal((await introspect(t, client, fresh.access_token)).active, true);
  }
}

for (const dialect of dialects()) {
  describe(`tessera db backup and restore (${dialect})`, () => {
    if (dialect === 'sqlite') {
      let cli: CliTarget;
      let server: TestApp;
      let state: Before;
      let backupFile: string;
      let restoreDir: string;
      const restoreEnv = (overrides: Record<string, string> = {}) => ({
        PATH: process.env.PATH ?? '',
        DATABASE_URL: `sqlite:${join(restoreDir, 'tessera.db')}`,
        DATA_DIR: restoreDir,
        KEY_ENCRYPTION_KEY: cli.kek,
        ...overrides,
      });

      before(async () => {
        cli = await CliTarget.create('sqlite');
        server = await cli.startApp();
        state = await populate(server);
        backupFile = join(cli.dataDir, 'backup.db');
        restoreDir = mkdtempSync(join(tmpdir(), 'tessera-restore-'));
      });
      after(async () => {
        await server.close();
        await cli.close();
        rmSync(restoreDir, { recursive: true, force: true });
      });

      it('db backup copies the database while the server runs and writes', async () => {
        // The server keeps issuing tokens during the backup: the copy must be one consistent snapshot.
        let writing = true;
        const load = (async () => {
          let n = 0;
          while (writing) {
            await obtainTokens(server, { client: state.parties.c1, user: state.parties.alice, scopes: SCOPES });
            n++;
          }
          return n;
        })();
        const result = await cli.run(['db', 'backup', '--out', backupFile, '--json']);
        writing = false;
        assert.ok((await load) > 0, 'the server wrote during the backup');
        assert.equal(result.code, 0, result.stderr);
        const out = JSON.parse(result.stdout) as { file: string; counts: Record<string, number>; kek_ids: string[]; kek_included: boolean; migration: string };
        assert.equal(out.file, backupFile);
        assert.equal(out.counts.users, 2);
        assert.equal(out.counts.apps, 3);
        assert.equal(out.counts.signing_keys, 2);
        assert.ok(out.counts.grants >= 4);
        assert.deepEqual(out.kek_ids, [kekId(Buffer.from(cli.kek, 'base64url'))]);
        assert.equal(out.kek_included, false);
        assert.match(out.migration, /^\d{12}_/);
        // One self-contained file (no -wal next to it), intact, and no partial file left.
        assert.equal(existsSync(`${backupFile}-wal`), false);
        assert.equal(existsSync(`${backupFile}.partial`), false);
        const copy = new SQLite(backupFile, { readonly: true });
        try {
          assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
          assert.equal((copy.pragma('foreign_key_check') as unknown[]).length, 0);
          const orphans = copy.prepare('select count(*) as n from refresh_tokens where grant_id not in (select id from grants)').get() as { n: number };
          assert.equal(orphans.n, 0, 'no refresh token without its grant: nothing half-written');
        } finally {
          copy.close();
        }
        const text = await cli.run(['db', 'backup', '--out', join(cli.dataDir, 'backup2.db')]);
        assert.match(text.stdout, /The key-encryption key is NOT in this file/);
      });

      it('db backup never overwrites a file', async () => {
        assertRefused(await cli.run(['db', 'backup', '--out', backupFile]), 1, /already exists; a backup never overwrites a file/);
      });

      it('db restore without the key-encryption key, or with another one, restores nothing', async () => {
        const none = await runCli(['db', 'restore', '--from', backupFile], restoreEnv({ KEY_ENCRYPTION_KEY: '' }));
        assertRefused(none, 1, new RegExp(`sealed under key-encryption key ${kekId(Buffer.from(cli.kek, 'base64url'))}: set KEY_ENCRYPTION_KEY`));
        const other = await runCli(['db', 'restore', '--from', backupFile], restoreEnv({ KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') }));
        assertRefused(other, 1, /does not open the backup.*nothing was restored/);
        assert.equal(existsSync(join(restoreDir, 'tessera.db')), false);
      });

      it('db restore refuses a file that is not a Tessera backup', async () => {
        const junk = join(restoreDir, 'junk.db');
        writeFileSync(junk, 'not a database at all, just text');
        assertRefused(await runCli(['db', 'restore', '--from', junk], restoreEnv()), 1, /not a SQLite database|cannot be opened/);
        const foreign = join(restoreDir, 'foreign.db');
        const db = new SQLite(foreign);
        db.exec('create table t (x)');
        db.close();
        assertRefused(await runCli(['db', 'restore', '--from', foreign], restoreEnv()), 1, /is not a Tessera database/);
        assertRefused(await runCli(['db', 'restore', '--from', join(restoreDir, 'missing.db')], restoreEnv()), 1, /does not exist/);
        assert.equal(existsSync(join(restoreDir, 'tessera.db')), false);
      });

      it('db restore into a fresh data directory gives a server with every grant, token and key', async () => {
        const result = await runCli(['db', 'restore', '--from', backupFile, '--json'], restoreEnv());
        assert.equal(result.code, 0, result.stderr);
        const out = JSON.parse(result.stdout) as { restored_to: string; counts: Record<string, number> };
        assert.equal(out.restored_to, join(restoreDir, 'tessera.db'));
        assert.equal(out.counts.users, 2);
        const restored = await startTestApp({ database: { dialect: 'sqlite', sqlitePath: join(restoreDir, 'tessera.db') }, keyEncryptionKey: cli.kek });
        try {
          await assertRestored(restored, state);
          const events = await runCli(['audit', 'list', '--type', 'database.restored', '--json'], restoreEnv());
          assert.equal((JSON.parse(events.stdout) as { events: unknown[] }).events.length, 1);
        } finally {
          await restored.close();
        }
      });

      it('db restore refuses while a database is in place (a server may be running on it)', async () => {
        const again = await runCli(['db', 'restore', '--from', backupFile], restoreEnv());
        assertRefused(again, 1, /tessera\.db exists: stop every server using it and move it/);
        // And the live installation's own file is left alone.
        assertRefused(await cli.run(['db', 'restore', '--from', backupFile]), 1, /exists: stop every server/);
      });
    } else {
      let server: TestApp;
      let state: Before;
      let schema: string;
      const restoredDb = 'tessera_restore_' + randomBytes(5).toString('hex');
      const restoredUrl = POSTGRES_URL.replace(/\/[^/?]+(\?|$)/, `/${restoredDb}$1`);
      const dumpDir = mkdtempSync(join(tmpdir(), 'tessera-pgdump-'));

      before(async () => {
        server = await startTestApp({ dialect: 'postgres' });
        const db = server.config.database;
        schema = db.dialect === 'postgres' ? db.schema! : '';
        state = await populate(server);
      });
      after(async () => {
        await server.close();
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        await admin.query(`drop database if exists ${restoredDb} with (force)`);
        await admin.end();
        rmSync(dumpDir, { recursive: true, force: true });
      });

      it('db backup and db restore point to pg_dump and pg_restore', async () => {
        const cli = await CliTarget.create('postgres');
        try {
          assertRefused(await cli.run(['db', 'backup', '--out', join(dumpDir, 'x')]), 1, /on PostgreSQL use: pg_dump --format=custom/);
          assertRefused(await cli.run(['db', 'restore', '--from', join(dumpDir, 'x')]), 1, /on PostgreSQL use: pg_restore --dbname/);
          assert.equal(existsSync(join(dumpDir, 'x')), false);
        } finally {
          await cli.close();
        }
      });

      it('pg_dump while the server runs, pg_restore into a fresh database: every grant, token and key', async () => {
        const file = join(dumpDir, 'tessera.dump');
        let writing = true;
        const load = (async () => {
          while (writing) await obtainTokens(server, { client: state.parties.c1, user: state.parties.alice, scopes: SCOPES });
        })();
        // The documented command; --schema only because each test has its own schema in one database.
        await run('pg_dump', ['--format=custom', '--file', file, '--schema', schema, POSTGRES_URL]);
        writing = false;
        await load;
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        await admin.query(`create database ${restoredDb}`);
        await admin.end();
        await run('pg_restore', ['--dbname', restoredUrl, '--no-owner', '--exit-on-error', file]);
        const restored = await startTestApp({ database: { dialect: 'postgres', schema }, env: { DATABASE_URL: restoredUrl } });
        try {
          assert.match(String((await restored.deps.database.pool!.query('select current_database() as d')).rows[0].d), new RegExp(restoredDb));
          await assertRestored(restored, state);
        } finally {
          await restored.close();
        }
      });
    }
  });
}
