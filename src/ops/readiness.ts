/**
 * Readiness: can this process serve traffic that needs the database? A hung database must not
 * hang the probe too (SECURITY R7), so the check has its own short deadline.
 * @module
 */
import { isReachable, type Db } from '../persistence/database.ts';

export const READINESS_TIMEOUT_MS = 2000;

export async function isReady(db: Db, timeoutMs = READINESS_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([isReachable(db), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
