import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, CALLBACK } from '../helpers/tobira.ts';
import { discover } from '../../bench/support/rp.ts';
import { isTotpPage } from '../helpers/mfa.ts';
import { auditOf, enrolThroughSignIn, nextCode, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { ACR_MFA } from '../../src/mfa/assurance.ts';
import type * as oidc from 'openid-client';

describe('S10 prompt=login and max_age re-run password and TOTP; auth_time is the new time', () => {
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  let workspaceSlug: string;
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspaceSlug = (await makeWorkspace(tobira, 'optional')).slug;
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
  });
  after(async () => tobira.close());

  /** An enrolled user with a live MFA session in `browser`, signed in at `authTime`. */
  async function withMfaSession() {
    const user = await makeUser(tobira, { workspaceSlug });
    const { browser, secret, claims } = await enrolThroughSignIn(config, clock, user);
    assert.equal(typeof claims.auth_time, 'number', 'the ID token carries auth_time');
    return { user, browser, secret, authTime: claims.auth_time! };
  }

  // First in this file on purpose: oidc-provider measures max_age against real time, so the session
  // must not have been stamped with a clock the other test moved ahead.
  it('max_age=1 on a two-second-old MFA session asks for the password and the code again', async () => {
    const { user, browser, secret, authTime } = await withMfaSession();
    await sleep(2100);
    const { start, page, askedForPassword } = await startSignIn(config, browser, user, { max_age: '1' });
    assert.ok(askedForPassword, 'the password form again, despite the live session');
    assert.ok(isTotpPage(page), `then the TOTP prompt, got ${page.status} ${page.url}`);
    const { claims } = await tokensAt(config, start, await browser.submit(page, { code: nextCode(clock, secret) }, '/totp'));
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
    // The 2 s of real time plus the 30 s the clock moved for the code.
    assert.ok(claims.auth_time! >= authTime + 30, `auth_time ${claims.auth_time} is the new sign-in, not ${authTime}`);
    const signIns = await auditOf(tobira, user.user.id, 'sign_in');
    assert.equal(signIns.length, 2);
    assert.equal(signIns[1]!.details.step_up, false, 'a full sign-in, not a step-up');
  });

  it('prompt=login re-runs password and TOTP with a later auth_time, and a plain request then signs in silently', async () => {
    const { user, browser, secret, authTime } = await withMfaSession();
    clock.advance(120);
    const { start, page, askedForPassword } = await startSignIn(config, browser, user, { prompt: 'login' });
    assert.ok(askedForPassword, 'the password form again, despite the live session');
    assert.ok(isTotpPage(page), `then the TOTP prompt, got ${page.status} ${page.url}`);
    const { claims } = await tokensAt(config, start, await browser.submit(page, { code: nextCode(clock, secret) }, '/totp'));
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
    assert.ok(claims.auth_time! >= authTime + 120, `auth_time ${claims.auth_time} moved on from ${authTime}`);
    const [authenticator] = await tobira.db('authenticators').where({ user_id: user.user.id });
    assert.ok(Math.abs(new Date(authenticator.last_used_at).getTime() / 1000 - claims.auth_time!) <= 1, 'the code was checked at the new sign-in');

    // No prompt, no max_age: the MFA session answers without any page, with the same auth_time.
    const quiet = await startSignIn(config, browser, user);
    assert.ok(!quiet.askedForPassword);
    assert.ok(quiet.page.url.startsWith(CALLBACK), `no page at all, got ${quiet.page.status} ${quiet.page.url}`);
    const silent = (await tokensAt(config, quiet.start, quiet.page)).claims;
    assert.equal(silent.auth_time, claims.auth_time);
    assert.equal(silent.acr, ACR_MFA);
    assert.deepEqual(silent.amr, ['pwd', 'otp', 'mfa']);
  });
});
