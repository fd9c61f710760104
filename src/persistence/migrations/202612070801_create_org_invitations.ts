/**
 * org_invitations: an owner's offer of a membership to an email address whose account is not
 * (or not yet) proven to own it. The person accepts it while signed in with a verified address
 * equal to `email` (normalized as domain/users.ts does); it is never matched to an account on its
 * own. At most one pending invitation per (organization, address): a partial unique index, as
 * org_app_requests has. Expiry is `expires_at` (a pending row past it is expired); answered
 * invitations stay as history. `invited_by` / `decided_by` are user ids, kept as text (the audit
 * log keeps who did what should the person be deleted).
 */
import { sql, type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('org_invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('decided_by', 'text')
    .execute();
  await db.schema
    .createIndex('org_invitations_one_pending')
    .on('org_invitations')
    .columns(['org_id', 'email'])
    .unique()
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
  await db.schema.createIndex('org_invitations_email_status').on('org_invitations').columns(['email', 'status']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('org_invitations').ifExists().execute();
}
