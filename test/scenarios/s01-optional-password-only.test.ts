import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover } from '../../bench/support/rp.ts';
import { isEnrolmentPage, isTotpPage } from '../helpers/mfa.ts';
import { auditOf, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { ACR_PASSWORD } from '../../src/mfa/assurance.ts';

describe('S1 policy optional, no authenticator: password only', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  it('signs in with the password alone and the RP learns amr ["pwd"] and the password acr', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const before = Math.floor(Date.now() / 1000);

    const { start, page, askedForPassword } = await startSignIn(config, browser, user);
    assert.ok(askedForPassword, 'the password form comes first');
    assert.ok(!isTotpPage(page) && !isEnrolmentPage(page), 'no TOTP prompt and no enrolment');
    const { claims } = await tokensAt(config, start, page);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.acr, ACR_PASSWORD);
    assert.equal(claims.sub, user.user.id);
    assert.ok(typeof claims.auth_time === 'number' && claims.auth_time >= before - 1, 'auth_time is the time of this sign-in');

    assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 0, 'nothing was enrolled');
    assert.equal((await tobira.db('recovery_codes').where({ user_id: user.user.id })).length, 0, 'no recovery codes were issued');
    const signIns = await auditOf(tobira, user.user.id, 'sign_in');
    assert.equal(signIns.length, 1);
    assert.equal(signIns[0]!.outcome, 'success');
    assert.deepEqual(signIns[0]!.details.amr, ['pwd']);
    assert.equal(signIns[0]!.details.acr, ACR_PASSWORD);
    assert.deepEqual(signIns[0]!.details.mfa_reasons, []);
    assert.equal(signIns[0]!.details.client_id, clientId);
  });

  it('a wrong password is refused and audited, and nothing is issued', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const { page } = await startSignIn(config, browser, { email: user.email, password: `${user.password}x` });
    assert.equal(page.status, 401);
    assert.ok(page.html.includes('name="password"'), 'the password form is shown again');
    assert.deepEqual(
      (await auditOf(tobira, user.user.id, 'sign_in')).map((e) => `${e.outcome}:${String(e.details.reason)}`),
      ['failure:wrong_password'],
    );
  });
});
