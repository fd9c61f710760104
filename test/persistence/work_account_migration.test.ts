/**
 * Migration 202611291100 (work accounts): on a database that already has people and their
 * sessions, it keeps every row, makes them personal accounts, keeps the foreign keys that point at
 * `users` working (SQLite rebuilds the table), and makes the email unique among personal accounts
 * only, so a work account may share it (SECURITY 48). The directory store's transactions are
 * single-use.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql, type Migration } from 'kysely';
import { dialects, createPostgresSchema, POSTGRES_URL, type Dialect } from '../support/app.ts';
import { openDatabase, type DatabaseHandle } from '../../src/persistence/database.ts';
import { migrateToLatest } from '../../src/persistence/migrate.ts';
import { createStores } from '../../src/persistence/stores/index.ts';
import * as createCore from '../../src/persistence/migrations/202611282200_create_core.ts';
import * as createSecondFactor from '../../src/persistence/migrations/202611290100_create_second_factor.ts';
import * as extendApps from '../../src/persistence/migrations/202611290200_extend_apps.ts';
import * as createPlatform from '../../src/persistence/migrations/202611290300_create_platform.ts';
import * as createRepositories from '../../src/persistence/migrations/202611290301_create_repositories.ts';
import * as grantChoices from '../../src/persistence/migrations/202611291000_grant_choices.ts';

/** The schema as it was before work accounts. */
const BEFORE: Record<string, Migration> = {
  '202611282200_create_core': createCore,
  '202611290100_create_second_factor': createSecondFactor,
  '202611290200_extend_apps': extendApps,
  '202611290300_create_platform': createPlatform,
  '202611290301_create_repositories': createRepositories,
  '202611291000_grant_choices': grantChoices,
};

async function open(dialect: Dialect, cleanups: (() => void)[]): Promise<{ handle: DatabaseHandle; schema?: string }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-migration-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return { handle: openDatabase({ dialect: 'sqlite', path: join(dir, 'tessera.db') }) };
  }
  const schema = await createPostgresSchema();
  return { handle: openDatabase({ dialect: 'postgres', url: POSTGRES_URL, schema }), schema };
}

for (const dialect of dialects()) {
  describe(`migration 202611291100 work accounts (${dialect})`, () => {
    const cleanups: (() => void)[] = [];
    after(() => cleanups.forEach((c) => c()));

    it('keeps people and sessions, keeps the foreign keys, and makes email unique among personal accounts only', async () => {
      const { handle, schema } = await open(dialect, cleanups);
      const db = handle.db;
      try {
        const migrator = new Migrator({ db, provider: { getMigrations: async () => BEFORE }, ...(schema ? { migrationTableSchema: schema } : {}) });
        const { error } = await migrator.migrateToLatest();
        assert.equal(error, undefined);
        const old = db as unknown as import('kysely').Kysely<any>;
        await old.insertInto('users').values({ id: 'u1', email: 'ann@corp.example', name: 'Ann', password_hash: 'h', created_at: 1, updated_at: 1, password_changed_at: 1, disabled_at: null }).execute();
        await old.insertInto('sessions').values({ id: 's1', user_id: 'u1', auth_time: 1, amr: '["pwd"]', created_at: 1, last_seen_at: 1, expires_at: 9e9, ended_at: null, ip: null, user_agent: null }).execute();

        const report = await migrateToLatest(db);
        assert.ok(report.applied.includes('202611291100_create_directories'), report.applied.join(', '));

        const stores = createStores(db, dialect);
        const ann = await stores.users.findByEmail('ann@corp.example');
        assert.equal(ann?.id, 'u1');
        assert.equal(ann?.kind, 'personal');
        assert.equal(ann?.passwordHash, 'h');
        assert.equal(ann?.directoryId, null);

        // Email: unique among personal accounts, shared with work accounts.
        assert.equal(await stores.users.create({ email: 'ANN@corp.example', name: 'Twin', passwordHash: null }, 2), undefined);
        const dir = await stores.directories.create({ id: 'd1', name: 'Corp', issuer: 'https://corp.example', clientId: 'c', clientSecretSealed: 'v1.x', domains: ['corp.example'], createdAt: 1 });
        assert.ok(dir.directory);
        const work = await stores.directories.createAccount({ issuer: 'https://corp.example', subject: 'ann', directoryId: 'd1', email: 'ann@corp.example', name: 'Ann (work)' }, 2);
        const again = await stores.directories.createAccount({ issuer: 'https://corp.example', subject: 'ann', directoryId: 'd1', email: 'ann@corp.example', name: 'Ann (work)' }, 3);
        assert.equal(again.id, work.id, 'the same (issuer, subject) is one account');
        const other = await stores.directories.createAccount({ issuer: 'https://other.example', subject: 'ann', directoryId: 'd1', email: 'ann@corp.example', name: 'Ann (other)' }, 3);
        assert.notEqual(other.id, work.id);
        assert.equal((await stores.users.findByEmail('ann@corp.example'))?.id, 'u1', 'findByEmail is personal only');
        assert.equal((await stores.directories.findAccount('https://corp.example', 'ann'))?.id, work.id);

        // Foreign keys into users still hold after the rebuild: a session for nobody is refused,
        // and deleting a person deletes their sessions.
        await assert.rejects(
          old.insertInto('sessions').values({ id: 's2', user_id: 'nobody', auth_time: 1, amr: '[]', created_at: 1, last_seen_at: 1, expires_at: 9e9, ended_at: null, ip: null, user_agent: null }).execute(),
        );
        await old.deleteFrom('users').where('id', '=', 'u1').execute();
        assert.equal((await old.selectFrom('sessions').select('id').where('id', '=', 's1').execute()).length, 0);
        if (dialect === 'sqlite') {
          const { rows } = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
          assert.equal(rows[0]?.foreign_keys, 1, 'foreign keys are back on');
        }

        // Upstream transactions are taken once.
        const now = 100;
        await stores.directories.createTransaction({ id: 't1', directoryId: 'd1', issuer: 'https://corp.example', state: 's', nonce: 'n', codeVerifier: 'v', interactionId: null, createdAt: now, expiresAt: now + 600 });
        const taken = await Promise.all([stores.directories.consumeTransaction('t1', now + 1), stores.directories.consumeTransaction('t1', now + 1)]);
        assert.equal(taken.filter(Boolean).length, 1);
        await stores.directories.createTransaction({ id: 't2', directoryId: 'd1', issuer: 'https://corp.example', state: 's', nonce: 'n', codeVerifier: 'v', interactionId: null, createdAt: now, expiresAt: now + 600 });
        assert.equal(await stores.directories.consumeTransaction('t2', now + 600), undefined, 'expired');
      } finally {
        await handle.close();
      }
    });
  });
}
