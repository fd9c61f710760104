/**
 * Backup and restore of the embedded SQLite database through SQLite's online backup API
 * (better-sqlite3 `backup()`): a consistent copy while servers keep reading and writing, because
 * the copy is taken in one step under one read transaction (WAL: writers are not blocked).
 * PostgreSQL is backed up with pg_dump / pg_restore (docs/operators.md), not here.
 * @module
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import type { SealedValue } from '../domain/sealed_values.ts';

/** What a backup holds, for the operator's report. */
export interface BackupSummary {
  /** Rows of the tables that matter most when checking a restore. */
  counts: { users: number; apps: number; grants: number; refresh_tokens: number; signing_keys: number };
  /** The last migration applied in it. */
  migration: string | null;
  /** Every sealed value, to tell which key-encryption key the backup needs (crypto/rekey.ts). */
  sealed: SealedValue[];
  bytes: number;
}

/** Not a Tessera database, or a damaged one. */
export class InvalidBackupError extends Error {}

function count(db: SQLite.Database, table: string): number {
  return (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
}

/** Checks and describes a Tessera SQLite file (read-only). */
export function describeBackup(path: string): BackupSummary {
  let db: SQLite.Database;
  try {
    db = new SQLite(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new InvalidBackupError(`${path} cannot be opened as SQLite: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    let check: string;
    try {
      check = String(db.pragma('quick_check', { simple: true }));
    } catch (err) {
      throw new InvalidBackupError(`${path} is not a SQLite database: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (check !== 'ok') throw new InvalidBackupError(`${path} failed SQLite's integrity check: ${check}`);
    const tables = new Set((db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name));
    for (const table of ['kysely_migration', 'users', 'grants', 'signing_keys', 'user_totp', 'directories']) {
      if (!tables.has(table)) throw new InvalidBackupError(`${path} is not a Tessera database (no ${table} table)`);
    }
    const last = db.prepare('select name from kysely_migration order by name desc limit 1').get() as { name: string } | undefined;
    const sealed: SealedValue[] = [
      ...(db.prepare('select kid, private_jwk from signing_keys').all() as { kid: string; private_jwk: string }[]).map((r): SealedValue => ({ kind: 'signing_key', id: r.kid, sealed: r.private_jwk })),
      ...(db.prepare('select user_id, secret_sealed from user_totp').all() as { user_id: string; secret_sealed: string }[]).map((r): SealedValue => ({ kind: 'totp_secret', id: r.user_id, sealed: r.secret_sealed })),
      ...(db.prepare('select id, client_secret_sealed from directories').all() as { id: string; client_secret_sealed: string }[]).map((r): SealedValue => ({ kind: 'directory_secret', id: r.id, sealed: r.client_secret_sealed })),
    ];
    const pages = Number(db.pragma('page_count', { simple: true }));
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    return {
      counts: {
        users: count(db, 'users'),
        apps: count(db, 'apps'),
        grants: count(db, 'grants'),
        refresh_tokens: count(db, 'refresh_tokens'),
        signing_keys: count(db, 'signing_keys'),
      },
      migration: last?.name ?? null,
      sealed,
      bytes: pages * pageSize,
    };
  } finally {
    db.close();
  }
}

/**
 * Copies the database at `from` into the new file `to` (which must not exist) with the online
 * backup API. The copy is written as `to.partial` and renamed when complete, so a file named
 * `to` is always a whole backup; it is left in rollback-journal mode, one self-contained file.
 */
export async function copySqlite(from: string, to: string): Promise<void> {
  const partial = `${to}.partial`;
  rmSync(partial, { force: true });
  const source = new SQLite(from, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    // One step for all pages: one read transaction, so one consistent snapshot; a stepwise copy
    // would restart each time a server wrote in between and might never finish under load.
    await source.backup(partial, { progress: () => Number.MAX_SAFE_INTEGER });
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    source.close();
  }
  const copy = new SQLite(partial);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  if (existsSync(to)) {
    rmSync(partial, { force: true });
    throw new Error(`${to} appeared while the backup was written`);
  }
  renameSync(partial, to);
}
