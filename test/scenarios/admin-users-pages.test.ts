// The users pages of the admin console: the list (workspace only, search, paging, MFA state and
// locks), create user with a password or a one-time set-password link, and bad input.
import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, unique } from '../helpers/tobira.ts';
import { Browser, alertText, decodeHtml } from '../../bench/support/browser.ts';
import { discover, signIn } from '../../bench/support/rp.ts';
import { csrfOn } from '../helpers/console.ts';
import { assertRedirect, auditWhere, postUserAction, signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { throttleKeys } from '../../src/mfa/throttle.ts';

describe('admin console: users list and create user', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  let workspace: { id: string; slug: string };
  let admin: AdminSession;
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspace = await makeWorkspace(tobira, 'optional');
    admin = await signedInAdmin(tobira, clock, workspace.slug);
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
  });
  after(async () => tobira?.close());

  it('lists only this workspace, with MFA state, recovery codes and locks; searches and pages', async () => {
    const other = await makeWorkspace(tobira);
    const stranger = await makeUser(tobira, { workspaceSlug: other.slug, name: 'Stranger' });
    const tag = unique();
    const members = [];
    for (let i = 0; i < 27; i++) members.push(await makeUser(tobira, { workspaceSlug: workspace.slug, name: `Paged ${tag} ${String(i).padStart(2, '0')}` }));
    // The list is ordered by e-mail (random in tests): lock the one that sorts first, so it is on page 1.
    const locked = [...members].sort((a, b) => (a.email.toLowerCase() < b.email.toLowerCase() ? -1 : 1))[0]!;
    await tobira.db('throttles').insert({
      key: throttleKeys.totp(locked.user.id),
      failures: 0,
      locks: 1,
      locked_until: new Date(clock.now().getTime() + 600_000),
      updated_at: clock.now(),
    });
    await tobira.db('throttles').insert({
      key: throttleKeys.passwordAccount(locked.email),
      failures: 0,
      locks: 1,
      locked_until: new Date(clock.now().getTime() + 600_000),
      updated_at: clock.now(),
    });

    const page1 = await admin.browser.open(`/admin/users?q=${encodeURIComponent(`paged ${tag}`)}`);
    assert.equal(page1.status, 200);
    assert.equal((page1.html.match(/<tr>\s*<td><a href="\/admin\/users\//g) ?? []).length, 25, '25 per page');
    assert.ok(page1.html.includes(locked.email));
    assert.match(page1.html, /Codes locked/);
    assert.match(page1.html, /Password locked/);
    assert.match(page1.html, /Not set up/);
    assert.ok(!page1.html.includes(stranger.email), 'another workspace is invisible');
    assert.ok(page1.html.includes('rel="next"') && !page1.html.includes('rel="prev"'));
    const next = decodeHtml(/href="([^"]+)" rel="next"/.exec(page1.html)![1]!);
    const page2 = await admin.browser.open(next);
    assert.equal((page2.html.match(/<tr>\s*<td><a href="\/admin\/users\//g) ?? []).length, 2);
    assert.ok(page2.html.includes('rel="prev"') && !page2.html.includes('rel="next"'));

    // Users are listed by e-mail, and test e-mails are random: find the admin by searching.
    const all = await admin.browser.open(`/admin/users?q=${encodeURIComponent(admin.user.email)}`);
    assert.ok(all.html.includes(admin.user.email) && all.html.includes('1 set up'), 'the admin, enrolled');
    // LIKE wildcards typed into the box match themselves.
    assert.match((await admin.browser.open('/admin/users?q=%25')).html, /No users match\./);
    const underscore = await admin.browser.open('/admin/users?q=_');
    assert.equal((underscore.html.match(/<tr>\s*<td><a href="\/admin\/users\//g) ?? []).length, 1, 'only the admin, "Admin workspace_admin"');
    assert.match((await admin.browser.open(`/admin/users?q=${encodeURIComponent(stranger.email)}`)).html, /No users match\./);
    assert.equal((await admin.browser.open('/admin/users?page=-3')).status, 200);
    assert.equal((await admin.browser.open('/admin/users?page=abc&q[]=x')).status, 200);
  });

  it('creates a user with an initial password, who can then sign in', async () => {
    const form = await admin.browser.open('/admin/users/new');
    assert.match(form.html, /type="email"/);
    assert.match(form.html, /type="password" autocomplete="new-password"/);
    const email = `created-${unique()}@example.test`;
    const created = await admin.browser.request('/admin/users', {
      method: 'POST',
      body: new URLSearchParams({ csrf: csrfOn(form), email, name: 'Created Person', role: 'member', method: 'password', password: 'a-good-password' }),
    });
    assertRedirect(created, /^\/admin\/users\/[0-9a-f-]{36}\?done=created$/);
    const page = await admin.browser.open(created.headers.get('location')!);
    assert.match(page.html, /The user was created\./);
    const { tokens } = await signIn(config, new Browser(tobira.issuer), { email, password: 'a-good-password' });
    assert.deepEqual(tokens.claims()!.amr, ['pwd']);
    const [row] = await auditWhere(tobira, { action: 'user.create', actor_id: admin.user.user.id });
    assert.equal(row!.outcome, 'success');
    assert.deepEqual(row!.details, { email, role: 'member', method: 'password' });
  });

  it('creates a user with a one-time set-password link that works once', async () => {
    const form = await admin.browser.open('/admin/users/new');
    const email = `linked-${unique()}@example.test`;
    const result = await admin.browser.request('/admin/users', {
      method: 'POST',
      body: new URLSearchParams({ csrf: csrfOn(form), email, name: '', role: 'user_admin', method: 'link', password: '' }),
    });
    assert.equal(result.status, 200);
    const link = decodeHtml(/<pre id="set-password-link">([^<]+)<\/pre>/.exec(result.html)![1]!);
    assert.match(link, new RegExp(`^${tobira.issuer}/set-password/[A-Za-z0-9_-]{43}$`));
    const stored = await tobira.db('set_password_tokens').select('id');
    assert.ok(!stored.some((r: { id: string }) => link.endsWith(r.id)), 'only the hash is stored');
    // Not signed in yet: no password.
    await assert.rejects(signIn(config, new Browser(tobira.issuer), { email, password: 'whatever-it-is' }));

    const person = new Browser(tobira.issuer);
    const setPage = await person.open(link);
    assert.equal(setPage.status, 200);
    assert.equal(setPage.headers.get('cache-control'), 'no-store');
    assert.ok(setPage.html.includes(email));
    assert.equal((setPage.html.match(/type="password" autocomplete="new-password"/g) ?? []).length, 2);
    const mismatch = await person.submit(setPage, { password: 'my-new-password', confirm: 'my-new-passwort' });
    assert.equal(mismatch.status, 400);
    assert.equal(alertText(mismatch.html), 'The two passwords do not match.');
    const short = await person.submit(setPage, { password: 'short', confirm: 'short' });
    assert.equal(short.status, 400);
    const done = await person.submit(setPage, { password: 'my-new-password', confirm: 'my-new-password' });
    assert.equal(done.status, 200);
    assert.match(done.html, /Your password is set/);
    const { tokens } = await signIn(config, new Browser(tobira.issuer), { email, password: 'my-new-password' });
    assert.equal(tokens.claims()!.email, email);

    const again = await person.submit(setPage, { password: 'another-password', confirm: 'another-password' });
    assert.equal(again.status, 400, 'the link works once');
    assert.match(again.html, /This link is not valid/);
    assert.equal((await person.open(link)).status, 400);
    assert.equal((await person.open(`${tobira.issuer}/set-password/nonsense`)).status, 400);
    const user = await tobira.db('users').whereRaw('lower(email) = lower(?)', [email]).first();
    const audit = await auditWhere(tobira, { action: 'user.set_password', target_id: user.id });
    assert.deepEqual(
      audit.map((r) => r.outcome),
      ['success'],
    );
  });

  it('a set-password link expires after 7 days', async () => {
    const form = await admin.browser.open('/admin/users/new');
    const result = await admin.browser.request('/admin/users', {
      method: 'POST',
      body: new URLSearchParams({ csrf: csrfOn(form), email: `late-${unique()}@example.test`, role: 'member', method: 'link', name: 'Late' }),
    });
    const link = decodeHtml(/<pre id="set-password-link">([^<]+)<\/pre>/.exec(result.html)![1]!);
    clock.advance(7 * 24 * 3600 + 60);
    try {
      const expired = await new Browser(tobira.issuer).open(link);
      assert.equal(expired.status, 400);
      assert.match(expired.html, /This link is not valid/);
    } finally {
      clock.advance(-(7 * 24 * 3600 + 60));
    }
  });

  it('bad input shows the form again with a message (400), never a 500', async () => {
    const form = await admin.browser.open('/admin/users/new');
    const csrf = csrfOn(form);
    const cases: [Record<string, string>, string][] = [
      [{ email: 'not-an-address', role: 'member', method: 'link' }, 'Enter a valid e-mail address.'],
      [{ email: admin.user.email, role: 'member', method: 'link' }, 'A user with this e-mail address already exists.'],
      [{ email: `x-${unique()}@example.test`, role: 'emperor', method: 'link' }, 'Choose a role.'],
      [{ email: `x-${unique()}@example.test`, role: 'member', method: 'carrier-pigeon' }, 'Choose how the user gets a password.'],
      [{ email: `x-${unique()}@example.test`, role: 'member', method: 'password', password: 'short' }, 'The password must be between 8 and 1024 characters.'],
      [{ email: `x-${unique()}@example.test`, role: 'member', method: 'link', name: 'n'.repeat(201) }, 'The name can be at most 200 characters.'],
    ];
    for (const [fields, message] of cases) {
      const page = await admin.browser.request('/admin/users', { method: 'POST', body: new URLSearchParams({ csrf, ...fields }) });
      assert.equal(page.status, 400, message);
      assert.equal(alertText(page.html), message);
      assert.match(page.html, /name="csrf"/, 'the form is shown again');
    }
  });

  it("shows and clears a user's TOTP and password locks, and changes a role, with audit rows", async () => {
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const until = new Date(clock.now().getTime() + 600_000);
    for (const key of [throttleKeys.totp(user.user.id), throttleKeys.passwordAccount(user.email)]) {
      await tobira.db('throttles').insert({ key, failures: 0, locks: 1, locked_until: until, updated_at: clock.now() });
    }
    const page = await admin.browser.open(`/admin/users/${user.user.id}`);
    assert.match(page.html, /Verification codes are locked until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.match(page.html, /Password sign-in is locked until/);
    assertRedirect(await postUserAction(admin, user.user.id, 'clear-lock'), /\?done=lock$/);
    assert.equal((await tobira.db('throttles').whereIn('key', [throttleKeys.totp(user.user.id), throttleKeys.passwordAccount(user.email)])).length, 0);
    assert.match((await admin.browser.open(`/admin/users/${user.user.id}?done=lock`)).html, /Not locked\./);
    const [cleared] = await auditWhere(tobira, { action: 'lock.clear', target_id: user.user.id });
    assert.deepEqual(cleared!.details, { email: user.email, cleared: ['totp', 'password'] });

    assertRedirect(await postUserAction(admin, user.user.id, 'role', { role: 'user_admin' }), /\?done=role$/);
    const [changed] = await auditWhere(tobira, { action: 'user.role_change', target_id: user.user.id });
    assert.deepEqual(changed!.details, { email: user.email, from: 'member', to: 'user_admin' });
    const bad = await postUserAction(admin, user.user.id, 'role', { role: 'emperor' });
    assert.equal(bad.status, 400);
    assert.equal(alertText(bad.html), 'Choose a role.');
  });
});
