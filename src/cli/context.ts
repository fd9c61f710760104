/**
 * What a CLI command works with: the server's own configuration and database, migrated to the
 * latest schema first. No HTTP app, no change-feed listener, no revocation cache: the command
 * writes through the stores, and running servers pick the change up from the database.
 * @module
 */
import type { Config } from '../config/config.ts';
import type { Stores } from '../domain/stores.ts';
import { openDatabase, type DatabaseHandle } from '../persistence/database.ts';
import { migrateToLatest, type MigrationReport } from '../persistence/migrate.ts';
import { createStores } from '../persistence/stores/index.ts';

export interface CliContext {
  config: Config;
  database: DatabaseHandle;
  stores: Stores;
  /** Migrations this invocation applied (usually none). */
  migrations: MigrationReport;
  /** Epoch seconds, the unit of every stored time. */
  now(): number;
  /** Prints a warning line on stderr (stdout stays clean for --json). */
  warn(message: string): void;
}

export async function openContext(config: Config): Promise<CliContext & { close(): Promise<void> }> {
  const database = openDatabase(config.database);
  try {
    const migrations = await migrateToLatest(database.db);
    return {
      config,
      database,
      stores: createStores(database.db),
      migrations,
      now: () => Math.floor(Date.now() / 1000),
      warn: (message) => process.stderr.write(`tessera: warning: ${message}\n`),
      close: () => database.close(),
    };
  } catch (err) {
    await database.close().catch(() => {});
    throw err;
  }
}
