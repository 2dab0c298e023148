// The admin console's export of a large audit log: every event, well-formed, in both formats.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeWorkspace } from '../helpers/tobira.ts';
import { signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { assertCompleteCsv, assertCompleteJson, insertBulkAuditEvents } from '../helpers/audit-export.ts';

const EVENTS = 5_000;

describe('The admin console exports a large audit log', () => {
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let admin: AdminSession;
  before(async () => {
    tobira = await startTobira({}, { clock });
    const workspace = await makeWorkspace(tobira);
    admin = await signedInAdmin(tobira, clock, workspace.slug);
    await insertBulkAuditEvents(tobira.db, workspace.id, EVENTS);
  });
  after(async () => tobira?.close());

  for (const format of ['csv', 'json'] as const) {
    it(`as ${format.toUpperCase()}: all ${EVENTS} events, well-formed`, async () => {
      const page = await admin.browser.request(`${tobira.issuer}/admin/audit/export.${format}`);
      assert.equal(page.status, 200);
      if (format === 'csv') assertCompleteCsv(page.html.replace(/^\uFEFF/, ''), EVENTS, 'CSV');
      else assertCompleteJson(page.html, EVENTS, 'JSON');
    });
  }
});
