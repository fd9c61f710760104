/**
 * What a CLI invocation reads and writes besides the database: its environment and its two output
 * streams. The process's own in src/cli/main.ts; captured strings in the tests.
 * @module
 */
import type { Env } from '../config/config.ts';

export interface CliIo {
  /** The configuration variables (DATABASE_URL, DATA_DIR, KEY_ENCRYPTION_KEY, NEW_KEY_ENCRYPTION_KEY, …). */
  env: Env;
  stdout(text: string): void;
  stderr(text: string): void;
}
