// Workspace settings (Admin pages): a workspace admin changes the MFA policy; tightening shows how
// many users will be asked to enrol and changes nothing until confirmed; every POST needs the
// session's CSRF token; a user admin is refused (403, audited); authenticators are never removed.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';
import { alertText, type Browser, decodeHtml, type Page } from '../../bench/support/browser.ts';
import { consoleSignIn, csrfOn } from '../helpers/console.ts';

describe('admin: workspace settings and the MFA policy', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let workspace: { id: string; slug: string };
  let admin: TestUser;
  let userAdmin: TestUser;
  let browser: Browser;
  let csrf: string;

  const policyNow = async () => (await tobira.db('workspaces').where({ id: workspace.id }).first()).mfa_policy as string;
  const authenticatorCount = async () => Number((await tobira.db('authenticators').count({ n: '*' }).first())?.n);
  const post = (body: Record<string, string>, who = browser) =>
    who.request(`${tobira.issuer}/admin/workspace/policy`, { method: 'POST', body: new URLSearchParams(body) });
  const policyEvents = () => tobira.db('audit_events').where({ workspace_id: workspace.id, action: 'workspace.policy_change' }).orderBy('id');

  before(async () => {
    tobira = await startTobira({}, { clock });
    workspace = await makeWorkspace(tobira, 'optional');
    admin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'workspace_admin', name: 'Wanda Admin' });
    userAdmin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'user_admin' });
    await makeUser(tobira, { workspaceSlug: workspace.slug });
    await makeUser(tobira, { workspaceSlug: workspace.slug });
    const enrolled = await makeUser(tobira, { workspaceSlug: workspace.slug });
    await tobira.db('authenticators').insert({ user_id: enrolled.user.id, label: 'Phone', secret_encrypted: 'not-a-real-secret' });
    const disabled = await makeUser(tobira, { workspaceSlug: workspace.slug });
    await tobira.db('users').where({ id: disabled.user.id }).update({ status: 'disabled' });
    // Noise in another workspace: must never be counted.
    const other = await makeWorkspace(tobira, 'optional');
    await makeUser(tobira, { workspaceSlug: other.slug });

    const login = await consoleSignIn(tobira, admin, '/admin/workspace', { at: clock.now() });
    browser = login.browser;
    assert.equal(login.page.status, 200);
    csrf = csrfOn(login.page);
  });
  after(async () => tobira?.close());

  it('shows the name and the three policies with an explanation each, the current one checked', async () => {
    const page = await browser.open(`${tobira.issuer}/admin/workspace`);
    assert.equal(page.status, 200);
    assert.match(page.html, new RegExp(`Workspace ${workspace.slug}`));
    for (const policy of ['optional', 'required_for_admins', 'required']) {
      assert.match(page.html, new RegExp(`type="radio" id="policy-${policy}" name="policy" value="${policy}"`));
      assert.match(page.html, new RegExp(`id="policy-${policy}-help">[^<]{20,}<`));
    }
    assert.match(page.html, /value="optional" aria-describedby="policy-optional-help" checked>/);
    assert.match(decodeHtml(page.html), /never removes anyone's authenticator apps/);
    assert.match(page.html, /aria-current="page">Workspace settings</);
  });

  it('tightening shows how many users will be asked to enrol, and saves nothing before confirming', async () => {
    // Active users without an authenticator: the user admin and two members (the admin enrolled
    // on the way in; one member has an authenticator; the disabled user does not count).
    const confirm = await post({ csrf, policy: 'required' });
    assert.equal(confirm.status, 200);
    assert.match(confirm.html, /data-count="3"/);
    assert.match(decodeHtml(confirm.html), /3 users will be asked to set up two-step verification at their next sign-in/);
    assert.match(decodeHtml(confirm.html), /from “Optional” to “Required for everyone”/);
    assert.equal(await policyNow(), 'optional');
    assert.equal((await policyEvents()).length, 0);

    const forAdmins = await post({ csrf, policy: 'required_for_admins' });
    assert.match(forAdmins.html, /data-count="1"/);
    assert.match(forAdmins.html, /1 user will be asked/);
    assert.equal(await policyNow(), 'optional');
  });

  it('applies the policy after confirmation, keeps every authenticator, and audits from/to/users_to_enrol', async () => {
    const before = await authenticatorCount();
    const saved = await post({ csrf, policy: 'required', confirm: 'yes' });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get('location'), '/admin/workspace?saved=1');
    assert.equal(await policyNow(), 'required');
    assert.equal(await authenticatorCount(), before);

    const page = await browser.open(`${tobira.issuer}/admin/workspace?saved=1`);
    assert.match(decodeHtml(page.html), /policy is now “Required for everyone”/);
    assert.match(page.html, /value="required" aria-describedby="policy-required-help" checked>/);
    assert.match(page.html, /3 users have not set up two-step verification yet/);

    const [event] = await policyEvents();
    assert.equal(event.outcome, 'success');
    assert.equal(event.actor_type, 'user');
    assert.equal(event.actor_id, admin.user.id);
    assert.equal(event.actor_label, admin.email);
    assert.equal(event.target_type, 'workspace');
    assert.equal(event.target_id, workspace.id);
    assert.deepEqual(event.details, { from: 'optional', to: 'required', users_to_enrol: 3 });
    assert.ok(event.ip);
  });

  it('loosens without a confirmation step; the same policy again changes nothing', async () => {
    const loosened = await post({ csrf, policy: 'required_for_admins' });
    assert.equal(loosened.status, 303);
    assert.equal(await policyNow(), 'required_for_admins');
    const same = await post({ csrf, policy: 'required_for_admins' });
    assert.equal(same.headers.get('location'), '/admin/workspace?unchanged=1');
    assert.equal((await policyEvents()).length, 2);
  });

  it('refuses an unknown policy with a message', async () => {
    const bad = await post({ csrf, policy: 'sometimes', confirm: 'yes' });
    assert.equal(bad.status, 400);
    assert.match(alertText(bad.html) ?? '', /Choose one of the three policies/);
    assert.equal(await policyNow(), 'required_for_admins');
  });

  it('a missing or wrong CSRF token is a 403 and nothing changes', async () => {
    const bodies: Record<string, string>[] = [
      { policy: 'optional' },
      { csrf: 'x'.repeat(csrf.length), policy: 'optional' },
      { csrf: '', policy: 'required', confirm: 'yes' },
    ];
    for (const body of bodies) {
      const refused: Page = await post(body);
      assert.equal(refused.status, 403, JSON.stringify(body));
      assert.match(alertText(refused.html) ?? '', /form has expired/);
    }
    assert.equal(await policyNow(), 'required_for_admins');
    assert.equal((await policyEvents()).length, 2);
  });

  it('a user admin gets a 403 page for the settings and for a change, and both refusals are audited', async () => {
    clock.advance(30);
    const login = await consoleSignIn(tobira, userAdmin, '/admin/audit', { at: clock.now() });
    assert.equal(login.page.status, 200, 'the audit log opens for a user admin');
    assert.doesNotMatch(login.page.html, /href="\/admin\/workspace"/, 'no settings link in the navigation');
    const page = await login.browser.open(`${tobira.issuer}/admin/workspace`);
    assert.equal(page.status, 403);
    assert.match(alertText(page.html) ?? '', /Only workspace admins/);
    const change = await post({ csrf: csrfOn(login.page), policy: 'optional', confirm: 'yes' }, login.browser);
    assert.equal(change.status, 403);
    assert.equal(await policyNow(), 'required_for_admins');
    const refused = await tobira.db('audit_events').where({ actor_id: userAdmin.user.id, outcome: 'refused' }).orderBy('id');
    assert.deepEqual(
      refused.map((e: { action: string }) => e.action),
      ['workspace.settings', 'workspace.policy_change'],
    );
    assert.equal(refused[0].workspace_id, workspace.id);
    assert.equal(refused[1].details.reason, 'not_workspace_admin');
  });

  it('speaks Japanese', async () => {
    const ja = await browser.request(`${tobira.issuer}/admin/workspace`, { headers: { 'accept-language': 'ja' } });
    assert.equal(ja.status, 200);
    assert.match(ja.html, /多要素認証のポリシー/);
    assert.match(ja.html, /管理者のみ必須/);
    const confirm = await browser.request(`${tobira.issuer}/admin/workspace/policy`, {
      method: 'POST',
      body: new URLSearchParams({ csrf, policy: 'required' }),
      headers: { 'accept-language': 'ja' },
    });
    // The user admin enrolled on the way in above: two members are left.
    assert.match(confirm.html, /2 人のユーザーが、次回のサインイン時に多要素認証の設定を求められます。/);
  });
});
