// keys rotate, and the refusals that protect an installation: a bad configuration, and an embedded
// data folder that a running server holds.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliSandbox, failedWithOneLine, MIGRATIONS, succeeded, usingPostgres } from './run-cli.ts';

describe('tobira keys rotate', function () {
  this.timeout(60000);
  const cli = new CliSandbox();
  let first = '';
  let second = '';
  after(() => cli.remove());

  it('adds a key and tells the operator when running nodes use it', async () => {
    const run = await cli.run(['keys', 'rotate']);
    assert.equal(run.code, 0, run.stderr);
    first = /^New signing key: (\S+)$/m.exec(run.stdout)?.[1] ?? '';
    assert.ok(first, run.stdout);
    // The first key of a database no node has started on signs at once: nobody published another.
    assert.match(
      run.stdout,
      /^Running Tobira nodes publish it within a minute \(no restart is needed\); nodes will sign with the new key from \d{4}-\d\d-\d\dT[\d:.]+Z\.$/m,
    );
  });

  it('rotating again retires the previous key once the new one signs, a reload interval and a margin later (--json)', async () => {
    const before = Date.now();
    const rotated = succeeded<{ kid: string; alg: string; activeFrom: string; retired: string[]; graceSeconds: number }>(
      await cli.run(['keys', 'rotate', '--json']),
    );
    second = rotated.kid;
    assert.notEqual(second, first);
    assert.deepEqual(rotated.retired, [first]);
    assert.ok(Date.parse(rotated.activeFrom) >= before + 2 * 60_000, `the new key signs two minutes after the rotation: ${rotated.activeFrom}`);
    assert.equal(rotated.alg, 'RS256');
    assert.equal(rotated.graceSeconds, 24 * 3600);
  });

  it("schedules the old key's retirement for the new one's activation, both audited", async () => {
    await cli.inspect(async (db) => {
      const keys = await db('signing_keys').whereIn('kid', [first, second]);
      assert.equal(keys.length, 2);
      const newKey = keys.find((k) => k.kid === second);
      assert.equal(keys.find((k) => k.kid === first)?.retired_at?.getTime(), newKey?.active_from.getTime());
      assert.equal(keys.find((k) => k.kid === second)?.retired_at, null);
      if (!usingPostgres) assert.equal((await db('signing_keys')).length, 2);
      const events = await db('audit_events').where({ action: 'keys.rotate' }).whereIn('target_id', [first, second]);
      assert.equal(events.length, 2);
      for (const event of events) {
        assert.equal(event.actor_type, 'operator');
        assert.doesNotMatch(JSON.stringify(event.details), /private|"d"/);
      }
    });
  });

  it('refuses a bad configuration in one line naming the problem', async () => {
    const line = failedWithOneLine(
      await cli.run(['keys', 'rotate'], { env: { TOBIRA_SECRET: 'too short' } }),
      /^tobira: invalid configuration: TOBIRA_SECRET must be at least 32 characters/,
    );
    assert.doesNotMatch(line, /too short/);
  });
});

if (!usingPostgres) {
  describe('tobira on an embedded data folder a running server holds', function () {
    this.timeout(60000);
    const cli = new CliSandbox();
    const lock = join(cli.dataDir, 'tobira.lock');
    after(() => cli.remove());

    it('refuses in one line and leaves the folder as it was', async () => {
      succeeded(await cli.run(['migrate', '--json']));
      // The test runner is alive and is not the CLI: to the CLI it looks like a running server.
      writeFileSync(lock, String(process.pid));
      const line = failedWithOneLine(await cli.run(['workspace', 'create', '--slug', 'locked', '--name', 'Locked']), /in use/);
      assert.match(line, new RegExp(`pid ${process.pid}`));
      assert.equal(readFileSync(lock, 'utf8'), String(process.pid), 'the lock is not taken over');
      assert.ok(existsSync(join(cli.dataDir, 'pgdata')));

      rmSync(lock);
      await cli.inspect(async (db) => {
        assert.equal(await db('workspaces').where({ slug: 'locked' }).first(), undefined);
        assert.equal((await db('knex_migrations')).length, MIGRATIONS.length);
      });
    });
  });
}
