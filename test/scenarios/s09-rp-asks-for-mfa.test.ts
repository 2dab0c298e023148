import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, CALLBACK } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { authorizationUrl, discover, signIn } from '../../bench/support/rp.ts';
import { enrol, isEnrolmentPage, isTotpPage } from '../helpers/mfa.ts';
import { auditOf, enrolThroughSignIn, isPasswordForm, nextCode, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { ACR_MFA, ACR_PASSWORD } from '../../src/mfa/assurance.ts';
import type * as oidc from 'openid-client';

const ESSENTIAL_MFA = JSON.stringify({ id_token: { acr: { essential: true, value: ACR_MFA } } });

describe('S9 an RP asks for MFA in an optional workspace', () => {
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let workspaceSlug: string;
  let plain: oidc.Configuration;
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspaceSlug = (await makeWorkspace(tobira, 'optional')).slug;
    const { clientId, secret } = await makeClient(tobira);
    plain = await discover(tobira.issuer, clientId, secret);
  });
  after(async () => tobira.close());

  /** A never-enrolled user meets enrolment (with `why` on the page), then an enrolled one the TOTP prompt. */
  async function enrolsThenPrompts(config: oidc.Configuration, params: Record<string, string>, why: RegExp) {
    const user = await makeUser(tobira, { workspaceSlug });
    const browser = new Browser(tobira.issuer);
    const first = await startSignIn(config, browser, user, params);
    assert.ok(isEnrolmentPage(first.page), `a user without authenticator is enrolled: got ${first.page.status} ${first.page.url}`);
    assert.match(first.page.html, why);
    const { secret, after } = await enrol(browser, first.page, { at: clock.now() });
    const enrolled = await tokensAt(config, first.start, after);
    assert.equal(enrolled.claims.acr, ACR_MFA);

    const other = new Browser(tobira.issuer);
    const second = await startSignIn(config, other, user, params);
    assert.ok(second.askedForPassword && isTotpPage(second.page), 'an enrolled user gets password, then the TOTP prompt');
    const { claims } = await tokensAt(config, second.start, await other.submit(second.page, { code: nextCode(clock, secret) }, '/totp'));
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
    assert.deepEqual(
      (await auditOf(tobira, user.user.id, 'sign_in')).map((e) => e.details.acr),
      [ACR_MFA, ACR_MFA],
    );
    return user;
  }

  it('(a) acr_values=urn:tobira:acr:mfa: enrolment for a user without authenticator, TOTP for an enrolled one', async () => {
    const user = await enrolsThenPrompts(plain, { acr_values: ACR_MFA }, /asked for two-step verification for this sign-in/);
    assert.deepEqual((await auditOf(tobira, user.user.id, 'sign_in'))[0]!.details.mfa_reasons, ['request_acr']);
  });

  it('(b) a client registered with require_mfa: the same, without any request parameter', async () => {
    const { clientId, secret } = await makeClient(tobira, { requireMfa: true });
    const strict = await discover(tobira.issuer, clientId, secret);
    const user = await enrolsThenPrompts(strict, {}, /requires two-step verification/);
    assert.deepEqual((await auditOf(tobira, user.user.id, 'sign_in'))[0]!.details.mfa_reasons, ['client_requires_mfa']);
  });

  it('(c) claims with an essential MFA acr: the same', async () => {
    await enrolsThenPrompts(plain, { claims: ESSENTIAL_MFA }, /asked for two-step verification for this sign-in/);
  });

  it('(d) without a request: an enrolled user is still asked, a never-enrolled user is not', async () => {
    const never = await makeUser(tobira, { workspaceSlug });
    const { tokens } = await signIn(plain, new Browser(tobira.issuer), never);
    assert.deepEqual(tokens.claims()!.amr, ['pwd']);
    assert.equal(tokens.claims()!.acr, ACR_PASSWORD);
    assert.equal((await tobira.db('authenticators').where({ user_id: never.user.id })).length, 0);

    const enrolled = await makeUser(tobira, { workspaceSlug });
    const { secret } = await enrolThroughSignIn(plain, clock, enrolled);
    const browser = new Browser(tobira.issuer);
    const { start, page } = await startSignIn(plain, browser, enrolled);
    assert.ok(isTotpPage(page), 'rule 2: a user who enrolled is always asked');
    const { claims } = await tokensAt(plain, start, await browser.submit(page, { code: nextCode(clock, secret) }, '/totp'));
    assert.equal(claims.acr, ACR_MFA);
  });

  for (const [how, params] of [
    ['acr_values', { acr_values: ACR_MFA }],
    ['an essential acr claim', { claims: ESSENTIAL_MFA }],
  ] as const) {
    it(`prompt=none asking for MFA with ${how} on a password-only session gets login_required at the redirect URI, never a code`, async () => {
      const user = await makeUser(tobira, { workspaceSlug });
      const browser = new Browser(tobira.issuer);
      assert.equal((await signIn(plain, browser, user)).tokens.claims()!.acr, ACR_PASSWORD);
      const silent = await authorizationUrl(plain, { ...params, prompt: 'none' });
      const refused = new URL((await browser.open(silent.url.href)).url);
      assert.ok(refused.href.startsWith(CALLBACK), `prompt=none answers at the redirect URI, got ${refused.href}`);
      assert.equal(refused.searchParams.get('error'), 'login_required', refused.href);
      assert.equal(refused.searchParams.get('code'), null);
      assert.equal(refused.searchParams.get('state'), silent.state);
    });
  }

  it('a password-only session of an enrolled user is stepped up with the TOTP prompt, without the password', async () => {
    const user = await makeUser(tobira, { workspaceSlug });
    const browser = new Browser(tobira.issuer);
    assert.equal((await signIn(plain, browser, user)).tokens.claims()!.acr, ACR_PASSWORD);
    // The user enrols elsewhere; this browser's session is still password-only.
    const { secret } = await enrolThroughSignIn(plain, clock, user);
    const { start, page, askedForPassword } = await startSignIn(plain, browser, user, { acr_values: ACR_MFA });
    assert.ok(!askedForPassword && !isPasswordForm(page), 'no password again');
    assert.ok(isTotpPage(page), `the TOTP prompt: got ${page.status} ${page.url}`);
    const { claims } = await tokensAt(plain, start, await browser.submit(page, { code: nextCode(clock, secret) }, '/totp'));
    assert.equal(claims.acr, ACR_MFA);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.sub, user.user.id);
    const last = (await auditOf(tobira, user.user.id, 'sign_in')).at(-1)!;
    assert.equal(last.details.step_up, true);
    assert.deepEqual(last.details.mfa_reasons, ['enrolled', 'request_acr']);
  });

  it('a password-only session of a user without authenticator confirms the password, then is enrolled', async () => {
    const user = await makeUser(tobira, { workspaceSlug });
    const browser = new Browser(tobira.issuer);
    await signIn(plain, browser, user);
    const { start, page, askedForPassword } = await startSignIn(plain, browser, user, { acr_values: ACR_MFA });
    assert.ok(askedForPassword, 'binding a factor needs the password again');
    assert.ok(isEnrolmentPage(page), `then enrolment: got ${page.status} ${page.url}`);
    const { after } = await enrol(browser, page, { at: clock.now() });
    const { claims } = await tokensAt(plain, start, after);
    assert.equal(claims.acr, ACR_MFA);
    assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 1);
    assert.equal((await auditOf(tobira, user.user.id, 'sign_in')).at(-1)!.details.step_up, false);
  });
});
