/**
 * The platform's resources and the organizations' third-party policies: org_policies,
 * org_app_rules (approved / blocked apps per organization), former_memberships (so a person who
 * left is told `not_a_member` rather than `not_found`), projects, work_items, work_item_comments.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('org_policies')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('third_party', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('org_app_rules')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_app_rules_pk', ['org_id', 'app_id'])
    .execute();

  await db.schema
    .createTable('former_memberships')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('left_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('former_memberships_pk', ['org_id', 'user_id'])
    .execute();
  await db.schema.createIndex('former_memberships_user').on('former_memberships').column('user_id').execute();

  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('next_item', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('projects_org_key').on('projects').columns(['org_id', 'key']).unique().execute();

  await db.schema
    .createTable('work_items')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('number', 'bigint', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('work_items_pk', ['project_id', 'number'])
    .execute();

  await db.schema
    .createTable('work_item_comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('number', 'bigint', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('work_item_comments_item', ['project_id', 'number'], 'work_items', ['project_id', 'number'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('work_item_comments_item').on('work_item_comments').columns(['project_id', 'number', 'created_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of ['work_item_comments', 'work_items', 'projects', 'former_memberships', 'org_app_rules', 'org_policies']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
