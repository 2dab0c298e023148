// Runs the real `tobira` command line in a child process, the way an operator does, against a
// fresh embedded data folder per test file — or, when DATABASE_URL is set, against that shared
// PostgreSQL database (names then carry a random suffix so reruns do not collide).
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Db } from '../../src/db/connection.ts';
import { TEST_SECRET } from '../helpers/tobira.ts';

export const root = fileURLToPath(new URL('../../', import.meta.url));
const node = join(root, 'node_modules', '.bin', 'node');
const main = join(root, 'src', 'cli', 'main.ts');

export const usingPostgres = Boolean(process.env.DATABASE_URL);
// The nodes' secret: on PostgreSQL the command line shares the test nodes' database, and keys it
// rotates there must open on the nodes of the next run (the README: one secret per installation).
export { TEST_SECRET };

export type CliRun = { code: number | null; stdout: string; stderr: string };

export class CliSandbox {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'tobira-cli-'));
  /** Appended to slugs and e-mail addresses: unique per run, so a shared database can be reused. */
  readonly suffix = randomBytes(4).toString('hex');

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      TOBIRA_SECRET: TEST_SECRET,
      LOG_LEVEL: 'warn',
      ...(usingPostgres ? {} : { TOBIRA_DATA_DIR: this.dataDir }),
      ...extra,
    };
  }

  /** The command as a running process, for tests that read its output as it comes. */
  start(args: string[], options: { env?: Record<string, string> } = {}): ChildProcessWithoutNullStreams {
    return spawn(node, ['--import=tsx', main, ...args], { cwd: root, env: this.env(options.env) });
  }

  run(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = this.start(args, options);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.input ?? '');
    });
  }

  /** Opens the database the CLI used. Only once the CLI has exited: PGlite is single-process. */
  async inspect<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: this.dataDir });
    try {
      return await fn(database.db);
    } finally {
      await database.close();
    }
  }

  remove(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Exit 0 and the --json output parsed. */
export function succeeded<T = Record<string, unknown>>(run: CliRun): T {
  assert.equal(run.code, 0, `expected success, got exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Exit 2, nothing on stdout, and exactly one line on stderr starting with "tobira:". */
export function failedWithOneLine(run: CliRun, pattern: RegExp): string {
  assert.equal(run.code, 2, `expected exit 2, got ${run.code}; stdout: ${run.stdout}; stderr: ${run.stderr}`);
  assert.equal(run.stdout, '');
  const lines = run.stderr.split('\n');
  assert.equal(lines.length, 2, `expected one line on stderr, got: ${run.stderr}`);
  assert.equal(lines[1], '');
  const line = lines[0]!;
  assert.match(line, /^tobira: \S/);
  assert.doesNotMatch(line, /\bat \S+ \(|\bat file:|node:internal/, 'no stack trace');
  assert.match(line, pattern);
  return line;
}

/** Every migration file, in the order knex applies them. */
export const MIGRATIONS = readdirSync(fileURLToPath(new URL('../../migrations/', import.meta.url)))
  .filter((f) => f.endsWith('.ts'))
  .sort();
