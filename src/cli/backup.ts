/**
 * `tessera db backup` and `tessera db restore`: the embedded SQLite database, copied with SQLite's
 * online backup API while servers run, and restored into an empty place. PostgreSQL installations
 * use pg_dump / pg_restore (docs/operators.md#backup-and-restore); these commands say so.
 * Neither command touches the key-encryption key: it is not in the backup and must be kept apart.
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/config.ts';
import { command } from './command.ts';
import { CliError, UsageError } from './errors.ts';
import { openContext } from './context.ts';
import { checkOpens, currentKek, kekId, UnopenableValueError } from '../crypto/rekey.ts';
import { sealedKekId } from '../crypto/key_encryption.ts';
import { copySqlite, describeBackup, InvalidBackupError, type BackupSummary } from '../persistence/backup.ts';

const PG_DUMP = 'pg_dump --format=custom --file FILE "$DATABASE_URL"';
const PG_RESTORE = 'pg_restore --dbname "$DATABASE_URL" --no-owner --exit-on-error FILE';

function sqlitePath(config: Config, verb: string, pgCommand: string): string {
  if (config.database.dialect !== 'sqlite') {
    throw new CliError(`tessera db ${verb} works on the embedded SQLite database; on PostgreSQL use: ${pgCommand} (docs/operators.md, "Backup and restore")`);
  }
  return config.database.path;
}

function describe(path: string): BackupSummary {
  try {
    return describeBackup(path);
  } catch (err) {
    if (err instanceof InvalidBackupError) throw new CliError(err.message);
    throw err;
  }
}

/** The key ids the sealed values name (v1 values, from before ids, name none). */
function kekIdsOf(summary: BackupSummary): string[] {
  return [...new Set(summary.sealed.map((v) => sealedKekId(v.sealed) ?? 'unnamed (v1)'))].sort();
}

const KEK_NOTICE = 'The key-encryption key is NOT in this file: keep it apart from the backup (a restore needs it; the backup alone cannot sign tokens or open secrets).';

export const backup = command<{ out: string }>({
  summary: 'copy the SQLite database into a new file, consistently, while servers run',
  flags: {
    out: { type: 'string', required: true, value: 'FILE', description: 'the backup file to create (must not exist)' },
  },
  example: 'tessera db backup --out /backups/tessera-2026-11-29.db',
  check(flags) {
    const out = flags.required('out');
    if (out.trim() === '') throw new UsageError('--out needs a path');
    return { out: resolve(out) };
  },
  run() {
    throw new Error('db backup runs standalone');
  },
  // Standalone: a backup taken before an upgrade must be of the schema as it was, not migrated first.
  async standalone(config, input) {
    const from = sqlitePath(config, 'backup', PG_DUMP);
    if (!existsSync(from)) throw new CliError(`no database at ${from}`);
    if (existsSync(input.out)) throw new CliError(`${input.out} already exists; a backup never overwrites a file`);
    await copySqlite(from, input.out);
    const summary = describe(input.out);
    const kekIds = kekIdsOf(summary);
    const { counts } = summary;
    return {
      json: { file: input.out, bytes: summary.bytes, counts, migration: summary.migration, kek_ids: kekIds, kek_included: false },
      text: [
        `wrote ${input.out} (${summary.bytes} bytes, schema ${summary.migration ?? 'empty'})`,
        `${counts.users} people, ${counts.apps} apps, ${counts.grants} grants, ${counts.refresh_tokens} refresh tokens, ${counts.signing_keys} signing keys`,
        `sealed under key-encryption key ${kekIds.join(', ') || '(nothing sealed yet)'}.`,
        KEK_NOTICE,
      ].join('\n'),
    };
  },
});

export const restore = command<{ from: string }>({
  summary: 'restore a backup into an empty place (stop the servers and move the old database aside first)',
  flags: {
    from: { type: 'string', required: true, value: 'FILE', description: 'a file written by tessera db backup' },
  },
  example: 'tessera db restore --from /backups/tessera-2026-11-29.db',
  check(flags) {
    const from = flags.required('from');
    if (from.trim() === '') throw new UsageError('--from needs a path');
    return { from: resolve(from) };
  },
  run() {
    throw new Error('db restore runs standalone');
  },
  async standalone(config, input, io) {
    const target = sqlitePath(config, 'restore', PG_RESTORE);
    if (!existsSync(input.from)) throw new CliError(`${input.from} does not exist`);
    // A server running on the target has the file open, so "no file there" also means "no server on it":
    // restore never writes under a live database, and the database it replaces stays as the operator left it.
    for (const path of [target, `${target}-wal`, `${target}-shm`]) {
      if (existsSync(path)) throw new CliError(`${path} exists: stop every server using it and move it (with its -wal and -shm files) aside, then restore`);
    }
    const summary = describe(input.from);
    const kekIds = kekIdsOf(summary);
    const kek = currentKek(config);
    if (summary.sealed.length > 0) {
      if (!kek) {
        throw new CliError(`the backup's keys are sealed under key-encryption key ${kekIds.join(', ')}: set KEY_ENCRYPTION_KEY to it (or put it in DATA_DIR/kek) first; nothing was restored`);
      }
      try {
        checkOpens(kek.key, summary.sealed);
      } catch (err) {
        if (err instanceof UnopenableValueError) {
          throw new CliError(`this key-encryption key (${kekId(kek.key)}) does not open the backup, sealed under ${kekIds.join(', ')}: ${err.message}; nothing was restored`);
        }
        throw err;
      }
    }
    await copySqlite(input.from, target);
    // Brings the schema up to this version, as the server would at start, and records the restore.
    const context = await openContext(config, io);
    try {
      await context.stores.audit.record({ type: 'database.restored', detail: { via: 'cli', from: input.from, migration: summary.migration } }, context.now());
    } finally {
      await context.close();
    }
    const { counts } = summary;
    return {
      json: { restored_to: target, from: input.from, counts, migration: summary.migration, kek_ids: kekIds },
      text: [
        `restored ${input.from} into ${target} (schema ${summary.migration ?? 'empty'})`,
        `${counts.users} people, ${counts.apps} apps, ${counts.grants} grants, ${counts.refresh_tokens} refresh tokens, ${counts.signing_keys} signing keys`,
        kek ? `the key-encryption key in use (${kekId(kek.key)}) opens every sealed value; start the server with it` : 'nothing in it was sealed',
      ].join('\n'),
    };
  },
});
