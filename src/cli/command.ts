/**
 * The shape of a CLI command. Checking the input is separate from running it, so a typo is
 * reported before the database is opened (or created).
 * @module
 */
import type { FlagSpecs, ParsedFlags } from './args.ts';
import type { CliContext } from './context.ts';
import type { Config } from '../config/config.ts';
import type { CliIo } from './io.ts';

export type CommandResult =
  | {
      /** Printed by `--json`: the machine-readable outcome, one JSON value on one line. */
      json: unknown;
      /** Printed otherwise: a few lines for a person. */
      text: string;
    }
  | {
      /** Printed by `--json` for a list: JSON lines, one value per line (none for an empty list), so a script can stream it. */
      jsonLines: readonly unknown[];
      text: string;
    };

/** What one invocation prints on stdout, with its final newline. */
export function output(result: CommandResult, json: boolean): string {
  if (!json) return result.text + '\n';
  if ('jsonLines' in result) return result.jsonLines.map((line) => JSON.stringify(line) + '\n').join('');
  return JSON.stringify(result.json) + '\n';
}

export interface Command<Input> {
  summary: string;
  flags: FlagSpecs;
  /** One example invocation for the help text. */
  example: string;
  /** Validates the flags without touching the database; throws UsageError. */
  check(flags: ParsedFlags): Input;
  /** Does the work; throws CliError when refused (taken email, unknown organization, …). */
  run(context: CliContext, input: Input): Promise<CommandResult>;
  /** When set, runs instead of `run`, without the database opened or migrated first (`db restore` must find none there). */
  standalone?(config: Config, input: Input, io: CliIo): Promise<CommandResult>;
}

export interface CommandGroup {
  name: string;
  summary: string;
  commands: Readonly<Record<string, Command<never>>>;
  /** The command `tessera NAME` runs when none is named (`tessera demo`). */
  default?: string;
}

/** Ties `check` and `run` to one Input type, then erases it for the group table. */
export function command<Input>(definition: Command<Input>): Command<never> {
  return definition as unknown as Command<never>;
}
