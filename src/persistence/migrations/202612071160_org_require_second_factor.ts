/**
 * org_policies.require_second_factor (issue 16): 1 when the owners require every member to have a
 * second factor (TOTP or a passkey) before services act for them in the organization, 0 otherwise.
 * An organization without a policy row keeps the defaults ('allow', not required), and every
 * existing row starts at 0: nothing changes until an owner turns it on.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('org_policies')
    .addColumn('require_second_factor', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('org_policies').dropColumn('require_second_factor').execute();
}
