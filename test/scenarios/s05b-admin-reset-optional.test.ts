// S5(b) Lost phone, policy optional: an admin resets the user's MFA from the user's page and the
// user signs in with the password alone (amr ["pwd"]).
import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';
import { Browser, alertText } from '../../bench/support/browser.ts';
import { discover } from '../../bench/support/rp.ts';
import { enrolThroughSignIn, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { assertRedirect, auditWhere, postUserAction, signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { ACR_PASSWORD } from '../../src/mfa/assurance.ts';

describe('S5(b) lost phone, policy optional: an admin resets MFA, the user signs in with the password', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  let workspace: { id: string; slug: string };
  let admin: AdminSession;
  let member: TestUser;
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspace = await makeWorkspace(tobira, 'optional');
    admin = await signedInAdmin(tobira, clock, workspace.slug, 'user_admin');
    member = await makeUser(tobira, { workspaceSlug: workspace.slug, name: 'Lost Phone' });
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
    await enrolThroughSignIn(config, clock, member, 'Lost phone');
    clock.advance(30);
  });
  after(async () => tobira?.close());

  it('the user page shows the authenticator and the codes left; reset needs the confirmation box', async () => {
    const page = await admin.browser.open(`/admin/users/${member.user.id}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /<td>Lost phone<\/td>/);
    assert.match(page.html, /Recovery codes left: 10/);
    assert.match(page.html, /<table class="table" id="sessions">/, "the sign-in's SSO session is listed");
    const unconfirmed = await postUserAction(admin, member.user.id, 'reset-mfa');
    assert.equal(unconfirmed.status, 400);
    assert.equal(alertText(unconfirmed.html), 'Tick the confirmation box to reset two-step verification.');
    assert.equal((await tobira.db('authenticators').where({ user_id: member.user.id })).length, 1, 'nothing changed');
  });

  it('after the reset the user signs in with the password alone: amr ["pwd"]', async () => {
    const reset = await postUserAction(admin, member.user.id, 'reset-mfa', { confirm: 'yes' });
    assertRedirect(reset, new RegExp(`^/admin/users/${member.user.id}\\?done=reset$`));
    const page = await admin.browser.open(reset.headers.get('location')!);
    assert.match(page.html, /Two-step verification was reset, and the user was signed out everywhere\./);
    assert.match(page.html, /No authenticator app is set up\./);
    assert.match(page.html, /Recovery codes left: 0/);
    assert.match(page.html, /No active sessions\./);

    const { start, page: back, askedForPassword } = await startSignIn(config, new Browser(tobira.issuer), member);
    assert.ok(askedForPassword);
    const { claims } = await tokensAt(config, start, back);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.acr, ACR_PASSWORD);

    const [row] = await auditWhere(tobira, { action: 'mfa.reset', target_id: member.user.id });
    assert.equal(row!.outcome, 'success');
    assert.equal(row!.actor_type, 'user');
    assert.equal(row!.actor_id, admin.user.user.id);
    assert.equal(row!.actor_label, admin.user.email);
    assert.equal(row!.workspace_id, workspace.id);
    assert.equal(row!.target_type, 'user');
    assert.ok(row!.ip && row!.user_agent !== undefined);
    assert.deepEqual(row!.details, { email: member.email, authenticators: 1, passkeys: 0, recoveryCodes: 10 });
  });
});
