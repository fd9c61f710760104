/**
 * org_policies.device_flow_off (issue 17): 1 when the owners turned the device flow off for their
 * organization (RFC 8628 sign-ins leave it out of the grant), 0 otherwise. An organization without
 * a policy row keeps the default (allowed), and every existing row starts at 0.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('org_policies')
    .addColumn('device_flow_off', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('org_policies').dropColumn('device_flow_off').execute();
}
