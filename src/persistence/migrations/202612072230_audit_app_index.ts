/**
 * audit_events by service (issue 21, the console's Audit log page, "tessera audit list --app"):
 * (app_id, at, id), the filter and then the page's order and keyset cursor, so the events of one
 * service are a range read however long the log. By person, (user_id, at) serves already; without
 * a filter, (at). SQLite keeps the rowid (the id) in every index, and PostgreSQL sorts only the
 * rows of one second by id.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.createIndex('audit_events_app').on('audit_events').columns(['app_id', 'at', 'id']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('audit_events_app').execute();
}
