/**
 * Repositories: files stored by Tessera, versioned by commits (a full tree of path → blob per
 * commit), content-addressed blobs (id = SHA-256 of the content), branches pointing at commits.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('repositories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('default_branch', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('repositories_org_name').on('repositories').columns(['org_id', 'name']).unique().execute();

  await db.schema
    .createTable('blobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('commits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('repo_id', 'text', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
    .addColumn('parent_id', 'text')
    .addColumn('tree', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('commits_repo').on('commits').column('repo_id').execute();

  await db.schema
    .createTable('branches')
    .addColumn('repo_id', 'text', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('commit_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('branches_pk', ['repo_id', 'name'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of ['branches', 'commits', 'blobs', 'repositories']) await db.schema.dropTable(table).ifExists().execute();
}
