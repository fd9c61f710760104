/**
 * A tiny strict flag parser over node:util parseArgs: unknown flags, positionals, a flag given
 * twice (unless it is a list) and a missing or empty required value are all usage errors, so a
 * typo never silently changes what a command does.
 * @module
 */
import { parseArgs } from 'node:util';
import { UsageError, oneLine } from './errors.ts';

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** May be given several times (string flags only); the values are kept in order. */
  multiple?: boolean;
  required?: boolean;
  /** Placeholder in usage text, e.g. `EMAIL`. */
  value?: string;
  description: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Every command takes these two. */
export const COMMON_FLAGS: FlagSpecs = {
  json: { type: 'boolean', description: 'print machine-readable JSON on stdout' },
  help: { type: 'boolean', description: 'print this help' },
};

type RawValue = string | boolean | (string | boolean)[] | undefined;

/** The parsed flags of one command, read through typed accessors. */
export class ParsedFlags {
  constructor(private readonly values: Readonly<Record<string, RawValue>>) {}

  /** A single string flag, or undefined when absent. */
  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** A string flag declared `required` (its presence was checked at parse time). */
  required(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw new UsageError(`missing --${name}`);
    return value;
  }

  /** A repeatable string flag: every value in order, empty when absent. */
  list(name: string): string[] {
    const value = this.values[name];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  boolean(name: string): boolean {
    return this.values[name] === true;
  }
}

/** Parses `args` against `specs` (plus --json and --help); throws UsageError on anything off. */
export function parseFlags(args: readonly string[], specs: FlagSpecs, command: string): ParsedFlags {
  const all = { ...specs, ...COMMON_FLAGS };
  const options = Object.fromEntries(
    Object.entries(all).map(([name, spec]) => [name, { type: spec.type, multiple: spec.multiple ?? false }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    throw new UsageError(describeParseError(err, command));
  }
  const counts = new Map<string, number>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind === 'option') counts.set(token.name, (counts.get(token.name) ?? 0) + 1);
  }
  const values = parsed.values as Record<string, RawValue>;
  for (const [name, spec] of Object.entries(all)) {
    if (!spec.multiple && (counts.get(name) ?? 0) > 1) throw new UsageError(`--${name} is given more than once`);
    const value = values[name];
    const present = Array.isArray(value) ? value.length > 0 : value !== undefined;
    if (spec.required && !present && values.help !== true) throw new UsageError(`${command} needs --${name}; see ${command} --help`);
    const strings = Array.isArray(value) ? value : [value];
    if (spec.type === 'string' && strings.some((v) => typeof v === 'string' && v.trim() === '')) {
      throw new UsageError(`--${name} must not be empty`);
    }
  }
  return new ParsedFlags(values);
}

function describeParseError(err: unknown, command: string): string {
  const { code, message } = err as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(err);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const flag = /'([^']+)'/.exec(text)?.[1] ?? 'flag';
      return `unknown flag ${flag} for ${command}; see ${command} --help`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']*)'/.exec(text)?.[1] ?? '';
      return `unexpected argument "${arg}" for ${command}; values go after their flag, e.g. --name "My App"`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // e.g. "--email" followed by another flag: node names the flag; a value starting with "-" needs --flag=-value.
      return oneLine(text.split('\n')[0] ?? text) + (text.includes('ambiguous') ? ' (write --flag=VALUE for a value starting with "-")' : '');
    default:
      return oneLine(text);
  }
}

/** Usage lines for a command's flags, aligned. */
export function describeFlags(specs: FlagSpecs): string {
  const rows = Object.entries({ ...specs, ...COMMON_FLAGS }).map(([name, spec]) => {
    const left = `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    const notes = [spec.required ? 'required' : '', spec.multiple ? 'repeatable' : ''].filter(Boolean).join(', ');
    return [left, spec.description + (notes ? ` (${notes})` : '')] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}
