/**
 * audit_events becomes append-only in the database itself (issue 8, "Audit"): a trigger refuses
 * every UPDATE and DELETE (and TRUNCATE on PostgreSQL), so no code path of the application, and
 * no bug in one, can rewrite or erase the record. The application has no retention purge; an
 * operator who must purge drops the trigger in a maintenance window (docs/operators.md, "Audit log").
 * Since 202611291700_relax_audit_deletes (issue 7), DELETE passes for rows over 90 days old.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create function audit_events_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_events is append-only'; end $$`.execute(db);
    await sql`create trigger audit_events_no_change before update or delete on audit_events
      for each row execute function audit_events_append_only()`.execute(db);
    await sql`create trigger audit_events_no_truncate before truncate on audit_events
      for each statement execute function audit_events_append_only()`.execute(db);
    return;
  }
  await sql`create trigger audit_events_no_update before update on audit_events
    begin select raise(abort, 'audit_events is append-only'); end`.execute(db);
  await sql`create trigger audit_events_no_delete before delete on audit_events
    begin select raise(abort, 'audit_events is append-only'); end`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop trigger if exists audit_events_no_truncate on audit_events`.execute(db);
    await sql`drop trigger if exists audit_events_no_change on audit_events`.execute(db);
    await sql`drop function if exists audit_events_append_only()`.execute(db);
    return;
  }
  await sql`drop trigger if exists audit_events_no_delete`.execute(db);
  await sql`drop trigger if exists audit_events_no_update`.execute(db);
}
