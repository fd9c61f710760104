/**
 * users.platform_operator_at (seconds, null = not an operator): issue 21's platform operators, who
 * may open the operator console under /admin. Set and cleared only by `tessera user admin`
 * (--grant | --revoke), each with its audit event. No existing account is an operator.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('users').addColumn('platform_operator_at', 'bigint').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('users').dropColumn('platform_operator_at').execute();
}
