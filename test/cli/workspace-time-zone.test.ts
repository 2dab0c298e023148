// The workspace's time zone from the command line: set at creation with --time-zone, changed with
// `workspace set-time-zone`, refused in one line when it names no zone; every change audited.
import assert from 'node:assert/strict';
import { CliSandbox, failedWithOneLine, succeeded } from './run-cli.ts';

describe('tobira workspace create --time-zone, workspace set-time-zone', function () {
  this.timeout(180_000);
  const cli = new CliSandbox();
  const tokyo = `tz-tokyo-${cli.suffix}`;
  const plain = `tz-plain-${cli.suffix}`;
  after(() => cli.remove());

  const auditOf = (slug: string, action: string) =>
    cli.inspect(async (db) => {
      const workspace = await db('workspaces').where({ slug }).first();
      const events = await db('audit_events').where({ action, target_id: workspace.id }).orderBy('id');
      return { workspace, events };
    });

  it('creates a workspace in Asia/Tokyo, and one in UTC by default', async () => {
    assert.equal((await cli.run(['migrate'])).code, 0);
    const ws = succeeded(await cli.run(['workspace', 'create', '--slug', tokyo, '--name', 'Tokyo office', '--time-zone', 'Asia/Tokyo', '--json']));
    assert.equal(ws.timeZone, 'Asia/Tokyo');
    const text = await cli.run(['workspace', 'create', '--slug', plain, '--name', 'Plain']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /time zone: +UTC$/m);
    const { workspace, events } = await auditOf(tokyo, 'workspace.create');
    assert.equal(workspace.time_zone, 'Asia/Tokyo');
    assert.equal(events.length, 1);
    assert.equal(events[0].details.time_zone, 'Asia/Tokyo');
    assert.equal((await auditOf(plain, 'workspace.create')).workspace.time_zone, 'UTC');
  });

  it('changes the time zone, in the runtime spelling of the name, and audits from and to', async () => {
    const change = succeeded(await cli.run(['workspace', 'set-time-zone', '--workspace', plain, '--time-zone', 'america/new_york', '--json']));
    assert.deepEqual(change, { slug: plain, previous: 'UTC', timeZone: 'America/New_York' });
    const text = await cli.run(['workspace', 'set-time-zone', '--workspace', plain, '--time-zone', 'UTC']);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout.trim(), `Time zone of ${plain}: America/New_York → UTC`);
    const { workspace, events } = await auditOf(plain, 'workspace.time_zone_change');
    assert.equal(workspace.time_zone, 'UTC');
    assert.deepEqual(
      events.map((e: { outcome: string; actor_type: string; details: unknown }) => [e.outcome, e.actor_type, e.details]),
      [
        ['success', 'operator', { from: 'UTC', to: 'America/New_York' }],
        ['success', 'operator', { from: 'America/New_York', to: 'UTC' }],
      ],
    );
  });

  it('refuses a name that is not a time zone, in one line, and changes nothing', async () => {
    failedWithOneLine(
      await cli.run(['workspace', 'set-time-zone', '--workspace', tokyo, '--time-zone', 'Mars/Olympus_Mons']),
      /^tobira: time zone "Mars\/Olympus_Mons" is not an IANA time zone name; use a name such as Asia\/Tokyo, Europe\/Berlin or UTC$/,
    );
    failedWithOneLine(
      await cli.run(['workspace', 'create', '--slug', `tz-bad-${cli.suffix}`, '--name', 'Bad', '--time-zone', 'JST']),
      /^tobira: time zone "JST" is not an IANA time zone name/,
    );
    failedWithOneLine(
      await cli.run(['workspace', 'set-time-zone', '--workspace', `nope-${cli.suffix}`, '--time-zone', 'UTC']),
      /^tobira: no workspace with slug/,
    );
    failedWithOneLine(await cli.run(['workspace', 'set-time-zone', '--workspace', tokyo]), /needs --time-zone/);
    const { workspace, events } = await auditOf(tokyo, 'workspace.time_zone_change');
    assert.equal(workspace.time_zone, 'Asia/Tokyo');
    assert.deepEqual(
      events.map((e: { outcome: string; details: Record<string, unknown> }) => [e.outcome, e.details.to]),
      [['failure', 'Mars/Olympus_Mons']],
    );
    assert.equal(await cli.inspect(async (db) => (await db('workspaces').where({ slug: `tz-bad-${cli.suffix}` })).length), 0);
  });

  it('documents both in --help', async () => {
    const create = await cli.run(['workspace', 'create', '--help']);
    assert.match(create.stdout, /--time-zone ZONE +IANA time zone/);
    const set = await cli.run(['workspace', 'set-time-zone', '--help']);
    assert.equal(set.code, 0);
    assert.match(set.stdout, /^Usage: tobira workspace set-time-zone --workspace SLUG --time-zone ZONE/);
    assert.match(set.stdout, /exports and logs stay in UTC/);
  });
});
