/**
 * Builds: definitions (a repository, a branch, declarative steps as JSON), builds numbered per
 * project (build_sequences holds each project's next number), and their log lines. A build's
 * runner_id / lease_expires_at / attempts make the claim by one node atomic and let a lost
 * runner's build be taken over (jobs/builds/runner.ts).
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('build_definitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('repo_id', 'text', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('build_definitions_project_name').on('build_definitions').columns(['project_id', 'name']).unique().execute();

  await db.schema
    .createTable('build_sequences')
    .addColumn('project_id', 'text', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    .addColumn('next_number', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('builds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('number', 'bigint', (c) => c.notNull())
    .addColumn('definition_id', 'text', (c) => c.notNull().references('build_definitions.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('commit_id', 'text', (c) => c.notNull())
    .addColumn('queued_by', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('runner_id', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('attempts', 'bigint', (c) => c.notNull())
    .addColumn('result', 'text')
    .execute();
  await db.schema.createIndex('builds_project_number').on('builds').columns(['project_id', 'number']).unique().execute();
  // The runners' queries: the oldest queued build, and running builds whose claim expired.
  await db.schema.createIndex('builds_status_queued').on('builds').columns(['status', 'queued_at']).execute();

  await db.schema
    .createTable('build_log_lines')
    .addColumn('build_id', 'text', (c) => c.notNull().references('builds.id').onDelete('cascade'))
    .addColumn('attempt', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('build_log_lines_pk', ['build_id', 'attempt', 'seq'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of ['build_log_lines', 'builds', 'build_sequences', 'build_definitions']) await db.schema.dropTable(table).ifExists().execute();
}
