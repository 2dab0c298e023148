import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover } from '../../bench/support/rp.ts';
import { isEnrolmentPage, isTotpPage } from '../helpers/mfa.ts';
import { auditOf, enrolThroughSignIn, nextCode, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { ACR_MFA } from '../../src/mfa/assurance.ts';

describe('S2 policy optional, user enrolled: password, then TOTP', () => {
  const clock = adjustableClock();
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira({}, { clock });
  });
  after(async () => tobira.close());

  it('a plain sign-in asks for the password and then the code, and the RP gets the MFA claims', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const { secret: totpSecret } = await enrolThroughSignIn(config, clock, user, 'Pixel 8');
    const [enrolled] = await tobira.db('authenticators').where({ user_id: user.user.id });

    // Later, on another device, an ordinary request: no acr_values, no require_mfa.
    const browser = new Browser(tobira.issuer);
    const { start, page, askedForPassword } = await startSignIn(config, browser, user);
    assert.ok(askedForPassword, 'the password comes first');
    assert.ok(isTotpPage(page), `then the TOTP prompt, got ${page.status} ${page.url}`);
    assert.ok(!isEnrolmentPage(page), 'not enrolment again');
    assert.match(page.html, new RegExp(`authenticator app for ${user.email.replace(/[.]/g, '\\.')}`));
    const codeAt = clock.now();
    const back = await browser.submit(page, { code: nextCode(clock, totpSecret) }, '/totp');
    const { claims } = await tokensAt(config, start, back);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
    assert.equal(claims.sub, user.user.id);

    const [used] = await tobira.db('authenticators').where({ user_id: user.user.id });
    assert.equal(used.id, enrolled.id, 'still the one authenticator');
    assert.ok(new Date(used.last_used_at).getTime() > codeAt.getTime(), 'last_used_at is the time of this sign-in');
    assert.ok(Number(used.last_used_step) > Number(enrolled.last_used_step), 'the accepted time step is recorded');
    const signIns = await auditOf(tobira, user.user.id, 'sign_in');
    const last = signIns.at(-1)!;
    assert.equal(last.outcome, 'success');
    assert.deepEqual(last.details.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(last.details.acr, ACR_MFA);
    assert.deepEqual(last.details.mfa_reasons, ['enrolled']);
    assert.equal(last.details.step_up, false);
  });

  it('a wrong code keeps the user at the prompt, is audited, and the right code then signs in', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const { secret: totpSecret } = await enrolThroughSignIn(config, clock, user);
    const browser = new Browser(tobira.issuer);
    const { start, page } = await startSignIn(config, browser, user);
    const good = nextCode(clock, totpSecret);
    const wrong = await browser.submit(page, { code: good === '000000' ? '111111' : '000000' }, '/totp');
    assert.equal(wrong.status, 401);
    assert.ok(isTotpPage(wrong), 'still at the TOTP prompt');
    const back = await browser.submit(wrong, { code: good }, '/totp');
    const { claims } = await tokensAt(config, start, back);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    const trail = (await auditOf(tobira, user.user.id)).map((e) => `${e.action}:${e.outcome}`);
    assert.deepEqual(trail.slice(-2), ['mfa.totp:failure', 'sign_in:success']);
  });
});
