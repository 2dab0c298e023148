import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover } from '../../bench/support/rp.ts';
import { enrol, isEnrolmentPage, isTotpPage, setPolicy } from '../helpers/mfa.ts';
import { auditOf, enrolThroughSignIn, nextCode, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { ACR_MFA, ACR_PASSWORD } from '../../src/mfa/assurance.ts';

describe('S4 enrolled once, turned MFA off, then the policy became required: enrolment, not a lock-out', () => {
  const clock = adjustableClock();
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira({}, { clock });
  });
  after(async () => tobira.close());

  it('the next sign-in enrols a new authenticator and returns to the RP with MFA claims', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const first = await enrolThroughSignIn(config, clock, user, 'Old phone');
    const [oldAuthenticator] = await tobira.db('authenticators').where({ user_id: user.user.id });

    // The user turns MFA off (what /account will do): no authenticator, no recovery codes left.
    await tobira.db('authenticators').where({ user_id: user.user.id }).delete();
    await tobira.db('recovery_codes').where({ user_id: user.user.id }).delete();
    const off = await startSignIn(config, new Browser(tobira.issuer), user);
    assert.deepEqual((await tokensAt(config, off.start, off.page)).claims.amr, ['pwd'], 'with MFA off and policy optional, the password is enough');

    await setPolicy(tobira, workspace.id, 'required');
    const browser = new Browser(tobira.issuer);
    const { start, page, askedForPassword } = await startSignIn(config, browser, user);
    assert.ok(askedForPassword);
    assert.ok(!isTotpPage(page), 'no TOTP prompt for an authenticator that no longer exists');
    assert.ok(isEnrolmentPage(page), `enrolment, not a lock-out or an error: got ${page.status} ${page.url}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /Your workspace requires two-step verification/);
    const again = await enrol(browser, page, { label: 'New phone', at: clock.now() });
    assert.notEqual(again.secret, first.secret, 'a new secret, not the old one');
    assert.equal(again.recoveryCodes.length, 10, 'fresh recovery codes are shown once');
    assert.ok(again.recoveryCodes.every((c) => !first.recoveryCodes.includes(c)));
    const { claims } = await tokensAt(config, start, again.after);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);

    const authenticators = await tobira.db('authenticators').where({ user_id: user.user.id });
    assert.equal(authenticators.length, 1);
    assert.equal(authenticators[0].label, 'New phone');
    assert.notEqual(authenticators[0].id, oldAuthenticator.id);
    const codes = await tobira.db('recovery_codes').where({ user_id: user.user.id });
    assert.equal(codes.length, 10);
    assert.ok(codes.every((c: { used_at: Date | null }) => c.used_at === null));
    const audit = await auditOf(tobira, user.user.id);
    assert.equal(audit.filter((e) => e.action === 'mfa.enrol' && e.outcome === 'success').length, 2, 'both enrolments are audited');
    const signIns = audit.filter((e) => e.action === 'sign_in');
    assert.deepEqual(
      signIns.map((e) => e.details.acr),
      [ACR_MFA, ACR_PASSWORD, ACR_MFA],
    );
    assert.deepEqual(signIns.at(-1)!.details.mfa_reasons, ['workspace_policy']);

    // And from now on the usual TOTP prompt, with the new authenticator.
    const later = new Browser(tobira.issuer);
    const next = await startSignIn(config, later, user);
    assert.ok(isTotpPage(next.page));
    const back = await later.submit(next.page, { code: nextCode(clock, again.secret) }, '/totp');
    assert.equal((await tokensAt(config, next.start, back)).claims.acr, ACR_MFA);
  });
});
