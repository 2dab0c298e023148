// Binding a new factor needs the first factor proven within the last 5 minutes in this browser: a
// session cookie alone (stolen, or simply an old password-only session) never binds an app.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, CALLBACK } from '../helpers/tobira.ts';
import { Browser, alertText, type Page } from '../../bench/support/browser.ts';
import { authorizationUrl, discover, signIn } from '../../bench/support/rp.ts';
import { enrol, isEnrolmentPage, isTotpPage, secretOn } from '../helpers/mfa.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { auditOf, enrolThroughSignIn, isPasswordForm, linkOn, tokensAt } from '../helpers/scenario-a.ts';
import { ACR_MFA, ACR_PASSWORD } from '../../src/mfa/assurance.ts';
import type * as oidc from 'openid-client';

/** A fresh browser holding exactly the cookies of `from`: what a thief of the cookie jar has. */
const copyOfCookies = (from: Browser, issuer: string): Browser => from.withSameCookies(issuer);

function showsNoKey(page: Page): void {
  assert.ok(!page.html.includes('id="secret"'), 'no enrolment key on the page');
  assert.ok(!page.html.includes('data:image/png'), 'no QR code on the page');
  assert.ok(!page.html.includes('otpauth'), 'no otpauth URI on the page');
}

describe('Binding a factor needs a fresh password', () => {
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let workspaceSlug: string;
  let config: oidc.Configuration;
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspaceSlug = (await makeWorkspace(tobira, 'optional')).slug;
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
  });
  after(async () => tobira.close());

  async function passwordOnlySession() {
    const user = await makeUser(tobira, { workspaceSlug });
    const browser = new Browser(tobira.issuer);
    assert.equal((await signIn(config, browser, user)).tokens.claims()!.acr, ACR_PASSWORD);
    return { user, browser };
  }

  it('a copy of the session cookies asking for MFA meets the password page, with no key and no QR code', async () => {
    const { user, browser } = await passwordOnlySession();
    const thief = copyOfCookies(browser, tobira.issuer);
    const start = await authorizationUrl(config, { acr_values: ACR_MFA });
    const page = await thief.open(start.url.href);
    assert.equal(page.status, 200);
    assert.ok(isPasswordForm(page), `the password page first, got ${page.status} ${page.url}`);
    showsNoKey(page);
    assert.match(page.html, /To set up two-step verification, first confirm it is you: enter your password again\./);
    assert.match(page.html, new RegExp(`value="${user.email}"`), 'the e-mail of the session is filled in');

    // Posting to the enrolment step directly binds nothing: no key was ever offered.
    const forced = await thief.request(`${new URL(page.url).pathname}/enrol`, {
      method: 'POST',
      body: new URLSearchParams({ code: '123456', label: 'attacker' }),
    });
    assert.equal(forced.status, 400);
    assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 0);

    // A wrong password there is an ordinary failed sign-in.
    const wrong = await thief.submit(page, { email: user.email, password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    showsNoKey(wrong);
    assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 0);
  });

  it('the user, asked for the password again, enrols and gets the MFA claims', async () => {
    const { user, browser } = await passwordOnlySession();
    const start = await authorizationUrl(config, { acr_values: ACR_MFA });
    const page = await browser.open(start.url.href);
    assert.ok(isPasswordForm(page), 'the password first');
    const enrolPage = await browser.submit(page, { email: user.email, password: user.password });
    assert.ok(isEnrolmentPage(enrolPage), `then enrolment: got ${enrolPage.status} ${enrolPage.url}`);
    const { after } = await enrol(browser, enrolPage, { at: clock.now() });
    const { claims } = await tokensAt(config, start, after);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
    const last = (await auditOf(tobira, user.user.id, 'sign_in')).at(-1)!;
    assert.equal(last.details.step_up, false, 'the password was proven again: not a cookie-only step-up');
  });

  it('a password older than 5 minutes is asked again before the app is bound, and the same QR code stays', async () => {
    const user = await makeUser(tobira, { workspaceSlug });
    const browser = new Browser(tobira.issuer);
    const start = await authorizationUrl(config, { acr_values: ACR_MFA });
    const enrolPage = await browser.submit(await browser.open(start.url.href), { email: user.email, password: user.password });
    assert.ok(isEnrolmentPage(enrolPage));
    const secret = secretOn(enrolPage);

    clock.advance(5 * 60 + 30);
    const stale = await browser.submit(enrolPage, { label: 'Slow phone', code: codeFor(secret, clock.now()) }, '/enrol');
    assert.ok(isPasswordForm(stale), `the password again, got ${stale.status} ${stale.url}`);
    assert.match(stale.html, /more than 5 minutes old/);
    assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 0, 'nothing was bound');

    const again = await browser.submit(stale, { email: user.email, password: user.password });
    assert.ok(isEnrolmentPage(again));
    assert.equal(secretOn(again), secret, 'the QR code the user may have scanned is still the one offered');
    const { after } = await enrol(browser, again, { at: clock.now() });
    assert.equal((await tokensAt(config, start, after)).claims.acr, ACR_MFA);
  });

  it("an enrolled user's session is still stepped up with a code alone; after a recovery code, a new app needs the password", async () => {
    const { user, browser } = await passwordOnlySession();
    const { recoveryCodes } = await enrolThroughSignIn(config, clock, user);
    const start = await authorizationUrl(config, { acr_values: ACR_MFA });
    const prompt = await browser.open(start.url.href);
    assert.ok(isTotpPage(prompt), 'a code, no password: the cookie alone cannot produce one');

    const recovered = await browser.submit(await browser.open(linkOn(prompt, 'use=recovery')), { code: recoveryCodes[0]! }, '/recovery');
    const askedPassword = await browser.open(linkOn(recovered, 'use=enrol'));
    assert.ok(isPasswordForm(askedPassword), `setting up a new app asks for the password first, got ${askedPassword.url}`);
    showsNoKey(askedPassword);
    const enrolPage = await browser.submit(askedPassword, { email: user.email, password: user.password });
    assert.ok(isEnrolmentPage(enrolPage), `then enrolment: got ${enrolPage.status} ${enrolPage.url}`);
    const { after } = await enrol(browser, enrolPage, { label: 'New phone', at: clock.now() });
    assert.ok(after.url.startsWith(CALLBACK));
    assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 2);
  });

  it('the admin console opened with a copied cookie asks for the password before enrolment', async () => {
    const admin = await makeUser(tobira, { workspaceSlug, role: 'workspace_admin' });
    const browser = new Browser(tobira.issuer);
    assert.equal((await signIn(config, browser, admin)).tokens.claims()!.acr, ACR_PASSWORD);
    const thief = copyOfCookies(browser, tobira.issuer);
    const page = await thief.open('/admin');
    assert.ok(isPasswordForm(page), `the password page, got ${page.status} ${page.url}`);
    showsNoKey(page);
    assert.equal(alertText(page.html), undefined, 'no error, only the reason');
  });
});
