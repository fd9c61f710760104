/**
 * The `tessera` command: administers a Tessera installation with the server's own configuration
 * (DATABASE_URL, DATA_DIR, KEY_ENCRYPTION_KEY). Each command migrates the database first, prints
 * a short report (or JSON with --json), and on failure prints one line on stderr and exits ≠ 0.
 * The work is in run.ts; this file only hands it the process.
 * @module
 */
import { runTessera } from './run.ts';

runTessera(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  // runTessera answers every failure itself; this is for a fault in that answer.
  (err: unknown) => {
    process.stderr.write(`tessera: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
