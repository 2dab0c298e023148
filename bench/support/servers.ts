// The servers under test, each its own process started as `node <file>` on a free loopback port:
// Tobira as in production (NODE_ENV=production, WORKERS=1, behind the TLS stand-in: its issuer is
// https://127.0.0.1:<port>, requests go to the http port with X-Forwarded-Proto: https), and the
// bare oidc-provider of bench/bare-provider.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const SECRET = 'bench-secret-that-is-long-enough-for-tobira-0123456789';
const METRICS_TOKEN = 'bench-metrics-token';

export type Server = {
  name: string;
  child: ChildProcess;
  port: number;
  issuer: string;
  client: { id: string; secret: string };
  /** SQL statements the server sent so far, when it can tell. */
  statements?: () => Promise<number>;
};

// Every server still running, so that an interrupted run can stop them all.
const running = new Set<ChildProcess>();

// BENCH_CPU_PROF=<dir>: every server runs under V8's sampling profiler and writes a .cpuprofile into
// <dir>/<server name> when it stops (read them with bench/profile-summary.ts). The profiler costs CPU
// itself, so the CPU columns of such a run are not comparable with a run without it.
const cpuProfileDir = process.env.BENCH_CPU_PROF || undefined;
const folderName = (name: string) =>
  name
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
const profiling = (name: string) => (cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', join(cpuProfileDir, folderName(name))] : []);

async function spawnServer(name: string, file: string, env: Record<string, string>, port: number, issuer: string): Promise<ChildProcess> {
  const started = performance.now();
  const args = [...profiling(name), file];
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}: ${errors}`);
    if (performance.now() - started > 120_000) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} did not answer discovery within 120 s: ${errors}`);
    }
    const ok = await fetch(`${issuer}/.well-known/openid-configuration`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Tobira on `databaseUrl`, or on PGlite in `dataDir` when it is undefined. */
export async function startTobira(name: string, databaseUrl: string | undefined, dataDir: string, client: { id: string; secret: string }): Promise<Server> {
  const port = await freePort();
  const issuer = `https://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'production',
    ISSUER: issuer,
    TRUST_PROXY: 'true',
    HOST: '127.0.0.1',
    WORKERS: '1',
    TOBIRA_SECRET: SECRET,
    METRICS_TOKEN,
    LOG_LEVEL: 'warn',
    TOBIRA_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl ?? '',
  };
  const child = await spawnServer(name, 'bin/tobira-server.mjs', env, port, issuer);
  const statements = async () => {
    const metrics = await (await fetch(`${issuer}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    return Number(/^tobira_db_statements_total (\d+)$/m.exec(metrics)![1]);
  };
  return { name, child, port, issuer, client, statements };
}

export const BARE_CLIENT = { id: 'bench', secret: 'bench-secret-bench-secret-bench-secret' };

/** Bare oidc-provider, in memory or (with `databaseUrl`) on the minimal PostgreSQL adapter; `usersFile` lists its sign-in users. */
export async function startBare(name: string, databaseUrl: string | undefined, usersFile?: string): Promise<Server> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    NODE_ENV: '',
    ...(databaseUrl ? { BARE_DATABASE_URL: databaseUrl } : {}),
    ...(usersFile ? { BARE_USERS_FILE: usersFile } : {}),
  };
  const child = await spawnServer(name, 'bench/bare-provider.ts', env, port, issuer);
  const statements = databaseUrl ? async () => Number(await (await fetch(`${issuer}/bench/statements`)).text()) : undefined;
  return { name, child, port, issuer, client: BARE_CLIENT, ...(statements ? { statements } : {}) };
}

export async function stopAll(servers: Server[]): Promise<void> {
  // A profiled server writes its profile only when it exits on its own: SIGTERM is Tobira's
  // graceful stop, and the bare server exits on it when profiled.
  for (const { child } of cpuProfileDir ? servers.filter((s) => s.child.exitCode === null) : []) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  for (const server of servers) server.child.kill('SIGKILL');
}

/** For an interrupted run: every server this process started and that still runs. */
export function stopEveryServer(): void {
  for (const child of running) child.kill('SIGKILL');
}
