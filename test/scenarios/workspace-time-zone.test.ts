// The workspace's own time zone (Admin pages): a workspace admin picks it on the settings page
// (its own form: CSRF, workspace admins only, audited; a name that is not a zone is a 400 with a
// message); every time on /admin and /account is then shown as `2026-11-25 09:01 JST`, a workspace
// that never chose shows UTC, and the audit log's exports stay in UTC ISO 8601.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { createWorkspace } from '../../src/directory/workspaces.ts';
import { startTobira, makeUser, unique, type TestUser } from '../helpers/tobira.ts';
import { type Browser, decodeHtml } from '../../bench/support/browser.ts';
import { consoleSignIn, csrfOn } from '../helpers/console.ts';
import { openAccount } from '../helpers/account.ts';

// 00:01 UTC is 09:01 in Tokyo, the same day; 15:30 UTC is already the next day there.
const AT = '2026-11-25T00:01:00.000Z';
const LATER = '2026-11-25T15:30:00.000Z';

describe('admin: the workspace time zone', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let tokyo: { id: string; slug: string };
  let plain: { id: string; slug: string };
  let admin: TestUser;
  let userAdmin: TestUser;
  let member: TestUser;
  let plainAdmin: TestUser;
  let plainMember: TestUser;
  let browser: Browser;
  let csrf: string;

  const zoneOf = async (id: string) => (await tobira.db('workspaces').where({ id }).first()).time_zone as string;
  const zoneEvents = () => tobira.db('audit_events').where({ workspace_id: tokyo.id, action: 'workspace.time_zone_change' }).orderBy('id');
  const post = (body: Record<string, string>, who = browser) =>
    who.request(`${tobira.issuer}/admin/workspace/time-zone`, { method: 'POST', body: new URLSearchParams(body) });
  /** A member's row and authenticator with fixed times, so the page's text can be checked exactly. */
  const fixTimes = async (user: TestUser) => {
    await tobira.db('users').where({ id: user.user.id }).update({ created_at: AT });
    await tobira
      .db('authenticators')
      .insert({ user_id: user.user.id, label: 'Work phone', secret_encrypted: 'not-a-real-secret', created_at: AT, last_used_at: LATER });
  };

  before(async () => {
    tobira = await startTobira({}, { clock });
    tokyo = await createWorkspace(tobira.db, { slug: `tz-${unique()}`, displayName: 'Tokyo office', timeZone: 'Asia/Tokyo' });
    plain = await createWorkspace(tobira.db, { slug: `tz-${unique()}`, displayName: 'Plain office' });
    admin = await makeUser(tobira, { workspaceSlug: tokyo.slug, role: 'workspace_admin' });
    userAdmin = await makeUser(tobira, { workspaceSlug: tokyo.slug, role: 'user_admin' });
    member = await makeUser(tobira, { workspaceSlug: tokyo.slug });
    plainAdmin = await makeUser(tobira, { workspaceSlug: plain.slug, role: 'workspace_admin' });
    plainMember = await makeUser(tobira, { workspaceSlug: plain.slug });
    await fixTimes(member);
    await fixTimes(plainMember);
    const login = await consoleSignIn(tobira, admin, '/admin/workspace', { at: clock.now() });
    browser = login.browser;
    assert.equal(login.page.status, 200);
    csrf = csrfOn(login.page);
  });
  after(async () => tobira?.close());

  it('shows the time zone in its own form, the current zone chosen, with the time now in it', async () => {
    const page = await browser.open(`${tobira.issuer}/admin/workspace`);
    assert.equal(page.status, 200);
    assert.match(page.html, /<form method="post" action="\/admin\/workspace\/time-zone" id="time-zone">\s*<input type="hidden" name="csrf" value="[^"]+">/);
    assert.match(page.html, /<option value="Asia\/Tokyo" selected>Asia\/Tokyo \(JST\)<\/option>/);
    assert.match(page.html, /<option value="UTC">UTC<\/option>/);
    assert.match(decodeHtml(page.html), /The time now in this zone: \d{4}-\d{2}-\d{2} \d{2}:\d{2} JST/);
    assert.match(decodeHtml(page.html), /Audit log downloads \(CSV and JSON\) stay in UTC\./);
  });

  it('refuses a change without the CSRF token (403), and changes nothing', async () => {
    assert.equal((await post({ time_zone: 'UTC' })).status, 403);
    assert.equal((await post({ time_zone: 'UTC', csrf: 'forged' })).status, 403);
    assert.equal(await zoneOf(tokyo.id), 'Asia/Tokyo');
    assert.equal((await zoneEvents()).length, 0);
  });

  it('refuses a name that is not a time zone with a message (400), audited, and changes nothing', async () => {
    const page = await post({ csrf, time_zone: 'Mars/Olympus_Mons' });
    assert.equal(page.status, 400);
    assert.match(
      decodeHtml(page.html),
      /<p class="error" role="alert">“Mars\/Olympus_Mons” is not a time zone\. Choose one from the list, such as Asia\/Tokyo or UTC\.<\/p>/,
    );
    assert.equal(await zoneOf(tokyo.id), 'Asia/Tokyo');
    const events = await zoneEvents();
    assert.deepEqual(
      events.map((e) => [e.outcome, e.actor_id, e.details]),
      [['failure', admin.user.id, { to: 'Mars/Olympus_Mons', reason: 'unknown_time_zone' }]],
    );
  });

  it('a user admin gets a 403 page, and the refusal is audited', async () => {
    const login = await consoleSignIn(tobira, userAdmin, '/admin/users', { at: clock.now() });
    const page = await post({ csrf: csrfOn(login.page), time_zone: 'UTC' }, login.browser);
    assert.equal(page.status, 403);
    assert.equal(await zoneOf(tokyo.id), 'Asia/Tokyo');
    const refused = (await zoneEvents()).filter((e) => e.outcome === 'refused');
    assert.equal(refused.length, 1);
    assert.equal(refused[0].actor_id, userAdmin.user.id);
    assert.equal(refused[0].details.reason, 'not_workspace_admin');
  });

  it('a workspace admin changes it; the change and its audit event are saved together', async () => {
    const page = await post({ csrf, time_zone: 'America/New_York' });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/admin/workspace?time_zone=saved');
    assert.equal(await zoneOf(tokyo.id), 'America/New_York');
    const shown = await browser.open(`${tobira.issuer}/admin/workspace?time_zone=saved`);
    assert.match(decodeHtml(shown.html), /<p class="success" role="status">Times are now shown in America\/New_York\.<\/p>/);
    const same = await post({ csrf, time_zone: 'America/New_York' });
    assert.equal(same.headers.get('location'), '/admin/workspace?time_zone=unchanged');
    // Back to Tokyo for the pages below.
    assert.equal((await post({ csrf, time_zone: 'Asia/Tokyo' })).status, 303);
    const successes = (await zoneEvents()).filter((e) => e.outcome === 'success');
    assert.deepEqual(
      successes.map((e) => e.details),
      [
        { from: 'Asia/Tokyo', to: 'America/New_York' },
        { from: 'America/New_York', to: 'Asia/Tokyo' },
      ],
    );
  });

  it("shows a user's times in the workspace zone on /admin/users/:id", async () => {
    const page = decodeHtml((await browser.open(`${tobira.issuer}/admin/users/${member.user.id}`)).html);
    assert.match(page, /<td>2026-11-25 09:01 JST<\/td>/, 'created');
    assert.match(
      page,
      /<tr data-kind="app"><td>Work phone<\/td><td>Authenticator app<\/td><td>2026-11-25 09:01 JST<\/td><td>2026-11-26 00:30 JST<\/td><\/tr>/,
      'authenticator added and last used',
    );
    assert.doesNotMatch(page, /\d{2}:\d{2} UTC/);
  });

  it('shows the audit log in the workspace zone, as sentences, and exports it in UTC ISO 8601', async () => {
    await tobira.db('audit_events').insert({
      occurred_at: AT,
      action: 'mfa.reset',
      outcome: 'success',
      workspace_id: tokyo.id,
      actor_type: 'operator',
      actor_label: 'cli:root',
      target_type: 'user',
      target_id: member.user.id,
      details: JSON.stringify({ reason: 'lost phone', email: member.email, authenticators: 2, recovery_codes: 10 }),
    });
    const page = decodeHtml((await browser.open(`${tobira.issuer}/admin/audit?action=mfa.reset`)).html);
    assert.match(page, /Times are in Asia\/Tokyo; downloads are in UTC\./);
    assert.match(page, /<time datetime="2026-11-25T00:01:00Z">2026-11-25 09:01 JST<\/time>/);
    assert.match(page, /<p class="details">reason: lost phone — 2 authenticators and 10 recovery codes removed<\/p>/);
    assert.doesNotMatch(page, /&quot;|\{"/, 'no JSON on the page');

    const json = await browser.request(`${tobira.issuer}/admin/audit/export.json?action=mfa.reset`);
    const records = JSON.parse(json.html) as { time: string; details: Record<string, unknown> }[];
    assert.equal(records[0]!.time, AT);
    assert.deepEqual(records[0]!.details, { reason: 'lost phone', email: member.email, authenticators: 2, recovery_codes: 10 });
    const csv = await browser.request(`${tobira.issuer}/admin/audit/export.csv?action=mfa.reset`);
    assert.match(csv.html, new RegExp(`\\r\\n\\d+,${AT.replace(/\./g, '\\.')},${tokyo.slug},operator,`));
    assert.doesNotMatch(csv.html, /JST/);
  });

  it('filters the audit log by days of the workspace zone', async () => {
    // 01:00 on the 25th in Tokyo (16:00 UTC on the 24th) is in; 00:30 on the 26th (15:30 UTC on the 25th) is out.
    const event = (occurred_at: string, n: number) => ({
      occurred_at,
      action: 'test.day',
      outcome: 'success',
      workspace_id: tokyo.id,
      actor_type: 'system',
      details: JSON.stringify({ n }),
    });
    await tobira.db('audit_events').insert([event('2026-11-24T14:59:00.000Z', 1), event('2026-11-24T16:00:00.000Z', 2), event(AT, 3), event(LATER, 4)]);
    const page = decodeHtml((await browser.open(`${tobira.issuer}/admin/audit?action=test.day&from=2026-11-25&to=2026-11-25`)).html);
    assert.deepEqual(
      [...page.matchAll(/<p class="details">n: (\d)<\/p>/g)].map((m) => m[1]),
      ['3', '2'],
    );
    const json = await browser.request(`${tobira.issuer}/admin/audit/export.json?action=test.day&from=2026-11-25&to=2026-11-25`);
    assert.deepEqual(
      (JSON.parse(json.html) as { time: string }[]).map((r) => r.time),
      [AT, '2026-11-24T16:00:00.000Z'],
    );
  });

  it("shows the member's own sessions on /account in the workspace zone", async () => {
    await tobira.db('authenticators').where({ user_id: member.user.id }).delete(); // signs in with the password alone
    const { page } = await openAccount(tobira, clock, member);
    assert.match(page.html, /<time datetime="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z">\d{4}-\d{2}-\d{2} \d{2}:\d{2} JST<\/time>/);
    assert.doesNotMatch(page.html, /\d{2}:\d{2} UTC/);
  });

  it('shows UTC in a workspace that never chose a zone, on /admin and /account', async () => {
    const login = await consoleSignIn(tobira, plainAdmin, `/admin/users/${plainMember.user.id}`, { at: clock.now() });
    const page = decodeHtml(login.page.html);
    assert.match(page, /<tr data-kind="app"><td>Work phone<\/td><td>Authenticator app<\/td><td>2026-11-25 00:01 UTC<\/td><td>2026-11-25 15:30 UTC<\/td><\/tr>/);
    await tobira.db('authenticators').where({ user_id: plainMember.user.id }).delete();
    const account = await openAccount(tobira, clock, plainMember);
    assert.match(account.page.html, /<time datetime="[^"]+">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<\/time>/);
  });
});
