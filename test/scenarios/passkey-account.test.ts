// Passkeys at /account over real HTTP, with a software authenticator answering the options the
// pages hand the browser: adding one needs a fresh proof given in this session within 5 minutes,
// it is listed with the apps, renamed and removed like them, counts as "enrolled", and the admin
// sees it on the user's page.
import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';
import { alertText, type Browser, decodeHtml, type Page } from '../../bench/support/browser.ts';
import { discover } from '../../bench/support/rp.ts';
import { setPolicy } from '../helpers/mfa.ts';
import { auditOf, enrolThroughSignIn } from '../helpers/scenario-a.ts';
import { csrfOn } from '../helpers/console.ts';
import { authenticatorsOn, freshCode, messageOn, openAccount, post } from '../helpers/account.ts';
import { signedInAdmin } from '../helpers/admin.ts';
import { SoftAuthenticator } from '../helpers/soft-authenticator.ts';

/** The options JSON a page hands the browser, read out of its `<script type="application/json">`. */
function optionsOn<T>(page: Page, id: string): T {
  const m = new RegExp(`<script type="application/json" id="${id}">([^<]*)</script>`).exec(page.html);
  assert.ok(m, `no ${id} on ${page.url} (${page.status})`);
  return JSON.parse(m[1]!) as T;
}
type CreationOptions = { challenge: string; rp: { id?: string } };
type RequestOptions = { challenge: string; rpId?: string };

/** The passkeys listed on /account: id, label and the type column. */
function passkeysOn(page: Page) {
  return [...page.html.matchAll(/<tr data-passkey="([^"]+)">\s*<td class="label">([^<]*)<\/td>\s*<td class="type">([^<]*)<\/td>/g)].map((m) => ({
    id: m[1]!,
    label: decodeHtml(m[2]!),
    type: decodeHtml(m[3]!),
  }));
}

describe('Passkeys at /account', function () {
  this.timeout(30_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  before(async () => {
    tobira = await startTobira({}, { clock });
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
  });
  after(async () => tobira.close());

  const passkeyRows = (user: TestUser) => tobira.db('webauthn_credentials').where({ user_id: user.user.id });

  /** Opens "add a passkey" and gives the proof; returns the page after (the ceremony page when it was accepted). */
  async function proveForPasskey(browser: Browser, proof: Record<string, string>): Promise<Page> {
    const start = await browser.open(`${tobira.issuer}/account/passkeys/new`);
    assert.equal(start.status, 200);
    return browser.submit(start, proof, '/account/passkeys/new');
  }

  /** Answers the ceremony page with the authenticator's registration (or `response` as given). */
  async function register(
    browser: Browser,
    ceremony: Page,
    key: SoftAuthenticator,
    label: string,
    override: Parameters<SoftAuthenticator['register']>[1] = {},
  ) {
    const response = key.register(optionsOn<CreationOptions>(ceremony, 'passkey-registration-options'), override);
    const body = { label, response };
    return { response, page: await browser.submit(ceremony, body, '/account/passkeys') };
  }

  /** A member with an authenticator app, signed in at /account, who then adds `key` with a code. */
  async function withAppAndPasskey(label = 'YubiKey 5') {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { secret } = await enrolThroughSignIn(config, clock, user, 'Pixel 8');
    const { browser } = await openAccount(tobira, clock, user, secret);
    const key = new SoftAuthenticator(tobira.issuer);
    const ceremony = await proveForPasskey(browser, { code: freshCode(clock, secret) });
    const { page } = await register(browser, ceremony, key, label);
    assert.equal(new URL(page.url).pathname, '/account', `added: ${page.status} ${alertText(page.html)}`);
    const [passkey] = passkeysOn(page);
    assert.ok(passkey);
    return { workspace, user, secret, browser, key, page, passkey };
  }

  it('adds a passkey only after the password (no factor yet), issues recovery codes, lists it, and audits it', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { browser, page: home } = await openAccount(tobira, clock, user);
    assert.match(home.html, /id="add-passkey" href="\/account\/passkeys\/new" data-passkey-only hidden>Add a passkey or security key</);
    assert.match(home.html, /You have no authenticator app yet, and no passkey\./);

    const start = await browser.open(`${tobira.issuer}/account/passkeys/new`);
    assert.match(start.html, /name="password" type="password"/, 'no factor yet: the password is the proof');
    assert.doesNotMatch(start.html, /passkey-registration-options/, 'no registration challenge before the proof');

    const wrong = await browser.submit(start, { password: 'not the password' }, '/account/passkeys/new');
    assert.equal(wrong.status, 400);
    assert.equal(alertText(wrong.html), 'That password is not correct. Nothing was changed.');

    const ceremony = await proveForPasskey(browser, { password: user.password });
    assert.equal(ceremony.status, 200);
    const options = optionsOn<CreationOptions & { rp: { id: string; name: string } }>(ceremony, 'passkey-registration-options');
    assert.equal(options.rp.id, new URL(tobira.issuer).hostname, "the RP id is ISSUER's host");

    const key = new SoftAuthenticator(tobira.issuer);
    const { page: codes } = await register(browser, ceremony, key, 'YubiKey 5');
    assert.equal(codes.status, 200);
    assert.match(codes.html, /The passkey was added\. Because you had no recovery codes left, here is a new set\./);
    assert.equal((await tobira.db('recovery_codes').where({ user_id: user.user.id }).whereNull('used_at')).length, 10);

    const rows = await passkeyRows(user);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].label, 'YubiKey 5');
    assert.equal(rows[0].credential_id, key.id);

    const after = await browser.open(`${tobira.issuer}/account`);
    assert.deepEqual(passkeysOn(after), [{ id: rows[0].id, label: 'YubiKey 5', type: 'Passkey or security key' }]);
    assert.match(after.html, /id="mfa-status">On</, 'a passkey alone turns MFA on');
    assert.match(after.html, /id="codes-left" data-count="10"/);

    const enrol = await auditOf(tobira, user.user.id, 'mfa.passkey_enrol');
    assert.deepEqual(
      enrol.map((e) => [e.outcome, e.details.reason ?? e.details.label, e.details.where]),
      [
        ['failure', 'wrong', 'account'],
        ['success', 'YubiKey 5', 'account'],
      ],
    );
    assert.equal(enrol[1]!.details.recovery_codes_issued, true);
    assert.equal(enrol[1]!.details.proof, 'pwd');
  });

  it('refuses a registration without a proof in this session, with a stale proof, or without the CSRF token', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { browser, page: home } = await openAccount(tobira, clock, user);
    const key = new SoftAuthenticator(tobira.issuer);

    // Straight to the final POST: no ticket, so no proof was given here.
    const skipped = await post(browser, tobira.issuer, '/account/passkeys', { csrf: csrfOn(home), label: 'Mine', response: '{}' });
    assert.equal(skipped.status, 400);
    assert.equal(alertText(skipped.html), 'Confirm it is you before adding a passkey: open "Add a passkey or security key" on your account page again.');

    // The ticket of another console session (another browser of the same user) is not this one's.
    const other = await openAccount(tobira, clock, user);
    const otherCeremony = await proveForPasskey(other.browser, { password: user.password });
    const ticket = /name="ticket" value="([^"]+)"/.exec(otherCeremony.html)![1]!;
    const response = key.register(optionsOn<CreationOptions>(otherCeremony, 'passkey-registration-options'));
    const foreign = await post(browser, tobira.issuer, '/account/passkeys', { csrf: csrfOn(home), ticket: decodeHtml(ticket), label: 'Mine', response });
    assert.equal(foreign.status, 400);
    assert.equal(alertText(foreign.html), 'Confirm it is you before adding a passkey: open "Add a passkey or security key" on your account page again.');

    // More than 5 minutes between the proof and the answer.
    const ceremony = await proveForPasskey(browser, { password: user.password });
    clock.advance(5 * 60 + 1);
    const stale = await register(browser, ceremony, key, 'Mine');
    assert.equal(stale.page.status, 400);
    assert.equal(alertText(stale.page.html), 'More than 5 minutes passed since you confirmed it is you. Open "Add a passkey or security key" again.');

    // Without the CSRF token.
    const fresh = await proveForPasskey(browser, { password: user.password });
    const noCsrf = await post(browser, tobira.issuer, '/account/passkeys', {
      ticket: decodeHtml(/name="ticket" value="([^"]+)"/.exec(fresh.html)![1]!),
      label: 'Mine',
      response: key.register(optionsOn<CreationOptions>(fresh, 'passkey-registration-options')),
    });
    assert.equal(noCsrf.status, 403);
    assert.equal(alertText(noCsrf.html), 'This form has expired. Reload the page and try again.');

    assert.equal((await passkeyRows(user)).length, 0, 'nothing was stored');
  });

  it('refuses a registration for another origin, for another challenge, replayed, or of a key registered already', async () => {
    const { user, secret, browser, key } = await withAppAndPasskey();
    const rejected = 'This passkey could not be verified (the answer was not for this page, or it was sent twice). Try again. Nothing was added.';
    const other = new SoftAuthenticator(tobira.issuer);

    const garbled = await proveForPasskey(browser, { code: freshCode(clock, secret) });
    const unreadable = await browser.submit(garbled, { label: 'Garbled', response: '{"id":' }, '/account/passkeys');
    assert.equal(unreadable.status, 400);
    assert.equal(alertText(unreadable.html), "Your browser's answer could not be read. Try again. Nothing was added.");

    const ceremony = await proveForPasskey(browser, { code: freshCode(clock, secret) });
    const wrongOrigin = await register(browser, ceremony, other, 'Phishing', { origin: 'https://tobira.evil.example' });
    assert.equal(wrongOrigin.page.status, 400);
    assert.equal(alertText(wrongOrigin.page.html), rejected);

    // The page after a failure carries a new challenge under the same proof; an answer to the old one is refused.
    const wrongChallenge = await register(browser, wrongOrigin.page, other, 'Old page', {
      challenge: optionsOn<CreationOptions>(ceremony, 'passkey-registration-options').challenge,
    });
    assert.equal(wrongChallenge.page.status, 400);
    assert.equal(alertText(wrongChallenge.page.html), rejected);

    const good = await register(browser, wrongChallenge.page, other, 'Backup key');
    assert.equal(new URL(good.page.url).pathname, '/account');
    assert.equal(messageOn(good.page), 'The passkey was added. You can sign in with it, or with any of your other second factors.');

    // The same form sent again: its challenge is used up.
    const replay = await browser.submit(wrongChallenge.page, { label: 'Backup key', response: good.response }, '/account/passkeys');
    assert.equal(replay.status, 400);
    assert.equal(alertText(replay.html), rejected);

    // The first key again, under a new proof: its credential id is taken.
    const again = await proveForPasskey(browser, { code: freshCode(clock, secret) });
    const duplicate = await register(browser, again, key, 'YubiKey again');
    assert.equal(duplicate.page.status, 409);
    assert.equal(alertText(duplicate.page.html), 'This passkey or security key is already registered. Nothing was added.');

    assert.deepEqual((await passkeyRows(user)).map((r) => r.label).sort(), ['Backup key', 'YubiKey 5']);
    const failures = (await auditOf(tobira, user.user.id, 'mfa.passkey_enrol')).filter((e) => e.outcome === 'failure').map((e) => e.details.reason);
    assert.deepEqual(failures, ['malformed', 'rejected', 'rejected', 'rejected', 'already']);
  });

  it('renames a passkey with a code or with a passkey, and removes it, ending the other sessions', async () => {
    const { user, secret, browser, key, passkey } = await withAppAndPasskey('YubiKey 5');
    const rename = `/account/passkeys/${passkey.id}/rename`;
    const renamed = await browser.submit(await browser.open(`${tobira.issuer}${rename}`), { label: 'Desk key', code: freshCode(clock, secret) }, rename);
    assert.equal(messageOn(renamed), 'The passkey was renamed.');
    assert.equal(passkeysOn(renamed)[0]!.label, 'Desk key');

    // The passkey itself as the proof: the page hands out an assertion challenge.
    const form = await browser.open(`${tobira.issuer}${rename}`);
    const assertion = key.assert(optionsOn<RequestOptions>(form, 'fresh-passkey-options'));
    const byPasskey = await browser.submit(form, { label: 'Office key', response: assertion }, rename);
    assert.equal(messageOn(byPasskey), 'The passkey was renamed.');
    assert.equal(passkeysOn(byPasskey)[0]!.label, 'Office key');
    // The same answer again is refused: the challenge is gone.
    const replayed = await browser.submit(form, { label: 'Replayed', response: assertion }, rename);
    assert.equal(replayed.status, 400);
    assert.equal(alertText(replayed.html), 'That passkey could not be verified, or its answer was already used. Try again. Nothing was changed.');

    const elsewhere = await openAccount(tobira, clock, user, secret);
    const remove = `/account/passkeys/${passkey.id}/remove`;
    const removed = await browser.submit(await browser.open(`${tobira.issuer}${remove}`), { code: freshCode(clock, secret) }, remove);
    assert.equal(messageOn(removed), 'The passkey was removed, and you were signed out everywhere else.');
    assert.deepEqual(passkeysOn(removed), []);
    assert.equal((await passkeyRows(user)).length, 0);
    const other = await elsewhere.browser.request(`${tobira.issuer}/account`);
    assert.equal(other.status, 302, 'the other browser was signed out: sent to sign in again');

    const renames = await auditOf(tobira, user.user.id, 'mfa.passkey_rename');
    assert.deepEqual(
      renames.map((e) => [e.outcome, e.details.to ?? e.details.reason, e.details.proof]),
      [
        ['success', 'Desk key', 'otp'],
        ['success', 'Office key', 'passkey'],
        ['failure', 'replayed', 'passkey'],
      ],
    );
    const [removal] = await auditOf(tobira, user.user.id, 'mfa.passkey_remove');
    assert.equal(removal!.outcome, 'success');
    assert.equal(removal!.details.label, 'Office key');
    assert.equal(removal!.details.ended_console_sessions, 1);
  });

  it('treats a passkey alone as enrolled: the only factor cannot be removed, and turning MFA off removes it', async () => {
    const { workspace, user, secret, browser, key, passkey } = await withAppAndPasskey('MacBook Touch ID');
    // Remove the app with the passkey as proof: the passkey is left as the only factor.
    const [app] = authenticatorsOn(await browser.open(`${tobira.issuer}/account`));
    const removeApp = `/account/authenticators/${app!.id}/remove`;
    const form = await browser.open(`${tobira.issuer}${removeApp}`);
    assert.match(form.html, /name="code"/);
    const gone = await browser.submit(form, { response: key.assert(optionsOn<RequestOptions>(form, 'fresh-passkey-options')) }, removeApp);
    assert.equal(messageOn(gone), 'The authenticator app was removed, and you were signed out everywhere else.');
    assert.deepEqual(authenticatorsOn(gone), []);
    assert.match(gone.html, /id="mfa-status">On</);
    assert.doesNotMatch(gone.html, new RegExp(`/account/passkeys/${passkey.id}/remove`), 'no remove link on the only factor');

    // Only a passkey now: the proof is the passkey, no code field.
    const rename = await browser.open(`${tobira.issuer}/account/passkeys/${passkey.id}/rename`);
    assert.doesNotMatch(rename.html, /name="code"/);
    assert.match(rename.html, /To confirm it is you, use one of your passkeys or security keys\./);
    const renameByCode = await browser.submit(rename, { label: 'By code', code: freshCode(clock, secret) }, `/account/passkeys/${passkey.id}/rename`);
    assert.equal(renameByCode.status, 400, 'a code from the removed app is no proof');
    assert.equal(alertText(renameByCode.html), 'That passkey could not be verified, or its answer was already used. Try again. Nothing was changed.');

    await setPolicy(tobira, workspace.id, 'required');
    const removeOnly = `/account/passkeys/${passkey.id}/remove`;
    const refusedPage = await browser.open(`${tobira.issuer}${removeOnly}`);
    assert.equal(refusedPage.status, 409);
    assert.match(refusedPage.html, /This is your only passkey or authenticator app\./);
    const refusedPost = await post(browser, tobira.issuer, removeOnly, { csrf: csrfOn(rename), code: freshCode(clock, secret) });
    assert.equal(refusedPost.status, 409);
    const off = await browser.open(`${tobira.issuer}/account/mfa/off`);
    assert.equal(off.status, 403, 'required: MFA cannot be turned off');

    await setPolicy(tobira, workspace.id, 'optional');
    const offForm = await browser.open(`${tobira.issuer}/account/mfa/off`);
    assert.equal(offForm.status, 200);
    const turnedOff = await browser.submit(offForm, { response: key.assert(optionsOn<RequestOptions>(offForm, 'fresh-passkey-options')) }, '/account/mfa/off');
    assert.equal(messageOn(turnedOff), 'Two-step verification is off. Your authenticator apps, passkeys and recovery codes were removed.');
    assert.match(turnedOff.html, /id="mfa-status">Off</);
    assert.equal((await passkeyRows(user)).length, 0);
    const [disable] = await auditOf(tobira, user.user.id, 'mfa.disable');
    assert.equal(disable!.details.passkeys_removed, 1);
  });

  it('removes only one of the last two factors when the app and the passkey are removed at once', async () => {
    const { user, secret, browser, key, passkey } = await withAppAndPasskey('YubiKey 5');
    const [app] = authenticatorsOn(await browser.open(`${tobira.issuer}/account`));
    const removeApp = `/account/authenticators/${app!.id}/remove`;
    const removePasskey = `/account/passkeys/${passkey.id}/remove`;
    const appForm = await browser.open(`${tobira.issuer}${removeApp}`);
    const passkeyForm = await browser.open(`${tobira.issuer}${removePasskey}`);
    const assertion = key.assert(optionsOn<RequestOptions>(passkeyForm, 'fresh-passkey-options'));
    const code = freshCode(clock, secret);
    const pages = await Promise.all([browser.submit(appForm, { code }, removeApp), browser.submit(passkeyForm, { response: assertion }, removePasskey)]);
    const outcomes = pages.map((p) => (new URL(p.url).pathname === '/account' && p.status === 200 ? 'removed' : p.status)).sort();
    assert.deepEqual(outcomes, [409, 'removed'], 'one removal wins, the other finds the last factor');
    const left = (await tobira.db('authenticators').where({ user_id: user.user.id })).length + (await passkeyRows(user)).length;
    assert.equal(left, 1);
  });

  it("lists passkeys with the apps on the admin's user page", async () => {
    const { workspace, user } = await withAppAndPasskey('YubiKey 5');
    const admin = await signedInAdmin(tobira, clock, workspace.slug);
    const page = await admin.browser.open(`/admin/users/${user.user.id}`);
    assert.equal(page.status, 200);
    const rows = [...page.html.matchAll(/<tr data-kind="(\w+)"><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map((m) => [m[1], decodeHtml(m[2]!), decodeHtml(m[3]!)]);
    assert.deepEqual(rows, [
      ['app', 'Pixel 8', 'Authenticator app'],
      ['passkey', 'YubiKey 5', 'Passkey or security key'],
    ]);
  });
});
