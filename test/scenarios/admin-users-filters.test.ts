// The users list as admins use it (issue 13): filters for "no second factor", "locked",
// "disabled" and role, combined with the search and paging; sortable columns; the summary line
// linking to the filters; the CSV export of the whole filtered list; role checks and bad values.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import type { Role } from '../../src/db/users.ts';
import { throttleKeys } from '../../src/mfa/throttle.ts';
import { startTobira, makeUser, makeWorkspace, unique } from '../helpers/tobira.ts';
import { decodeHtml, type Page } from '../../bench/support/browser.ts';
import { consoleSignIn } from '../helpers/console.ts';
import { auditWhere, signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { parseCsv } from '../helpers/csv.ts';

/** The e-mails of the list's rows, top to bottom. */
const rowsOf = (page: Page): string[] => {
  assert.equal(page.status, 200, `${page.url}: ${page.html.slice(0, 300)}`);
  return [...page.html.matchAll(/<br><span class="muted">([^<]+)<\/span><\/td>/g)].map((m) => decodeHtml(m[1]!));
};

const DAY = 86_400_000;

describe('admin console: users list filters, sort, summary and CSV export', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let admin: AdminSession;
  const tag = unique();
  // Letters give a known e-mail order; the created day a different order.
  const people: Record<string, { email: string; id?: string; name: string; role: Role; day: number }> = {
    ada: { email: `a-${tag}@example.test`, name: 'Ada Enrolled', role: 'member', day: 5 },
    bob: { email: `b-${tag}@example.test`, name: 'Bob Nofactor', role: 'member', day: 3 },
    cy: { email: `c-${tag}@example.test`, name: 'Cy Totplocked', role: 'member', day: 7 },
    dee: { email: `d-${tag}@example.test`, name: 'Dee Pwlocked', role: 'user_admin', day: 1 },
    eve: { email: `e-${tag}@example.test`, name: 'Eve Disabled', role: 'member', day: 6 },
    fay: { email: `f-${tag}@example.test`, name: 'Fay Devicelocked', role: 'member', day: 2 },
    gus: { email: `g-${tag}@example.test`, name: 'Gus Expiredlock', role: 'member', day: 4 },
    zed: { email: `z-${tag}@example.test`, name: 'Zed Admin', role: 'workspace_admin', day: 0 },
  };
  const e = (...names: string[]) => names.map((n) => people[n]!.email);
  const byId = (...names: string[]) => names.sort((a, b) => (people[a]!.id! < people[b]!.id! ? -1 : 1));
  const list = async (search: string) => rowsOf(await admin.browser.open(`/admin/users${search}`));

  before(async () => {
    tobira = await startTobira({}, { clock });
    const workspace = await makeWorkspace(tobira, 'optional');
    admin = await signedInAdmin(tobira, clock, workspace.slug);
    const start = new Date('2026-01-01T00:00:00Z').getTime();
    for (const [key, p] of Object.entries(people)) {
      const id = key === 'zed' ? admin.user.user.id : (await makeUser(tobira, { workspaceSlug: workspace.slug, role: p.role, name: p.name })).user.id;
      p.id = id;
      await tobira
        .db('users')
        .where({ id })
        .update({ email: p.email, name: p.name, created_at: new Date(start + p.day * DAY) });
    }
    const factor = (userId: string, label: string) => tobira.db('authenticators').insert({ user_id: userId, label, secret_encrypted: 'unused' });
    await factor(people.ada!.id!, 'Phone');
    await factor(people.ada!.id!, 'Tablet');
    await factor(people.cy!.id!, 'Phone');
    await factor(people.fay!.id!, 'Phone');
    await tobira.db('recovery_codes').insert([1, 2, 3].map((n) => ({ user_id: people.ada!.id, code_hash: `h${n}` })));
    await tobira.db('recovery_codes').insert({ user_id: people.ada!.id, code_hash: 'used', used_at: clock.now() });
    await tobira.db('users').where({ id: people.eve!.id }).update({ status: 'disabled' });
    await tobira.db('users').where({ id: people.bob!.id }).update({ mfa_required_at: clock.now() });
    const lock = (key: string, minutes: number) =>
      tobira.db('throttles').insert({ key, failures: 0, locks: 1, locked_until: new Date(clock.now().getTime() + minutes * 60_000), updated_at: clock.now() });
    await lock(throttleKeys.totp(people.cy!.id!), 10);
    await lock(throttleKeys.passwordAccount(people.dee!.email as never), 10);
    await lock(throttleKeys.passwordDevice(throttleKeys.passwordAccount(people.fay!.email as never), 'nonce'), 10);
    await lock(throttleKeys.totp(people.gus!.id!), -1);
  });
  after(async () => tobira?.close());

  it('filters by second factor, lock, status and role, alone and combined with the search', async () => {
    assert.deepEqual(await list(''), e('ada', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus', 'zed'));
    assert.deepEqual(await list('?mfa=none'), e('bob', 'dee', 'eve', 'gus'));
    assert.deepEqual(await list('?mfa=enrolled'), e('ada', 'cy', 'fay', 'zed'));
    assert.deepEqual(await list('?status=locked'), e('cy', 'dee', 'fay'), 'second-factor, password and browser locks; not an expired one');
    assert.deepEqual(await list('?status=disabled'), e('eve'));
    assert.deepEqual(await list('?role=user_admin'), e('dee'));
    assert.deepEqual(await list('?role=workspace_admin'), e('zed'));
    assert.deepEqual(await list('?role=member'), e('ada', 'bob', 'cy', 'eve', 'fay', 'gus'));
    assert.deepEqual(await list('?mfa=none&status=locked'), e('dee'));
    assert.deepEqual(await list('?mfa=none&role=member'), e('bob', 'eve', 'gus'));
    assert.deepEqual(await list('?mfa=enrolled&status=locked&role=member'), e('cy', 'fay'));
    assert.deepEqual(await list('?q=bob&mfa=none'), e('bob'));
    assert.deepEqual(await list('?q=bob&mfa=enrolled'), []);
    assert.deepEqual(await list('?q=locked&mfa=none'), e('dee'), 'the search matches names');
    // The filter form's "Any" sends an empty value.
    assert.deepEqual(await list('?q=&mfa=&status=&role='), e('ada', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus', 'zed'));

    const page = await admin.browser.open('/admin/users?mfa=none&role=member');
    assert.match(page.html, /<option value="none" selected>Not set up<\/option>/);
    assert.match(page.html, /<option value="member" selected>Member<\/option>/);
    assert.match(page.html, /<a href="\/admin\/users">Clear filters<\/a>/);
    assert.match(page.html, /href="\/admin\/users\/export.csv\?mfa=none&amp;role=member"/);
  });

  it('shows each row with its second factors, recovery codes, locks and the MFA requirement', async () => {
    const page = await admin.browser.open('/admin/users?q=a-');
    const row = (email: string) => new RegExp(`<tr>((?:(?!</tr>).)*${email.replace(/\./g, '\\.')}(?:(?!</tr>).)*)</tr>`, 's').exec(page.html)?.[1] ?? '';
    assert.match(row(people.ada!.email), /2 set up/);
    assert.match(row(people.ada!.email), /<td>3<\/td>/, 'three unused recovery codes');
    assert.match(row(people.ada!.email), /2026-01-06|2026-01-05/);
    const others = await admin.browser.open('/admin/users?status=locked');
    assert.match(others.html, /Codes locked/);
    assert.match(others.html, /Password locked/);
    assert.match(others.html, /Browser locked/);
    assert.match((await admin.browser.open('/admin/users?q=bob')).html, /MFA required by an admin/);
  });

  it('sorts by each column both ways, with the id as tiebreak, and the headers keep the filters', async () => {
    assert.deepEqual(await list('?sort=name&dir=asc'), e('ada', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus', 'zed'));
    assert.deepEqual(await list('?sort=name&dir=desc'), e('zed', 'gus', 'fay', 'eve', 'dee', 'cy', 'bob', 'ada'));
    assert.deepEqual(await list('?sort=email&dir=desc'), e('zed', 'gus', 'fay', 'eve', 'dee', 'cy', 'bob', 'ada'));
    assert.deepEqual(await list('?sort=created&dir=asc'), e('zed', 'dee', 'fay', 'bob', 'gus', 'ada', 'eve', 'cy'));
    assert.deepEqual(await list('?sort=created&dir=desc'), e('cy', 'eve', 'ada', 'gus', 'bob', 'fay', 'dee', 'zed'));
    const members = ['ada', 'bob', 'cy', 'eve', 'fay', 'gus'];
    assert.deepEqual(await list('?sort=role&dir=asc'), e(...byId(...members), 'dee', 'zed'));
    assert.deepEqual(await list('?sort=role&dir=desc'), e('zed', 'dee', ...byId(...members)));
    assert.deepEqual(await list('?sort=status&dir=asc'), e(...byId('ada', 'bob', 'gus', 'zed'), ...byId('cy', 'dee', 'fay'), 'eve'));
    assert.deepEqual(await list('?sort=status&dir=desc'), e('eve', ...byId('cy', 'dee', 'fay'), ...byId('ada', 'bob', 'gus', 'zed')));
    assert.deepEqual(await list('?sort=mfa&dir=asc'), e(...byId('bob', 'dee', 'eve', 'gus'), ...byId('cy', 'fay', 'zed'), 'ada'));
    assert.deepEqual(await list('?sort=mfa&dir=desc'), e('ada', ...byId('cy', 'fay', 'zed'), ...byId('bob', 'dee', 'eve', 'gus')));
    assert.deepEqual(await list('?mfa=none&sort=created&dir=desc'), e('eve', 'gus', 'bob', 'dee'), 'sorted within a filter');
  });

  it('has a summary line whose counts link to their filters', async () => {
    const page = await admin.browser.open('/admin/users?q=ada&sort=name&dir=desc');
    const summary = /<p class="summary"[^>]*>(.*?)<\/p>/s.exec(page.html)?.[1] ?? '';
    const links = [...summary.matchAll(/<a href="([^"]+)" data-summary="[^"]+">([^<]+)<\/a>/g)].map((m) => [decodeHtml(m[1]!), m[2]]);
    assert.deepEqual(links, [
      ['/admin/users', '8 users'],
      ['/admin/users?mfa=none', '4 without two-step verification'],
      ['/admin/users?status=locked', '3 locked'],
      ['/admin/users?status=disabled', '1 disabled'],
    ]);
    assert.match(summary, /8 users<\/a> · <a/);
    const ja = await admin.browser.request('/admin/users', { headers: { 'accept-language': 'ja' } });
    const jaSummary = /<p class="summary"[^>]*>(.*?)<\/p>/s.exec(ja.html)?.[1] ?? '';
    assert.deepEqual(
      [...jaSummary.matchAll(/data-summary="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]),
      ['ユーザー 8 人', '二段階認証なし 4 人', 'ロック中 3 人', '無効 1 人'],
    );
  });

  it('exports the whole filtered, sorted list as CSV with a BOM, defused formulas, and an audit row', async () => {
    await tobira.db('users').where({ id: people.gus!.id }).update({ name: '=HYPERLINK("http://evil.test")' });
    const response = await admin.browser.request('/admin/users/export.csv?mfa=none&sort=created&dir=desc');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="users-ws-[0-9a-f]+-\d{4}-\d\d-\d\d\.csv"$/);
    // fetch's text() drops a byte-order mark: read the bytes.
    const cookie = admin.browser
      .cookieNames()
      .map((name) => `${name}=${admin.browser.cookie(name)}`)
      .join('; ');
    const bytes = new Uint8Array(await (await fetch(`${tobira.issuer}/admin/users/export.csv?mfa=none`, { headers: { cookie } })).arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark for Excel');
    const csv = parseCsv(response.html);
    assert.deepEqual(csv, [
      ['email', 'name', 'role', 'status', 'second_factors', 'recovery_codes_left', 'mfa_required_by_admin', 'locked', 'created'],
      [people.eve!.email, 'Eve Disabled', 'member', 'disabled', '0', '0', 'false', 'false', '2026-01-07T00:00:00.000Z'],
      [people.gus!.email, `'=HYPERLINK("http://evil.test")`, 'member', 'active', '0', '0', 'false', 'false', '2026-01-05T00:00:00.000Z'],
      [people.bob!.email, 'Bob Nofactor', 'member', 'active', '0', '0', 'true', 'false', '2026-01-04T00:00:00.000Z'],
      [people.dee!.email, 'Dee Pwlocked', 'user_admin', 'active', '0', '0', 'false', 'true', '2026-01-02T00:00:00.000Z'],
    ]);
    const all = parseCsv((await admin.browser.request('/admin/users/export.csv?status=locked')).html);
    assert.deepEqual(
      all.slice(1).map((r) => [r[0], r[4], r[7]]),
      [
        [people.cy!.email, '1', 'true'],
        [people.dee!.email, '0', 'true'],
        [people.fay!.email, '1', 'true'],
      ],
    );
    const audited = await auditWhere(tobira, { action: 'users.export', actor_id: admin.user.user.id });
    assert.equal(audited.length, 3);
    assert.deepEqual(audited[0]!.details, { format: 'csv', filters: { mfa: 'none', sort: 'created', dir: 'desc' } });
    assert.equal(audited[0]!.outcome, 'success');
  });

  it('pages a filtered, sorted list and keeps the filters and the order on every page; the export has every page', async () => {
    for (let i = 0; i < 27; i++) {
      const made = await makeUser(tobira, { workspaceSlug: admin.user.workspaceSlug, name: `Paged ${tag} ${String(i).padStart(2, '0')}` });
      if (i % 9 === 0) await tobira.db('authenticators').insert({ user_id: made.user.id, label: 'Phone', secret_encrypted: 'unused' });
    }
    // 27 made, 3 of them enrolled: 24 without a second factor.
    const first = await admin.browser.open(`/admin/users?q=${encodeURIComponent(`paged ${tag}`)}&mfa=none&sort=name&dir=desc`);
    const page1 = rowsOf(first);
    assert.equal(page1.length, 24, 'all on one page');
    const wider = await admin.browser.open('/admin/users?mfa=none&sort=name&dir=desc');
    assert.equal(rowsOf(wider).length, 25);
    const next = decodeHtml(/href="([^"]+)" rel="next"/.exec(wider.html)![1]!);
    assert.equal(next, '/admin/users?mfa=none&sort=name&dir=desc&page=2');
    const second = await admin.browser.open(next);
    // 24 paged + bob, dee, eve and gus.
    assert.equal(rowsOf(second).length, 3);
    assert.equal(decodeHtml(/href="([^"]+)" rel="prev"/.exec(second.html)![1]!), '/admin/users?mfa=none&sort=name&dir=desc');
    const headers = [...second.html.matchAll(/<a href="([^"]+)" data-sort="([a-z]+)">/g)].map((m) => [m[2], decodeHtml(m[1]!)]);
    assert.deepEqual(Object.fromEntries(headers), {
      name: '/admin/users?mfa=none&sort=name&dir=asc',
      email: '/admin/users?mfa=none',
      role: '/admin/users?mfa=none&sort=role&dir=asc',
      status: '/admin/users?mfa=none&sort=status&dir=asc',
      mfa: '/admin/users?mfa=none&sort=mfa&dir=asc',
      created: '/admin/users?mfa=none&sort=created&dir=asc',
    });
    assert.match(second.html, /aria-sort="descending"/);
    const csv = parseCsv((await admin.browser.request('/admin/users/export.csv?mfa=none&sort=name&dir=desc')).html);
    assert.deepEqual(
      csv.slice(1).map((r) => r[0]),
      [...rowsOf(wider), ...rowsOf(second)],
    );
  });

  it('refuses a value it does not know with a 400 page, on the list and the export', async () => {
    for (const search of ['?mfa=nnoe', '?status=active', '?role=admin', '?sort=password', '?dir=up', '?mfa=none&mfa=enrolled']) {
      for (const path of ['/admin/users', '/admin/users/export.csv']) {
        const page = await admin.browser.request(`${path}${search}`);
        assert.equal(page.status, 400, `${path}${search}`);
        assert.match(page.html, /The users list cannot be filtered or sorted that way\./, `${path}${search}`);
      }
    }
    const ja = await admin.browser.request('/admin/users?mfa=x', { headers: { 'accept-language': 'ja' } });
    assert.equal(ja.status, 400);
    assert.match(ja.html, /その条件ではユーザー一覧を絞り込み・並べ替えできません。/);
  });

  it('refuses members: the list and the export are 403', async () => {
    const member = await makeUser(tobira, { workspaceSlug: admin.user.workspaceSlug });
    const login = await consoleSignIn(tobira, member, '/admin/users?mfa=none', { at: clock.now() });
    assert.equal(login.page.status, 403, `${login.page.url} ${login.page.headers.get('location')}`);
    // No console session was made: the export sends the member through sign-in again, to the same refusal.
    const csv = await login.browser.open('/admin/users/export.csv?mfa=none');
    assert.equal(csv.status, 403);
    assert.ok(!csv.html.includes(people.ada!.email));
  });
});
