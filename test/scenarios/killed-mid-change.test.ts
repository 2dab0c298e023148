// A process killed with SIGKILL in the middle of enrolment, an MFA reset or a user creation leaves
// nothing of the change behind: each change and its audit event are one transaction. The change
// runs in a child process; the test holds a lock on audit_events, so the child stops inside its
// transaction after every other write (its event is the last one), is killed there, and the test
// then checks the database. Needs a real PostgreSQL shared with the child: runs when DATABASE_URL
// is set (CI's PostgreSQL pass).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import type { RunningTobira } from '../../src/boot.ts';
import { startEnrolment, confirmEnrolment } from '../../src/mfa/enrolment.ts';
import { makeUser, makeWorkspace, startTobira, TEST_SECRET, unique } from '../helpers/tobira.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { root } from '../cli/run-cli.ts';
import { until } from '../helpers/wait.ts';

const node = join(root, 'node_modules', '.bin', 'node');

function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', name);
  return parsed.href;
}

/** Runs `args` (a script under node --import=tsx) until its transaction waits on the audit_events lock, then SIGKILLs it. */
async function killInsideTransaction(args: string[]): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL!;
  const name = `tobira-killed-${unique()}`;
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('begin');
    await lock.query('lock table audit_events in exclusive mode');
    const child = spawn(node, ['--import=tsx', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: withApplicationName(databaseUrl, name), TOBIRA_SECRET: TEST_SECRET, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let exit: string | undefined;
    const exited = new Promise<void>((resolve) =>
      child.on('exit', (code, signal) => {
        exit = `code ${code} signal ${signal}`;
        resolve();
      }),
    );
    await until(
      `the child's transaction waits on the audit_events lock (${args.join(' ')})`,
      async () => {
        if (exit) throw new Error(`the child ended first (${exit}): ${output}`);
        // pg_stat_activity is read once per transaction unless the snapshot is cleared.
        await lock.query('select pg_stat_clear_snapshot()');
        const { rows } = await lock.query('select pid from pg_stat_activity where application_name = $1 and pg_backend_pid() = any(pg_blocking_pids(pid))', [
          name,
        ]);
        return rows.length > 0;
      },
      { deadlineMs: 60_000 },
    );
    child.kill('SIGKILL');
    await exited;
    assert.equal(exit, 'code null signal SIGKILL', `the child was killed, not finished: ${output}`);
  } finally {
    await lock.query('rollback');
  }
  // Released, the orphaned backend runs on to its next read from the dead client and aborts.
  await until('the killed child has no backend left', async () => {
    const { rows } = await lock.query<{ n: string }>('select count(*) as n from pg_stat_activity where application_name = $1', [name]);
    return rows[0]!.n === '0';
  });
  await lock.end();
}

async function count(tobira: RunningTobira, table: string, where: Record<string, string>): Promise<number> {
  const row = await tobira.db(table).where(where).count<{ n: string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

describe('a process killed in the middle of a change leaves no partial state', function () {
  this.timeout(120_000);
  let tobira: RunningTobira;
  before(async function () {
    if (!process.env.DATABASE_URL) {
      console.log("    skipped: needs DATABASE_URL (a PostgreSQL database the child process can share); runs in CI's PostgreSQL pass");
      this.skip();
    }
    tobira = await startTobira();
  });
  after(async () => tobira?.close());

  it('enrolment: no authenticator, no recovery codes, no event', async () => {
    const user = await makeUser(tobira);
    const { secret, sealed } = startEnrolment(tobira.keys.dataKey);
    await killInsideTransaction([
      'test/children/change.ts',
      'enrol',
      JSON.stringify({ userId: user.user.id, sealedSecret: sealed, code: codeFor(secret, new Date()) }),
    ]);
    assert.equal(await count(tobira, 'authenticators', { user_id: user.user.id }), 0, 'no authenticator');
    assert.equal(await count(tobira, 'recovery_codes', { user_id: user.user.id }), 0, 'no recovery codes');
    assert.equal(await count(tobira, 'audit_events', { target_type: 'authenticator', action: 'mfa.enrol', actor_id: user.user.id }), 0, 'no event');
  });

  it('user creation with a set-password link: no user, no link, no event', async () => {
    const workspace = await makeWorkspace(tobira);
    const email = `killed-${unique()}@example.test`;
    await killInsideTransaction(['test/children/change.ts', 'create-user', JSON.stringify({ workspaceSlug: workspace.slug, email })]);
    assert.equal(await count(tobira, 'users', { email }), 0, 'no user');
    assert.equal((await tobira.db('audit_events').where({ action: 'user.create' }).whereRaw("details->>'email' = ?", [email])).length, 0, 'no event');
  });

  it("the operator's MFA reset: every authenticator, code and session kept, no event", async () => {
    const user = await makeUser(tobira);
    const { secret, sealed } = startEnrolment(tobira.keys.dataKey);
    const enrolled = await confirmEnrolment(tobira.db, tobira.keys.dataKey, {
      userId: user.user.id,
      label: 'Phone',
      sealedSecret: sealed,
      code: codeFor(secret, new Date()),
      now: new Date(),
      audit: ({ authenticator }) => ({
        action: 'mfa.enrol',
        outcome: 'success',
        actorType: 'user',
        actorId: user.user.id,
        targetType: 'authenticator',
        targetId: authenticator.id,
      }),
    });
    assert.ok(enrolled.ok && enrolled.recoveryCodes?.length === 10);
    await tobira.db('oidc_models').insert({
      id: `killed-${unique()}`,
      model: 'Session',
      account_id: user.user.id,
      payload: JSON.stringify({ accountId: user.user.id }),
      expires_at: new Date(Date.now() + 3_600_000),
    });
    await killInsideTransaction(['src/cli/main.ts', 'mfa', 'reset', '--email', user.email, '--reason', 'killed mid-reset']);
    assert.equal(await count(tobira, 'authenticators', { user_id: user.user.id }), 1, 'the authenticator is still there');
    assert.equal(await count(tobira, 'recovery_codes', { user_id: user.user.id }), 10, 'the recovery codes are still there');
    assert.equal(await count(tobira, 'oidc_models', { account_id: user.user.id }), 1, 'the session is still there');
    assert.equal(await count(tobira, 'audit_events', { action: 'mfa.reset', target_id: user.user.id }), 0, 'no event');
  });
});
