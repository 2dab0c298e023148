// S15 Reset revokes: an admin's MFA reset — and disabling or deleting the user — ends the user's
// sessions and revokes their grants and refresh tokens. The RP's next refresh fails with
// invalid_grant and a silent sign-in (prompt=none) finds no session.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, CALLBACK } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { authorizationUrl, discover, signIn } from '../../bench/support/rp.ts';
import { assertRedirect, auditWhere, postUserAction, signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { findUserById } from '../../src/db/users.ts';

describe("S15 an admin's reset, disable and delete end the user's sessions and tokens", function () {
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

  /** A member signed in at the RP, holding a refresh token, whose browser keeps the SSO session. */
  async function signedInMember() {
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const browser = new Browser(tobira.issuer);
    const { tokens } = await signIn(config, browser, user);
    assert.ok(tokens.refresh_token);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const page = await admin.browser.open(`/admin/users/${user.user.id}`);
    assert.match(page.html, /<table class="table" id="sessions">/, 'the admin sees the live session');
    return { user, browser, refreshToken: refreshed.refresh_token! };
  }

  async function assertRevoked(member: Awaited<ReturnType<typeof signedInMember>>) {
    await assert.rejects(oidc.refreshTokenGrant(config, member.refreshToken), (err: oidc.ResponseBodyError) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
    const silent = await authorizationUrl(config, { prompt: 'none' });
    const answer = await member.browser.open(silent.url.href);
    assert.ok(answer.url.startsWith(CALLBACK), `prompt=none answers at the RP, got ${answer.url}`);
    assert.equal(new URL(answer.url).searchParams.get('error'), 'login_required');
    assert.equal(await tobira.db('oidc_models').where({ account_id: member.user.user.id }).first(), undefined, 'no grant, token or session is left');
  }

  it('after an MFA reset', async () => {
    const member = await signedInMember();
    assertRedirect(await postUserAction(admin, member.user.user.id, 'reset-mfa', { confirm: 'yes' }), /\?done=reset$/);
    await assertRevoked(member);
  });

  it('after disabling; the disabled user cannot sign in until enabled again', async () => {
    const member = await signedInMember();
    assertRedirect(await postUserAction(admin, member.user.user.id, 'disable', { confirm: 'yes' }), /\?done=disabled$/);
    await assertRevoked(member);
    await assert.rejects(signIn(config, new Browser(tobira.issuer), member.user));
    assertRedirect(await postUserAction(admin, member.user.user.id, 'enable'), /\?done=enabled$/);
    const { tokens } = await signIn(config, new Browser(tobira.issuer), member.user);
    assert.deepEqual(tokens.claims()!.amr, ['pwd']);
    const actions = (await auditWhere(tobira, { target_id: member.user.user.id, actor_id: admin.user.user.id })).map((r) => `${r.action}:${r.outcome}`);
    assert.deepEqual(
      actions.filter((a) => a.startsWith('user.')),
      ['user.disable:success', 'user.enable:success'],
    );
  });

  it('after deleting; the audit row keeps who it was', async () => {
    const member = await signedInMember();
    const page = await admin.browser.open(`/admin/users/${member.user.user.id}`);
    assert.match(page.html, /\/delete"/);
    assertRedirect(await postUserAction(admin, member.user.user.id, 'delete', { confirm: 'yes' }), /^\/admin\/users\?done=deleted$/);
    await assertRevoked(member);
    assert.equal(await findUserById(tobira.db, member.user.user.id), undefined);
    assert.match((await admin.browser.open('/admin/users?done=deleted')).html, /The user was deleted\./);
    const [row] = await auditWhere(tobira, { action: 'user.delete', target_id: member.user.user.id });
    assert.equal(row!.outcome, 'success');
    assert.equal(row!.details.email, member.user.email);
    assert.equal(row!.workspace_id, workspace.id);
  });
});
