// tobira user sessions, require-mfa, disable and enable, run as an operator runs them: a member
// signs in to an app on a real node, the operator lists the session, requires MFA (the session
// ends; the next sign-in enrols), disables and enables the member; each change is audited with the
// operator as actor and the reason, and each mistake is refused in one line that says what to do.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover, signIn } from '../../bench/support/rp.ts';
import { isEnrolmentPage } from '../helpers/mfa.ts';
import { startSignIn } from '../helpers/scenario-a.ts';
import { CliSandbox, failedWithOneLine, succeeded, usingPostgres } from './run-cli.ts';

const COMMANDS = ['user require-mfa', 'user disable', 'user enable', 'user sessions'];

describe('tobira user require-mfa, disable, enable, sessions', function () {
  this.timeout(120_000);
  const cli = new CliSandbox();
  const slug = `users-${cli.suffix}`;
  const email = `member.${cli.suffix}@example.com`;
  const adminEmail = `admin.${cli.suffix}@example.com`;
  const password = 'a long enough password';
  let userId = '';
  let client = { clientId: '', name: '' };
  after(() => cli.remove());

  /** A node on the CLI's database; the embedded one is single-process, so it is closed before the CLI runs again. */
  async function withNode<T>(fn: (tobira: RunningTobira) => Promise<T>): Promise<T> {
    const tobira = await startTobira(usingPostgres ? {} : { TOBIRA_DATA_DIR: cli.dataDir });
    try {
      return await fn(tobira);
    } finally {
      await tobira.close();
    }
  }

  async function auditRows(where: Record<string, string>) {
    return cli.inspect(async (db) => db('audit_events').where(where).orderBy('id'));
  }

  it('lists and documents the commands', async () => {
    const overview = await cli.run(['user', '--help']);
    for (const command of COMMANDS) assert.match(overview.stdout, new RegExp(`^ {2}${command} +`, 'm'));
    for (const command of COMMANDS) {
      const run = await cli.run([...command.split(' '), '--help']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^Usage: tobira ${command} --email EMAIL`), command);
    }
  });

  it('sets up a workspace, its admin and a member signed in to an app', async () => {
    succeeded(await cli.run(['workspace', 'create', '--slug', slug, '--name', 'Users', '--json']));
    for (const [address, role] of [
      [adminEmail, 'workspace_admin'],
      [email, 'member'],
    ] as const) {
      const user = succeeded(
        await cli.run(['user', 'create', '--workspace', slug, '--email', address, '--password', '-', '--role', role, '--json'], { input: `${password}\n` }),
      );
      if (role === 'member') userId = String(user.id);
    }
    await withNode(async (tobira) => {
      const { clientId, secret } = await makeClient(tobira);
      client = { clientId, name: (await tobira.db('clients').where({ client_id: clientId }).first()).name };
      const { tokens } = await signIn(await discover(tobira.issuer, clientId, secret), new Browser(tobira.issuer), { email, password });
      assert.deepEqual(tokens.claims()!.amr, ['pwd']);
    });
  });

  it('user sessions lists the live session with its sign-in time, expiry, methods and app, and is audited', async () => {
    const listed = succeeded<{ email: string; workspace: string; sessions: { signedInAt: string; expiresAt: string; amr: string[]; apps: unknown[] }[] }>(
      await cli.run(['user', 'sessions', '--email', email.toUpperCase(), '--json']),
    );
    assert.equal(listed.email, email);
    assert.equal(listed.workspace, slug);
    assert.equal(listed.sessions.length, 1);
    const [session] = listed.sessions;
    assert.deepEqual(session!.amr, ['pwd']);
    assert.deepEqual(session!.apps, [client]);
    assert.ok(Math.abs(Date.parse(session!.signedInAt) - Date.now()) < 10 * 60_000, `signed in just now: ${session!.signedInAt}`);
    assert.ok(Date.parse(session!.expiresAt) > Date.now());

    const text = await cli.run(['user', 'sessions', '--email', email]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^1 live session of ${email.replace('.', '\\.')} \\(workspace ${slug}\\)$`, 'm'));
    assert.match(text.stdout, /^ {2}signed in \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, expires \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, methods pwd$/m);
    assert.ok(text.stdout.includes(`    apps: ${client.name} (${client.clientId})`), text.stdout);

    const rows = await auditRows({ action: 'user.sessions_list', target_id: userId });
    assert.equal(rows.length, 2);
    assert.equal(rows[0].actor_type, 'operator');
    assert.equal(rows[0].outcome, 'success');
    assert.deepEqual(rows[0].details, { email, sessions: 1 });
  });

  it('refuses a missing or empty reason and an unknown e-mail in one line, and audits the unknown one', async () => {
    for (const command of ['require-mfa', 'disable', 'enable']) {
      failedWithOneLine(await cli.run(['user', command, '--email', email]), new RegExp(`"user ${command}" needs --reason; run tobira user ${command} --help`));
    }
    failedWithOneLine(await cli.run(['user', 'require-mfa', '--email', email, '--reason', '  ']), /needs a non-empty --reason; it is kept in the audit log/);
    failedWithOneLine(await cli.run(['user', 'disable', '--reason', 'ticket 1']), /"user disable" needs --email/);
    const nobody = `nobody.${cli.suffix}@example.com`;
    for (const args of [['require-mfa', '--reason', 'ticket 2'], ['disable', '--reason', 'ticket 2'], ['enable', '--reason', 'ticket 2'], ['sessions']]) {
      const line = failedWithOneLine(await cli.run(['user', args[0]!, '--email', nobody, ...args.slice(1)]), /no user with e-mail "nobody\./);
      assert.match(line, /check the address \(users are found by their sign-in e-mail\), or create the user with tobira user create$/);
    }
    const refused = await cli.inspect(async (db) =>
      db('audit_events').where({ outcome: 'failure', actor_type: 'operator' }).whereRaw("details->>'email' = ?", [nobody]).orderBy('id'),
    );
    assert.deepEqual(
      refused.map((r: { action: string; details: Record<string, unknown> }) => [r.action, r.details.reason, r.details.requested_reason]),
      [
        ['mfa.require', 'no such user', 'ticket 2'],
        ['user.disable', 'no such user', 'ticket 2'],
        ['user.enable', 'no such user', 'ticket 2'],
        ['user.sessions_list', 'no such user', undefined],
      ],
    );
    await cli.inspect(async (db) => assert.equal((await db('users').where({ id: userId }).first()).mfa_required_at, null, 'nothing changed'));
  });

  it('user require-mfa ends the sessions, is audited with the reason, and the next sign-in enrols', async () => {
    const reason = 'Ticket 88: handles payroll exports';
    const result = succeeded(await cli.run(['user', 'require-mfa', '--email', email, '--reason', reason, '--json']));
    assert.deepEqual(result, { userId, email, workspace: slug, alreadyRequired: false, sessionsEnded: true });
    await cli.inspect(async (db) => {
      assert.notEqual((await db('users').where({ id: userId }).first()).mfa_required_at, null);
      assert.equal(await db('oidc_models').where({ account_id: userId }).first(), undefined, 'no session, grant or token is left');
    });
    const [event] = await auditRows({ action: 'mfa.require', target_id: userId });
    assert.equal(event.outcome, 'success');
    assert.equal(event.actor_type, 'operator');
    assert.match(event.actor_label, /^cli:/);
    const { oidcArtefacts, ...details } = event.details;
    assert.deepEqual(details, { email, reason, alreadyRequired: false, consoleSessions: 0 });
    assert.ok(Number(oidcArtefacts) >= 3, 'the session, the grant and the refresh token at least');
    assert.equal(succeeded<{ sessions: unknown[] }>(await cli.run(['user', 'sessions', '--email', email, '--json'])).sessions.length, 0);

    await withNode(async (tobira) => {
      const { clientId, secret } = await makeClient(tobira);
      const { page, askedForPassword } = await startSignIn(await discover(tobira.issuer, clientId, secret), new Browser(tobira.issuer), { email, password });
      assert.ok(askedForPassword);
      assert.ok(isEnrolmentPage(page), `the optional workspace's member is enrolled after the password, got ${page.status} ${page.url}`);
      assert.match(page.html, /An administrator requires two-step verification for your account\./);
    });
  });

  it('user disable and enable do what the admin page does, audited with the operator and the reason', async () => {
    const disabled = succeeded(await cli.run(['user', 'disable', '--email', email, '--reason', 'Ticket 89: left the company', '--json']));
    assert.deepEqual(disabled, { userId, email, workspace: slug, status: 'disabled', previousStatus: 'active', sessionsEnded: true });
    const enabled = succeeded(await cli.run(['user', 'enable', '--email', email, '--reason', 'Ticket 90: came back', '--json']));
    assert.deepEqual(enabled.workspace, slug);
    await cli.inspect(async (db) => assert.equal((await db('users').where({ id: userId }).first()).status, 'active'));
    const events = await cli.inspect(async (db) =>
      db('audit_events').where({ target_id: userId }).whereIn('action', ['user.disable', 'user.enable']).orderBy('id'),
    );
    assert.deepEqual(
      events.map((e: { action: string; outcome: string; actor_type: string; details: Record<string, unknown> }) => [
        e.action,
        e.outcome,
        e.actor_type,
        e.details.reason,
      ]),
      [
        ['user.disable', 'success', 'operator', 'Ticket 89: left the company'],
        ['user.enable', 'success', 'operator', 'Ticket 90: came back'],
      ],
    );
    assert.equal(events[0].details.email, email);
    assert.equal(typeof events[0].details.oidcArtefacts, 'number', 'the same details as the admin page');
  });

  it('user disable refuses the last active workspace admin in one line, and audits it', async () => {
    failedWithOneLine(
      await cli.run(['user', 'disable', '--email', adminEmail, '--reason', 'Ticket 91']),
      new RegExp(
        `^tobira: ${adminEmail.replace('.', '\\.')} is the last active workspace admin of their workspace; make another user a workspace admin first$`,
      ),
    );
    await cli.inspect(async (db) => {
      const admin = await db('users').where({ email: adminEmail }).first();
      assert.equal(admin.status, 'active');
      const [row] = await db('audit_events').where({ action: 'user.disable', target_id: admin.id });
      assert.equal(row.outcome, 'failure');
      assert.equal(row.details.reason, 'last_workspace_admin');
      assert.equal(row.details.requested_reason, 'Ticket 91');
    });
  });
});
