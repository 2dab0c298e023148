// `tobira audit export` of a large log: the whole log, well-formed, written as it is read.
import assert from 'node:assert/strict';
import { CliSandbox, succeeded, usingPostgres } from './run-cli.ts';
import { assertCompleteCsv, assertCompleteJson, insertBulkAuditEvents } from '../helpers/audit-export.ts';

const EVENTS = 5_000;

describe('tobira audit export of a large log', () => {
  const cli = new CliSandbox();
  const slug = `big-${cli.suffix}`;
  let workspaceId = '';
  before(async () => {
    workspaceId = succeeded<{ id: string }>(await cli.run(['workspace', 'create', '--slug', slug, '--name', 'Big log', '--json'])).id;
    await cli.inspect((db) => insertBulkAuditEvents(db, workspaceId, EVENTS));
  });
  after(() => cli.remove());

  it(`prints all ${EVENTS} events as CSV and as JSON`, async () => {
    const csv = await cli.run(['audit', 'export', '--workspace', slug]);
    assert.equal(csv.code, 0, csv.stderr);
    assertCompleteCsv(csv.stdout, EVENTS, 'CSV');
    const json = await cli.run(['audit', 'export', '--workspace', slug, '--json']);
    assert.equal(json.code, 0, json.stderr);
    assertCompleteJson(json.stdout, EVENTS, 'JSON');
  });

  // Only PostgreSQL can be looked at while the command runs (the embedded database is one process's).
  if (usingPostgres)
    it('writes the first rows before it has read the last: a reader that stops holds the export mid-way', async () => {
      const exportsSoFar = () => cli.inspect(async (db) => (await db('audit_events').where({ workspace_id: workspaceId, action: 'audit.export' })).length);
      const before = await exportsSoFar();
      const child = cli.start(['audit', 'export', '--workspace', slug]);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('close', (code) => reject(new Error(`the export ended (exit ${code}) before any output was read: ${stderr}`)));
      });
      // Not reading makes the pipe fill up; an export that writes as it reads cannot reach its end,
      // where it records itself in the log.
      child.stdout.pause();
      assert.equal(await exportsSoFar(), before, 'the export is not complete while its reader has stopped');
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
      child.stdout.resume();
      assert.equal(await exited, 0, stderr);
      assert.equal(await exportsSoFar(), before + 1, 'the finished export is recorded');
      assert.ok(text.length > 0);
    });
});
