// `tobira <command>`: finds the command, parses its options strictly, runs it, and prints either
// its result (text or --json) on stdout or one line on stderr. Exit 0 on success, 2 on any error;
// an operator never sees a stack trace, and scripts can rely on stdout holding only the result.
import { ConfigError } from '../config.ts';
import { InvalidInput } from '../directory/workspaces.ts';
import { InvalidClientRegistration } from '../oidc/clients.ts';
import { DataDirInUseError } from '../db/data-dir-lock.ts';
import { setLogLevel } from '../log.ts';
import { helpText, parseCommandArgs, UsageError, type Command, type CommandGroup, type Output } from './command.ts';
import { errorMessage } from './session.ts';
import { migrateCommands } from './commands/migrate.ts';
import { workspaceCommands } from './commands/workspace.ts';
import { userCommands } from './commands/user.ts';
import { clientCommands } from './commands/client.ts';
import { keysCommands } from './commands/keys.ts';
import { mfaCommands } from './commands/mfa.ts';
import { auditCommands } from './commands/audit.ts';

const GROUPS: CommandGroup[] = [migrateCommands, workspaceCommands, userCommands, clientCommands, mfaCommands, keysCommands, auditCommands];
const EXIT_ERROR = 2;

// Each piece is handed on once the previous one has left, so a long output never piles up in memory.
const stdout: Output = {
  write: (piece) => new Promise((resolve, reject) => void process.stdout.write(piece, (err) => (err ? reject(err) : resolve()))),
};

function commandList(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n');
}

function overview(): string {
  return `Usage: tobira <command> [options]

Commands:
${commandList(GROUPS.flatMap((g) => g.commands))}

Run tobira <command> --help for a command's options; add --json to any command for JSON output.
The database and secret come from the same environment as the server: DATABASE_URL (PostgreSQL)
or TOBIRA_DATA_DIR (embedded database, default ./data), and TOBIRA_SECRET.
`;
}

function groupOverview(group: CommandGroup): string {
  return `Usage: tobira ${group.name} <command> [options]\n\nCommands:\n${commandList(group.commands)}\n\nRun tobira ${group.name} <command> --help for its options.\n`;
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

/** The command to run and its arguments, or the help text to print. */
function resolve(argv: string[]): { command: Command; args: string[] } | { help: string } {
  const [first, ...rest] = argv;
  if (first === undefined || isHelp(first)) return { help: overview() };
  const group = GROUPS.find((g) => g.name === first);
  if (!group) {
    const hint = first.startsWith('-') ? 'options go after the command' : `unknown command "${first}"`;
    throw new UsageError(`${hint}; run tobira --help to list the commands`);
  }
  const single = group.commands.length === 1 && group.commands[0]!.name === group.name;
  if (single) return { command: group.commands[0]!, args: rest };
  const [sub, ...args] = rest;
  if (sub === undefined || isHelp(sub)) return { help: groupOverview(group) };
  const command = group.commands.find((c) => c.name === `${group.name} ${sub}`);
  if (!command) {
    throw new UsageError(`unknown command "${group.name} ${sub}"; run tobira ${group.name} --help to list its commands`);
  }
  return { command, args };
}

function explain(err: unknown): string {
  if (err instanceof ConfigError) return `invalid configuration: ${err.problems.join('; ')}`;
  const known = [UsageError, InvalidInput, InvalidClientRegistration, DataDirInUseError].some((type) => err instanceof type);
  return known ? errorMessage(err) : `unexpected error: ${errorMessage(err)}`;
}

async function main(argv: string[]): Promise<number> {
  setLogLevel('warn');
  try {
    const target = resolve(argv);
    if ('help' in target) {
      process.stdout.write(target.help);
      return 0;
    }
    const { command } = target;
    const args = parseCommandArgs(command, target.args);
    if (args.help) {
      process.stdout.write(helpText(command));
      return 0;
    }
    const result = await command.run(args, stdout);
    if (!('written' in result)) process.stdout.write(`${args.json ? JSON.stringify(result.json, null, 2) : result.text}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`tobira: ${explain(err)}\n`);
    return EXIT_ERROR;
  }
}

process.exitCode = await main(process.argv.slice(2));
