// S12 Guards: a user admin cannot reset, demote, disable, unlock or delete a workspace admin; only
// workspace admins change roles; nobody resets their own MFA (they use /account) or disables,
// deletes or re-roles themselves; the last workspace admin cannot be demoted; a user of workspace
// A is invisible to the admins of workspace B; a form without the CSRF token changes nothing.
// Each refusal is a 403 and an audit row with the reason.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';
import { alertText } from '../../bench/support/browser.ts';
import { adminCsrf, auditWhere, postRaw, postUserAction, signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { changeRole, Refused } from '../../src/directory/user-admin.ts';
import { findUserById } from '../../src/db/users.ts';

describe('S12 admin guards', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let workspace: { id: string; slug: string };
  let wsAdmin: AdminSession;
  let otherWsAdmin: AdminSession;
  let userAdmin: AdminSession;
  let member: TestUser;
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspace = await makeWorkspace(tobira, 'optional');
    wsAdmin = await signedInAdmin(tobira, clock, workspace.slug, 'workspace_admin');
    otherWsAdmin = await signedInAdmin(tobira, clock, workspace.slug, 'workspace_admin');
    userAdmin = await signedInAdmin(tobira, clock, workspace.slug, 'user_admin');
    member = await makeUser(tobira, { workspaceSlug: workspace.slug });
  });
  after(async () => tobira?.close());

  const authenticatorCount = async (userId: string) => (await tobira.db('authenticators').where({ user_id: userId })).length;
  async function lastRefusal(actor: AdminSession, action: string) {
    const rows = await auditWhere(tobira, { actor_id: actor.user.user.id, action, outcome: 'refused' });
    assert.ok(rows.length > 0, `a refused ${action} is audited`);
    return rows.at(-1)!;
  }

  it('a user admin cannot reset, unlock, demote, disable, enable or delete a workspace admin', async () => {
    const target = wsAdmin.user.user;
    const page = await userAdmin.browser.open(`/admin/users/${target.id}`);
    assert.equal(page.status, 200, 'a user admin may look');
    assert.match(page.html, /Only a workspace admin can change a workspace admin\./);
    assert.ok(!page.html.includes('/reset-mfa"') && !page.html.includes('/delete"'), 'and is offered no action');
    const cases: [string, string, Record<string, string>, string][] = [
      ['reset-mfa', 'mfa.reset', { confirm: 'yes' }, 'workspace_admin_target'],
      ['clear-lock', 'lock.clear', {}, 'workspace_admin_target'],
      ['role', 'user.role_change', { role: 'member' }, 'role_needs_workspace_admin'],
      ['disable', 'user.disable', {}, 'workspace_admin_target'],
      ['enable', 'user.enable', {}, 'workspace_admin_target'],
      ['delete', 'user.delete', { confirm: 'yes' }, 'workspace_admin_target'],
    ];
    for (const [path, action, fields, reason] of cases) {
      const refused = await postUserAction(userAdmin, target.id, path, fields);
      assert.equal(refused.status, 403, path);
      const row = await lastRefusal(userAdmin, action);
      assert.equal(row.details.reason, reason, path);
      assert.equal(row.target_id, target.id);
      assert.equal(row.workspace_id, workspace.id);
      assert.equal(row.actor_label, userAdmin.user.email);
    }
    assert.equal(
      alertText((await postUserAction(userAdmin, target.id, 'delete', { confirm: 'yes' })).html),
      'Only a workspace admin can change a workspace admin.',
    );
    const after = (await findUserById(tobira.db, target.id))!;
    assert.equal(after.role, 'workspace_admin');
    assert.equal(after.status, 'active');
    assert.equal(await authenticatorCount(target.id), 1);
  });

  it('only workspace admins change roles or create workspace admins; a user admin still manages members', async () => {
    const refused = await postUserAction(userAdmin, member.user.id, 'role', { role: 'user_admin' });
    assert.equal(refused.status, 403);
    assert.equal(alertText(refused.html), 'Only a workspace admin can change roles.');
    assert.equal((await findUserById(tobira.db, member.user.id))!.role, 'member');

    const form = await userAdmin.browser.open('/admin/users/new');
    assert.ok(!form.html.includes('value="workspace_admin"'), 'the role is not offered');
    const created = await postRaw(userAdmin, '/admin/users', {
      csrf: await adminCsrf(userAdmin),
      email: 'boss@example.test',
      role: 'workspace_admin',
      method: 'link',
    });
    assert.equal(created.status, 403);
    assert.equal((await lastRefusal(userAdmin, 'user.create')).details.reason, 'create_workspace_admin');
    assert.equal(await tobira.db('users').where({ email: 'boss@example.test' }).first(), undefined);

    const disabled = await postUserAction(userAdmin, member.user.id, 'disable', { confirm: 'yes' });
    assert.equal(disabled.status, 303, 'a user admin disables a member');
    assert.equal((await postUserAction(userAdmin, member.user.id, 'enable')).status, 303);
    assert.equal((await findUserById(tobira.db, member.user.id))!.status, 'active');
  });

  it('nobody resets their own MFA here (they use /account), nor re-roles, disables or deletes themselves', async () => {
    for (const actor of [wsAdmin, userAdmin]) {
      const me = actor.user.user.id;
      const page = await actor.browser.open(`/admin/users/${me}`);
      assert.ok(page.html.includes('href="/account"'), 'the own page points to /account');
      assert.ok(!page.html.includes('/reset-mfa"'));
      const reset = await postUserAction(actor, me, 'reset-mfa', { confirm: 'yes' });
      assert.equal(reset.status, 403);
      assert.match(alertText(reset.html)!, /\/account/);
      assert.equal((await lastRefusal(actor, 'mfa.reset')).details.reason, 'own_mfa');
      for (const [path, action] of [
        ['disable', 'user.disable'],
        ['delete', 'user.delete'],
      ]) {
        assert.equal((await postUserAction(actor, me, path!, { confirm: 'yes' })).status, 403);
        assert.equal((await lastRefusal(actor, action!)).details.reason, 'self');
      }
      assert.equal(await authenticatorCount(me), 1);
      assert.equal((await findUserById(tobira.db, me))!.status, 'active');
    }
    assert.equal((await postUserAction(wsAdmin, wsAdmin.user.user.id, 'role', { role: 'member' })).status, 403);
    assert.equal((await lastRefusal(wsAdmin, 'user.role_change')).details.reason, 'self');
  });

  it('the last workspace admin cannot be demoted: two admins demoting each other at once, one wins', async () => {
    const ws = await makeWorkspace(tobira);
    const a = await signedInAdmin(tobira, clock, ws.slug);
    const b = await signedInAdmin(tobira, clock, ws.slug);
    const [csrfA, csrfB] = [await adminCsrf(a), await adminCsrf(b)];
    const results = await Promise.all([
      postRaw(a, `/admin/users/${b.user.user.id}/role`, { csrf: csrfA, role: 'member' }),
      postRaw(b, `/admin/users/${a.user.user.id}/role`, { csrf: csrfB, role: 'member' }),
    ]);
    // The loser is refused either by the rule (403, when both changes overlap) or, when the
    // winner committed first, because it is no longer an admin at all (401 from the console).
    assert.equal(results.filter((r) => r.status === 303).length, 1);
    const loser = results.find((r) => r.status !== 303)!;
    assert.ok([401, 403].includes(loser.status), `loser got ${loser.status}`);
    if (loser.status === 403) assert.equal(alertText(loser.html), 'This is the last active workspace admin. Make another user a workspace admin first.');
    const admins = await tobira.db('users').where({ workspace_id: ws.id, role: 'workspace_admin', status: 'active' });
    assert.equal(admins.length, 1);
    // And in the service itself, whoever calls it.
    const last = (await findUserById(tobira.db, admins[0].id))!;
    await assert.rejects(changeRole(tobira.db, last, 'member', clock.now()), (err) => err instanceof Refused && err.reason === 'last_workspace_admin');
  });

  it('a user of workspace A is invisible to the admins of workspace B: the same 403 as a user that does not exist', async () => {
    const wsB = await makeWorkspace(tobira);
    const adminB = await signedInAdmin(tobira, clock, wsB.slug);
    const victim = member.user.id;
    const foreign = await adminB.browser.open(`/admin/users/${victim}`);
    const missing = await adminB.browser.open('/admin/users/00000000-0000-4000-8000-000000000000');
    const nonsense = await adminB.browser.open('/admin/users/not-a-uuid');
    for (const page of [foreign, missing, nonsense]) {
      assert.equal(page.status, 403);
      assert.equal(alertText(page.html), 'This user does not exist in your workspace.');
      assert.ok(!page.html.includes(member.email));
    }
    for (const path of ['reset-mfa', 'clear-lock', 'role', 'disable', 'enable', 'delete']) {
      const refused = await postUserAction(adminB, victim, path, { confirm: 'yes', role: 'workspace_admin' });
      assert.equal(refused.status, 403, path);
    }
    const after = (await findUserById(tobira.db, victim))!;
    assert.equal(after.status, 'active');
    assert.equal(after.role, 'member');
    const rows = await auditWhere(tobira, { actor_id: adminB.user.user.id, outcome: 'refused' });
    // 3 pages opened above, then for each of the 6 forms the user page and the post.
    assert.equal(rows.length, 15);
    assert.equal(rows.filter((r) => r.action === 'user.view').length, 9);
    for (const row of rows) {
      assert.equal(row.details.reason, 'not_in_workspace');
      assert.equal(row.target_id, null, "workspace B's log does not name A's user as a target");
      assert.equal(row.workspace_id, wsB.id);
    }
    const list = await adminB.browser.open(`/admin/users?q=${encodeURIComponent(member.email)}`);
    assert.match(list.html, /No users match\./);
  });

  it('a missing or wrong CSRF token is a 403 and changes nothing', async () => {
    const target = await makeUser(tobira, { workspaceSlug: workspace.slug });
    for (const csrf of [undefined, 'wrong', `${await adminCsrf(otherWsAdmin)}`]) {
      for (const [path, action] of [
        ['disable', 'user.disable'],
        ['delete', 'user.delete'],
        ['role', 'user.role_change'],
      ] as const) {
        const fields: Record<string, string> = { confirm: 'yes', role: 'workspace_admin', ...(csrf ? { csrf } : {}) };
        const page = await postRaw(wsAdmin, `/admin/users/${target.user.id}/${path}`, fields);
        assert.equal(page.status, 403, `${path} with csrf ${csrf}`);
        assert.equal(alertText(page.html), 'This form has expired. Reload the page and try again.');
        assert.equal((await lastRefusal(wsAdmin, action)).details.reason, 'csrf');
      }
    }
    const created = await postRaw(wsAdmin, '/admin/users', { email: 'nocsrf@example.test', role: 'member', method: 'link' });
    assert.equal(created.status, 403);
    assert.equal(await tobira.db('users').where({ email: 'nocsrf@example.test' }).first(), undefined);
    const after = (await findUserById(tobira.db, target.user.id))!;
    assert.equal(after.status, 'active');
    assert.equal(after.role, 'member');
  });
});
