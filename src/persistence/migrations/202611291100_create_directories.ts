/**
 * Work accounts from company directories (issue 3; SECURITY 5, 47, 48):
 * - `directories` (an upstream OpenID provider; its client secret sealed under the KEK) and the
 *   email domains each one serves (a domain belongs to one directory);
 * - `federated_identities`, keyed by (issuer, subject) and never by email (SECURITY 48);
 * - `directory_transactions`, one per upstream sign-in in flight (state, nonce, PKCE verifier),
 *   bound to the browser by the digest of a cookie and used once (SECURITY 47);
 * - `users.kind` (personal | work) and `users.directory_id`.
 *
 * `users.email` was UNIQUE for everyone. A work account may carry the email of an existing
 * personal account, which it must never take over (SECURITY 48), so the email becomes unique only
 * among personal accounts: a partial unique index. PostgreSQL drops the column constraint.
 * SQLite cannot drop a column constraint, so the table is rebuilt (sqlite.org/lang_altertable.html,
 * "Making Other Kinds Of Table Schema Changes"): foreign keys off OUTSIDE a transaction (the pragma
 * is a no-op inside one; Kysely's SqliteAdapter has supportsTransactionalDdl = false, so the
 * migrator does not open one), then one transaction that creates users_new, copies, drops users,
 * renames, recreates the index and runs foreign_key_check, then foreign keys back on.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

const USER_COLUMNS = ['id', 'email', 'name', 'password_hash', 'created_at', 'updated_at', 'password_changed_at', 'disabled_at'];

export async function up(db: AnyDb): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema
    .createTable('directories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('directory_domains')
    .addColumn('domain', 'text', (c) => c.primaryKey())
    .addColumn('directory_id', 'text', (c) => c.notNull().references('directories.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('directory_domains_directory').on('directory_domains').column('directory_id').execute();

  await db.schema
    .createTable('federated_identities')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('directory_id', 'text', (c) => c.references('directories.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('federated_identities_pk', ['issuer', 'subject'])
    .execute();
  await db.schema.createIndex('federated_identities_user').on('federated_identities').column('user_id').execute();

  await db.schema
    .createTable('directory_transactions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('directory_id', 'text', (c) => c.notNull().references('directories.id').onDelete('cascade'))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('interaction_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .execute();
  await db.schema.createIndex('directory_transactions_expiry').on('directory_transactions').column('expires_at').execute();

  if (postgres) {
    await sql`alter table users add column kind text not null default 'personal'`.execute(db);
    await sql`alter table users add constraint users_kind_check check (kind in ('personal', 'work'))`.execute(db);
    await sql`alter table users add column directory_id text references directories(id) on delete set null`.execute(db);
    // The column-level UNIQUE of 202611282200 is named by PostgreSQL's default rule: <table>_<column>_key.
    await sql`alter table users drop constraint users_email_key`.execute(db);
    await sql`create unique index users_personal_email on users (email) where kind = 'personal'`.execute(db);
    await sql`create index users_email on users (email)`.execute(db);
    return;
  }

  const columns = sql.join(USER_COLUMNS.map((c) => sql.ref(c)));
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql`begin`.execute(db);
    try {
      await sql`create table users_new (
        id text primary key,
        email text not null,
        name text not null,
        password_hash text,
        created_at bigint not null,
        updated_at bigint not null,
        password_changed_at bigint,
        disabled_at bigint,
        kind text not null default 'personal' check (kind in ('personal', 'work')),
        directory_id text references directories(id) on delete set null
      )`.execute(db);
      await sql`insert into users_new (${columns}) select ${columns} from users`.execute(db);
      await sql`drop table users`.execute(db);
      await sql`alter table users_new rename to users`.execute(db);
      await sql`create unique index users_personal_email on users (email) where kind = 'personal'`.execute(db);
      await sql`create index users_email on users (email)`.execute(db);
      const broken = await sql<Record<string, unknown>>`pragma foreign_key_check`.execute(db);
      if (broken.rows.length > 0) throw new Error(`rebuilding users broke ${broken.rows.length} foreign key(s)`);
      await sql`commit`.execute(db);
    } catch (err) {
      await sql`rollback`.execute(db);
      throw err;
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  // Not reversible in place: work accounts may share an email with personal ones.
  await db.schema.dropTable('directory_transactions').ifExists().execute();
  await db.schema.dropTable('federated_identities').ifExists().execute();
}
