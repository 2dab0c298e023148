import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover } from '../../bench/support/rp.ts';
import { isTotpPage } from '../helpers/mfa.ts';
import { auditOf, enrolThroughSignIn, nextCode, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { addAuthenticator, authenticatorsOn, change, freshCode, messageOn, openAccount } from '../helpers/account.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { ACR_MFA } from '../../src/mfa/assurance.ts';

describe('S7 new phone while the old one still works', function () {
  this.timeout(30_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  let user: TestUser;
  before(async () => {
    tobira = await startTobira({}, { clock });
    const workspace = await makeWorkspace(tobira, 'required');
    user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
  });
  after(async () => tobira.close());

  /** A sign-in at the RP with a code from `secret`; returns the RP's claims or the refusing page. */
  async function signInWith(secret: string) {
    const browser = new Browser(tobira.issuer);
    const { start, page } = await startSignIn(config, browser, user);
    assert.ok(isTotpPage(page), 'asked for a code');
    const back = await browser.submit(page, { code: nextCode(clock, secret) }, '/totp');
    if (!back.url.startsWith('https://rp.example.test/')) return { refused: back };
    return { claims: (await tokensAt(config, start, back)).claims };
  }

  it('adds a second authenticator at /account, signs in with either, then removes the old one', async () => {
    const { secret: oldSecret, recoveryCodes } = await enrolThroughSignIn(config, clock, user, 'Old phone');
    assert.equal(recoveryCodes.length, 10);
    const { browser, page } = await openAccount(tobira, clock, user, oldSecret);
    assert.deepEqual(
      authenticatorsOn(page).map((a) => a.label),
      ['Old phone'],
    );
    assert.doesNotMatch(page.html, /\/remove"/, 'the only authenticator cannot be removed on its own');

    // The add page: QR code, key, name, a code from the new app, and a code from the old one.
    const { secret: newSecret, after, addPage } = await addAuthenticator(browser, tobira.issuer, clock, { label: 'New phone', oldSecret });
    assert.match(addPage.html, /<img class="qr" src="data:image\/png;base64,/);
    assert.doesNotMatch(addPage.html, new RegExp(newSecret), 'the key is shown grouped, never as one string in a field');
    assert.equal(new URL(after.url).pathname, '/account');
    assert.equal(messageOn(after), 'The authenticator app was added. You can sign in with any of your apps.');
    assert.deepEqual(
      authenticatorsOn(after).map((a) => a.label),
      ['Old phone', 'New phone'],
    );
    assert.equal((await tobira.db('recovery_codes').where({ user_id: user.user.id }).whereNull('used_at')).length, 10, 'the codes the user saved stay valid');
    const added = (await auditOf(tobira, user.user.id, 'mfa.enrol')).at(-1)!;
    assert.equal(added.outcome, 'success');
    assert.equal(added.details.via, 'account');
    assert.equal(added.details.recovery_codes_issued, false);
    const row = await tobira.db('audit_events').where({ action: 'mfa.enrol', actor_id: user.user.id }).orderBy('id', 'desc').first();
    assert.equal(row.actor_type, 'user');
    assert.equal(row.workspace_id, user.user.workspace_id);
    assert.equal(row.target_type, 'authenticator');
    assert.ok(row.ip, 'the request origin is recorded');

    // Both phones sign in.
    for (const secret of [oldSecret, newSecret]) {
      const { claims } = await signInWith(secret);
      assert.deepEqual(claims!.amr, ['pwd', 'otp', 'mfa']);
      assert.equal(claims!.acr, ACR_MFA);
    }

    // Remove the old phone, confirming with the new one.
    const [old] = authenticatorsOn(after);
    const removed = await change(browser, tobira.issuer, `/account/authenticators/${old!.id}/remove`, { code: freshCode(clock, newSecret) });
    assert.equal(new URL(removed.url).pathname, '/account');
    assert.match(messageOn(removed) ?? '', /was removed/);
    assert.deepEqual(
      authenticatorsOn(removed).map((a) => a.label),
      ['New phone'],
    );
    const rows = await tobira.db('authenticators').where({ user_id: user.user.id });
    assert.deepEqual(
      rows.map((r: { label: string }) => r.label),
      ['New phone'],
    );
    assert.equal((await auditOf(tobira, user.user.id, 'mfa.authenticator_remove')).at(-1)!.details.label, 'Old phone');

    // Only the new phone works now.
    const { refused } = await signInWith(oldSecret);
    assert.ok(refused && isTotpPage(refused) && refused.status === 401, "the old phone's code is refused");
    const { claims } = await signInWith(newSecret);
    assert.deepEqual(claims!.amr, ['pwd', 'otp', 'mfa']);
  });

  it('keeps the QR code after a mistake, and a wrong code from the old app adds nothing', async () => {
    const other = await makeUser(tobira, { workspaceSlug: user.workspaceSlug });
    const { secret: oldSecret } = await enrolThroughSignIn(config, clock, other, 'Old phone');
    const { browser } = await openAccount(tobira, clock, other, oldSecret);
    const addPage = await browser.open(`${tobira.issuer}/account/authenticators/new`);
    const keyOnPage = /id="new-secret">([^<]+)</.exec(addPage.html)![1]!.replace(/\s+/g, '');
    clock.advance(30);
    const good = codeFor(oldSecret, clock.now());
    const wrong = await browser.submit(
      addPage,
      { label: 'Tablet', new_code: codeFor(keyOnPage, clock.now()), code: good === '123456' ? '654321' : '123456' },
      '/account/authenticators',
    );
    assert.equal(wrong.status, 400);
    assert.match(messageOn(wrong) ?? '', /code is not correct.*Nothing was changed/);
    assert.equal(/id="new-secret">([^<]+)</.exec(wrong.html)![1]!.replace(/\s+/g, ''), keyOnPage, 'the same key, so the app already set up still fits');
    assert.equal((await tobira.db('authenticators').where({ user_id: other.user.id })).length, 1);
    const typo = await browser.submit(wrong, { label: 'Tablet', new_code: '000000', code: good }, '/account/authenticators');
    assert.equal(typo.status, 400);
    assert.match(messageOn(typo) ?? '', /code from the new app does not match/);
    // The old app's code was not used up by the typo in the new one.
    const ok = await browser.submit(typo, { label: 'Tablet', new_code: codeFor(keyOnPage, clock.now()), code: good }, '/account/authenticators');
    assert.deepEqual(
      authenticatorsOn(ok).map((a) => a.label),
      ['Old phone', 'Tablet'],
    );
  });
});
