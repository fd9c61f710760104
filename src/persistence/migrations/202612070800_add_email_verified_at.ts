/**
 * users.email_verified_at (seconds, null = not proven): whether the person is known to own the
 * account's email address. Owners add members by email, so an unproven address must never
 * receive a membership meant for its real owner (org_invitations, 202612070801).
 *
 * Who counts as verified from now on: accounts an operator creates (`tessera user create`,
 * `tessera demo`), and work accounts whose directory says `email_verified: true` for an address in
 * one of its own domains (recorded at each sign-in). Sign-up accounts are not, until the person
 * proves the address (a later email feature).
 *
 * Existing rows: nothing says an existing account's address was ever proven, so they start
 * unverified, with one exception that has evidence in the append-only audit log: a personal
 * account whose `user.created` event says `{"via":"cli"}` was made by an operator, who vouched
 * for it then as `tessera user create` vouches now; it counts as verified since its creation.
 * Sign-up accounts (`user.signed_up`) are never verified here. Work accounts are not either:
 * their directory was never asked about `email_verified`; it is at their next sign-in. Operator
 * accounts whose event was purged under the audit retention stay unverified.
 */
import { sql, type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();
  await sql`update users set email_verified_at = created_at
    where kind = 'personal'
      and id in (select user_id from audit_events where type = 'user.created' and detail = ${'{"via":"cli"}'} and user_id is not null)
      and id not in (select user_id from audit_events where type = 'user.signed_up' and user_id is not null)`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
}
