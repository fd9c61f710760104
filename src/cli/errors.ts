/**
 * How the CLI fails: one line on stderr and an exit status a script can test.
 * 2 = the command line itself is wrong (unknown command or flag, missing or malformed value,
 * bad configuration); 1 = the command was understood but refused or failed (taken email,
 * unknown organization, database error).
 * @module
 */

export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_REFUSED,
  ) {
    super(message);
  }
}

/** The command line is wrong: exit 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, EXIT_USAGE);
  }
}

/** One line, whatever the error carried (driver messages can span several). */
export function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}
