// What every operator command shares: how its arguments are parsed, what it returns, and the one
// error type whose message is printed as is. An operator reads one line and knows what to fix, so
// parse errors are reworded here rather than passed through from node:util with their line breaks.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** A mistake the operator can fix; main.ts prints `tobira: <message>` and exits 2. */
export class UsageError extends Error {}

export type CommandResult =
  | {
      /** Written to stdout with --json. */
      json: unknown;
      /** Written to stdout otherwise. */
      text: string;
    }
  /** The command wrote its output itself, piece by piece, through its Output. */
  | { written: true };

/** stdout for a command whose output is too long to build in memory (an audit log export). */
export type Output = { write: (piece: string) => Promise<void> };

export type ParsedArgs = {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
};

export type Command = {
  /** As typed after `tobira`, e.g. "client create". */
  name: string;
  summary: string;
  /** Everything after "Usage:" in --help; --json and --help are added by the parser. */
  help: string;
  options: ParseArgsOptionsConfig;
  /** How many positional arguments the command takes (most take none). */
  positionals?: { min: number; max: number; describe: string };
  run: (args: ParsedArgs, out: Output) => Promise<CommandResult>;
};

export type CommandGroup = { name: string; summary: string; commands: Command[] };

const COMMON_OPTIONS: ParseArgsOptionsConfig = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export function helpText(command: Command): string {
  return `Usage: tobira ${command.help.trim()}\n\n  --json   print the result as JSON on stdout\n  --help   show this help\n`;
}

function quoted(message: string): string {
  return /'([^']+)'/.exec(message)?.[1] ?? '';
}

function reword(err: { code?: string; message: string }, command: Command): string {
  const hint = `run tobira ${command.name} --help for its options`;
  const name = quoted(err.message).replace(/ <value>$/, '');
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${name} for "${command.name}"; ${hint}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${name}" for "${command.name}"; ${hint}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (err.message.includes('does not take an argument')) return `option ${name} does not take a value; ${hint}`;
      if (err.message.includes('ambiguous')) {
        return `option ${name} needs a value; a value starting with "-" must be written as ${name}=<value>`;
      }
      return `option ${name} needs a value; ${hint}`;
    default:
      return `${err.message.split('\n')[0]}; ${hint}`;
  }
}

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs & { json: boolean; help: boolean } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, ...COMMON_OPTIONS },
      strict: true,
      allowPositionals: Boolean(command.positionals),
    });
  } catch (err) {
    throw new UsageError(reword(err as { code?: string; message: string }, command));
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (!help && command.positionals) {
    const { min, max, describe } = command.positionals;
    if (positionals.length < min) {
      throw new UsageError(`"${command.name}" needs ${describe}: tobira ${command.help.trim().split('\n')[0]}`);
    }
    if (positionals.length > max) {
      throw new UsageError(`"${command.name}" takes ${describe} only (got ${positionals.length} arguments)`);
    }
  }
  return { values, positionals, json: values.json === true, help };
}

/** A required string option, with the message an operator needs when it is missing. */
export function requireOption(args: ParsedArgs, name: string, command: string): string {
  const value = args.values[name];
  if (typeof value !== 'string') {
    throw new UsageError(`"${command}" needs --${name}; run tobira ${command} --help for its options`);
  }
  return value;
}

export function optionalString(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function stringList(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Aligned `label: value` lines under a heading, for the human-readable output. */
export function describe(heading: string, fields: [string, string][]): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length)) + 1;
  return [heading, ...fields.map(([label, value]) => `  ${`${label}:`.padEnd(width)} ${value}`)].join('\n');
}
