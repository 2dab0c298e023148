import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';
import { Browser, alertText, type Page } from '../../bench/support/browser.ts';
import { discover } from '../../bench/support/rp.ts';
import { enrol, isTotpPage } from '../helpers/mfa.ts';
import { auditOf, enrolThroughSignIn, linkOn, nextCode, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { hashRecoveryCode } from '../../src/mfa/recovery-codes.ts';
import { ACR_MFA } from '../../src/mfa/assurance.ts';

describe('S5(a) lost phone, policy optional: a recovery code signs in and a new authenticator is offered', () => {
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  let user: TestUser;
  let codes: string[];
  before(async () => {
    tobira = await startTobira({}, { clock });
    const workspace = await makeWorkspace(tobira, 'optional');
    user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
    codes = (await enrolThroughSignIn(config, clock, user, 'Lost phone')).recoveryCodes;
    assert.equal(codes.length, 10);
  });
  after(async () => tobira.close());

  /** Password, then "use a recovery code" at the TOTP prompt: returns the recovery-code form. */
  async function atRecoveryForm(browser: Browser) {
    const { start, page } = await startSignIn(config, browser, user);
    assert.ok(isTotpPage(page), 'the enrolled user is asked for a TOTP code first');
    assert.match(page.html, /Lost your phone\? Use a recovery code instead/);
    const form: Page = await browser.open(linkOn(page, '?use=recovery'));
    assert.match(form.html, /Use a recovery code/);
    assert.ok(form.html.includes('/recovery"'), 'the form posts a recovery code');
    return { start, form };
  }
  const usedRows = async () => tobira.db('recovery_codes').where({ user_id: user.user.id }).whereNotNull('used_at');

  it('a recovery code typed in capitals with spaces signs in with amr pwd+mfa, and is used up', async () => {
    const browser = new Browser(tobira.issuer);
    const { start, form } = await atRecoveryForm(browser);
    const typed = codes[0]!.toUpperCase().replace('-', ' ');
    const recovered = await browser.submit(form, { code: typed }, '/recovery');
    assert.match(recovered.html, /Signed in with a recovery code/);
    assert.match(recovered.html, /You have 9 left\./);
    assert.ok(linkOn(recovered, '?use=enrol'), 'it offers to set up a new authenticator');
    const back = await browser.submit(recovered, {}, '/continue');
    const { claims } = await tokensAt(config, start, back);
    assert.deepEqual(claims.amr, ['pwd', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);

    const used = await usedRows();
    assert.equal(used.length, 1);
    assert.equal(used[0].code_hash, hashRecoveryCode(tobira.keys.dataKey, codes[0]!), 'exactly the code that was typed');
    const audit = await auditOf(tobira, user.user.id);
    const recovery = audit.filter((e) => e.action === 'mfa.recovery_code');
    assert.deepEqual(
      recovery.map((e) => [e.outcome, e.details.remaining]),
      [['success', 9]],
    );
    assert.deepEqual(audit.at(-1)!.details.amr, ['pwd', 'mfa']);
  });

  it('the same recovery code is refused the second time', async () => {
    const browser = new Browser(tobira.issuer);
    const { form } = await atRecoveryForm(browser);
    const refused = await browser.submit(form, { code: codes[0]! }, '/recovery');
    assert.equal(refused.status, 401);
    assert.equal(alertText(refused.html), 'That recovery code is not correct, or it has already been used.');
    assert.equal((await usedRows()).length, 1, 'nothing else was used up');
    const last = (await auditOf(tobira, user.user.id, 'mfa.recovery_code')).at(-1)!;
    assert.equal(last.outcome, 'failure');
    assert.equal(last.details.reason, 'wrong');
  });

  it('"set up a new authenticator app" after a recovery code enrols a second one and returns to the RP', async () => {
    const browser = new Browser(tobira.issuer);
    const { start, form } = await atRecoveryForm(browser);
    const recovered = await browser.submit(form, { code: codes[1]! }, '/recovery');
    assert.match(recovered.html, /You have 8 left\./);
    const enrolPage = await browser.open(linkOn(recovered, '?use=enrol'));
    assert.match(enrolPage.html, /You chose to set up a new authenticator app/);
    clock.advance(30);
    const { secret, recoveryCodes, after } = await enrol(browser, enrolPage, { label: 'New phone', at: clock.now() });
    assert.deepEqual(recoveryCodes, [], 'the 8 codes left stay valid; no new set is forced on the user');
    const { claims } = await tokensAt(config, start, after);
    assert.equal(claims.acr, ACR_MFA);
    assert.ok(Array.isArray(claims.amr) && claims.amr.includes('pwd') && claims.amr.includes('mfa'));

    const authenticators = await tobira.db('authenticators').where({ user_id: user.user.id }).orderBy('created_at');
    assert.deepEqual(
      authenticators.map((a: { label: string }) => a.label),
      ['Lost phone', 'New phone'],
    );
    assert.equal((await usedRows()).length, 2);
    assert.equal((await tobira.db('recovery_codes').where({ user_id: user.user.id })).length, 10);
    const actions = (await auditOf(tobira, user.user.id)).map((e) => `${e.action}:${e.outcome}`);
    assert.deepEqual(actions.slice(-3), ['mfa.recovery_code:success', 'mfa.enrol:success', 'sign_in:success']);

    // The new phone works at the next sign-in.
    const later = new Browser(tobira.issuer);
    const next = await startSignIn(config, later, user);
    const back = await later.submit(next.page, { code: nextCode(clock, secret) }, '/totp');
    assert.deepEqual((await tokensAt(config, next.start, back)).claims.amr, ['pwd', 'otp', 'mfa']);
  });
});
