// Token flows against bare oidc-provider in the same run: userinfo, introspection, refresh with
// rotation and client credentials, each server its own process, the load from another
// (bench/load.ts: keep-alive, BENCH_CONCURRENCY virtual users, BENCH_SECONDS per flow, loopback).
// Servers: Tobira as in production on a fresh PostgreSQL database (or a temporary PGlite folder
// without DATABASE_URL), bare oidc-provider with its in-memory adapter and (with DATABASE_URL) with
// one jsonb table. Then, on PostgreSQL, Tobira's token grants with BENCH_EXPIRED_ROWS (1,000,000)
// expired OIDC rows in its table, before and after the clean-up (src/oidc/cleanup.ts). Part of
// `npm run bench` (bench/run.ts); `npm run bench:tokens` runs it alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeExpiredArtefacts } from '../src/oidc/cleanup.ts';
import { Browser, type Page } from './support/browser.ts';
import type { Databases } from './support/databases.ts';
import type { TokenFlow, TokenJob } from './support/load-jobs.ts';
import { authorizationUrl, CALLBACK, discover, exchange } from './support/rp.ts';
import { measure, runLoad, target, type Row } from './support/run-load.ts';
import { fillExpiredModels, seedTobira, withDatabase } from './support/seed.ts';
import { startBare, startTobira, stopAll, type Server } from './support/servers.ts';
import { settings } from './support/settings.ts';

// Client credentials last: the bare server's in-memory adapter is an LRU of 1,000 entries, and the
// tokens of that flow would push out the access tokens the other flows present.
const FLOWS: TokenFlow[] = ['userinfo', 'introspection', 'refresh', 'client_credentials'];
const GRANTS: TokenFlow[] = ['refresh', 'client_credentials'];

type Tokens = { access: string; refresh: string };
type Contender = { server: Server; tokens: Tokens[] };

export type ExpiredRows = { rows: number; cleanupSeconds: number; removed: number };

/** A real authorization-code sign-in; `login` fills the server's sign-in form. */
async function signIn(server: Server, login: Record<string, string>): Promise<Tokens> {
  const config = await discover(server.issuer, server.client.id, server.client.secret);
  const browser = new Browser(server.issuer);
  const start = await authorizationUrl(config);
  let page: Page = await browser.submit(await browser.open(start.url.href), login);
  if (!page.url.startsWith(CALLBACK)) page = await browser.submit(page, {}); // the bare server's consent page
  const tokens = await exchange(config, start, page.url);
  if (!tokens.refresh_token) throw new Error(`${server.issuer} issued no refresh token`);
  return { access: tokens.access_token, refresh: tokens.refresh_token };
}

function job(contender: Contender, flow: TokenFlow, seconds: number): TokenJob {
  return {
    kind: 'tokens',
    flow,
    ...target(contender.server),
    tokenPath: '/token',
    userinfoPath: '/me',
    introspectionPath: '/token/introspection',
    clientId: contender.server.client.id,
    clientSecret: contender.server.client.secret,
    accessTokens: contender.tokens.map((t) => t.access),
    refreshTokens: contender.tokens.map((t) => t.refresh),
    seconds,
  };
}

async function measureFlow(contender: Contender, flow: TokenFlow, name = contender.server.name): Promise<Row> {
  // Each refresh chain goes on from the token its last run rotated to.
  const carryOn = (result: { refreshTokens: string[] }) =>
    result.refreshTokens.forEach((refresh, i) => {
      contender.tokens[i]!.refresh = refresh;
    });
  if (settings.warmupSeconds > 0) carryOn(await runLoad(job(contender, flow, settings.warmupSeconds)));
  const row = await measure(contender.server, flow, job(contender, flow, settings.seconds), carryOn);
  process.stderr.write(`tokens: ${flow} on ${name}: ${row.perSecond.toFixed(0)}/s, ${row.errors} errors\n`);
  return { ...row, server: name };
}

/** `databases`: throwaway PostgreSQL databases; without them Tobira runs on PGlite and the PostgreSQL parts are left out. */
export async function tokenBenchmark(databases: Databases | undefined): Promise<{ rows: Row[]; expired?: ExpiredRows }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tobira-bench-tokens-'));
  const contenders: Contender[] = [];
  try {
    const tobiraUrl = databases ? await databases.create('tokens') : undefined;
    const seeded = await withDatabase(tobiraUrl, dataDir, (db) => seedTobira(db, dataDir, { passwordUsers: settings.concurrency, totpUsers: 0 }));
    const tobira: Contender = { server: await startTobira(`Tobira (${tobiraUrl ? 'PostgreSQL' : 'PGlite'})`, tobiraUrl, dataDir, seeded.client), tokens: [] };
    contenders.push(tobira, { server: await startBare('bare, in memory', undefined), tokens: [] });
    if (databases) contenders.push({ server: await startBare('bare, PostgreSQL adapter', await databases.create('bare_tokens')), tokens: [] });

    // Tokens through real sign-ins, one user (and one refresh chain) per virtual user.
    for (const contender of contenders) {
      for (let i = 0; i < settings.concurrency; i++) {
        const login: Record<string, string> =
          contender === tobira ? { email: seeded.users.passwordUsers[i]!, password: seeded.users.password } : { login: `user-${i}`, password: 'x' };
        contender.tokens.push(await signIn(contender.server, login));
      }
    }
    const rows: Row[] = [];
    // Flow by flow, every server in turn, so a burst of load elsewhere on the machine hits all alike.
    for (const flow of FLOWS) for (const contender of contenders) rows.push(await measureFlow(contender, flow));
    if (!tobiraUrl || settings.expiredRows === 0) return { rows };

    // The table a busy day leaves behind: the grants just before it (so that the three runs compared
    // are close in time on a busy machine), with it, the clean-up, the grants after it.
    const label = `${settings.expiredRows.toLocaleString('en')} expired rows`;
    for (const flow of GRANTS) rows.push(await measureFlow(tobira, flow, 'Tobira (PostgreSQL), before the expired rows'));
    await withDatabase(tobiraUrl, dataDir, (db) => fillExpiredModels(db, settings.expiredRows));
    for (const flow of GRANTS) rows.push(await measureFlow(tobira, flow, `Tobira (PostgreSQL), ${label}`));
    const { removed, cleanupSeconds } = await withDatabase(tobiraUrl, dataDir, async (db) => {
      const started = performance.now();
      return { removed: await removeExpiredArtefacts(db), cleanupSeconds: (performance.now() - started) / 1000 };
    });
    process.stderr.write(`tokens: clean-up removed ${removed} rows in ${cleanupSeconds.toFixed(1)} s\n`);
    for (const flow of GRANTS) rows.push(await measureFlow(tobira, flow, `Tobira (PostgreSQL), ${label}, after clean-up`));
    return { rows, expired: { rows: settings.expiredRows, cleanupSeconds, removed } };
  } finally {
    await stopAll(contenders.map((c) => c.server));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
