/** Classifies driver errors once, at the storage boundary. */

/** A uniqueness violation: SQLite's SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY or PostgreSQL's 23505. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
