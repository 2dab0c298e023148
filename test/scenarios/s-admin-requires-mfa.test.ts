// Rule 6: an admin requires two-step verification of one user in an `optional` workspace. The
// user's sessions and refresh tokens end at once; the next sign-in asks for the password and then
// enrols the user (S3's path); the flag shows in the user list, keeps the user from turning MFA
// off at /account, and stays until an admin lifts it. The S12 guards apply: a user admin cannot
// act on a workspace admin, nobody acts on themselves, another workspace's users do not exist.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { findUserById } from '../../src/db/users.ts';
import { ACR_MFA, ACR_PASSWORD } from '../../src/mfa/assurance.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';
import { Browser, alertText } from '../../bench/support/browser.ts';
import { discover, signIn } from '../../bench/support/rp.ts';
import { enrol, isEnrolmentPage } from '../helpers/mfa.ts';
import { auditOf, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { openAccount, post } from '../helpers/account.ts';
import { csrfOn } from '../helpers/console.ts';
import { assertRedirect, auditWhere, postRaw, postUserAction, signedInAdmin, type AdminSession } from '../helpers/admin.ts';

describe('Rule 6: an admin requires two-step verification of one user', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  let workspace: { id: string; slug: string; display_name: string };
  let admin: AdminSession;
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspace = await makeWorkspace(tobira, 'optional');
    admin = await signedInAdmin(tobira, clock, workspace.slug);
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
  });
  after(async () => tobira?.close());

  const requiredAt = async (userId: string) => (await findUserById(tobira.db, userId))!.mfa_required_at;
  const listRow = async (who: AdminSession, user: TestUser): Promise<string> => {
    const list = await who.browser.open(`/admin/users?q=${encodeURIComponent(user.email)}`);
    const row = /<tbody>([\s\S]*?)<\/tbody>/.exec(list.html)?.[1];
    assert.ok(row?.includes(user.email), `${user.email} is listed`);
    return row!;
  };

  describe('in an optional workspace', () => {
    let member: TestUser;
    let totpSecret = '';

    it('ends the sessions at once; the next sign-in enrols after the password and ends with MFA claims', async () => {
      member = await makeUser(tobira, { workspaceSlug: workspace.slug, name: 'Payroll Clerk' });
      const browser = new Browser(tobira.issuer);
      const { tokens } = await signIn(config, browser, member);
      assert.deepEqual(tokens.claims()!.amr, ['pwd'], 'optional workspace, no authenticator: password only');
      assert.ok(tokens.refresh_token);
      assert.doesNotMatch(await listRow(admin, member), /data-mfa-required/);

      const page = await admin.browser.open(`/admin/users/${member.user.id}`);
      assert.match(page.html, /<h3>Require two-step verification at next sign-in<\/h3>/);
      const noReason = await postUserAction(admin, member.user.id, 'require-mfa', { reason: '   ' });
      assert.equal(noReason.status, 400);
      assert.equal(alertText(noReason.html), 'Enter a reason for requiring two-step verification; it is kept in the audit log.');
      assert.equal(await requiredAt(member.user.id), null, 'nothing changed');

      const required = await postUserAction(admin, member.user.id, 'require-mfa', { reason: 'Handles payroll exports' });
      assertRedirect(required, new RegExp(`^/admin/users/${member.user.id}\\?done=mfa_required$`));
      const after = await admin.browser.open(required.headers.get('location')!);
      assert.match(after.html, /Two-step verification is now required for this user, and the user was signed out everywhere\./);
      assert.match(after.html, /Required since \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      assert.match(after.html, /No active sessions\./);
      assert.match(await listRow(admin, member), /<span class="badge warn" data-mfa-required>MFA required by an admin<\/span>/);

      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (err: oidc.ResponseBodyError) => {
        assert.equal(err.error, 'invalid_grant');
        return true;
      });
      assert.equal(await tobira.db('oidc_models').where({ account_id: member.user.id }).first(), undefined, 'no session, grant or token is left');

      const [event] = await auditWhere(tobira, { action: 'mfa.require', target_id: member.user.id });
      assert.equal(event!.outcome, 'success');
      assert.equal(event!.actor_type, 'user');
      assert.equal(event!.actor_id, admin.user.user.id);
      assert.equal(event!.workspace_id, workspace.id);
      const { oidcArtefacts, ...details } = event!.details;
      assert.deepEqual(details, { email: member.email, reason: 'Handles payroll exports', alreadyRequired: false, consoleSessions: 0 });
      assert.ok(Number(oidcArtefacts) >= 3, 'the session, the grant and the refresh token at least');

      // The same browser: its SSO session is gone, so the password comes first, then enrolment.
      const { start, page: enrolPage, askedForPassword } = await startSignIn(config, browser, member);
      assert.ok(askedForPassword, 'the password is asked again');
      assert.ok(isEnrolmentPage(enrolPage), `expected enrolment, got ${enrolPage.status} ${enrolPage.url}`);
      assert.match(enrolPage.html, /An administrator requires two-step verification for your account\./);
      const enrolled = await enrol(browser, enrolPage, { label: 'Work phone', at: clock.now() });
      totpSecret = enrolled.secret;
      const { claims } = await tokensAt(config, start, enrolled.after);
      assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
      assert.equal(claims.acr, ACR_MFA);
      assert.deepEqual((await auditOf(tobira, member.user.id, 'sign_in')).at(-1)!.details.mfa_reasons, ['admin_required']);
      assert.notEqual(await requiredAt(member.user.id), null, 'the requirement stays after enrolment');
    });

    it('keeps the user from turning MFA off at /account until an admin lifts it', async () => {
      const { browser } = await openAccount(tobira, clock, member, totpSecret);
      const home = await browser.open(`${tobira.issuer}/account`);
      assert.match(home.html, new RegExp(`An administrator of ${workspace.display_name} requires two-step verification for you\\.`));
      const refusedPage = await browser.open(`${tobira.issuer}/account/mfa/off`);
      assert.equal(refusedPage.status, 403);
      assert.match(refusedPage.html, /Two-step verification cannot be turned off/);
      const refusedPost = await post(browser, tobira.issuer, '/account/mfa/off', { csrf: csrfOn(home), code: '000000' });
      assert.equal(refusedPost.status, 403);
      assert.equal((await auditOf(tobira, member.user.id, 'mfa.disable')).at(-1)!.outcome, 'refused');
      assert.equal((await tobira.db('authenticators').where({ user_id: member.user.id })).length, 1);

      const lifted = await postUserAction(admin, member.user.id, 'lift-mfa-requirement');
      assertRedirect(lifted, new RegExp(`^/admin/users/${member.user.id}\\?done=mfa_lifted$`));
      assert.match((await admin.browser.open(lifted.headers.get('location')!)).html, /The requirement was lifted\./);
      assert.equal(await requiredAt(member.user.id), null);
      assert.doesNotMatch(await listRow(admin, member), /data-mfa-required/);
      const [event] = await auditWhere(tobira, { action: 'mfa.require_lift', target_id: member.user.id });
      assert.equal(event!.actor_id, admin.user.user.id);
      assert.deepEqual(event!.details, { email: member.email, wasRequired: true });

      // Lifting ends nothing: the same /account session may now turn MFA off.
      const offPage = await browser.open(`${tobira.issuer}/account/mfa/off`);
      assert.equal(offPage.status, 200);
    });

    it('lifted before the user signed in again: a user without an authenticator signs in with the password alone', async () => {
      const other = await makeUser(tobira, { workspaceSlug: workspace.slug });
      assertRedirect(await postUserAction(admin, other.user.id, 'require-mfa', { reason: 'Suspicious sign-ins' }), /\?done=mfa_required$/);
      assertRedirect(await postUserAction(admin, other.user.id, 'lift-mfa-requirement'), /\?done=mfa_lifted$/);
      const { tokens } = await signIn(config, new Browser(tobira.issuer), other);
      assert.deepEqual(tokens.claims()!.amr, ['pwd']);
      assert.equal(tokens.claims()!.acr, ACR_PASSWORD);
    });
  });

  describe('S12 guards', () => {
    let userAdmin: AdminSession;
    before(async () => {
      userAdmin = await signedInAdmin(tobira, clock, workspace.slug, 'user_admin');
    });

    async function lastRefusal(actor: AdminSession, action: string) {
      const rows = await auditWhere(tobira, { actor_id: actor.user.user.id, action, outcome: 'refused' });
      assert.ok(rows.length > 0, `a refused ${action} is audited`);
      return rows.at(-1)!;
    }

    it('a user admin requires MFA of a member, but cannot require or lift it for a workspace admin', async () => {
      const member = await makeUser(tobira, { workspaceSlug: workspace.slug });
      assertRedirect(await postUserAction(userAdmin, member.user.id, 'require-mfa', { reason: 'New in finance' }), /\?done=mfa_required$/);

      const target = admin.user.user;
      const page = await userAdmin.browser.open(`/admin/users/${target.id}`);
      assert.ok(!page.html.includes('/require-mfa"'), 'the form is not offered');
      for (const [path, action] of [
        ['require-mfa', 'mfa.require'],
        ['lift-mfa-requirement', 'mfa.require_lift'],
      ] as const) {
        const refused = await postUserAction(userAdmin, target.id, path, { reason: 'escalation attempt' });
        assert.equal(refused.status, 403, path);
        assert.equal(alertText(refused.html), 'Only a workspace admin can change a workspace admin.');
        const row = await lastRefusal(userAdmin, action);
        assert.equal(row.details.reason, 'workspace_admin_target');
        assert.equal(row.target_id, target.id);
        assert.equal(row.workspace_id, workspace.id);
      }
      assert.equal(await requiredAt(target.id), null);
    });

    it('nobody requires or lifts their own requirement here', async () => {
      // A workspace admin another admin required MFA of cannot lift it themselves.
      const flagged = await signedInAdmin(tobira, clock, workspace.slug, 'workspace_admin');
      await tobira.db('users').where({ id: flagged.user.user.id }).update({ mfa_required_at: clock.now() });
      for (const actor of [userAdmin, flagged]) {
        const me = actor.user.user.id;
        const page = await actor.browser.open(`/admin/users/${me}`);
        assert.ok(!page.html.includes('/require-mfa"') && !page.html.includes('/lift-mfa-requirement"'), 'no form on the own page');
        for (const [path, action] of [
          ['require-mfa', 'mfa.require'],
          ['lift-mfa-requirement', 'mfa.require_lift'],
        ] as const) {
          const refused = await postUserAction(actor, me, path, { reason: 'myself' });
          assert.equal(refused.status, 403, path);
          assert.match(alertText(refused.html)!, /\/account/);
          assert.equal((await lastRefusal(actor, action)).details.reason, 'own_mfa');
        }
      }
      assert.equal(await requiredAt(userAdmin.user.user.id), null);
      assert.notEqual(await requiredAt(flagged.user.user.id), null, 'still required');
    });

    it("another workspace's admin gets the same 403 as for a user that does not exist; a form without CSRF changes nothing", async () => {
      const victim = await makeUser(tobira, { workspaceSlug: workspace.slug });
      const adminB = await signedInAdmin(tobira, clock, (await makeWorkspace(tobira)).slug);
      for (const path of ['require-mfa', 'lift-mfa-requirement']) {
        const refused = await postUserAction(adminB, victim.user.id, path, { reason: 'not mine' });
        assert.equal(refused.status, 403, path);
        assert.equal(alertText(refused.html), 'This user does not exist in your workspace.');
      }
      const rows = (await auditWhere(tobira, { actor_id: adminB.user.user.id, outcome: 'refused' })).filter((r) => r.action.startsWith('mfa.require'));
      assert.deepEqual(
        rows.map((r) => [r.action, r.details.reason, r.target_id]),
        [
          ['mfa.require', 'not_in_workspace', null],
          ['mfa.require_lift', 'not_in_workspace', null],
        ],
      );

      const noCsrf = await postRaw(admin, `/admin/users/${victim.user.id}/require-mfa`, { reason: 'forged' });
      assert.equal(noCsrf.status, 403);
      assert.equal((await lastRefusal(admin, 'mfa.require')).details.reason, 'csrf');
      assert.equal(await requiredAt(victim.user.id), null);
    });
  });
});
