// A large audit log and the checks that an export of it is complete and well-formed.
import assert from 'node:assert/strict';
import type { Db } from '../../src/db/connection.ts';
import { parseCsv } from './csv.ts';

export const BULK_ACTION = 'test.bulk';

/** `count` events in one statement; every 100th user agent is a spreadsheet formula. */
export async function insertBulkAuditEvents(db: Db, workspaceId: string, count: number): Promise<void> {
  await db.raw(
    `insert into audit_events (workspace_id, actor_type, action, outcome, ip, user_agent, details)
     select ?, 'system', ?, 'success', '192.0.2.1',
            case when g % 100 = 0 then '=HYPERLINK("http://evil.example")' else 'agent, "quoted" ' || g end,
            jsonb_build_object('n', g)
     from generate_series(1, ?) g`,
    [workspaceId, BULK_ACTION, count],
  );
}

function assertEveryN(ns: number[], count: number, what: string): void {
  assert.equal(ns.length, count, `${what}: ${ns.length} of ${count} bulk events`);
  const sorted = [...ns].sort((a, b) => a - b);
  assert.ok(
    sorted.every((n, i) => n === i + 1),
    `${what}: each bulk event exactly once`,
  );
}

/** A CSV export (BOM removed) holds every bulk event once, newest first, formulas neutralised. */
export function assertCompleteCsv(text: string, count: number, what: string): void {
  const [header, ...records] = parseCsv(text);
  assert.equal(header![0], 'id', `${what}: a header row`);
  const col = (name: string) => header!.indexOf(name);
  assert.ok(
    records.every((r) => r.length === header!.length),
    `${what}: every record has ${header!.length} fields`,
  );
  const ids = records.map((r) => Number(r[col('id')]));
  assert.ok(
    ids.every((id, i) => i === 0 || id < ids[i - 1]!),
    `${what}: newest first, no id twice`,
  );
  const bulk = records.filter((r) => r[col('action')] === BULK_ACTION);
  assertEveryN(
    bulk.map((r) => (JSON.parse(r[col('details')]!) as { n: number }).n),
    count,
    what,
  );
  for (const r of bulk) {
    const n = (JSON.parse(r[col('details')]!) as { n: number }).n;
    assert.equal(r[col('user_agent')], n % 100 === 0 ? `'=HYPERLINK("http://evil.example")` : `agent, "quoted" ${n}`, `${what}: event ${n}`);
  }
}

/** A JSON export is one valid array holding every bulk event once, newest first. */
export function assertCompleteJson(text: string, count: number, what: string): void {
  const records = JSON.parse(text) as { id: string; action: string; user_agent: string; details: { n: number } }[];
  assert.ok(Array.isArray(records), `${what}: a JSON array`);
  const ids = records.map((r) => Number(r.id));
  assert.ok(
    ids.every((id, i) => i === 0 || id < ids[i - 1]!),
    `${what}: newest first, no id twice`,
  );
  const bulk = records.filter((r) => r.action === BULK_ACTION);
  assertEveryN(
    bulk.map((r) => r.details.n),
    count,
    what,
  );
  assert.equal(bulk.find((r) => r.details.n === 100)?.user_agent, '=HYPERLINK("http://evil.example")', `${what}: JSON keeps values as they are`);
}
