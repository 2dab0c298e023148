// Passkeys and security keys as the second step of a sign-in, over real HTTP with a software
// authenticator (test/helpers/soft-authenticator.ts) answering the options the pages carry:
// forced enrolment with a passkey, the passkey step offered first, the ID token's amr
// (RFC 8176 `hwk`, `user`), replayed and phished answers, the shared lock, and MFA resets.
import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { ACR_MFA } from '../../src/mfa/assurance.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';
import { Browser, alertText, decodeHtml, type Page } from '../../bench/support/browser.ts';
import { discover } from '../../bench/support/rp.ts';
import { SoftAuthenticator, type Ceremony } from '../helpers/soft-authenticator.ts';
import { isEnrolmentPage, isTotpPage, recoveryCodesOn } from '../helpers/mfa.ts';
import { auditOf, enrolThroughSignIn, isPasswordForm, linkOn, nextCode, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { passkeyRp, registrationOptions } from '../../src/mfa/passkey.ts';
import { confirmPasskeyEnrolment } from '../../src/mfa/passkey-enrolment.ts';
import { assertRedirect, auditWhere, postUserAction, signedInAdmin } from '../helpers/admin.ts';

/** The WebAuthn options a page hands the browser, read as passkey.js reads them. */
function optionsOn(page: Page) {
  const match = /<script type="application\/json" id="passkey-options">([\s\S]*?)<\/script>/.exec(page.html);
  assert.ok(match, `no passkey options on ${page.status} ${page.url}`);
  return JSON.parse(match[1]!);
}

const METRICS = 'metrics-token-for-passkey-tests';

const isPasskeyPage = (page: Page) => page.html.includes('data-passkey="authenticate"');

describe('passkeys at sign-in: the passkey step, forced enrolment with a passkey, amr hwk', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  let required: { id: string; slug: string };
  let optional: { id: string; slug: string };

  before(async () => {
    tobira = await startTobira({ METRICS_TOKEN: METRICS }, { clock });
    required = await makeWorkspace(tobira, 'required');
    optional = await makeWorkspace(tobira, 'optional');
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
  });
  after(async () => tobira?.close());

  const origin = () => new URL(tobira.issuer).origin;
  /** tobira_auth_failures_total for the passkey factor and this reason (0 before the first). */
  async function passkeyFailures(reason: string): Promise<number> {
    const text = await (await fetch(`${tobira.issuer}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } })).text();
    const line = new RegExp(`^tobira_auth_failures_total\\{factor="passkey",reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
    return Number(line?.[1] ?? 0);
  }
  const passkeys = (user: TestUser) => tobira.db('webauthn_credentials').where({ user_id: user.user.id });

  /** Enrols a passkey in the forced enrolment of a sign-in (policy required); returns the tokens' claims and the codes shown. */
  async function enrolPasskeyAtSignIn(user: TestUser, key: SoftAuthenticator, ceremony: Ceremony = {}) {
    const browser = new Browser(tobira.issuer);
    const { start, page } = await startSignIn(config, browser, user);
    assert.ok(isEnrolmentPage(page), `expected the enrolment page, got ${page.status} ${page.url}`);
    assert.match(page.html, /<section id="passkey-choice" data-passkey-only hidden>/, 'the passkey choice waits for WebAuthn in the browser');
    const codesPage = await browser.submit(page, { label: 'YubiKey 5', response: key.register(optionsOn(page), ceremony) }, '/enrol-passkey');
    const codes = recoveryCodesOn(codesPage);
    const after = codes.length ? await browser.submit(codesPage, {}, '/continue') : codesPage;
    return { ...(await tokensAt(config, start, after)), codes, browser };
  }

  /** A new browser at the passkey step after the password. */
  async function atPasskeyStep(user: TestUser) {
    const browser = new Browser(tobira.issuer);
    const { start, page } = await startSignIn(config, browser, user);
    assert.ok(isPasskeyPage(page), `expected the passkey step, got ${page.status} ${page.url}`);
    return { browser, start, page };
  }

  /** A user of `workspace` with a passkey, added the way the forced enrolment adds it. */
  async function userWithPasskey() {
    const user = await makeUser(tobira, { workspaceSlug: required.slug });
    const key = new SoftAuthenticator(origin());
    const { claims } = await enrolPasskeyAtSignIn(user, key);
    assert.equal(claims.acr, ACR_MFA);
    return { user, key };
  }

  it('S3 with a passkey: password, then a passkey at the enrolment page, the recovery codes once, and amr pwd hwk user mfa', async () => {
    const user = await makeUser(tobira, { workspaceSlug: required.slug });
    const key = new SoftAuthenticator(origin());
    const { claims, codes } = await enrolPasskeyAtSignIn(user, key);
    assert.equal(codes.length, 10, 'the first factor comes with recovery codes');
    assert.deepEqual(claims.amr, ['pwd', 'hwk', 'user', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
    const [row, ...more] = await passkeys(user);
    assert.equal(more.length, 0);
    assert.equal(row.label, 'YubiKey 5');
    assert.equal(row.credential_id, key.id);
    assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 0);
    const [enrolled] = await auditOf(tobira, user.user.id, 'mfa.passkey_enrol');
    assert.equal(enrolled?.outcome, 'success');
    assert.deepEqual(
      { label: enrolled?.details.label, where: enrolled?.details.where, codes: enrolled?.details.recovery_codes_issued },
      { label: 'YubiKey 5', where: 'sign-in', codes: true },
    );
    assert.deepEqual(
      (await auditOf(tobira, user.user.id, 'sign_in')).map((e) => e.details.amr),
      [['pwd', 'hwk', 'user', 'mfa']],
    );
  });

  it('a user whose only factor is a passkey is enrolled: the next sign-in asks for it, not for enrolment; amr follows user verification', async () => {
    const { user, key } = await userWithPasskey();
    const first = await atPasskeyStep(user);
    assert.ok(!first.page.html.includes('?use=totp'), 'no authenticator app, no link to its code');
    assert.ok(first.page.html.includes('?use=recovery'), 'a recovery code is one link away');
    assert.match(first.page.html, /Use your passkey or security key<\/button>/);
    let back = await first.browser.submit(first.page, { response: key.assert(optionsOn(first.page)) }, '/passkey');
    assert.deepEqual((await tokensAt(config, first.start, back)).claims.amr, ['pwd', 'hwk', 'user', 'mfa']);

    const second = await atPasskeyStep(user);
    back = await second.browser.submit(second.page, { response: key.assert(optionsOn(second.page), { userVerified: false }) }, '/passkey');
    const { claims } = await tokensAt(config, second.start, back);
    assert.deepEqual(claims.amr, ['pwd', 'hwk', 'mfa'], 'a touch without PIN or biometric: no `user`');
    assert.equal(claims.acr, ACR_MFA);
    const uses = await auditOf(tobira, user.user.id, 'mfa.passkey');
    assert.deepEqual(
      uses.map((e) => [e.outcome, e.details.user_verified]),
      [
        ['success', true],
        ['success', false],
      ],
    );
    assert.ok((await passkeys(user))[0].last_used_at, 'the last use is recorded');
  });

  it('in an optional workspace a passkey alone is "enrolled" (rule 2): the sign-in asks for it', async () => {
    const user = await makeUser(tobira, { workspaceSlug: required.slug });
    const key = new SoftAuthenticator(origin());
    await enrolPasskeyAtSignIn(user, key);
    await tobira.db('users').where({ id: user.user.id }).update({ workspace_id: optional.id });
    const { browser, start, page } = await atPasskeyStep(user);
    const back = await browser.submit(page, { response: key.assert(optionsOn(page)) }, '/passkey');
    assert.deepEqual((await tokensAt(config, start, back)).claims.amr, ['pwd', 'hwk', 'user', 'mfa']);
  });

  it('a user with an app and a passkey sees the passkey first and can switch to the code and back; a user with only an app sees the code prompt', async () => {
    const user = await makeUser(tobira, { workspaceSlug: optional.slug });
    const { secret, recoveryCodes } = await enrolThroughSignIn(config, clock, user, 'Phone');
    const onlyApp = new Browser(tobira.issuer);
    const appPage = (await startSignIn(config, onlyApp, user)).page;
    assert.ok(isTotpPage(appPage), 'only an app: the code prompt, as before');
    assert.ok(!appPage.html.includes('passkey'), 'and nothing about passkeys');

    await addPasskeyAfterRecovery(user, new SoftAuthenticator(origin()), recoveryCodes[0]!);

    const { browser, start, page } = await atPasskeyStep(user);
    const totpPage = await browser.open(linkOn(page, '?use=totp'));
    assert.ok(isTotpPage(totpPage), 'the app link leads to the code prompt');
    const backLink = /<a href="([^"]+)">Use your passkey or security key instead<\/a>/.exec(totpPage.html);
    assert.ok(backLink, 'the code prompt links back to the passkey');
    assert.ok(isPasskeyPage(await browser.open(new URL(decodeHtml(backLink[1]!), totpPage.url).href)));
    const back = await browser.submit(totpPage, { code: nextCode(clock, secret) }, '/totp');
    assert.deepEqual((await tokensAt(config, start, back)).claims.amr, ['pwd', 'otp', 'mfa']);
  });

  it('a replayed answer is refused with 401 and the exact message; so is one made for another origin; a malformed one is a 400', async () => {
    const { user, key } = await userWithPasskey();
    const first = await atPasskeyStep(user);
    const answer = key.assert(optionsOn(first.page));
    await tokensAt(config, first.start, await first.browser.submit(first.page, { response: answer }, '/passkey'));

    const counted = { replayed: await passkeyFailures('replayed'), wrong: await passkeyFailures('wrong') };
    const { browser, page } = await atPasskeyStep(user);
    let refused = await browser.submit(page, { response: answer }, '/passkey');
    assert.equal(refused.status, 401);
    assert.equal(alertText(refused.html), 'That passkey answer was already used or has expired. Try again: your browser will ask the passkey once more.');
    assert.ok(isPasskeyPage(refused), 'the page again, with a new challenge');

    refused = await browser.submit(refused, { response: key.assert(optionsOn(refused), { origin: 'https://tobira.example.evil' }) }, '/passkey');
    assert.equal(refused.status, 401);
    assert.equal(
      alertText(refused.html),
      'That passkey could not be verified. Use a passkey or security key registered for this account, or choose another way. 3 attempts left before a 1-minute pause.',
      'from the second failure on, the tries left (as on the code prompt)',
    );
    refused = await browser.submit(refused, { response: '{"id":1}' }, '/passkey');
    assert.equal(refused.status, 400);
    assert.equal(alertText(refused.html), 'The browser sent an answer that is not from a passkey. Try again.');

    assert.deepEqual(
      (await auditOf(tobira, user.user.id, 'mfa.passkey')).map((e) => `${e.outcome}:${e.details.reason ?? ''}`),
      ['success:', 'failure:replayed', 'failure:wrong', 'failure:malformed'],
    );
    assert.equal(await passkeyFailures('replayed'), counted.replayed + 1, 'counted in the metrics like a wrong code');
    assert.equal(await passkeyFailures('wrong'), counted.wrong + 1);
  });

  it('five failed passkey answers lock the second step (429), and the lock holds for the authenticator app too', async () => {
    const user = await makeUser(tobira, { workspaceSlug: optional.slug });
    const { secret, recoveryCodes } = await enrolThroughSignIn(config, clock, user, 'Phone');
    const key = new SoftAuthenticator(origin());
    await addPasskeyAfterRecovery(user, key, recoveryCodes[0]!);
    const { browser, page: prompt } = await atPasskeyStep(user);
    let page = prompt;
    for (let i = 1; i <= 4; i++) {
      page = await browser.submit(page, { response: key.assert(optionsOn(page), { origin: 'https://phish.example' }) }, '/passkey');
      assert.equal(page.status, 401, `failure ${i}`);
    }
    page = await browser.submit(page, { response: key.assert(optionsOn(page), { origin: 'https://phish.example' }) }, '/passkey');
    assert.equal(page.status, 429, 'the 5th failure already says locked');
    assert.match(alertText(page.html)!, /try again in 1 min/);
    page = await browser.submit(page, { response: key.assert(optionsOn(page)) }, '/passkey');
    assert.equal(page.status, 429, 'the right passkey is refused while locked');
    const totp = await browser.submit(await browser.open(linkOn(page, '?use=totp')), { code: nextCode(clock, secret) }, '/totp');
    assert.equal(totp.status, 429, 'and so is the right code');
    const events = await auditOf(tobira, user.user.id);
    assert.equal(events.filter((e) => e.action === 'mfa.passkey' && e.outcome === 'failure').length, 5);
    assert.equal(events.filter((e) => e.action === 'mfa.passkey' && e.outcome === 'refused').length, 1);
    assert.equal(events.filter((e) => e.action === 'lock').length, 1);
  });

  /**
   * Adds a passkey for a user with an app the way a sign-in offers it: a recovery code (for the
   * lost phone), then the enrolment page it suggests, with the password fresh.
   */
  async function addPasskeyAfterRecovery(user: TestUser, key: SoftAuthenticator, recoveryCode: string) {
    const browser = new Browser(tobira.issuer);
    const { page: prompt } = await startSignIn(config, browser, user);
    const recovered = await browser.submit(await browser.open(linkOn(prompt, '?use=recovery')), { code: recoveryCode }, '/recovery');
    const enrolPage = await browser.open(linkOn(recovered, '?use=enrol'));
    assert.ok(isEnrolmentPage(enrolPage), `expected the enrolment page, got ${enrolPage.status} ${enrolPage.url}`);
    await browser.submit(enrolPage, { label: 'Security key', response: key.register(optionsOn(enrolPage)) }, '/enrol-passkey');
    assert.equal((await passkeys(user)).length, 1);
  }

  it('steps up a password-only session with the passkey alone (no password again) when an app asks for MFA', async () => {
    const user = await makeUser(tobira, { workspaceSlug: optional.slug });
    const browser = new Browser(tobira.issuer);
    const plain = await startSignIn(config, browser, user);
    assert.deepEqual((await tokensAt(config, plain.start, plain.page)).claims.amr, ['pwd']);
    // The passkey arrives later (as /account adds it), on the same verified path as every registration.
    const key = new SoftAuthenticator(origin());
    const rp = passkeyRp(tobira.issuer);
    const options = await registrationOptions(tobira.db, rp, { id: user.user.id, email: user.email, name: '' }, clock.now());
    const added = await confirmPasskeyEnrolment(tobira.db, tobira.keys.dataKey, rp, {
      userId: user.user.id,
      label: 'Key',
      response: key.register(options),
      now: clock.now(),
      audit: () => ({ action: 'mfa.passkey_enrol', outcome: 'success', actorType: 'user', actorId: user.user.id, workspaceId: user.user.workspace_id }),
    });
    assert.equal(added.ok, true);

    const { start, page, askedForPassword } = await startSignIn(config, browser, user, { acr_values: ACR_MFA });
    assert.equal(askedForPassword, false, 'the session stands for the password');
    assert.ok(isPasskeyPage(page), `expected the passkey step, got ${page.status} ${page.url}`);
    const back = await browser.submit(page, { response: key.assert(optionsOn(page)) }, '/passkey');
    const { claims } = await tokensAt(config, start, back);
    assert.deepEqual(claims.amr, ['pwd', 'hwk', 'user', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
  });

  it('binding a passkey over a password older than 5 minutes asks for the password again, and stores nothing', async () => {
    const user = await makeUser(tobira, { workspaceSlug: required.slug });
    const key = new SoftAuthenticator(origin());
    const browser = new Browser(tobira.issuer);
    const { page } = await startSignIn(config, browser, user);
    assert.ok(isEnrolmentPage(page));
    clock.advance(6 * 60);
    const again = await browser.submit(page, { label: 'Late key', response: key.register(optionsOn(page)) }, '/enrol-passkey');
    assert.ok(isPasswordForm(again), `expected the password form, got ${again.status} ${again.url}`);
    assert.match(decodeHtml(again.html), /Your password confirmation is more than 5 minutes old/);
    assert.equal((await passkeys(user)).length, 0);
  });

  it('a user who has a second factor cannot bind a passkey with the password alone', async () => {
    const { user } = await userWithPasskey();
    const { browser, page } = await atPasskeyStep(user);
    // Even with a registration challenge issued for the user (as /account issues them).
    const options = await registrationOptions(tobira.db, passkeyRp(tobira.issuer), { id: user.user.id, email: user.email, name: '' }, clock.now());
    const attacker = new SoftAuthenticator(origin());
    const refused = await browser.request(`${new URL(page.url).pathname}/enrol-passkey`, {
      method: 'POST',
      body: new URLSearchParams({ label: 'Attacker', response: attacker.register(options) }),
    });
    assert.equal(refused.status, 400);
    assert.equal((await passkeys(user)).length, 1);
  });

  it("an admin's MFA reset removes the passkeys too, and says how many", async () => {
    const workspace = await makeWorkspace(tobira, 'required');
    const admin = await signedInAdmin(tobira, clock, workspace.slug, 'user_admin');
    const member = await makeUser(tobira, { workspaceSlug: workspace.slug });
    await enrolPasskeyAtSignIn(member, new SoftAuthenticator(origin()));
    assert.equal((await passkeys(member)).length, 1);
    const reset = await postUserAction(admin, member.user.id, 'reset-mfa', { confirm: 'yes' });
    assertRedirect(reset, /\?done=reset$/);
    assert.equal((await passkeys(member)).length, 0);
    const [row] = await auditWhere(tobira, { action: 'mfa.reset', target_id: member.user.id });
    assert.deepEqual(row!.details, { email: member.email, authenticators: 0, passkeys: 1, recoveryCodes: 10 });
    // Still `required`: the next sign-in enrols again (S6).
    const { page } = await startSignIn(config, new Browser(tobira.issuer), member);
    assert.ok(isEnrolmentPage(page));
  });
  it("after a recovery code, the lost phone's passkey is listed with the apps and removed in the same step", async () => {
    const user = await makeUser(tobira, { workspaceSlug: required.slug });
    const { codes } = await enrolPasskeyAtSignIn(user, new SoftAuthenticator(origin()));
    const browser = new Browser(tobira.issuer);
    const { page } = await startSignIn(config, browser, user);
    assert.ok(isPasskeyPage(page));
    const form = await browser.open(linkOn(page, '?use=recovery'));
    const recovered = await browser.submit(form, { code: codes[0]! }, '/recovery');
    assert.equal(recovered.status, 200);
    assert.match(recovered.html, /<h2 id="factors-heading">Your authenticator apps and passkeys<\/h2>/);
    const [row] = await passkeys(user);
    assert.match(recovered.html, new RegExp(`name="passkey" value="${row.id}"`));
    assert.match(recovered.html, /<td class="type">Passkey or security key<\/td>/);

    const done = await browser.submit(recovered, { passkey: row.id }, '/remove-authenticators');
    assert.equal(done.status, 200);
    assert.equal(done.html.match(/role="status">([^<]*)</)?.[1], 'Removed: YubiKey 5. Your sessions in other browsers and apps have ended.');
    assert.equal((await passkeys(user)).length, 0);
    const [removed] = await auditOf(tobira, user.user.id, 'mfa.passkey_remove');
    assert.deepEqual(
      { outcome: removed?.outcome, label: removed?.details.label, after: removed?.details.after },
      { outcome: 'success', label: 'YubiKey 5', after: 'recovery_code' },
    );
    // MFA is required in this workspace: with no factor left, the sign-in goes on only after enrolling.
    assert.match(done.html, /id="must-enrol"/);
    assert.ok(!done.html.includes('/continue"'), 'no continue button');
    const refused = await browser.request(`${new URL(done.url).pathname}/continue`, { method: 'POST', body: new URLSearchParams({}) });
    assert.equal(refused.status, 409);
  });
});
