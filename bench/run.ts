// `npm run bench`: the argon2id bound, the sign-ins (bench/sign-in.ts) and the token flows
// (bench/tokens.ts) in one run, on one machine, against baselines measured in the same run.
//   npm run bench                                  # Tobira on PGlite, the in-memory baseline
//   DATABASE_URL=postgres://… npm run bench        # also PostgreSQL, the PostgreSQL baseline, the scale parts
//   npm run bench:tokens                           # the token part alone (node bench/run.ts tokens)
// Throwaway databases are made next to DATABASE_URL's (bench_*, the role needs CREATEDB) and dropped
// at the end, also when the run fails or is interrupted. Writes bench/results/<date>-<database>.json
// and prints the Markdown tables that bench/README.md shows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { argon2PerCore } from './argon2.ts';
import { signInBenchmark, SMALL_USERS, scaleName } from './sign-in.ts';
import { Databases } from './support/databases.ts';
import { machine, oneMinuteLoad } from './support/measure.ts';
import { argon2Line, errorLines, expiredTable, machineLine, scaleTable, signInTable, tokenTable } from './support/report.ts';
import type { Row } from './support/run-load.ts';
import { root, stopEveryServer } from './support/servers.ts';
import { settings } from './support/settings.ts';
import { installTlsStandIn } from './tls-stand-in.ts';
import { setLogLevel } from '../src/log.ts';
import { tokenBenchmark, type ExpiredRows } from './tokens.ts';

const parts = process.argv.length > 2 ? process.argv.slice(2) : ['sign-in', 'tokens'];
const databaseUrl = process.env.DATABASE_URL || undefined;
const databases = databaseUrl ? new Databases(databaseUrl) : undefined;
const database = databaseUrl ? 'postgresql' : 'pglite';
installTlsStandIn();
// The clean-up and the migrations run in this process too; their logs are not the report.
setLogLevel('silent');

// Ctrl+C or a kill: the servers and the throwaway databases go with the run.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    stopEveryServer();
    void databases?.dropAll().finally(() => process.exit(code));
  });
}

const started = performance.now();
const host = machine();
const date = new Date().toISOString();
let signIns: Row[] = [];
let tokens: { rows: Row[]; expired?: ExpiredRows } = { rows: [] };
try {
  // The hash's bound, measured before any server runs.
  const argon2 = await argon2PerCore(5);
  if (parts.includes('sign-in')) signIns = await signInBenchmark(databases);
  if (parts.includes('tokens')) tokens = await tokenBenchmark(databases);
  host.loadAtEnd = oneMinuteLoad();
  const durationSeconds = (performance.now() - started) / 1000;

  const out: string[] = [`Tobira benchmark on ${databaseUrl ? 'PostgreSQL and PGlite' : 'PGlite'}: ${machineLine(host, date, durationSeconds)}`, ''];
  out.push(argon2Line(argon2, host.cores), '');
  const load = `${settings.concurrency} virtual users, ${settings.seconds} s per flow and server after ${settings.warmupSeconds} s of warm-up`;
  if (signIns.length) {
    out.push(`Sign-ins; ${load}`, '', signInTable(signIns, argon2, host.cores), '');
    const large = scaleName(settings.scaleUsers);
    if (signIns.some((r) => r.server === large)) {
      out.push(`Sign-ins with ${settings.scaleUsers.toLocaleString('en')} users against ${SMALL_USERS.toLocaleString('en')} (Tobira on PostgreSQL)`, '');
      out.push(scaleTable(signIns, scaleName(SMALL_USERS), large), '');
    }
  }
  const expired = tokens.rows.filter((r) => r.server.includes('expired rows') && !r.server.includes('before'));
  const before = tokens.rows.filter((r) => r.server.includes('before the expired rows'));
  const plain = tokens.rows.filter((r) => !expired.includes(r) && !before.includes(r));
  if (plain.length) out.push(`Token flows; ${load}`, '', tokenTable(plain), '');
  if (tokens.expired) {
    out.push(
      `Token grants with ${tokens.expired.rows.toLocaleString('en')} expired OIDC rows; the clean-up removed ${tokens.expired.removed.toLocaleString('en')} rows in ${tokens.expired.cleanupSeconds.toFixed(1)} s`,
      '',
      expiredTable(before, expired),
      '',
    );
  }
  out.push(...errorLines([...signIns, ...tokens.rows]));
  process.stdout.write(`${out.join('\n')}\n`);

  const resultsDir = join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  // A run of one part is named for it, so that it never overwrites the day's whole run.
  const only = process.argv.length > 2 ? `-${parts.join('-')}` : '';
  const file = join(resultsDir, `${date.slice(0, 10)}-${database}${only}.json`);
  writeFileSync(file, `${JSON.stringify({ date, database, machine: host, durationSeconds, settings, argon2, signIns, tokens }, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
  if ([...signIns, ...tokens.rows].some((r) => r.errors)) process.exitCode = 1;
} finally {
  await databases?.dropAll();
}
