// Token flows against a bare oidc-provider in the same run: client credentials, userinfo,
// introspection and refresh with rotation, each server its own process, the load from another
// (bench/load.ts: keep-alive, BENCH_CONCURRENCY virtual users, BENCH_SECONDS per flow, loopback).
//   npm run bench:tokens                              # Tobira on PGlite (a temporary folder) and the in-memory baseline
//   DATABASE_URL=postgres://… npm run bench:tokens    # Tobira on a fresh PostgreSQL database, plus a
//                                                     # baseline with a minimal PostgreSQL adapter on another
// Servers: Tobira as in production (NODE_ENV=production, one process, behind a stand-in for a TLS
// proxy), bare oidc-provider with its in-memory adapter, and (with DATABASE_URL) with one jsonb
// table. Per flow and server: throughput, p50/p95/p99, errors, server CPU per request (utime +
// stime of the server's pid), SQL statements per request (Tobira's tobira_db_statements_total,
// the baseline's adapter statements), resident memory. Also argon2id hashes per second on one
// core with the production parameters. Writes bench/results/<date>-<database>.json and prints a
// Markdown table.
import { installTlsStandIn } from './tls-stand-in.ts';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { openAndMigrate } from '../src/boot.ts';
import { deriveInstanceKeys, resolveSecret } from '../src/crypto/instance-secret.ts';
import { createWorkspace } from '../src/directory/workspaces.ts';
import { createUser } from '../src/directory/users.ts';
import { registerClient } from '../src/oidc/client-registry.ts';
import { freePort } from '../test/helpers/process.ts';
import { Browser, type Page } from '../test/helpers/browser.ts';
import { discover, authorizationUrl, exchange } from '../test/helpers/rp.ts';
import type { Flow, LoadJob, LoadResult } from './load.ts';
import { argon2PerCore } from './argon2.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
// Client credentials last: the bare server's in-memory adapter is an LRU of 1,000 entries, and the
// tokens of that flow would push out the access tokens the other flows present.
const FLOWS: Flow[] = ['userinfo', 'introspection', 'refresh', 'client_credentials'];
const SECRET = 'bench-secret-that-is-long-enough-for-tobira-0123456789';
const METRICS_TOKEN = 'bench-metrics-token';
const CALLBACK = 'https://rp.example.test/callback';
const BARE_CLIENT = { id: 'bench', secret: 'bench-secret-bench-secret-bench-secret' };
const root = fileURLToPath(new URL('../', import.meta.url));
const databaseUrl = process.env.DATABASE_URL || undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'tobira-bench-tokens-'));
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
// BENCH_CPU_PROF=<dir>: every server runs under V8's sampling profiler and writes a .cpuprofile
// when it stops, Tobira's in <dir>/tobira, the baselines' in <dir>/bare-memory and
// <dir>/bare-postgresql (read them with bench/profile-summary.ts). The profiler costs CPU itself,
// so the CPU columns of such a run are not comparable with a run without it.
const cpuProfileDir = process.env.BENCH_CPU_PROF || undefined;
const profiling = (name: string) => (cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', join(cpuProfileDir, name)] : []);

installTlsStandIn();

type Tokens = { access: string; refresh: string };
type Server = {
  name: string;
  child: ChildProcess;
  port: number;
  issuer: string;
  client: { id: string; secret: string };
  tokens: Tokens[];
  /** SQL statements the server sent so far, when it can tell. */
  statements?: () => Promise<number>;
};

const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
};
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function throwawayDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl!);
  url.pathname = `/${name}`;
  return url.href;
}

async function dropDatabase(name: string) {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

async function setUpTobira(url: string | undefined) {
  const config = loadConfig({ DATABASE_URL: url, TOBIRA_SECRET: SECRET, TOBIRA_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const database = await openAndMigrate(config);
  try {
    const keys = deriveInstanceKeys(resolveSecret(SECRET, dataDir));
    await createWorkspace(database.db, { slug: 'bench', displayName: 'Bench', mfaPolicy: 'optional' });
    const password = 'bench-password-long-enough';
    const users = [];
    for (let i = 0; i < CONCURRENCY; i++) {
      users.push((await createUser(database.db, { workspaceSlug: 'bench', email: `bench-${i}@example.test`, password, name: 'Bench', role: 'member' })).email);
    }
    const { client, secret } = await registerClient(database.db, keys.dataKey, {
      name: 'Bench RP',
      redirectUris: [CALLBACK],
      postLogoutRedirectUris: [],
      isPublic: false,
      firstParty: true,
      requireMfa: false,
      grants: ['client_credentials'],
    });
    return { users, password, client: { id: client.client_id, secret: secret! } };
  } finally {
    await database.close();
  }
}

async function spawnServer(args: string[], env: Record<string, string>, port: number, issuer: string): Promise<ChildProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}: ${errors}`);
    if (performance.now() - started > 120_000) throw new Error(`${args.join(' ')} did not answer discovery within 120 s: ${errors}`);
    const ok = await fetch(`${issuer}/.well-known/openid-configuration`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A real authorization-code sign-in; `login` fills the server's sign-in form. */
async function signIn(issuer: string, client: { id: string; secret: string }, login: Record<string, string>): Promise<Tokens> {
  const config = await discover(issuer, client.id, client.secret);
  const browser = new Browser(issuer);
  const start = await authorizationUrl(config);
  let page: Page = await browser.submit(await browser.open(start.url.href), login);
  if (!page.url.startsWith(CALLBACK)) page = await browser.submit(page, {}); // the bare server's consent page
  const tokens = await exchange(config, start, page.url);
  if (!tokens.refresh_token) throw new Error(`${issuer} issued no refresh token`);
  return { access: tokens.access_token, refresh: tokens.refresh_token };
}

async function tobiraStatements(issuer: string): Promise<number> {
  const metrics = await (await fetch(`${issuer}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return Number(/^tobira_db_statements_total (\d+)$/m.exec(metrics)![1]);
}

async function runLoad(server: Server, flow: Flow, seconds: number): Promise<LoadResult> {
  const job: LoadJob = {
    flow,
    base: `http://127.0.0.1:${server.port}`,
    ...(server.issuer.startsWith('https:') ? { forwardedProto: 'https' as const } : {}),
    tokenPath: '/token',
    userinfoPath: '/me',
    introspectionPath: '/token/introspection',
    clientId: server.client.id,
    clientSecret: server.client.secret,
    accessTokens: server.tokens.map((t) => t.access),
    refreshTokens: server.tokens.map((t) => t.refresh),
    seconds,
  };
  const generator = spawn(process.execPath, ['bench/load.ts'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  generator.stdin.end(JSON.stringify(job));
  const [output, code] = await Promise.all([text(generator.stdout), new Promise((resolve) => generator.on('exit', resolve))]);
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  const result = JSON.parse(output) as LoadResult;
  // The next run of this server's refresh chains goes on from the last rotated tokens.
  result.refreshTokens.forEach((refresh, i) => {
    server.tokens[i]!.refresh = refresh;
  });
  return result;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;
}

type Row = {
  flow: Flow;
  server: string;
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  errorSamples: string[];
  cpuMsPerRequest: number;
  statementsPerRequest: number | null;
  rssMb: number;
};

async function measure(server: Server, flow: Flow): Promise<Row> {
  if (WARMUP_SECONDS > 0) await runLoad(server, flow, WARMUP_SECONDS);
  const pid = server.child.pid!;
  const statementsBefore = server.statements ? await server.statements() : 0;
  const cpuBefore = cpuMs(pid);
  const result = await runLoad(server, flow, SECONDS);
  const cpu = cpuMs(pid) - cpuBefore;
  const statements = server.statements ? (await server.statements()) - statementsBefore : null;
  const sorted = result.latenciesMs.sort((a, b) => a - b);
  const handled = result.completed + result.errors;
  return {
    flow,
    server: server.name,
    requests: result.completed,
    perSecond: result.completed / result.seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    errors: result.errors,
    errorSamples: result.errorSamples,
    cpuMsPerRequest: cpu / handled,
    statementsPerRequest: statements === null ? null : statements / handled,
    rssMb: rssMb(pid),
  };
}

const suffix = `${Date.now().toString(36)}`;
const created: string[] = [];
const servers: Server[] = [];
try {
  const tobiraUrl = databaseUrl ? await throwawayDatabase(`tobira_tokens_${suffix}`) : undefined;
  if (tobiraUrl) created.push(`tobira_tokens_${suffix}`);
  const bareUrl = databaseUrl ? await throwawayDatabase(`bare_tokens_${suffix}`) : undefined;
  if (bareUrl) created.push(`bare_tokens_${suffix}`);

  const tobira = await setUpTobira(tobiraUrl);
  const tobiraPort = await freePort();
  const tobiraIssuer = `https://127.0.0.1:${tobiraPort}`;
  const tobiraChild = await spawnServer(
    [...profiling('tobira'), 'src/main.ts'],
    {
      NODE_ENV: 'production',
      ISSUER: tobiraIssuer,
      TRUST_PROXY: 'true',
      HOST: '127.0.0.1',
      WORKERS: '1',
      TOBIRA_SECRET: SECRET,
      METRICS_TOKEN,
      LOG_LEVEL: 'warn',
      TOBIRA_DATA_DIR: dataDir,
      DATABASE_URL: tobiraUrl ?? '',
    },
    tobiraPort,
    tobiraIssuer,
  );
  servers.push({
    name: `Tobira (${databaseUrl ? 'PostgreSQL' : 'PGlite'})`,
    child: tobiraChild,
    port: tobiraPort,
    issuer: tobiraIssuer,
    client: tobira.client,
    tokens: [],
    statements: () => tobiraStatements(tobiraIssuer),
  });
  for (const [name, url] of [['bare, in memory', undefined] as const, ...(bareUrl ? [['bare, PostgreSQL adapter', bareUrl] as const] : [])]) {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const child = await spawnServer(
      [...profiling(url ? 'bare-postgresql' : 'bare-memory'), 'bench/bare-provider.ts'],
      { NODE_ENV: '', ...(url ? { BARE_DATABASE_URL: url } : {}) },
      port,
      issuer,
    );
    servers.push({
      name,
      child,
      port,
      issuer,
      client: BARE_CLIENT,
      tokens: [],
      ...(url ? { statements: async () => Number(await (await fetch(`${issuer}/bench/statements`)).text()) } : {}),
    });
  }

  // Tokens through real sign-ins, one user (and one refresh chain) per virtual user.
  for (const server of servers) {
    for (let i = 0; i < CONCURRENCY; i++) {
      const login: Record<string, string> = server.name.startsWith('Tobira')
        ? { email: tobira.users[i]!, password: tobira.password }
        : { login: `user-${i}`, password: 'x' };
      server.tokens.push(await signIn(server.issuer, server.client, login));
    }
  }

  const argon2 = await argon2PerCore(5);
  const rows: Row[] = [];
  // Flow by flow, every server in turn, so a burst of load elsewhere on the machine hits all alike.
  for (const flow of FLOWS) for (const server of servers) rows.push(await measure(server, flow));

  const date = new Date().toISOString();
  const machine = { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.versions.node, load: loadavg()[0]! };
  const database = databaseUrl ? 'postgresql' : 'pglite';
  const bareMemory = (flow: Flow) => rows.find((r) => r.flow === flow && r.server === 'bare, in memory')!;
  const barePostgres = (flow: Flow) => rows.find((r) => r.flow === flow && r.server === 'bare, PostgreSQL adapter');
  const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}×` : '—');
  const table = [
    `Token flows, Tobira on ${databaseUrl ? 'PostgreSQL' : 'PGlite'}, Node ${machine.node}, ${machine.cores} cores (${machine.cpu}), load ${machine.load.toFixed(1)}, ${date.slice(0, 10)}; ${CONCURRENCY} virtual users, ${SECONDS} s per flow after ${WARMUP_SECONDS} s of warm-up`,
    '',
    '| flow | server | req/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/req | CPU × bare (memory) | CPU × bare (PostgreSQL) | req/s × bare (memory) | SQL/req | RSS MB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => {
      const memory = bareMemory(r.flow);
      const postgres = barePostgres(r.flow);
      return `| ${r.flow} | ${r.server} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${r.cpuMsPerRequest.toFixed(3)} | ${ratio(r.cpuMsPerRequest, memory.cpuMsPerRequest)} | ${ratio(r.cpuMsPerRequest, postgres?.cpuMsPerRequest)} | ${ratio(r.perSecond, memory.perSecond)} | ${r.statementsPerRequest === null ? '—' : r.statementsPerRequest.toFixed(2)} | ${r.rssMb.toFixed(0)} |`;
    }),
    '',
    `argon2id (m=19456 KiB, t=2, p=1), one hash at a time: ${argon2.perSecondPerCore.toFixed(1)} hashes/s on one core, ${argon2.cpuMsPerHash.toFixed(1)} ms CPU per hash; bound for ${machine.cores} cores: ${(argon2.perSecondPerCore * machine.cores).toFixed(0)} password checks/s`,
    '',
  ].join('\n');
  process.stdout.write(table);
  for (const r of rows.filter((x) => x.errors)) process.stdout.write(`errors, ${r.flow} on ${r.server}:\n  ${r.errorSamples.join('\n  ')}\n`);
  const resultsDir = join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${date.slice(0, 10)}-${database}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ date, database, machine, concurrency: CONCURRENCY, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, argon2, rows }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${file}\n`);
  if (rows.some((r) => r.errors)) process.exitCode = 1;
} finally {
  // A profiled server writes its profile only when it exits on its own: SIGTERM is Tobira's
  // graceful stop, and the bare server exits on it when profiled.
  for (const profiled of cpuProfileDir ? servers.filter((s) => s.child.exitCode === null) : []) {
    const exited = new Promise((resolve) => profiled.child.once('exit', resolve));
    profiled.child.kill('SIGTERM');
    await exited;
  }
  for (const server of servers) server.child.kill('SIGKILL');
  for (const name of created) await dropDatabase(name);
  rmSync(dataDir, { recursive: true, force: true });
}
