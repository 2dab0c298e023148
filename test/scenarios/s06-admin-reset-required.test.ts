// S6 Lost phone, policy required: an admin resets the user's MFA from the user's page; the policy
// stays `required` the whole time; the user signs in with the password and is enrolled (S3). No
// four-step workaround (policy off, reset, policy on) and no delete-and-recreate.
import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover } from '../../bench/support/rp.ts';
import { enrol, isEnrolmentPage } from '../helpers/mfa.ts';
import { startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { assertRedirect, auditWhere, postUserAction, signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { findWorkspaceById } from '../../src/db/workspaces.ts';
import { ACR_MFA } from '../../src/mfa/assurance.ts';

describe('S6 lost phone, policy required: reset from the user page, then enrolment at the next sign-in', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  let workspace: { id: string; slug: string };
  let admin: AdminSession;
  let member: TestUser;
  const policy = async () => (await findWorkspaceById(tobira.db, workspace.id))!.mfa_policy;
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspace = await makeWorkspace(tobira, 'required');
    admin = await signedInAdmin(tobira, clock, workspace.slug);
    member = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const { start, page } = await startSignIn(config, browser, member);
    const enrolled = await enrol(browser, page, { label: 'Lost phone', at: clock.now() });
    await tokensAt(config, start, enrolled.after);
    clock.advance(30);
  });
  after(async () => tobira?.close());

  it('the admin resets from the user page; the policy stays required; the user enrols and gets MFA claims', async () => {
    assert.equal(await policy(), 'required');
    const page = await admin.browser.open(`/admin/users/${member.user.id}`);
    assert.match(page.html, /<td>Lost phone<\/td>/);
    assert.match(page.html, /The workspace policy does not change/);
    assertRedirect(await postUserAction(admin, member.user.id, 'reset-mfa', { confirm: 'yes' }), /\?done=reset$/);
    assert.equal(await policy(), 'required', 'the reset does not touch the policy');

    const browser = new Browser(tobira.issuer);
    const { start, page: next, askedForPassword } = await startSignIn(config, browser, member);
    assert.ok(askedForPassword, 'password first');
    assert.ok(isEnrolmentPage(next), `then enrolment, got ${next.status} ${next.url}`);
    assert.equal(await policy(), 'required');
    const enrolled = await enrol(browser, next, { label: 'New phone', at: clock.now() });
    assert.equal(enrolled.recoveryCodes.length, 10, 'a fresh set of recovery codes');
    const { claims } = await tokensAt(config, start, enrolled.after);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
    assert.equal(await policy(), 'required');

    const labels = (await tobira.db('authenticators').where({ user_id: member.user.id })).map((a: { label: string }) => a.label);
    assert.deepEqual(labels, ['New phone']);
    assert.equal((await auditWhere(tobira, { action: 'mfa.reset', target_id: member.user.id, outcome: 'success' })).length, 1);
    const policyEvents = await tobira.db('audit_events').where({ workspace_id: workspace.id }).where('action', 'like', '%policy%');
    assert.deepEqual(policyEvents, [], 'no policy change was needed');
    assert.equal((await tobira.db('users').where({ email: member.email })).length, 1, 'same account, not recreated');
  });
});
