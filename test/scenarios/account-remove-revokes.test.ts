import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover } from '../../bench/support/rp.ts';
import { isTotpPage } from '../helpers/mfa.ts';
import { auditOf, enrolThroughSignIn, isPasswordForm, nextCode, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { addAuthenticator, authenticatorsOn, change, freshCode, openAccount } from '../helpers/account.ts';

// S15, the user's side: removing an authenticator at /account ends the user's other sessions and
// revokes their grants and refresh tokens; the browser that made the change stays at /account.
describe('S15 removing an authenticator at /account revokes the other sessions', function () {
  this.timeout(30_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira({}, { clock });
  });
  after(async () => tobira.close());

  it("an RP's refresh token from another browser fails afterwards, and that browser must sign in again", async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const { secret: oldSecret } = await enrolThroughSignIn(config, clock, user, 'Old phone');

    // Another browser, signed in at the RP with the old phone: it holds a refresh token.
    const other = new Browser(tobira.issuer);
    const { start, page } = await startSignIn(config, other, user);
    assert.ok(isTotpPage(page));
    const { tokens, claims } = await tokensAt(config, start, await other.submit(page, { code: nextCode(clock, oldSecret) }, '/totp'));
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    const refreshToken = (await oidc.refreshTokenGrant(config, tokens.refresh_token!)).refresh_token!;
    // And a second /account session elsewhere.
    const otherAccount = await openAccount(tobira, clock, user, oldSecret);

    const { browser } = await openAccount(tobira, clock, user, oldSecret);
    const { secret: newSecret, after } = await addAuthenticator(browser, tobira.issuer, clock, { label: 'New phone', oldSecret });
    const [old] = authenticatorsOn(after);
    const before = await tobira.db('oidc_models').where({ account_id: user.user.id }).count<{ count: string }[]>({ count: '*' }).first();
    assert.ok(Number(before!.count) > 0);
    const removed = await change(browser, tobira.issuer, `/account/authenticators/${old!.id}/remove`, { code: freshCode(clock, newSecret) });
    assert.equal(new URL(removed.url).pathname, '/account', 'this browser stays at /account');

    await assert.rejects(oidc.refreshTokenGrant(config, refreshToken), (err: oidc.ResponseBodyError) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
    assert.equal((await tobira.db('oidc_models').where({ account_id: user.user.id })).length, 0, 'no session, grant or token of the user is left');
    const consoleSessions = await tobira.db('console_sessions').where({ user_id: user.user.id });
    assert.equal(consoleSessions.length, 1, 'only the session that made the change');

    const stale = await otherAccount.browser.open(`${tobira.issuer}/account`);
    assert.ok(isPasswordForm(stale), 'the other /account session has ended');
    const again = await startSignIn(config, other, user);
    assert.ok(again.askedForPassword, "the other browser's SSO session has ended");
    const back = await other.submit(again.page, { code: nextCode(clock, newSecret) }, '/totp');
    assert.deepEqual((await tokensAt(config, again.start, back)).claims.amr, ['pwd', 'otp', 'mfa']);

    const event = (await auditOf(tobira, user.user.id, 'mfa.authenticator_remove')).at(-1)!;
    assert.equal(event.outcome, 'success');
    assert.ok(Number(event.details.ended_oidc_artefacts) > 0);
    assert.equal(event.details.ended_console_sessions, 1);
    const row = await tobira.db('audit_events').where({ action: 'mfa.authenticator_remove', outcome: 'success', actor_id: user.user.id }).first();
    assert.deepEqual([row.actor_type, row.workspace_id, row.target_type, row.target_id], ['user', workspace.id, 'authenticator', old!.id]);
  });
});
