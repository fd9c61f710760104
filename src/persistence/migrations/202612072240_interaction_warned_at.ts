/**
 * interactions.warned_at (issue 20, "Friction where the risk is"): when the person passed the
 * "This service has not been verified" page of this pending authorization (epoch seconds), null
 * until then. An unverified service asking for a high-privilege scope cannot be approved before it
 * is set (services/unverified_warning.ts).
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('interactions').addColumn('warned_at', 'bigint').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('interactions').dropColumn('warned_at').execute();
}
