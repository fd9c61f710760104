/** Counting what a test's PostgreSQL pool runs (issue 14: one round trip per token write). */
import type pg from 'pg';

export /** Every statement the pool's connections run from now on (texts), through pg's own `query`. */
function recordStatements(pool: pg.Pool): string[] {
  const seen: string[] = [];
  const wrapped = new WeakSet<object>();
  pool.on('acquire', (client) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      seen.push(typeof first === 'string' ? first : String((first as { text?: string }).text));
      return query(...args);
    };
  });
  return seen;
}
