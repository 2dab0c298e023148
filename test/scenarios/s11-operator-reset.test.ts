// S11, last resort: the only workspace admin has lost the phone and has no recovery code left.
// Nobody in the workspace can help, so the operator runs `tobira mfa reset --email … --reason …`;
// the admin's sessions end, and the admin signs in to /admin again with the password and sets up
// a new authenticator on the way (rule 5). The reason is in the workspace's audit log.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeUser, makeWorkspace, TEST_SECRET, type TestUser } from '../helpers/tobira.ts';
import { Browser, decodeHtml } from '../../bench/support/browser.ts';
import { consoleSignIn } from '../helpers/console.ts';
import { isEnrolmentPage, isTotpPage } from '../helpers/mfa.ts';
import { CliSandbox } from '../cli/run-cli.ts';

describe('S11: the operator resets the only workspace admin from the command line', function () {
  this.timeout(120_000);
  const clock = adjustableClock();
  const dataDir = mkdtempSync(join(tmpdir(), 'tobira-s11-'));
  const cli = new CliSandbox();
  const reason = 'Support ticket 1234: only admin lost phone and recovery codes';
  let tobira: RunningTobira;
  let workspace: { id: string; slug: string };
  let admin: TestUser;
  let oldSecret: string;

  const start = async () => {
    tobira = await startTobira({ TOBIRA_DATA_DIR: dataDir }, { clock });
  };

  before(async () => {
    await start();
    workspace = await makeWorkspace(tobira, 'required');
    admin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'workspace_admin' });
  });
  after(async () => {
    await tobira?.close();
    rmSync(dataDir, { recursive: true, force: true });
    cli.remove();
  });

  it('without the phone and with every recovery code used, the admin is stuck at the code prompt', async () => {
    const first = await consoleSignIn(tobira, admin, '/admin/users', { at: clock.now() });
    oldSecret = first.totpSecret!;
    assert.ok(oldSecret);
    // The codes are gone (used up long ago).
    await tobira.db('recovery_codes').where({ user_id: admin.user.id }).update({ used_at: new Date() });
    const browser = new Browser(tobira.issuer);
    let page = await browser.open(`${tobira.issuer}/admin/users`);
    page = await browser.submit(page, { email: admin.email, password: admin.password }, '/login');
    assert.ok(isTotpPage(page), 'a code is needed, and the admin has none');
    assert.equal(
      await tobira
        .db('console_sessions')
        .where({ user_id: admin.user.id })
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      1,
    );
  });

  it('tobira mfa reset --email --reason removes the authenticators and ends the sessions', async () => {
    await tobira.close(); // the embedded database is single-process: the CLI needs it to itself
    const run = await cli.run(['mfa', 'reset', '--email', admin.email, '--reason', reason], {
      env: { TOBIRA_SECRET: TEST_SECRET, ...(process.env.DATABASE_URL ? {} : { TOBIRA_DATA_DIR: dataDir }) },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Reset two-step verification of ${admin.email.replace(/\./g, '\\.')}`));
    assert.match(run.stdout, /authenticators removed: +1/);
    await start();
    assert.equal((await tobira.db('authenticators').where({ user_id: admin.user.id })).length, 0);
    assert.equal((await tobira.db('recovery_codes').where({ user_id: admin.user.id })).length, 0);
    assert.equal((await tobira.db('console_sessions').where({ user_id: admin.user.id })).length, 0);
    assert.equal((await tobira.db('oidc_models').where({ account_id: admin.user.id })).length, 0);
    assert.equal((await tobira.db('workspaces').where({ id: workspace.id }).first()).mfa_policy, 'required');
  });

  it('the admin signs in to /admin with the password, enrols a new authenticator, and sees the reset in the log', async () => {
    clock.advance(30);
    const browser = new Browser(tobira.issuer);
    let page = await browser.open(`${tobira.issuer}/admin/audit`);
    page = await browser.submit(page, { email: admin.email, password: admin.password }, '/login');
    assert.ok(isEnrolmentPage(page), 'enrolment, not the code prompt');
    const again = await consoleSignIn(tobira, admin, '/admin/audit', { browser, at: clock.now() });
    assert.equal(new URL(again.page.url).pathname, '/admin/audit');
    assert.equal(again.page.status, 200);
    assert.ok(again.totpSecret && again.totpSecret !== oldSecret, 'a new authenticator');
    const html = decodeHtml(again.page.html);
    assert.match(html, /<tr data-action="mfa.reset">/);
    assert.ok(html.includes(reason));

    const [event] = await tobira.db('audit_events').where({ action: 'mfa.reset', target_id: admin.user.id });
    assert.equal(event.actor_type, 'operator');
    assert.equal(event.workspace_id, workspace.id);
    assert.equal(event.details.reason, reason);
    assert.equal(event.outcome, 'success');
  });
});
