// tobira mfa reset and tobira audit export, and the built-in console clients in client list/delete:
// what lands in the database, what is refused in one line, and the operator's audit trail.
import assert from 'node:assert/strict';
import { insertAuditEvent } from '../../src/db/audit-events.ts';
import { CliSandbox, failedWithOneLine, succeeded } from './run-cli.ts';
import { parseCsv } from '../helpers/csv.ts';

describe('tobira mfa reset, audit export, built-in clients', function () {
  this.timeout(60000);
  const cli = new CliSandbox();
  const slug = `mfa-${cli.suffix}`;
  const otherSlug = `other-${cli.suffix}`;
  const email = `only.admin.${cli.suffix}@example.com`;
  let userId = '';
  let workspaceId = '';
  after(() => cli.remove());

  it('lists the new commands and documents them', async () => {
    const overview = await cli.run(['--help']);
    assert.match(overview.stdout, /^ {2}mfa reset +/m);
    assert.match(overview.stdout, /^ {2}audit export +/m);
    const reset = await cli.run(['mfa', 'reset', '--help']);
    assert.equal(reset.code, 0);
    assert.match(reset.stdout, /^Usage: tobira mfa reset --email EMAIL --reason REASON/);
    const exp = await cli.run(['audit', 'export', '--help']);
    assert.match(exp.stdout, /^Usage: tobira audit export --workspace SLUG \[--since DATE\] \[--format csv\|json\]/);
  });

  it('sets up a workspace whose only admin has two authenticators, a passkey and recovery codes', async () => {
    workspaceId = String(succeeded(await cli.run(['workspace', 'create', '--slug', slug, '--name', 'MFA Test', '--mfa-policy', 'required', '--json'])).id);
    succeeded(await cli.run(['workspace', 'create', '--slug', otherSlug, '--name', 'Other', '--json']));
    const user = succeeded(
      await cli.run(['user', 'create', '--workspace', slug, '--email', email, '--password', '-', '--role', 'workspace_admin', '--json'], {
        input: 'a long enough password\n',
      }),
    );
    userId = String(user.id);
    await cli.inspect(async (db) => {
      await db('authenticators').insert([
        { user_id: userId, label: 'Old phone', secret_encrypted: 'sealed-1' },
        { user_id: userId, label: 'Tablet', secret_encrypted: 'sealed-2' },
      ]);
      await db('webauthn_credentials').insert({
        user_id: userId,
        label: 'YubiKey 5',
        credential_id: `cred-${cli.suffix}`,
        public_key: Buffer.from('cose-key'),
      });
      await db('recovery_codes').insert([1, 2, 3].map((n) => ({ user_id: userId, code_hash: `hash-${n}` })));
      await db('throttles')
        .insert({ key: `totp:user:${userId}`, failures: 5 })
        .onConflict('key')
        .ignore();
      // Content a spreadsheet would run, and a field that needs quoting.
      await insertAuditEvent(db, {
        action: 'sign_in',
        outcome: 'failure',
        workspaceId,
        actorType: 'anonymous',
        actorLabel: '=HYPERLINK("http://evil.example","x")',
        ip: '203.0.113.9',
        userAgent: '+cmd|calc, "quoted"\nline',
        details: { note: '@SUM(A1)', comma: 'a,b' },
      });
      const other = await db('workspaces').where({ slug: otherSlug }).first();
      await insertAuditEvent(db, {
        action: 'sign_in',
        outcome: 'failure',
        workspaceId: other.id,
        actorType: 'anonymous',
        details: { marker: 'other-workspace' },
      });
    });
  });

  it('mfa reset needs --email and a non-empty --reason, and refuses an unknown user, each in one line', async () => {
    failedWithOneLine(await cli.run(['mfa', 'reset', '--email', email]), /"mfa reset" needs --reason/);
    failedWithOneLine(await cli.run(['mfa', 'reset', '--email', email, '--reason', '   ']), /needs a non-empty --reason/);
    failedWithOneLine(await cli.run(['mfa', 'reset', '--reason', 'lost phone']), /"mfa reset" needs --email/);
    failedWithOneLine(await cli.run(['mfa', 'reset', '--email', `nobody.${cli.suffix}@example.com`, '--reason', 'x']), /no user with e-mail "nobody\./);
  });

  it('mfa reset removes authenticators, passkeys and recovery codes, clears the lock, and records the reason as the operator', async () => {
    const reason = 'Ticket 4711: lost phone and recovery codes; identity checked by video call';
    const result = succeeded(await cli.run(['mfa', 'reset', '--email', email.toUpperCase(), '--reason', reason, '--json']));
    assert.deepEqual(result, {
      userId,
      email,
      workspace: slug,
      authenticatorsRemoved: 2,
      passkeysRemoved: 1,
      recoveryCodesRemoved: 3,
      sessionsEnded: true,
    });
    await cli.inspect(async (db) => {
      assert.equal((await db('authenticators').where({ user_id: userId })).length, 0);
      assert.equal((await db('webauthn_credentials').where({ user_id: userId })).length, 0);
      assert.equal((await db('recovery_codes').where({ user_id: userId })).length, 0);
      assert.equal(
        await db('throttles')
          .where({ key: `totp:user:${userId}` })
          .first(),
        undefined,
      );
      assert.equal((await db('workspaces').where({ id: workspaceId }).first()).mfa_policy, 'required', 'the policy is untouched');
      const events = await db('audit_events').where({ action: 'mfa.reset', target_id: userId });
      assert.equal(events.length, 1);
      assert.equal(events[0].outcome, 'success');
      assert.equal(events[0].actor_type, 'operator');
      assert.match(events[0].actor_label, /^cli:/);
      assert.equal(events[0].workspace_id, workspaceId);
      assert.equal(events[0].details.reason, reason);
      assert.deepEqual([events[0].details.authenticators, events[0].details.passkeys, events[0].details.recovery_codes], [2, 1, 3]);
      const refused = await db('audit_events')
        .where({ action: 'mfa.reset', outcome: 'failure' })
        .whereRaw("details->>'email' = ?", [`nobody.${cli.suffix}@example.com`]);
      assert.equal(refused.length, 1);
    });
  });

  it('audit export prints CSV by default: a header row, only this workspace, formula cells neutralised', async () => {
    const run = await cli.run(['audit', 'export', '--workspace', slug]);
    assert.equal(run.code, 0, run.stderr);
    const [header, ...rows] = parseCsv(run.stdout);
    assert.deepEqual(header, [
      'id',
      'time',
      'workspace',
      'actor_type',
      'actor_id',
      'actor',
      'action',
      'target_type',
      'target_id',
      'target',
      'outcome',
      'ip',
      'user_agent',
      'details',
    ]);
    assert.ok(rows.length >= 4, `rows: ${rows.length}`);
    const col = (name: string) => header!.indexOf(name);
    assert.ok(rows.every((r) => r.length === header!.length && r[col('workspace')] === slug));
    assert.doesNotMatch(run.stdout, /other-workspace/);
    const ids = rows.map((r) => Number(r[col('id')]));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      'newest first',
    );
    const reset = rows.find((r) => r[col('action')] === 'mfa.reset')!;
    assert.equal(reset[col('target')], email);
    assert.equal(reset[col('actor_type')], 'operator');
    const evil = rows.find((r) => r[col('ip')] === '203.0.113.9')!;
    assert.equal(evil[col('actor')], `'=HYPERLINK("http://evil.example","x")`);
    assert.equal(evil[col('user_agent')], `'+cmd|calc, "quoted"\nline`);
    assert.deepEqual(JSON.parse(evil[col('details')]!), { note: '@SUM(A1)', comma: 'a,b' });
    assert.match(evil[col('time')]!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('audit export --format json and --json give the same records; --since filters', async () => {
    const json = JSON.parse((await cli.run(['audit', 'export', '--workspace', slug, '--format', 'json'])).stdout) as Record<string, unknown>[];
    const viaFlag = succeeded<Record<string, unknown>[]>(await cli.run(['audit', 'export', '--workspace', slug, '--json']));
    assert.ok(json.length >= 4);
    assert.ok(json.every((r) => r.workspace === slug));
    // The second export also sees the first export's own audit event.
    assert.deepEqual(viaFlag.slice(1), json);
    assert.equal(viaFlag[0]!.action, 'audit.export');
    const evil = json.find((r) => r.ip === '203.0.113.9')!;
    assert.equal(evil.actor, '=HYPERLINK("http://evil.example","x")', 'JSON keeps the value as it is');

    const future = succeeded<unknown[]>(await cli.run(['audit', 'export', '--workspace', slug, '--since', '2999-01-01', '--json']));
    assert.deepEqual(future, []);
    const iso = succeeded<unknown[]>(await cli.run(['audit', 'export', '--workspace', slug, '--since', '2000-01-01T00:00:00Z', '--json']));
    assert.ok(iso.length >= json.length);
    const empty = await cli.run(['audit', 'export', '--workspace', slug, '--since', '2999-01-01']);
    assert.equal(empty.stdout.split('\r\n').length, 2, 'just the header');
  });

  it('audit export refuses a bad date, a bad format and an unknown workspace in one line, and is audited', async () => {
    failedWithOneLine(await cli.run(['audit', 'export', '--workspace', slug, '--since', 'yesterday']), /--since: "yesterday" is not a date: use YYYY-MM-DD/);
    failedWithOneLine(await cli.run(['audit', 'export', '--workspace', slug, '--since', '2025-02-30']), /is not a date/);
    failedWithOneLine(await cli.run(['audit', 'export', '--workspace', slug, '--format', 'xml']), /--format must be csv or json \(got "xml"\)/);
    failedWithOneLine(await cli.run(['audit', 'export', '--workspace', `nope-${cli.suffix}`]), /no workspace with slug "nope-/);
    failedWithOneLine(await cli.run(['audit', 'export']), /needs --workspace/);
    await cli.inspect(async (db) => {
      const exports = await db('audit_events').where({ action: 'audit.export', workspace_id: workspaceId });
      assert.ok(exports.length >= 4);
      assert.ok(exports.every((e: { actor_type: string }) => e.actor_type === 'operator'));
    });
  });

  it('client list marks the console clients as built-in, and client delete refuses them in one line', async () => {
    const listed = succeeded<{ clientId: string; builtIn?: boolean }[]>(await cli.run(['client', 'list', '--json']));
    for (const id of ['tobira-admin', 'tobira-account']) assert.equal(listed.find((c) => c.clientId === id)?.builtIn, true, id);
    const table = await cli.run(['client', 'list']);
    assert.match(table.stdout, /^tobira-admin +Tobira admin console \(built-in\) /m);
    for (const id of ['tobira-admin', 'tobira-account']) {
      failedWithOneLine(await cli.run(['client', 'delete', id]), /is a built-in client .* cannot be deleted/);
    }
    await cli.inspect(async (db) => {
      assert.equal((await db('clients').whereIn('client_id', ['tobira-admin', 'tobira-account'])).length, 2);
      const refused = await db('audit_events').where({ action: 'client.delete', outcome: 'failure', target_id: 'tobira-admin' });
      assert.ok(refused.length >= 1);
    });
  });
});
