/**
 * Security events to services (issue 19, second part): `apps.ssf_endpoint_url` is where an app
 * takes Security Event Tokens pushed to it (RFC 8935 §2; OpenID Shared Signals Framework 1.0:
 * the app's registration is its one stream). Null = none. The events themselves are rows of
 * `outbound_deliveries` with kind `security_event`, on the rails of back-channel logout.
 */
import { type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('apps').addColumn('ssf_endpoint_url', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('apps').dropColumn('ssf_endpoint_url').execute();
}
