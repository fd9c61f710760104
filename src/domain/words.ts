/** Small helpers for sentences shown to people (pages, mail, the CLI). */

/** "1 service", "3 services": a count with its noun, plural by an s unless told otherwise. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
