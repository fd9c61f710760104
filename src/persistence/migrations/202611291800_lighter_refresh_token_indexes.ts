/**
 * Fewer index writes per refresh token (issue 7): every code exchange and every refresh inserts a
 * row into refresh_tokens, and each index on it is one more B-tree insert in the same commit.
 *
 * - `refresh_tokens_user` goes. A token's person is its grant's person, so the two statements that
 *   revoke by person (password change, directory removal) reach the tokens through `grants_user`
 *   and `refresh_tokens_grant`. On SQLite a row's insert took 63–67 µs of CPU with it, 45–49 µs
 *   without (100,000 rows, 1,000 people; bench notes in docs/performance.md).
 * - `refresh_tokens_revoked` becomes partial: the janitor looks only for revoked rows, and a new
 *   token is never revoked, so it no longer adds an entry at every insert.
 */
import { sql, type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('refresh_tokens_user').execute();
  await db.schema.dropIndex('refresh_tokens_revoked').execute();
  await db.schema.createIndex('refresh_tokens_revoked').on('refresh_tokens').column('revoked_at').where(sql.ref('revoked_at'), 'is not', null).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('refresh_tokens_revoked').execute();
  await db.schema.createIndex('refresh_tokens_revoked').on('refresh_tokens').column('revoked_at').execute();
  await db.schema.createIndex('refresh_tokens_user').on('refresh_tokens').column('user_id').execute();
}
