/**
 * Tells running servers that the signing keys changed, for processes (the CLI) that write keys
 * without running a change feed of their own. On PostgreSQL this is one NOTIFY; on SQLite the
 * CLI's key store announces the write on the `changes` table itself (src/cli/context.ts), so
 * nothing is sent here.
 * @module
 */
import type { DatabaseHandle } from './database.ts';
import { PostgresChangeFeed } from './change_feed.ts';

/** True when a notification was sent. */
export async function notifyKeysChanged(database: DatabaseHandle): Promise<boolean> {
  if (!database.pool) return false;
  // publish() only uses the pool; the feed's own listener connection is never started.
  const feed = new PostgresChangeFeed(database.pool, {});
  try {
    await feed.publish({ type: 'keys' });
  } finally {
    await feed.close();
  }
  return true;
}
