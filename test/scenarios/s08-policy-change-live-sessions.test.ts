import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import type { Role } from '../../src/db/users.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, CALLBACK } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover, authorizationUrl, exchange, signIn } from '../../bench/support/rp.ts';
import { enrol, isEnrolmentPage, setPolicy } from '../helpers/mfa.ts';
import { auditRows } from '../helpers/scenario-b.ts';
import { ACR_MFA, ACR_PASSWORD } from '../../src/mfa/assurance.ts';

async function refusedWithInvalidGrant(config: oidc.Configuration, refreshToken: string, why: string): Promise<void> {
  await assert.rejects(
    oidc.refreshTokenGrant(config, refreshToken),
    (err: oidc.ResponseBodyError) => {
      assert.equal(err.error, 'invalid_grant', why);
      return true;
    },
    why,
  );
}

describe('S8 live sessions when the workspace policy tightens', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  /** A user of a fresh `optional` workspace, signed in with the password alone, with a refresh token. */
  async function passwordOnlySession(role: Role = 'member', workspace?: { id: string; slug: string }) {
    const ws = workspace ?? (await makeWorkspace(tobira, 'optional'));
    const user = await makeUser(tobira, { workspaceSlug: ws.slug, role });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const { tokens } = await signIn(config, browser, user);
    assert.deepEqual(tokens.claims()!.amr, ['pwd']);
    assert.equal(tokens.claims()!.acr, ACR_PASSWORD);
    assert.ok(tokens.refresh_token, 'the RP holds a refresh token from the password-only sign-in');
    return { workspace: ws, user, config, browser, refreshToken: tokens.refresh_token! };
  }

  it('after the switch to required, the same browser confirms the password, enrols, and the RP gets MFA claims', async () => {
    const { workspace, user, config, browser, refreshToken } = await passwordOnlySession();
    await setPolicy(tobira, workspace.id, 'required');

    const start = await authorizationUrl(config);
    const passwordPage = await browser.open(start.url.href);
    assert.ok(passwordPage.html.includes('name="password"'), 'binding a factor needs the password again, the session cookie is not enough');
    assert.ok(!isEnrolmentPage(passwordPage));
    const page = await browser.submit(passwordPage, { email: user.email, password: user.password });
    assert.ok(isEnrolmentPage(page), `a never-enrolled user is enrolled, got ${page.status} ${page.url}`);
    assert.match(page.html, /Your workspace requires two-step verification/);
    const { after } = await enrol(browser, page, { label: 'Pixel 9' });
    assert.ok(after.url.startsWith(CALLBACK));
    const tokens = await exchange(config, start, after.url);
    const claims = tokens.claims()!;
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
    assert.equal(claims.sub, user.user.id);

    assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 1);
    const signIns = (await auditRows(tobira, { target_id: user.user.id, action: 'sign_in' })).filter((r) => r.outcome === 'success');
    assert.equal(signIns.length, 2, 'the password sign-in, then the step-up');
    assert.deepEqual(signIns[1]!.details.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(signIns[1]!.details.step_up, false, 'the password was proven again');
    assert.deepEqual(signIns[1]!.details.mfa_reasons, ['workspace_policy']);

    // The refresh token from before the change still carries amr ["pwd"]: refused, even now that the user enrolled.
    await refusedWithInvalidGrant(config, refreshToken, 'the pre-change refresh token is refused after enrolment');
    // The refresh token of the MFA sign-in works and keeps the MFA claims.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.deepEqual(refreshed.claims()!.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(refreshed.claims()!.acr, ACR_MFA);
  });

  it('refuses the refresh token of a password-only sign-in as soon as the policy becomes required', async () => {
    const { workspace, config, refreshToken } = await passwordOnlySession();
    // Before the change the refresh token works (and rotates).
    const rotated = await oidc.refreshTokenGrant(config, refreshToken);
    assert.deepEqual(rotated.claims()!.amr, ['pwd']);
    await setPolicy(tobira, workspace.id, 'required');
    await refusedWithInvalidGrant(config, rotated.refresh_token!, 'no token with amr ["pwd"] after the change');
  });

  it('refuses to redeem a password-only authorization code after the change, so no ID token with amr ["pwd"] is issued', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const start = await authorizationUrl(config);
    const back = await browser.submit(await browser.open(start.url.href), { email: user.email, password: user.password });
    assert.ok(back.url.startsWith(CALLBACK), 'a password-only code is issued while the policy is optional');
    // The admin tightens the policy between the redirect and the RP's code exchange (codes live 60 s).
    await setPolicy(tobira, workspace.id, 'required');
    await assert.rejects(
      exchange(config, start, back.url),
      (err: oidc.ResponseBodyError) => {
        assert.equal(err.error, 'invalid_grant');
        return true;
      },
      'the token endpoint must not issue amr ["pwd"] after the change',
    );
  });

  it('answers prompt=none on a password-only session with login_required after the change, never a code', async () => {
    const { workspace, config, browser } = await passwordOnlySession();
    // Before the change a silent sign-in works.
    const silent = await authorizationUrl(config, { prompt: 'none' });
    const ok = await browser.open(silent.url.href);
    assert.ok(new URL(ok.url).searchParams.get('code'), 'silent sign-in works while the policy is optional');

    await setPolicy(tobira, workspace.id, 'required');
    const start = await authorizationUrl(config, { prompt: 'none' });
    const page = await browser.open(start.url.href);
    const back = new URL(page.url);
    assert.equal(back.origin + back.pathname, CALLBACK);
    assert.equal(back.searchParams.get('error'), 'login_required', `got ${back.search}`);
    assert.equal(back.searchParams.get('code'), null);
    assert.equal(back.searchParams.get('state'), start.state);
  });

  it('with required_for_admins, a member keeps signing in with the password while a user admin must enrol', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const member = await passwordOnlySession('member', workspace);
    const admin = await passwordOnlySession('user_admin', workspace);
    await setPolicy(tobira, workspace.id, 'required_for_admins');

    // The member: back at the RP at once, password-only, and the refresh token still works.
    const memberStart = await authorizationUrl(member.config);
    const memberBack = await member.browser.open(memberStart.url.href);
    assert.ok(memberBack.url.startsWith(CALLBACK), 'the member is not asked for anything');
    const memberTokens = await exchange(member.config, memberStart, memberBack.url);
    assert.deepEqual(memberTokens.claims()!.amr, ['pwd']);
    const memberRefreshed = await oidc.refreshTokenGrant(member.config, member.refreshToken);
    assert.deepEqual(memberRefreshed.claims()!.amr, ['pwd']);

    // The user admin: the password-only refresh token is refused, and the session is stepped up via enrolment.
    await refusedWithInvalidGrant(admin.config, admin.refreshToken, "an admin's password-only refresh token is refused");
    const adminStart = await authorizationUrl(admin.config);
    const passwordPage = await admin.browser.open(adminStart.url.href);
    assert.ok(passwordPage.html.includes('name="password"'), 'the password again before a factor is bound');
    const enrolPage = await admin.browser.submit(passwordPage, { email: admin.user.email, password: admin.user.password });
    assert.ok(isEnrolmentPage(enrolPage), `the user admin is asked to enrol, got ${enrolPage.status} ${enrolPage.url}`);
    const { after } = await enrol(admin.browser, enrolPage);
    const adminTokens = await exchange(admin.config, adminStart, after.url);
    assert.deepEqual(adminTokens.claims()!.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(adminTokens.claims()!.acr, ACR_MFA);
    assert.equal((await tobira.db('authenticators').where({ user_id: member.user.user.id })).length, 0, 'the member was never enrolled');
  });
});
