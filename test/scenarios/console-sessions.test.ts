import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { Browser, alertText, decodeHtml, findForm, type Page } from '../../bench/support/browser.ts';
import { consoleSignIn, csrfOn } from '../helpers/console.ts';
import { isTotpPage } from '../helpers/mfa.ts';
import { ACR_MFA } from '../../src/mfa/assurance.ts';

// The consoles sign in through Tobira's own provider; the admin console always with MFA (rule 5)
// and with a short session that ends on sign-out.
describe('console sessions (rule 5)', function () {
  this.timeout(30_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira({}, { clock });
  });
  after(async () => tobira.close());

  it('makes an admin without an authenticator enrol before the admin console opens, in an optional workspace', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const admin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'user_admin' });
    const { page, totpSecret } = await consoleSignIn(tobira, admin, '/admin/users', { at: clock.now() });
    assert.ok(totpSecret, 'the admin was enrolled on the way in');
    assert.equal(new URL(page.url).pathname, '/admin/users');
    assert.equal(page.status, 200);
    const session = await tobira.db('console_sessions').where({ user_id: admin.user.id, console: 'admin' }).first();
    assert.equal(session.acr, ACR_MFA);
    const events = await tobira.db('audit_events').where({ action: 'admin.sign_in', actor_id: admin.user.id });
    assert.deepEqual(
      events.map((e: { outcome: string }) => e.outcome),
      ['success'],
    );
  });

  it('steps up an admin whose SSO session has no MFA, without asking for the password again', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const admin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'workspace_admin' });
    const first = await consoleSignIn(tobira, admin, '/admin/users', { at: clock.now() });
    // A password-only SSO session in another browser: the account page does not demand MFA
    // (no rule applies to the account console) — but this admin is enrolled now, so rule 2 does.
    clock.advance(30);
    const browser = new Browser(tobira.issuer);
    const account = await consoleSignIn(tobira, admin, '/account', { browser, totpSecret: first.totpSecret, at: clock.now() });
    assert.equal(new URL(account.page.url).pathname, '/account');
    clock.advance(30);
    const adminPage = await browser.open(`${tobira.issuer}/admin/users`);
    assert.equal(new URL(adminPage.url).pathname, '/admin/users', 'an MFA SSO session opens the admin console silently');
  });

  it('refuses a member at the admin console with a 403 and an audit event, without making them enrol', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const member = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { page, totpSecret } = await consoleSignIn(tobira, member, '/admin/users', { at: clock.now() });
    assert.equal(totpSecret, undefined);
    assert.equal(page.status, 403);
    assert.match(alertText(page.html) ?? '', /Only user admins and workspace admins/);
    assert.equal(await tobira.db('authenticators').where({ user_id: member.user.id }).first(), undefined);
    const refused = await tobira.db('audit_events').where({ action: 'admin.sign_in', outcome: 'refused', actor_id: member.user.id });
    assert.equal(refused.length, 1);
  });

  it('ends the admin session after 15 idle minutes, and on sign-out', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const admin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'workspace_admin' });
    const { browser, totpSecret } = await consoleSignIn(tobira, admin, '/admin/users', { at: clock.now() });
    clock.advance(16 * 60);
    const expired = await browser.request(`${tobira.issuer}/admin/users`);
    assert.equal(expired.status, 302);
    assert.match(expired.headers.get('location') ?? '', /^\/admin\/login\?back=/);

    clock.advance(30);
    const again = await consoleSignIn(tobira, admin, '/admin/users', { browser, totpSecret, at: clock.now() });
    assert.equal(new URL(again.page.url).pathname, '/admin/users');
    const { id } = await tobira.db('console_sessions').where({ user_id: admin.user.id }).orderBy('created_at', 'desc').first();
    const out = await browser.request(`${tobira.issuer}/admin/logout`, { method: 'POST', body: new URLSearchParams({ csrf: csrfOn(again.page) }) });
    assert.equal(out.status, 302);
    assert.match(out.headers.get('location') ?? '', /\/session\/end\?client_id=tobira-admin/);
    assert.equal(await tobira.db('console_sessions').where({ id }).first(), undefined);
    const after = await browser.request(`${tobira.issuer}/admin/users`);
    assert.equal(after.status, 302, 'signed out: back to sign-in');
  });

  it('refuses a console form without the CSRF token', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const admin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'workspace_admin' });
    const { browser } = await consoleSignIn(tobira, admin, '/admin/users', { at: clock.now() });
    const forged = await browser.request(`${tobira.issuer}/admin/logout`, { method: 'POST', body: new URLSearchParams({ csrf: 'forged' }) });
    assert.equal(forged.status, 403);
    assert.ok(await tobira.db('console_sessions').where({ user_id: admin.user.id }).first(), 'the session is still there');
  });

  it('asks an enrolled user for a code at the account page, as for any app', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const admin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'workspace_admin' });
    await consoleSignIn(tobira, admin, '/admin/users', { at: clock.now() });
    const browser = new Browser(tobira.issuer);
    const login = await browser.open(`${tobira.issuer}/account`);
    const prompt = await browser.submit(login, { email: admin.email, password: admin.password }, '/login');
    assert.ok(isTotpPage(prompt));
  });
  it('opens one console session when the callback with one code arrives several times at once', async () => {
    const member = await makeUser(tobira);
    const browser = new Browser(tobira.issuer);
    const login = await browser.open(`${tobira.issuer}/account`);
    const form = findForm(login.html, '/login');
    const body = new URLSearchParams({ ...form.hidden, email: member.email, password: member.password });
    // Follow by hand up to the console's callback, then send that one request four times at once.
    let page: Page = await browser.request(new URL(decodeHtml(form.action), login.url).href, { method: 'POST', body });
    while (!new URL(page.headers.get('location') ?? page.url, page.url).pathname.startsWith('/account/callback')) {
      assert.ok(page.status >= 300 && page.status < 400, `on the way to the callback, got ${page.status} ${page.url}`);
      page = await browser.request(new URL(page.headers.get('location')!, page.url).href);
    }
    const callback = new URL(page.headers.get('location')!, page.url).href;
    const answers = await Promise.all([1, 2, 3, 4].map(() => browser.request(callback)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [302, 400, 400, 400], answers.map((a) => `${a.status} ${alertText(a.html) ?? ''}`).join('; '));
  });
});
