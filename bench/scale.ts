/**
 * `npm run bench -- --scale[=N]` (issue 7: "with 1,000,000 grants and 5,000,000 refresh tokens
 * stored, scenarios (1)–(5) keep ≥ 80% of their throughput on an empty database").
 *
 * Bulk-seeds, before the server starts, N grants and 5 × N refresh tokens with set-based SQL
 * (PostgreSQL: INSERT … SELECT FROM generate_series; SQLite: INSERT … SELECT over a recursive CTE,
 * one statement and so one transaction each), plus the rows their foreign keys need: N / 10 people
 * and 10 apps, each person holding a grant to every app (one live grant per person and app is the
 * schema's rule). Each grant is one token family of five: four rotated, one live, all unexpired,
 * so the janitor keeps them (src/persistence/stores/purge.ts) and a lookup has to search them all.
 * Ids are random 64-hex strings, as digests are, so index pages are spread as in production.
 * @module
 */
import { sql, type RawBuilder } from 'kysely';
import pg from 'pg';
import type { Deps } from '../src/deps.ts';

export const SCALE_APPS = 10;
export const TOKENS_PER_GRANT = 5;

export interface ScaleSeeded {
  grants: number;
  refreshTokens: number;
  users: number;
  seconds: number;
}

export async function bulkSeed(deps: Deps, grants: number, progress: (line: string) => void = () => {}): Promise<ScaleSeeded> {
  const started = performance.now();
  const { db, dialect } = deps.database;
  const config = deps.config.database;
  // PostgreSQL: a connection of its own, without the pool's 10 s statement and query timeouts
  // (SECURITY R7, right for requests), which a five-million-row INSERT outlasts.
  const client = config.dialect === 'postgres' ? new pg.Client({ connectionString: config.url, ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}) }) : undefined;
  await client?.connect();
  const users = Math.ceil(grants / SCALE_APPS);
  const run = async (what: string, statement: RawBuilder<unknown>) => {
    const t = performance.now();
    if (client) {
      const compiled = statement.compile(db);
      await client.query(compiled.sql, [...compiled.parameters]);
    } else {
      await statement.execute(db);
    }
    progress(`${what} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  try {
    // Literals, not parameters: PostgreSQL types a bare parameter in INSERT … SELECT as text.
    const now = sql.lit(Math.floor(deps.clock.now()));
      const postgres = dialect === 'postgres';
    /** Rows `i` = 0 … n − 1. */
    const series = (n: number, alias = 's'): RawBuilder<unknown> =>
      postgres
        ? sql`generate_series(0, ${sql.lit(n - 1)}) AS ${sql.raw(alias)}(i)`
        : sql`(WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < ${sql.lit(n - 1)}) SELECT i FROM r) AS ${sql.raw(alias)}`;
    const randomHex = postgres ? sql`md5(random()::text) || md5(random()::text)` : sql`lower(hex(randomblob(32)))`;
    const scopes = JSON.stringify(['openid', 'profile', 'email', 'offline_access']);
    const later = sql.lit(Math.floor(deps.clock.now()) + 30 * 86400);

    await run('apps', sql`INSERT INTO apps (id, name, description, publisher, redirect_uris, client_type, scopes, verified, created_at, updated_at)
      SELECT 'scale-app-' || i, 'Scale app ' || i, 'Bulk-seeded by bench --scale', 'Bench', ${JSON.stringify(['https://scale.example/cb'])},
        'confidential', ${scopes}, 0, ${now}, ${now}
      FROM ${series(SCALE_APPS)}`);
    await run('people', sql`INSERT INTO users (id, email, name, password_hash, created_at, updated_at, kind)
      SELECT 'scale-user-' || i, 'scale' || i || '@example.com', 'Scale person ' || i, NULL, ${now}, ${now}, 'personal'
      FROM ${series(users)}`);
    await run('grants', sql`INSERT INTO grants (id, user_id, app_id, scopes, created_at, updated_at)
      SELECT ${randomHex}, 'scale-user-' || (i / ${sql.lit(SCALE_APPS)}), 'scale-app-' || (i % ${sql.lit(SCALE_APPS)}), ${scopes}, ${now}, ${now}
      FROM ${series(grants)}`);
    // k = 0 … 3 rotated, k = 4 live: one family per grant, as a person who refreshed four times leaves.
    await run('refresh tokens', sql`INSERT INTO refresh_tokens (id, family_id, grant_id, app_id, user_id, scopes, auth_time, amr, parent_id,
        created_at, expires_at, family_expires_at, rotated_at, revoked_at)
      SELECT ${randomHex}, 'fam-' || g.id, g.id, g.app_id, g.user_id, g.scopes, ${now}, '["pwd"]', NULL,
        ${now} - 3600 + k.i * 60, ${later}, ${later}, CASE WHEN k.i < ${sql.lit(TOKENS_PER_GRANT - 1)} THEN ${now} - 3600 + k.i * 60 + 60 ELSE NULL END, NULL
      FROM grants g CROSS JOIN ${series(TOKENS_PER_GRANT, 'k')}
      WHERE g.app_id LIKE 'scale-app-%'`);
    // Autovacuum would analyze tables this size within a minute of the load; do it now so the
    // planner's statistics match the data while the scenarios run (SQLite keeps its default: no ANALYZE).
    if (postgres) await run('ANALYZE', sql`ANALYZE`);
  } finally {
    await client?.end();
  }
  return { grants, refreshTokens: grants * TOKENS_PER_GRANT, users, seconds: (performance.now() - started) / 1000 };
}
