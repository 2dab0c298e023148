// Start time and memory per process, side by side in one run: a bare oidc-provider server
// (bench/bare-provider.ts), Tobira through the tsx loader without a compile cache (how it ran
// before issue 9) and Tobira exactly as `npm start` runs it now (bin/tobira-server.mjs: Node's own
// type stripping, the compile cache in the system's temporary folder, which is this run's own).
// For each: process start to the first answered discovery request (and the CPU the process used
// until then), resident memory (RSS) once it answers, and after BENCH_SIGNINS sign-ins. Round 0
// starts on an empty compile cache (a fresh install) and is reported apart; the medians are of the
// rounds after it. Every process is stopped with SIGTERM, as an operator would, so that what it
// compiled is on disk for the next round.
// Writes bench/results/<date>-start-<postgresql|pglite>.json.
//   DATABASE_URL=postgres://… TOBIRA_SECRET=… npm run bench:start   (PostgreSQL; otherwise a temporary PGlite folder)
// Tobira runs as in production (NODE_ENV=production, one process) behind a stand-in for a TLS
// proxy: requests to its https issuer go to its http port with X-Forwarded-Proto: https.
import { installTlsStandIn } from './tls-stand-in.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.ts';
import { openAndMigrate } from '../src/boot.ts';
import { deriveInstanceKeys, resolveSecret } from '../src/crypto/instance-secret.ts';
import { createWorkspace } from '../src/directory/workspaces.ts';
import { createUser } from '../src/directory/users.ts';
import { registerClient } from '../src/oidc/client-registry.ts';
import { freePort } from './support/ports.ts';
import { Browser } from './support/browser.ts';
import { discover, authorizationUrl, exchange } from './support/rp.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SIGNINS = Number(process.env.BENCH_SIGNINS ?? 20);
const CONCURRENCY = 4;
// The database's own secret when it has one (its signing keys are sealed under it).
const SECRET = process.env.TOBIRA_SECRET || 'bench-secret-that-is-long-enough-for-tobira-0123456789';
const CALLBACK = 'https://rp.example.test/callback';
const root = fileURLToPath(new URL('../', import.meta.url));
const databaseUrl = process.env.DATABASE_URL || undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'tobira-bench-start-'));
// `npm start` keeps its compile cache in the system's temporary folder: this run's own one.
const tempDir = join(dataDir, 'tmp');
mkdirSync(tempDir);
const compileCache = join(dataDir, 'compile-cache');
// The bare server has no graceful stop of its own; exiting on SIGTERM makes Node write its
// compile cache, as Tobira's graceful stop does.
const exitOnSigterm = `--import=data:text/javascript,process.once('SIGTERM',()=>process.exit(0))`;

installTlsStandIn();

type Contender = {
  name: string;
  args: string[];
  env: (port: number) => Record<string, string>;
  issuer: (port: number) => string;
  signIn: (issuer: string, i: number) => Promise<void>;
};

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
// CPU the process has used (utime + stime, all its threads; clock ticks of 10 ms on Linux). On a
// busy machine the wall-clock start mostly measures the wait for a core; this is the work itself.
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

async function setUpTobira() {
  const config = loadConfig({ DATABASE_URL: databaseUrl, TOBIRA_SECRET: SECRET, TOBIRA_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const database = await openAndMigrate(config);
  try {
    const keys = deriveInstanceKeys(resolveSecret(SECRET, dataDir));
    const slug = `bench-${Date.now()}`;
    await createWorkspace(database.db, { slug, displayName: 'Bench', mfaPolicy: 'optional' });
    const password = 'bench-password-long-enough';
    const users = [];
    for (let i = 0; i < SIGNINS; i++) {
      users.push(
        (await createUser(database.db, { workspaceSlug: slug, email: `bench-${i}-${slug}@example.test`, password, name: 'Bench', role: 'member' })).email,
      );
    }
    const { client, secret } = await registerClient(database.db, keys.dataKey, {
      name: 'Bench RP',
      redirectUris: [CALLBACK],
      postLogoutRedirectUris: [],
      isPublic: false,
      firstParty: true,
      requireMfa: false,
      grants: [],
    });
    return { users, password, clientId: client.client_id, secret: secret! };
  } finally {
    await database.close();
  }
}

async function tobiraSignIn(issuer: string, clientId: string, secret: string, email: string, password: string) {
  const config = await discover(issuer, clientId, secret);
  const browser = new Browser(issuer);
  const start = await authorizationUrl(config);
  const back = await browser.submit(await browser.open(start.url.href), { email, password });
  await exchange(config, start, back.url);
}

async function bareSignIn(issuer: string, i: number) {
  const config = await discover(issuer, 'bench', 'bench-secret-bench-secret-bench-secret');
  const browser = new Browser(issuer);
  const start = await authorizationUrl(config);
  let page = await browser.submit(await browser.open(start.url.href), { login: `user-${i}`, password: 'x' });
  if (!page.url.startsWith(CALLBACK)) page = await browser.submit(page, {}); // the consent page
  await exchange(config, start, page.url);
}

async function measure(contender: Contender) {
  const port = await freePort();
  const issuer = contender.issuer(port);
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, contender.args, {
    cwd: root,
    env: { ...process.env, ...contender.env(port), PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${contender.name} exited with ${child.exitCode}: ${errors}`);
      if (performance.now() - started > 120_000) throw new Error(`${contender.name} did not answer discovery within 120 s: ${errors}`);
      const ok = await fetch(`${issuer}/.well-known/openid-configuration`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const startMs = performance.now() - started;
    const rssStart = rssMb(child.pid!);
    const startCpuMs = cpuMs(child.pid!);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < SIGNINS) await contender.signIn(issuer, next++);
      }),
    );
    const rssAfter = rssMb(child.pid!);
    await stop(child, contender.name);
    return { startMs, startCpuMs, rssStart, rssAfter };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

// SIGTERM, then up to 30 s for the process to exit (and write its compile cache).
async function stop(child: ChildProcess, name: string): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not exit within 30 s of SIGTERM`)), 30_000);
  });
  try {
    await Promise.race([exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const loadAtStart = loadavg()[0]!;
try {
  const tobira = await setUpTobira();
  const tobiraEnv = (port: number) => ({
    NODE_ENV: 'production',
    ISSUER: `https://127.0.0.1:${port}`,
    TRUST_PROXY: 'true',
    HOST: '127.0.0.1',
    WORKERS: '1',
    TOBIRA_SECRET: SECRET,
    METRICS_TOKEN: 'bench-metrics-token',
    LOG_LEVEL: 'warn',
    TOBIRA_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl ?? '',
    NODE_COMPILE_CACHE: '',
    TMPDIR: tempDir,
  });
  const tobiraSignInAt = (issuer: string, i: number) => tobiraSignIn(issuer, tobira.clientId, tobira.secret, tobira.users[i]!, tobira.password);
  const contenders: Contender[] = [
    // The same compile cache for the yardstick, so the ratio measures Tobira, not the cache.
    {
      name: 'bare oidc-provider',
      args: [exitOnSigterm, 'bench/bare-provider.ts'],
      env: () => ({ NODE_ENV: '', NODE_COMPILE_CACHE: compileCache }),
      issuer: (port) => `http://127.0.0.1:${port}`,
      signIn: bareSignIn,
    },
    {
      name: 'Tobira, tsx loader (before)',
      args: ['--import=tsx', 'src/main.ts'],
      // As it ran: tsx's own transform cache in the system's temporary folder, no compile cache.
      env: (port) => ({ ...tobiraEnv(port), NODE_DISABLE_COMPILE_CACHE: '1', TMPDIR: tmpdir() }),
      issuer: (port) => `https://127.0.0.1:${port}`,
      signIn: tobiraSignInAt,
    },
    { name: 'Tobira, npm start (now)', args: ['bin/tobira-server.mjs'], env: tobiraEnv, issuer: (port) => `https://127.0.0.1:${port}`, signIn: tobiraSignInAt },
  ];
  const results = new Map<string, { startMs: number; startCpuMs: number; rssStart: number; rssAfter: number }[]>(contenders.map((c) => [c.name, []]));
  // Interleaved rounds, so a burst of load elsewhere on the machine hits every contender alike.
  const cold = new Map<string, number>();
  for (let round = 0; round <= ROUNDS; round++) {
    for (const contender of contenders) {
      const result = await measure(contender);
      if (round === 0) cold.set(contender.name, result.startMs);
      else results.get(contender.name)!.push(result);
    }
  }
  const bare = results.get('bare oidc-provider')!;
  const bareStart = median(bare.map((r) => r.startMs));
  const bareRss = median(bare.map((r) => r.rssStart));
  const bareCpu = median(bare.map((r) => r.startCpuMs));
  const rows = contenders.map((c) => {
    const r = results.get(c.name)!;
    const startMs = median(r.map((x) => x.startMs));
    const rssStart = median(r.map((x) => x.rssStart));
    const startCpuMs = median(r.map((x) => x.startCpuMs));
    const rssAfter = median(r.map((x) => x.rssAfter));
    return {
      process: c.name,
      startMs,
      startRatio: startMs / bareStart,
      startCpuMs,
      startCpuRatio: startCpuMs / bareCpu,
      coldStartMs: cold.get(c.name)!,
      rssStartMb: rssStart,
      rssRatio: rssStart / bareRss,
      rssAfterMb: rssAfter,
      rounds: r,
    };
  });
  const cores = availableParallelism();
  const load = { atStart: loadAtStart, atEnd: loadavg()[0]! };
  const date = new Date().toISOString();
  const database = databaseUrl ? 'postgresql' : 'pglite';
  const resultsDir = join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${date.slice(0, 10)}-start-${database}.json`);
  const machine = { cores, cpu: cpus()[0]?.model, node: process.versions.node, load };
  writeFileSync(file, `${JSON.stringify({ date, database, machine, rounds: ROUNDS, signIns: SIGNINS, concurrency: CONCURRENCY, rows }, null, 2)}\n`);
  process.stdout.write(
    [
      `Start and memory, ${databaseUrl ? 'PostgreSQL' : 'PGlite'}, Node ${process.versions.node}, ${cores} cores, load ${load.atStart.toFixed(1)} → ${load.atEnd.toFixed(1)}, ${date.slice(0, 10)}; medians of ${ROUNDS} interleaved rounds, ${SIGNINS} sign-ins (${CONCURRENCY} at a time)`,
      '',
      '| process | start → discovery ms | × bare | first start ms (empty cache) | CPU until discovery ms | × bare | RSS at start MB | × bare | RSS after sign-ins MB |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map(
        (r) =>
          `| ${r.process} | ${r.startMs.toFixed(0)} | ${r.startRatio.toFixed(2)}× | ${r.coldStartMs.toFixed(0)} | ${r.startCpuMs.toFixed(0)} | ${r.startCpuRatio.toFixed(2)}× | ${r.rssStartMb.toFixed(0)} | ${r.rssRatio.toFixed(2)}× | ${r.rssAfterMb.toFixed(0)} |`,
      ),
      '',
      `Written to ${file}`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
