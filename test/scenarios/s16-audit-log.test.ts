// S16 Audit: sign-in failures, TOTP failures, enrolment, a policy change made on the page and an
// operator's command-line action all reach the log with time, workspace, actor, target, action,
// address, user agent and outcome; admins see only their workspace's log, filter it, page through
// it and export it as CSV or JSON; the table refuses UPDATE and DELETE.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { insertAuditEvent } from '../../src/db/audit-events.ts';
import { startTobira, makeUser, makeWorkspace, TEST_SECRET, type TestUser } from '../helpers/tobira.ts';
import { Browser, decodeHtml } from '../../bench/support/browser.ts';
import { consoleSignIn, csrfOn } from '../helpers/console.ts';
import { isTotpPage } from '../helpers/mfa.ts';
import { CliSandbox } from '../cli/run-cli.ts';
import { parseCsv } from '../helpers/csv.ts';

const AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

type Row = Record<'time' | 'timeIso' | 'actor' | 'action' | 'target' | 'outcome' | 'ip' | 'agent' | 'details', string> & { code: string };

/** The page's rows by the class of each piece: the time, the sentence's parts, outcome, source. */
function tableRows(html: string): Row[] {
  const text = (fragment: string | undefined) =>
    decodeHtml(
      (fragment ?? '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  const piece = (row: string, pattern: RegExp) => text(pattern.exec(row)?.[1]);
  return [...html.matchAll(/<tr data-action="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => {
    const row = m[2]!;
    return {
      code: m[1]!,
      time: piece(row, /<td class="when">([\s\S]*?)<\/td>/),
      timeIso: /<time datetime="([^"]+)"/.exec(row)?.[1] ?? '',
      actor: [piece(row, /<span class="actor">([\s\S]*?)<\/span>/), piece(row, /<p class="who muted">[\s\S]*?<span class="badge">([\s\S]*?)<\/span>/)]
        .filter(Boolean)
        .join(' '),
      action: piece(row, /<p class="what"><strong[^>]*>([\s\S]*?)<\/strong>/),
      target: piece(row, /<span class="target"[^>]*>([\s\S]*?)<\/span>/),
      outcome: piece(row, /<td class="outcome">([\s\S]*?)<\/td>/),
      ip: piece(row, /<span class="ip">([\s\S]*?)<\/span>/),
      agent: piece(row, /<span class="agent muted"[^>]*>([\s\S]*?)<\/span>/),
      details: piece(row, /<p class="details">([\s\S]*?)<\/p>/),
    };
  });
}

describe('S16: the audit log', function () {
  this.timeout(120_000);
  const clock = adjustableClock();
  const dataDir = mkdtempSync(join(tmpdir(), 'tobira-s16-'));
  const cli = new CliSandbox();
  let tobira: RunningTobira;
  let workspace: { id: string; slug: string };
  let admin: TestUser;
  let member: TestUser;
  let userAdmin: TestUser;
  let outsider: TestUser;
  let totpSecret: string;
  let browser: Browser;

  const start = async () => {
    tobira = await startTobira({ TOBIRA_DATA_DIR: dataDir }, { clock });
  };
  const open = (path: string, who = browser) => who.request(`${tobira.issuer}${path}`);

  before(async () => {
    await start();
    workspace = await makeWorkspace(tobira, 'optional');
    admin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'workspace_admin' });
    member = await makeUser(tobira, { workspaceSlug: workspace.slug });
    userAdmin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'user_admin' });
    outsider = await makeUser(tobira, { role: 'workspace_admin' }); // another workspace
  });
  after(async () => {
    await tobira?.close();
    rmSync(dataDir, { recursive: true, force: true });
    cli.remove();
  });

  it('records a sign-in failure, a TOTP failure, an enrolment and a policy change made on the page', async () => {
    // Enrolment on the way into the admin console (rule 5).
    browser = new Browser(tobira.issuer, { 'user-agent': AGENT });
    const first = await consoleSignIn(tobira, admin, '/admin/workspace', { browser, at: clock.now() });
    totpSecret = first.totpSecret!;
    // A wrong password for the member, a wrong code for the admin (in a second browser).
    const other = new Browser(tobira.issuer, { 'user-agent': AGENT });
    const login = await other.open(`${tobira.issuer}/admin/login`);
    await other.submit(login, { email: member.email, password: 'not the password' }, '/login');
    const again = await other.open(`${tobira.issuer}/admin/login`);
    const totp = await other.submit(again, { email: admin.email, password: admin.password }, '/login');
    assert.ok(isTotpPage(totp));
    await other.submit(totp, { code: '000000' }, '/totp');
    // A policy change, confirmed, on the page.
    const csrf = csrfOn(first.page);
    const body = new URLSearchParams({ csrf, policy: 'required', confirm: 'yes' });
    assert.equal((await browser.request(`${tobira.issuer}/admin/workspace/policy`, { method: 'POST', body })).status, 303);
    // Another workspace's events, which this admin must never see.
    await insertAuditEvent(tobira.db, {
      action: 'sign_in',
      outcome: 'failure',
      workspaceId: (await tobira.db('users').where({ id: outsider.user.id }).first()).workspace_id,
      actorType: 'user',
      actorId: outsider.user.id,
      actorLabel: outsider.email,
      targetType: 'user',
      targetId: outsider.user.id,
      details: { marker: 'elsewhere' },
    });
  });

  it('records an operator action from the command line on the same database', async () => {
    await tobira.close(); // the embedded database is single-process
    const run = await cli.run(['mfa', 'reset', '--email', member.email, '--reason', 'S16: operator action'], {
      env: { TOBIRA_SECRET: TEST_SECRET, ...(process.env.DATABASE_URL ? {} : { TOBIRA_DATA_DIR: dataDir }) },
    });
    assert.equal(run.code, 0, run.stderr);
    await start();
    // A new node on a new port: a new browser for its address.
    browser = new Browser(tobira.issuer, { 'user-agent': AGENT });
  });

  it('shows every kind of event with time, actor, action, target, outcome, address and user agent', async () => {
    clock.advance(30);
    const { page } = await consoleSignIn(tobira, admin, '/admin/audit', { browser, totpSecret, at: clock.now() });
    assert.equal(page.status, 200);
    assert.match(page.html, /<h1>Audit log<\/h1>/);
    const rows = tableRows(page.html);
    const find = (code: string, outcome: string) => rows.find((r) => r.code === code && r.outcome === outcome);
    const passwordFailure = find('sign_in', 'failure')!;
    assert.ok(passwordFailure, 'sign-in failure');
    assert.equal(passwordFailure.actor, member.email);
    assert.equal(passwordFailure.target, member.email);
    assert.equal(passwordFailure.action, 'Sign-in');
    // The workspace's zone (UTC unless changed); the ISO time stays in the <time> element.
    assert.match(passwordFailure.time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    assert.match(passwordFailure.timeIso, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.match(passwordFailure.ip, /127\.0\.0\.1/);
    assert.equal(passwordFailure.agent, 'Chrome 131 · macOS');
    assert.match(passwordFailure.details, /^reason: wrong password — /);
    const totpFailure = find('mfa.totp', 'failure')!;
    assert.equal(totpFailure.actor, admin.email);
    assert.equal(totpFailure.target, admin.email);
    const enrol = find('mfa.enrol', 'success')!;
    assert.equal(enrol.actor, admin.email);
    const policy = find('workspace.policy_change', 'success')!;
    assert.equal(policy.actor, admin.email);
    assert.equal(policy.target, workspace.slug);
    assert.match(policy.details, /^from “Optional” to “Required for everyone” — /);
    assert.equal(policy.agent, 'Chrome 131 · macOS');
    const reset = find('mfa.reset', 'success')!;
    assert.match(reset.actor, /^cli:\S+ operator$/);
    assert.equal(reset.target, member.email);
    assert.match(reset.details, /S16: operator action/);
    assert.ok(find('admin.sign_in', 'success'));
    assert.ok(
      rows.every((r) => !r.details.includes('elsewhere')),
      'only this workspace',
    );
    const times = rows.map((r) => r.timeIso);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
  });

  it('stores the same facts for each event in the database', async () => {
    const events = await tobira.db('audit_events').where({ workspace_id: workspace.id });
    for (const [action, outcome] of [
      ['sign_in', 'failure'],
      ['mfa.totp', 'failure'],
      ['mfa.enrol', 'success'],
      ['workspace.policy_change', 'success'],
      ['mfa.reset', 'success'],
    ]) {
      const event = events.find((e: { action: string; outcome: string }) => e.action === action && e.outcome === outcome);
      assert.ok(event, `${action} ${outcome}`);
      assert.ok(event.occurred_at instanceof Date);
      assert.ok(event.actor_type && (event.actor_label || event.actor_id) && event.target_id, action);
      if (event.actor_type !== 'operator') {
        assert.ok(event.ip, `${action} address`);
        assert.equal(event.user_agent, AGENT, `${action} user agent`);
      }
    }
  });

  it('filters by user, action and dates; a user of another workspace matches nothing', async () => {
    const byUser = tableRows((await open(`/admin/audit?user=${encodeURIComponent(member.email.toUpperCase())}`)).html);
    assert.ok(byUser.length >= 2);
    assert.ok(
      byUser.every((r) => r.actor === member.email || r.target === member.email),
      JSON.stringify(byUser),
    );
    const byAction = tableRows((await open('/admin/audit?action=mfa.totp')).html);
    assert.ok(byAction.length >= 1 && byAction.every((r) => r.code === 'mfa.totp'));
    const today = new Date().toISOString().slice(0, 10);
    const todayRows = tableRows((await open(`/admin/audit?from=${today}&to=${today}`)).html);
    assert.ok(todayRows.length >= 6);
    const future = await open('/admin/audit?from=2999-01-01');
    assert.equal(tableRows(future.html).length, 0);
    assert.match(future.html, /No events match these filters/);
    assert.equal(tableRows((await open('/admin/audit?to=2000-01-01')).html).length, 0);
    const outsiders = await open(`/admin/audit?user=${encodeURIComponent(outsider.email)}`);
    assert.equal(tableRows(outsiders.html).length, 0);
    const bad = await open('/admin/audit?from=last-week');
    assert.equal(bad.status, 400);
    assert.match(bad.html, /Enter dates as YYYY-MM-DD/);
    // The export links carry the filters.
    const filtered = await open('/admin/audit?action=mfa.totp');
    assert.match(filtered.html, /href="\/admin\/audit\/export\.csv\?action=mfa.totp"/);
    assert.match(filtered.html, /<option value="mfa.totp" selected>/);
  });

  it('pages 50 events at a time, newest first', async () => {
    for (let i = 0; i < 60; i++) {
      await insertAuditEvent(tobira.db, { action: 'test.synthetic', outcome: 'success', workspaceId: workspace.id, actorType: 'system', details: { n: i } });
    }
    const first = await open('/admin/audit?action=test.synthetic');
    const rows = tableRows(first.html);
    assert.equal(rows.length, 50);
    assert.equal(rows[0]!.details, 'n: 59');
    assert.match(first.html, /href="\/admin\/audit\?action=test.synthetic&amp;page=2" rel="next"/);
    const second = tableRows((await open('/admin/audit?action=test.synthetic&page=2')).html);
    assert.equal(second.length, 10);
    assert.equal(second[9]!.details, 'n: 0');
  });

  it('exports CSV and JSON with the filters, as attachments, with only this workspace’s rows', async () => {
    const csv = await open('/admin/audit/export.csv');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    assert.match(csv.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="audit-${workspace.slug}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`));
    const [header, ...records] = parseCsv(csv.html.replace(/^\uFEFF/, ''));
    const col = (name: string) => header!.indexOf(name);
    const inDb = await tobira.db('audit_events').where({ workspace_id: workspace.id }).orderBy('id', 'desc');
    assert.deepEqual(
      records.map((r) => r[col('id')]),
      inDb.map((e: { id: string }) => String(e.id)),
    );
    assert.ok(records.every((r) => r[col('workspace')] === workspace.slug));
    assert.doesNotMatch(csv.html, /elsewhere/);

    const json = await open('/admin/audit/export.json?action=workspace.policy_change');
    assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(json.headers.get('content-disposition') ?? '', /^attachment; filename=".*\.json"$/);
    const parsed = JSON.parse(json.html) as {
      action: string;
      workspace: string;
      actor: string;
      details: Record<string, unknown>;
      ip: string;
      user_agent: string;
    }[];
    assert.equal(parsed.length, 1);
    assert.equal(parsed[0]!.actor, admin.email);
    assert.deepEqual(parsed[0]!.details, { from: 'optional', to: 'required', users_to_enrol: 2 });
    assert.equal(parsed[0]!.user_agent, AGENT);
    const exported = await tobira.db('audit_events').where({ workspace_id: workspace.id, action: 'audit.export', actor_id: admin.user.id });
    assert.equal(exported.length, 2, 'each export is recorded');
  });

  it('the table refuses UPDATE and DELETE', async () => {
    const [event] = await tobira.db('audit_events').where({ workspace_id: workspace.id }).orderBy('id').limit(1);
    await assert.rejects(tobira.db('audit_events').where({ id: event.id }).update({ outcome: 'success', actor_label: 'someone else' }), /append-only/);
    await assert.rejects(tobira.db('audit_events').where({ id: event.id }).delete(), /append-only/);
    const still = await tobira.db('audit_events').where({ id: event.id }).first();
    assert.equal(still.actor_label, event.actor_label);
  });

  it('a user admin can read the log but not the workspace settings', async () => {
    clock.advance(30);
    const { browser: theirs, page } = await consoleSignIn(tobira, userAdmin, '/admin/audit', { at: clock.now() });
    assert.equal(page.status, 200);
    assert.ok(tableRows(page.html).length > 0);
    assert.equal((await open('/admin/audit/export.json', theirs)).status, 200);
    assert.equal((await open('/admin/workspace', theirs)).status, 403);
  });
});
