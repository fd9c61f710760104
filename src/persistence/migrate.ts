/**
 * Applies the migrations in order. Append-only: a migration, once landed, never changes.
 * Idempotent: running it on an up-to-date database does nothing (SECURITY R2).
 * @module
 */
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database.ts';
import * as createCore from './migrations/202611282200_create_core.ts';

const MIGRATIONS: Record<string, Migration> = {
  '202611282200_create_core': createCore,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export interface MigrationReport {
  applied: string[];
}

export async function migrateToLatest(db: Db): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
