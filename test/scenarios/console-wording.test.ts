// What admins found in a real browser (issue 13): "Disable user" acted without confirmation, a
// user without a name was greeted as "さんの…", a user admin saw empty action headings on a
// workspace admin's page, and Tobira's own console was named in English inside Japanese sentences.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';
import { alertText, Browser, decodeHtml, type Page } from '../../bench/support/browser.ts';
import { auditWhere, postUserAction, signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { openAccount } from '../helpers/account.ts';
import { findUserById } from '../../src/db/users.ts';

describe('console wording and confirmations', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let workspace: { id: string; slug: string };
  let wsAdmin: AdminSession;
  let userAdmin: AdminSession;
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspace = await makeWorkspace(tobira, 'optional');
    wsAdmin = await signedInAdmin(tobira, clock, workspace.slug, 'workspace_admin');
    userAdmin = await signedInAdmin(tobira, clock, workspace.slug, 'user_admin');
  });
  after(async () => tobira?.close());

  const text = (html: string) => decodeHtml(html.replace(/<[^>]+>/g, '').trim());
  const headings = (page: Page, level: 'h1' | 'h2' | 'h3') =>
    [...page.html.matchAll(new RegExp(`<${level}[^>]*>([\\s\\S]*?)</${level}>`, 'g'))].map((m) => text(m[1]!));
  const lead = (page: Page) => text(/<p class="lead">([\s\S]*?)<\/p>/.exec(page.html)![1]!);

  it('disables a user only after the confirmation box is ticked', async () => {
    const member = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const page = await wsAdmin.browser.open(`/admin/users/${member.user.id}`);
    assert.match(
      page.html,
      /action="\/admin\/users\/[^"]+\/disable">[\s\S]*?<input type="checkbox" name="confirm" value="yes"> Sign this user out of every app now and stop them from signing in until an admin enables them again\./,
    );

    const unconfirmed = await postUserAction(wsAdmin, member.user.id, 'disable');
    assert.equal(unconfirmed.status, 400);
    assert.equal(alertText(unconfirmed.html), 'Tick the confirmation box to disable the user.');
    assert.equal((await findUserById(tobira.db, member.user.id))!.status, 'active');
    assert.deepEqual(await auditWhere(tobira, { action: 'user.disable', target_id: member.user.id }), [], 'nothing happened, so nothing is audited');

    const confirmed = await postUserAction(wsAdmin, member.user.id, 'disable', { confirm: 'yes' });
    assert.equal(confirmed.status, 303);
    assert.equal((await findUserById(tobira.db, member.user.id))!.status, 'disabled');
    const [event] = await auditWhere(tobira, { action: 'user.disable', target_id: member.user.id });
    assert.equal(event!.outcome, 'success');
  });

  it('greets and names a user without a name by their e-mail, in English and Japanese', async () => {
    const nameless: TestUser = await makeUser(tobira, { workspaceSlug: workspace.slug, name: '' });
    const { browser } = await openAccount(tobira, clock, nameless);
    const english = await browser.open(`${tobira.issuer}/account`);
    assert.equal(lead(english), `Manage how you sign in, ${nameless.email}.`);
    const japanese = await browser.open(`${tobira.issuer}/lang/ja?back=${encodeURIComponent('/account')}`);
    assert.equal(lead(japanese), `${nameless.email} さんのサインイン方法を管理します。`);
    assert.match(japanese.html, /<td class="apps">Tobira アカウント<\/td>/, 'the session lists the account page by its Japanese name');

    const adminPage = await wsAdmin.browser.open(`/admin/users/${nameless.user.id}`);
    assert.deepEqual(headings(adminPage, 'h1'), [nameless.email]);
    assert.match(adminPage.html, new RegExp(`<title>${nameless.email.replace(/\./g, '\\.')} · Tobira</title>`));
  });

  it("shows a user admin no empty action headings on a workspace admin's page, only why nothing can be done", async () => {
    const target = wsAdmin.user.user;
    const page = await userAdmin.browser.open(`/admin/users/${target.id}`);
    assert.equal(page.status, 200);
    assert.ok(headings(page, 'h2').includes('Actions'));
    assert.match(page.html, /<p class="notice">Only a workspace admin can change a workspace admin\.<\/p>/);
    assert.deepEqual(headings(page, 'h3'), ['Require two-step verification at next sign-in'], 'only the section that still says something');
    assert.match(page.html, /Not required for this user by an admin\./);

    // The workspace admin, on a member's page, still has every section.
    const member = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const full = await wsAdmin.browser.open(`/admin/users/${member.user.id}`);
    assert.deepEqual(headings(full, 'h3'), ['Reset two-step verification', 'Require two-step verification at next sign-in', 'Role', 'Disable or delete']);
  });

  it("names Tobira's own account page in Japanese on the Japanese sign-in page", async () => {
    const browser = new Browser(tobira.issuer, { 'accept-language': 'ja-JP,ja;q=0.9' });
    const japanese = await browser.open(`${tobira.issuer}/account`);
    assert.equal(lead(japanese), '「Tobira アカウント」を利用するにはサインインしてください。');
    const english = await new Browser(tobira.issuer, { 'accept-language': 'en' }).open(`${tobira.issuer}/account`);
    assert.equal(lead(english), 'Sign in to continue to Tobira account.');
  });
});
