/**
 * Which database dialects a test run covers, read from `TEST_DIALECTS` (comma-separated, default
 * `sqlite`) and checked against `REQUIRE_POSTGRES`. A wrong value stops the run instead of being
 * dropped: an unknown name (`postgresql`, `pg`, a typo) or an empty list would otherwise run fewer
 * dialects than asked and still go green, and so would `REQUIRE_POSTGRES=1` without `postgres`.
 *
 * test/support/app.ts `dialects()` uses it in every test file; test/run.sh runs this file before
 * the suite (`node --import tsx test/support/dialects.ts`: prints the list, or the error and exit 2).
 */
import { pathToFileURL } from 'node:url';

export type Dialect = 'sqlite' | 'postgres';

const KNOWN: readonly Dialect[] = ['sqlite', 'postgres'];

export class DialectsError extends Error {}

export function parseDialects(env: { TEST_DIALECTS?: string; REQUIRE_POSTGRES?: string }): Dialect[] {
  const raw = env.TEST_DIALECTS ?? 'sqlite';
  const names = raw.split(',').map((d) => d.trim());
  const unknown = names.filter((d) => !(KNOWN as readonly string[]).includes(d));
  if (unknown.length > 0) {
    const shown = unknown.map((d) => JSON.stringify(d)).join(', ');
    throw new DialectsError(`TEST_DIALECTS=${JSON.stringify(raw)}: unknown dialect ${shown}; known: ${KNOWN.join(', ')} (comma-separated)`);
  }
  const list = [...new Set(names)] as Dialect[];
  if (env.REQUIRE_POSTGRES === '1' && !list.includes('postgres')) {
    throw new DialectsError(`REQUIRE_POSTGRES=1 but TEST_DIALECTS=${JSON.stringify(raw)} lacks postgres`);
  }
  return list;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    console.log(parseDialects(process.env).join(','));
  } catch (err) {
    if (!(err instanceof DialectsError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
}
