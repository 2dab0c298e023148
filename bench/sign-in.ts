// Sign-in throughput and latency: full authorization-code flows (password, and password + TOTP)
// driven through openid-client against one local node, bounded in count and time, loopback only.
//   npm run bench                    # embedded PGlite in memory
//   DATABASE_URL=postgres://… npm run bench
// Prints a Markdown table; bench/README.md keeps the reports.
import { startTobira, makeClient, makeUser, makeWorkspace } from '../test/helpers/tobira.ts';
import { Browser } from '../test/helpers/browser.ts';
import { discover, authorizationUrl, exchange } from '../test/helpers/rp.ts';
import { enrol, isTotpPage } from '../test/helpers/mfa.ts';
import { codeFor } from '../test/helpers/totp.ts';
import { adjustableClock } from '../src/clock.ts';
import { availableParallelism } from 'node:os';
import { argon2PerCore } from './argon2.ts';

const FLOWS = Number(process.env.BENCH_FLOWS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const DEADLINE_MS = 120_000;

// The hash's bound, measured before anything else runs in this process.
const argon2 = await argon2PerCore(5);
const cores = availableParallelism();
const hashBound = argon2.perSecondPerCore * cores;

const clock = adjustableClock();
const tobira = await startTobira({}, { clock });
const started = Date.now();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(name: string, flow: (i: number) => Promise<void>): Promise<string> {
  const times: number[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < FLOWS && Date.now() - started < DEADLINE_MS) {
        const i = next++;
        const t = performance.now();
        await flow(i);
        times.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / times.length;
  times.sort((a, b) => a - b);
  const perSecond = times.length / seconds;
  return `| ${name} | ${times.length} | ${CONCURRENCY} | ${perSecond.toFixed(1)} | ${(perSecond / hashBound).toFixed(2)} | ${percentile(times, 50).toFixed(0)} | ${percentile(times, 95).toFixed(0)} | ${cpuMs.toFixed(1)} | ${(cpuMs / argon2.cpuMsPerHash).toFixed(2)}× |`;
}

try {
  const { clientId, secret } = await makeClient(tobira);
  const config = await discover(tobira.issuer, clientId, secret);
  const workspace = await makeWorkspace(tobira, 'optional');
  const users = await Promise.all(Array.from({ length: FLOWS }, () => makeUser(tobira, { workspaceSlug: workspace.slug })));

  const passwordRow = await run('password only', async (i) => {
    const browser = new Browser(tobira.issuer);
    const start = await authorizationUrl(config);
    const back = await browser.submit(await browser.open(start.url.href), { email: users[i]!.email, password: users[i]!.password });
    await exchange(config, start, back.url);
  });

  // Enrol everyone once (not measured), then measure password + TOTP sign-ins.
  const secrets: string[] = [];
  for (const user of users) {
    const browser = new Browser(tobira.issuer);
    const start = await authorizationUrl(config, { acr_values: 'urn:tobira:acr:mfa' });
    const page = await browser.submit(await browser.open(start.url.href), { email: user.email, password: user.password });
    secrets.push((await enrol(browser, page, { at: clock.now() })).secret);
  }
  clock.advance(30);
  const totpRow = await run('password + TOTP', async (i) => {
    const browser = new Browser(tobira.issuer);
    const start = await authorizationUrl(config);
    const prompt = await browser.submit(await browser.open(start.url.href), { email: users[i]!.email, password: users[i]!.password });
    if (!isTotpPage(prompt)) throw new Error('expected the TOTP prompt');
    const back = await browser.submit(prompt, { code: codeFor(secrets[i]!, clock.now()) }, '/totp');
    await exchange(config, start, back.url);
  });

  const database = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite (in memory)';
  process.stdout.write(
    [
      `Sign-in benchmark, ${database}, Node ${process.versions.node}, ${cores} cores, ${new Date().toISOString().slice(0, 10)}`,
      '',
      '| flow | completed | concurrency | flows/s | of hash bound | p50 ms | p95 ms | process CPU ms/flow | × one hash |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      passwordRow,
      totpRow,
      '',
      `argon2id (m=19456 KiB, t=2, p=1), one hash at a time: ${argon2.perSecondPerCore.toFixed(1)} hashes/s on one core, ${argon2.cpuMsPerHash.toFixed(1)} ms CPU per hash; bound for ${cores} cores: ${hashBound.toFixed(0)} password checks/s. Tobira and the driving client share this process, so its CPU per flow includes the client's.`,
      '',
    ].join('\n'),
  );
} finally {
  await tobira.close();
}
