// migrate, workspace create and user create: what lands in the database, what is refused, and the
// audit trail an operator leaves behind.
import assert from 'node:assert/strict';
import { verifyPassword } from '../../src/crypto/passwords.ts';
import { CliSandbox, failedWithOneLine, MIGRATIONS, succeeded, usingPostgres } from './run-cli.ts';

describe('tobira migrate, workspace create, user create', function () {
  this.timeout(60000);
  const cli = new CliSandbox();
  const slug = `cli-ws-${cli.suffix}`;
  const email = `Admin.${cli.suffix}@Example.com`;
  const password = 'correct horse battery';
  let workspaceId = '';
  let userId = '';
  after(() => cli.remove());

  it('migrate applies the migrations, then reports the database up to date', async () => {
    const first = await cli.run(['migrate']);
    assert.equal(first.code, 0, first.stderr);
    if (usingPostgres) assert.match(first.stdout, /^(Applied \d+ migrations?:|Database is up to date)/);
    else assert.equal(first.stdout, `Applied ${MIGRATIONS.length} migrations:\n${MIGRATIONS.map((m) => `  ${m}\n`).join('')}`);
    assert.deepEqual(succeeded(await cli.run(['migrate', '--json'])), { applied: [] });
  });

  it('workspace create --json prints the new workspace', async () => {
    const ws = succeeded(await cli.run(['workspace', 'create', '--slug', slug, '--name', 'CLI Test', '--mfa-policy', 'required_for_admins', '--json']));
    assert.match(String(ws.id), /^[0-9a-f-]{36}$/);
    assert.equal(ws.slug, slug);
    assert.equal(ws.name, 'CLI Test');
    assert.equal(ws.mfaPolicy, 'required_for_admins');
    workspaceId = String(ws.id);
  });

  it('refuses a duplicate slug and an unknown MFA policy', async () => {
    failedWithOneLine(await cli.run(['workspace', 'create', '--slug', slug, '--name', 'Again']), /already exists/);
    failedWithOneLine(
      await cli.run(['workspace', 'create', '--slug', `other-${cli.suffix}`, '--name', 'X', '--mfa-policy', 'sometimes']),
      /MFA policy must be one of optional, required_for_admins, required \(got "sometimes"\)/,
    );
  });

  it('user create --password - reads the password from stdin', async () => {
    const run = await cli.run(
      ['user', 'create', '--workspace', slug, '--email', email, '--password', '-', '--name', 'Ada Admin', '--role', 'workspace_admin'],
      { input: `${password}\nthis second line is ignored\n` },
    );
    assert.equal(run.code, 0, run.stderr);
    // Stored and shown in its canonical form (src/identity/email.ts): lower case.
    assert.match(run.stdout, new RegExp(`^Created user ${email.toLowerCase().replace(/\./g, '\\.')} in workspace ${slug}\n`));
    assert.match(run.stdout, /role: +workspace_admin/);
    assert.doesNotMatch(run.stdout + run.stderr, new RegExp(password));
    userId = /id: +([0-9a-f-]{36})/.exec(run.stdout)?.[1] ?? '';
    assert.ok(userId, run.stdout);
  });

  it('refuses the same e-mail in another case, a bad role and a short password', async () => {
    const base = ['user', 'create', '--workspace', slug, '--password', 'long enough password'];
    failedWithOneLine(await cli.run([...base, '--email', email.toLowerCase(), '--json']), /a user with e-mail .* already exists/);
    failedWithOneLine(
      await cli.run([...base, '--email', `b.${cli.suffix}@example.com`, '--role', 'root']),
      /role must be one of member, user_admin, workspace_admin/,
    );
    const line = failedWithOneLine(
      await cli.run(['user', 'create', '--workspace', slug, '--email', `c.${cli.suffix}@example.com`, '--password', 'short7!']),
      /password must be at least 8 characters/,
    );
    assert.doesNotMatch(line, /short7!/);
  });

  it('refuses a full-width spelling of an existing address as a duplicate, and an address with İ in one line', async () => {
    const base = ['user', 'create', '--workspace', slug, '--password', 'long enough password'];
    const fullWidth = email.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    failedWithOneLine(
      await cli.run([...base, '--email', fullWidth]),
      new RegExp(`^tobira: a user with e-mail ${email.toLowerCase().replace(/\./g, '\\.')} already exists$`),
    );
    const dotted = `\u0130nci.${cli.suffix}@example.com`;
    failedWithOneLine(
      await cli.run([...base, '--email', dotted, '--json']),
      new RegExp(
        `^tobira: "${dotted.replace(/\./g, '\\.')}" cannot be used as an e-mail address: it contains a separate accent or dot \\(such as the dotted capital İ\\); type it with plain letters$`,
      ),
    );
    await cli.inspect(async (db) => {
      assert.equal((await db('users').whereIn('email', [fullWidth, dotted, `i\u0307nci.${cli.suffix}@example.com`])).length, 0);
    });
  });

  it('refuses an unknown option without echoing the password', async () => {
    const line = failedWithOneLine(
      await cli.run(['user', 'create', '--workspace', slug, '--email', `d.${cli.suffix}@example.com`, '--pasword', 'hunter2hunter2']),
      /unknown option --pasword for "user create"/,
    );
    assert.doesNotMatch(line, /hunter2/);
  });

  it('stored the workspace, the user with the stdin password, and operator audit events', async () => {
    await cli.inspect(async (db) => {
      const ws = await db('workspaces').where({ id: workspaceId }).first();
      assert.equal(ws.slug, slug);
      assert.equal(ws.mfa_policy, 'required_for_admins');
      const users = await db('users').where({ email: email.toLowerCase() });
      assert.equal(users.length, 1);
      assert.equal(users[0].id, userId);
      assert.equal(users[0].role, 'workspace_admin');
      assert.equal(users[0].workspace_id, workspaceId);
      assert.equal(await verifyPassword(password, users[0].password_hash), true);

      const events = await db('audit_events').where({ workspace_id: workspaceId }).orderBy('id');
      const seen = events.map((e) => `${e.action} ${e.outcome}`);
      assert.ok(seen.includes('workspace.create success'), seen.join(', '));
      assert.ok(seen.includes('user.create success'), seen.join(', '));
      assert.ok(seen.includes('user.create failure'), seen.join(', ')); // the duplicate e-mail
      const refusedSlug = await db('audit_events').where({ action: 'workspace.create', outcome: 'failure' }).whereRaw("details->>'slug' = ?", [slug]);
      assert.equal(refusedSlug.length, 1);
      for (const event of [...events, ...refusedSlug]) {
        assert.equal(event.actor_type, 'operator');
        assert.match(event.actor_label, /^cli:./);
        assert.doesNotMatch(JSON.stringify(event.details), /correct horse|long enough|short7/);
      }
      const created = events.find((e) => e.action === 'user.create' && e.outcome === 'success');
      assert.equal(created.target_type, 'user');
      assert.equal(created.target_id, userId);
    });
  });

  it('workspace set-policy changes the policy, says who will enrol, and keeps an audit trail', async () => {
    const tightened = succeeded(await cli.run(['workspace', 'set-policy', '--slug', slug, '--mfa-policy', 'required', '--json']));
    assert.deepEqual(tightened, { slug, previous: 'required_for_admins', mfaPolicy: 'required', usersToEnrol: 1 });
    const relaxed = await cli.run(['workspace', 'set-policy', '--slug', slug, '--mfa-policy', 'optional']);
    assert.equal(relaxed.code, 0, relaxed.stderr);
    assert.match(relaxed.stdout, /required → optional/);
    failedWithOneLine(await cli.run(['workspace', 'set-policy', '--slug', slug, '--mfa-policy', 'always']), /MFA policy must be one of/);
    failedWithOneLine(await cli.run(['workspace', 'set-policy', '--slug', `nope-${cli.suffix}`, '--mfa-policy', 'required']), /no workspace with slug/);
    await cli.inspect(async (db) => {
      assert.equal((await db('workspaces').where({ id: workspaceId }).first()).mfa_policy, 'optional');
      const changes = await db('audit_events').where({ action: 'workspace.policy_change', workspace_id: workspaceId }).orderBy('id');
      assert.deepEqual(
        changes.map((e) => [e.details.from, e.details.to, e.actor_type]),
        [
          ['required_for_admins', 'required', 'operator'],
          ['required', 'optional', 'operator'],
        ],
      );
    });
  });

  if (!usingPostgres) {
    it('recorded the migration as an operator event', async () => {
      await cli.inspect(async (db) => {
        const [event] = await db('audit_events').where({ action: 'migrate' });
        assert.equal(event.actor_type, 'operator');
        assert.deepEqual(event.details, { applied: MIGRATIONS });
      });
    });
  }
});
