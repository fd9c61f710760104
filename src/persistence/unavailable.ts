/**
 * Recognises "the database is not there right now" (refused, reset, timed out, shutting down),
 * so callers answer 503 with Retry-After instead of 500 (SECURITY R3).
 * @module
 */
const CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300']);

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    // SQLITE_BUSY and its extended codes (_SNAPSHOT, _RECOVERY, _TIMEOUT): another process holds the lock.
    if (typeof code === 'string' && (CODES.has(code) || code.startsWith('08') || code.startsWith('SQLITE_BUSY'))) return true;
    if (typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|connect ECONNREFUSED/.test(message)) {
      return true;
    }
    e = cause;
  }
  return false;
}
