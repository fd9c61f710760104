/**
 * The pg driver, loaded when a PostgreSQL database is first opened rather than by every process
 * that imports persistence/ (issue 14): the embedded SQLite default never needs it, and it was
 * about 50 ms of a starting server's module load. A plain synchronous require (pg is CommonJS), so
 * openDatabase stays synchronous; the ESM `import pg from 'pg'` elsewhere (tests, bench) gets the
 * same module instance, type parser included.
 * @module
 */
import { createRequire } from 'node:module';
import type pg from 'pg';

let driver: typeof pg | undefined;

export function pgDriver(): typeof pg {
  if (driver) return driver;
  driver = createRequire(import.meta.url)('pg') as typeof pg;
  // bigint columns hold epoch seconds, far inside Number's safe range.
  driver.types.setTypeParser(20, (value: string) => Number(value));
  return driver;
}
