/**
 * One `tessera` invocation: parses the command line, loads the configuration from `io.env`, runs
 * the command and prints its result on `io.stdout`; a failure becomes one line on `io.stderr` and
 * an exit status. Nothing here touches `process`, so the test suite runs the same code on a worker
 * thread of its own process (test/cli/cli.ts), and a few tests still spawn the real `bin/tessera.js`.
 * @module
 */
import { ConfigError, loadConfig } from '../config/config.ts';
import { describeFlags, parseFlags } from './args.ts';
import { output, type CommandGroup } from './command.ts';
import { openContext } from './context.ts';
import { CliError, EXIT_REFUSED, EXIT_USAGE, UsageError, oneLine } from './errors.ts';
import type { CliIo } from './io.ts';
import { appGroup } from './app.ts';
import { dbGroup } from './db.ts';
import { keysGroup } from './keys.ts';
import { orgGroup } from './org.ts';
import { userGroup } from './user.ts';
import { directoryGroup } from './directory.ts';
import { demoGroup } from './demo.ts';
import { auditGroup } from './audit.ts';
import { janitorGroup } from './janitor.ts';
import { mailGroup } from './mail.ts';

const GROUPS: readonly CommandGroup[] = [dbGroup, userGroup, orgGroup, appGroup, keysGroup, directoryGroup, demoGroup, auditGroup, janitorGroup, mailGroup];

const HELP = new Set(['--help', '-h', 'help']);

function usage(): string {
  const lines = GROUPS.flatMap((group) =>
    Object.entries(group.commands).map(([name, cmd]) => `  ${`${group.name} ${name}`.padEnd(16)}  ${cmd.summary}`),
  );
  return [
    'Usage: tessera <command> [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Every command takes --json (machine-readable output) and --help.',
    'Configuration comes from the same environment as the server: DATABASE_URL, DATA_DIR, KEY_ENCRYPTION_KEY.',
    'Run "tessera <group> --help" or "tessera <group> <command> --help" for details.',
  ].join('\n');
}

function groupUsage(group: CommandGroup): string {
  return [
    `Usage: tessera ${group.name} <command> [flags]   (${group.summary})`,
    '',
    ...Object.entries(group.commands).map(([name, cmd]) => `  ${name.padEnd(12)}  ${cmd.summary}`),
    '',
    `Run "tessera ${group.name} <command> --help" for its flags.`,
  ].join('\n');
}

function commandUsage(group: CommandGroup, name: string): string {
  const cmd = group.commands[name]!;
  return [`Usage: tessera ${group.name} ${name} [flags]`, '', cmd.summary, '', 'Flags:', describeFlags(cmd.flags), '', 'Example:', `  ${cmd.example}`].join('\n');
}

/** Runs one invocation and returns its exit status; a failure is printed as one `tessera: …` line. */
export async function runTessera(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`tessera: ${oneLine(message) || 'failed'}\n`);
    return err instanceof CliError ? err.exitCode : EXIT_REFUSED;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [groupName, commandName, ...rest] = argv;
  if (groupName === undefined) {
    io.stderr(usage() + '\n');
    return EXIT_USAGE;
  }
  if (HELP.has(groupName)) {
    io.stdout(usage() + '\n');
    return 0;
  }
  const group = GROUPS.find((g) => g.name === groupName);
  if (!group) throw new UsageError(`unknown command "${groupName}"; run tessera --help`);
  // A group with a default command runs it when no command is named: `tessera demo --json`.
  if (group.default !== undefined && (commandName === undefined || commandName.startsWith('-'))) return dispatch([groupName, group.default, ...argv.slice(1)], io);
  if (commandName !== undefined && HELP.has(commandName)) {
    io.stdout(groupUsage(group) + '\n');
    return 0;
  }
  if (commandName === undefined) throw new UsageError(`tessera ${group.name} needs a command: ${Object.keys(group.commands).join(', ')}`);
  const cmd = Object.hasOwn(group.commands, commandName) ? group.commands[commandName] : undefined;
  if (!cmd) throw new UsageError(`unknown command "${group.name} ${commandName}"; run tessera ${group.name} --help`);
  const label = `tessera ${group.name} ${commandName}`;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(commandUsage(group, commandName) + '\n');
    return 0;
  }

  const flags = parseFlags(rest, cmd.flags, label);
  const input = cmd.check(flags);
  let config;
  try {
    config = loadConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`configuration error: ${err.message}`, EXIT_USAGE);
    throw err;
  }
  if (cmd.standalone) {
    io.stdout(output(await cmd.standalone(config, input, io), flags.boolean('json')));
    return 0;
  }
  const context = await openContext(config, io);
  try {
    io.stdout(output(await cmd.run(context, input), flags.boolean('json')));
    return 0;
  } finally {
    await context.close();
  }
}
