// Full sign-ins (authorization code + PKCE; password, and password + TOTP) against Tobira and two
// baselines of bare oidc-provider (the same version, static client and users, the same argon2id
// check, a TOTP step: bench/bare-interactions.ts), in memory and on a minimal PostgreSQL adapter.
// The load comes from its own process (bench/load.ts): keep-alive, BENCH_CONCURRENCY virtual users,
// BENCH_SECONDS per flow and server after BENCH_WARMUP_SECONDS, loopback only. Tobira runs on
// PostgreSQL with 1,000 users and, in the same run, with BENCH_SCALE_USERS (1,000,000) users, and
// on a temporary PGlite folder with 1,000 users. Part of `npm run bench` (bench/run.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTotpSecret } from '../src/mfa/totp.ts';
import type { Databases } from './support/databases.ts';
import type { SignInFlow, SignInJob } from './support/load-jobs.ts';
import { measure, runLoad, target, type Row } from './support/run-load.ts';
import { fillUsers, seedTobira, withDatabase, type SignInUsers } from './support/seed.ts';
import { startBare, startTobira, stopAll, type Server } from './support/servers.ts';
import { settings } from './support/settings.ts';

const FLOWS: SignInFlow[] = ['password', 'password + TOTP'];
/** Users in the database of the main rows: the virtual users' own, and the enrolled ones. */
export const SMALL_USERS = 1000;

type Contender = { server: Server; users: SignInUsers; nextTotpUser: number };

function job(contender: Contender, flow: SignInFlow, seconds: number): SignInJob {
  const { server, users } = contender;
  return {
    kind: 'sign-in',
    flow,
    ...target(server),
    issuer: server.issuer,
    clientId: server.client.id,
    clientSecret: server.client.secret,
    seconds,
    concurrency: settings.concurrency,
    password: users.password,
    passwordUsers: users.passwordUsers,
    totpUsers: users.totpUsers,
    firstTotpUser: contender.nextTotpUser,
  };
}

async function tobiraOn(name: string, databaseUrl: string | undefined, dataDir: string, fillTo: number): Promise<Contender> {
  const seeded = await withDatabase(databaseUrl, dataDir, async (db) => {
    const done = await seedTobira(db, dataDir, { passwordUsers: settings.concurrency, totpUsers: SMALL_USERS - settings.concurrency });
    await fillUsers(db, done.workspaceId, done.hash, fillTo - SMALL_USERS);
    return done;
  });
  return { server: await startTobira(name, databaseUrl, dataDir, seeded.client), users: seeded.users, nextTotpUser: 0 };
}

async function bareOn(name: string, databaseUrl: string | undefined, dir: string): Promise<Contender> {
  const users: SignInUsers = {
    password: 'bench-password-long-enough',
    passwordUsers: Array.from({ length: settings.concurrency }, (_, i) => `password-${i}@bench.example`),
    totpUsers: Array.from({ length: SMALL_USERS - settings.concurrency }, (_, i) => ({ email: `totp-${i}@bench.example`, secret: newTotpSecret() })),
  };
  const file = join(dir, `users-${name.replace(/\W+/g, '-')}.json`);
  const list = [...users.passwordUsers.map((email) => ({ email })), ...users.totpUsers.map((u) => ({ email: u.email, totpSecret: u.secret }))];
  writeFileSync(file, JSON.stringify({ password: users.password, users: list }));
  return { server: await startBare(name, databaseUrl, file), users, nextTotpUser: 0 };
}

export const scaleName = (users: number) => `Tobira (PostgreSQL, ${users.toLocaleString('en')} users)`;

/** `databases`: throwaway PostgreSQL databases; without them only PGlite and the in-memory baseline run. */
export async function signInBenchmark(databases: Databases | undefined): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tobira-bench-sign-in-'));
  const contenders: Contender[] = [];
  try {
    if (databases) {
      contenders.push(await tobiraOn(scaleName(SMALL_USERS), await databases.create('signin'), dir, SMALL_USERS));
      if (settings.scaleUsers > SMALL_USERS) {
        const scaleStarted = performance.now();
        contenders.push(await tobiraOn(scaleName(settings.scaleUsers), await databases.create('signin_scale'), dir, settings.scaleUsers));
        process.stderr.write(`sign-in: ${settings.scaleUsers} users seeded and analysed in ${((performance.now() - scaleStarted) / 1000).toFixed(1)} s\n`);
      }
    }
    const pgliteDir = mkdtempSync(join(dir, 'pglite-'));
    contenders.push(await tobiraOn(`Tobira (PGlite, ${SMALL_USERS.toLocaleString('en')} users)`, undefined, pgliteDir, SMALL_USERS));
    contenders.push(await bareOn('bare, in memory', undefined, dir));
    if (databases) contenders.push(await bareOn('bare, PostgreSQL adapter', await databases.create('bare_signin'), dir));

    const rows: Row[] = [];
    // Flow by flow, every server in turn, so a burst of load elsewhere on the machine hits all alike.
    for (const flow of FLOWS) {
      for (const contender of contenders) {
        const carryOn = (result: { nextTotpUser: number }) => {
          contender.nextTotpUser = result.nextTotpUser;
        };
        if (settings.warmupSeconds > 0) carryOn(await runLoad(job(contender, flow, settings.warmupSeconds)));
        const row = await measure(contender.server, flow, job(contender, flow, settings.seconds), carryOn);
        process.stderr.write(`sign-in: ${flow} on ${row.server}: ${row.perSecond.toFixed(1)}/s, ${row.errors} errors\n`);
        rows.push(row);
      }
    }
    return rows;
  } finally {
    await stopAll(contenders.map((c) => c.server));
    rmSync(dir, { recursive: true, force: true });
  }
}
