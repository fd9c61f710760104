/**
 * Audit events may be purged once they are old (issue 7, "Keeping data bounded", reconciled with
 * issue 8's append-only log): the DELETE trigger of 202611291500_audit_append_only now refuses a
 * delete only while the row is younger than a floor of 90 days before the database's own clock,
 * so the janitor can purge past AUDIT_RETENTION_DAYS (at least 90) while no code path, and no bug
 * in one, can erase recent history. UPDATE, and TRUNCATE on PostgreSQL, stay refused always.
 *
 * The floor is written into the trigger, not read from configuration: the application cannot
 * lower it. The clock is the database's (not the application's), so a node with a wrong clock
 * cannot reach younger rows either. 90 days = 7776000 seconds; `at` is epoch seconds.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create function audit_events_delete_floor() returns trigger language plpgsql as $$
      begin
        if old.at >= extract(epoch from now()) - 7776000 then
          raise exception 'audit_events is append-only: an event can be deleted only when older than 90 days';
        end if;
        return old;
      end $$`.execute(db);
    await sql`drop trigger audit_events_no_change on audit_events`.execute(db);
    await sql`create trigger audit_events_no_update before update on audit_events
      for each row execute function audit_events_append_only()`.execute(db);
    await sql`create trigger audit_events_no_delete before delete on audit_events
      for each row execute function audit_events_delete_floor()`.execute(db);
    return;
  }
  // strftime, not unixepoch(): the sqlite3 shell of an older system (before 3.38) must still be
  // able to delete from a copy of this database.
  await sql`drop trigger audit_events_no_delete`.execute(db);
  await sql`create trigger audit_events_no_delete before delete on audit_events
    when old.at >= cast(strftime('%s', 'now') as integer) - 7776000
    begin select raise(abort, 'audit_events is append-only: an event can be deleted only when older than 90 days'); end`.execute(db);
}

/** Back to 202611291500's triggers: every DELETE refused. */
export async function down(db: AnyDb): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop trigger audit_events_no_delete on audit_events`.execute(db);
    await sql`drop trigger audit_events_no_update on audit_events`.execute(db);
    await sql`drop function audit_events_delete_floor()`.execute(db);
    await sql`create trigger audit_events_no_change before update or delete on audit_events
      for each row execute function audit_events_append_only()`.execute(db);
    return;
  }
  await sql`drop trigger audit_events_no_delete`.execute(db);
  await sql`create trigger audit_events_no_delete before delete on audit_events
    begin select raise(abort, 'audit_events is append-only'); end`.execute(db);
}
