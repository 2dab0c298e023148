// Opens the configured database for one command and closes it whatever happens, so a command never
// leaves the embedded data folder locked. Also names the operator for the audit log.
import { userInfo } from 'node:os';
import { format } from 'node:util';
import { loadConfig, type Config } from '../config.ts';
import { openAndMigrate } from '../boot.ts';
import { openDatabase, type Database, type Db } from '../db/connection.ts';
import { DataDirInUseError } from '../db/data-dir-lock.ts';
import { deriveInstanceKeys, resolveSecret } from '../crypto/instance-secret.ts';
import { setLogLevel } from '../log.ts';
import { UsageError } from './command.ts';

export type Session = {
  db: Db;
  config: Config;
  /** The key that seals client secrets and signing keys; derived only by commands that need it. */
  dataKey: () => Buffer;
};

/** The one-line explanation of any error, including the AggregateError `pg` throws on refusal. */
export function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return errorMessage(err.errors[0]);
  const e = err as { message?: unknown; code?: unknown } | undefined;
  const text = (typeof e?.message === 'string' && e.message) || (typeof e?.code === 'string' && e.code) || String(err);
  return text.replace(/\s*\n\s*/g, '; ');
}

function where(config: Config): string {
  if (!config.databaseUrl) return `the embedded database in ${config.dataDir}`;
  try {
    const url = new URL(config.databaseUrl);
    return `PostgreSQL at ${url.host}${url.pathname}`; // never the password in the URL
  } catch {
    return 'the PostgreSQL database in DATABASE_URL';
  }
}

// knex writes its warnings (a refused connection, with a stack trace) through console.log, that is
// to stdout, which would corrupt --json output and show operators stack traces. Our own output never
// goes through console, so library chatter is dropped, or sent to stderr with LOG_LEVEL=debug.
function quietLibraryConsole(debug: boolean): void {
  const sink = debug ? (...args: unknown[]) => void process.stderr.write(`${format(...args)}\n`) : () => {};
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) console[method] = sink;
}

export async function withDatabase<T>(fn: (session: Session) => Promise<T>, options: { migrate: boolean } = { migrate: true }): Promise<T> {
  const config = loadConfig();
  // stdout carries the command's result; only warnings and errors may be logged (to stderr).
  setLogLevel(config.logLevel === 'error' || config.logLevel === 'silent' ? config.logLevel : 'warn');
  quietLibraryConsole(config.logLevel === 'debug');
  let database: Database;
  try {
    database = options.migrate ? await openAndMigrate(config) : await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (err) {
    if (err instanceof DataDirInUseError) throw err;
    const fix = config.databaseUrl ? 'check DATABASE_URL and that PostgreSQL is running' : 'check TOBIRA_DATA_DIR';
    throw new UsageError(`could not open ${where(config)} (${errorMessage(err)}); ${fix}`);
  }
  let dataKey: Buffer | undefined;
  try {
    return await fn({
      db: database.db,
      config,
      dataKey: () => (dataKey ??= deriveInstanceKeys(resolveSecret(config.secret, config.dataDir)).dataKey),
    });
  } finally {
    await database.close();
  }
}

export function operatorActor(): { actorType: 'operator'; actorLabel: string } {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    name = `uid ${process.getuid?.() ?? 'unknown'}`; // a container user with no passwd entry
  }
  return { actorType: 'operator', actorLabel: `cli:${name}` };
}
