/**
 * Wrong second-factor codes per account (issue 13, defect 3): counted in the database so that the
 * limit holds across pending sign-ins, survives a correct password, and is the same on every node.
 * One row per person: the failures in the current window and when that window began.
 *
 * A pending sign-in also keeps where to go after it (`return_to`, a path on Tessera's own origin),
 * since the portal no longer has a sign-in form of its own and sends people to /login.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('second_factor_failures')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('pending_sign_ins').addColumn('return_to', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('pending_sign_ins').dropColumn('return_to').execute();
  await db.schema.dropTable('second_factor_failures').execute();
}
