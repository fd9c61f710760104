/**
 * A fixed table read with a key that came from a request (`?done=…`): only the table's own
 * entries answer, so `constructor`, `__proto__` or `toString` find nothing rather than Object's
 * members (a user-chosen name never reaches a plain object's prototype).
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: string | undefined): T | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}
