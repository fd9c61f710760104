/**
 * What a person chooses about a grant (issue 4): the organizations it covers, edits that shrink
 * the tokens already in hand, and the activity "Manage applications" shows.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // NULL: every organization the person belongs to, now and later. Otherwise the organization
  // ids the person kept, space-separated.
  await db.schema.alterTable('grants').addColumn('org_ids', 'text').execute();
  await db.schema.createIndex('grants_user').on('grants').column('user_id').execute();

  // A grant narrowed by its person (scopes or organizations taken away): access tokens issued
  // before `narrowed_at` still carry the old claims, so every node applies the grant's current
  // scopes and organizations to them until they expire (`expires_at`). Like `revocations`.
  await db.schema
    .createTable('grant_narrowings')
    .addColumn('grant_id', 'text', (c) => c.primaryKey())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('org_ids', 'text')
    .addColumn('narrowed_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('grant_narrowings_at').on('grant_narrowings').column('narrowed_at').execute();

  // API calls per grant per day (UTC), written in batches by the usage recorder.
  await db.schema
    .createTable('grant_activity')
    .addColumn('grant_id', 'text', (c) => c.notNull().references('grants.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('calls', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('grant_activity_pk', ['grant_id', 'day'])
    .execute();

  // The last few API calls of each grant (method, route, status), trimmed as they are written.
  await db.schema
    .createTable('grant_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('grant_id', 'text', (c) => c.notNull().references('grants.id').onDelete('cascade'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('grant_actions_grant_at').on('grant_actions').columns(['grant_id', 'at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('grant_actions').execute();
  await db.schema.dropTable('grant_activity').execute();
  await db.schema.dropTable('grant_narrowings').execute();
  await db.schema.dropIndex('grants_user').execute();
  await db.schema.alterTable('grants').dropColumn('org_ids').execute();
}
