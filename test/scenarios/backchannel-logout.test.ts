// Back-channel logout (issue 11): whatever ends a user's sessions at Tobira ends them in the apps
// registered for it. Each app's receiver verifies the logout token with Tobira's JWKS and checks
// its claims; delivery goes through the outbox, so a dead app gets it on a retry and a hanging app
// never holds up the user's sign-out.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeWorkspace, POST_LOGOUT } from '../helpers/tobira.ts';
import { assertRedirect, auditWhere, postUserAction, signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { backchannelRp, logoutTokenFor, memberSignedIn, type BackchannelRp } from '../helpers/backchannel.ts';
import { until } from '../helpers/wait.ts';
import { DELIVERY_TIMEOUT_MS } from '../../src/backchannel/worker.ts';
import { updateClientBackchannelLogout } from '../../src/db/clients.ts';
import type { Browser } from '../../bench/support/browser.ts';

describe('back-channel logout', () => {
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let workspace: { id: string; slug: string };
  let admin: AdminSession;
  let rp: BackchannelRp;
  const extraRps: BackchannelRp[] = [];
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspace = await makeWorkspace(tobira, 'optional');
    admin = await signedInAdmin(tobira, clock, workspace.slug);
    rp = await backchannelRp(tobira);
  });
  after(async () => {
    for (const other of [rp, ...extraRps]) await other?.remove();
    await tobira?.close();
  });

  async function signOut(config: oidc.Configuration, browser: Browser, idToken: string) {
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT });
    const confirm = await browser.open(url.href);
    assert.equal(confirm.status, 200, 'Tobira asks whether to sign out');
    return browser.submit(confirm, { logout: 'yes' });
  }

  it('discovery says back-channel logout is supported, with sessions', async () => {
    const response = await fetch(`${tobira.issuer}/.well-known/openid-configuration`);
    const discovery = (await response.json()) as Record<string, unknown>;
    assert.equal(discovery.backchannel_logout_supported, true);
    assert.equal(discovery.backchannel_logout_session_supported, true);
  });

  it('the user signs out at Tobira: the app is told, with the sid of its ID token', async () => {
    const member = await memberSignedIn(tobira, rp, workspace.slug);
    const after = await signOut(rp.config, member.browser, member.idToken);
    assert.ok(after.url.startsWith(POST_LOGOUT), `back at the app after signing out: ${after.url}`);
    await logoutTokenFor(rp, member, tobira.issuer);
    const event = await until('the delivery is audited', async () =>
      (await auditWhere(tobira, { action: 'backchannel_logout', target_id: member.user.user.id })).at(0),
    );
    assert.equal(event!.outcome, 'success');
    assert.equal(event!.actor_type, 'system');
    assert.equal(event!.workspace_id, workspace.id);
    assert.deepEqual(event!.details, { client_id: rp.clientId, sid: member.sid, reason: 'sign_out', attempt: 1, status: 200 });
  });

  it("an admin resets the user's MFA: every app holding a session is told", async () => {
    const member = await memberSignedIn(tobira, rp, workspace.slug);
    assertRedirect(await postUserAction(admin, member.user.user.id, 'reset-mfa', { confirm: 'yes' }), /\?done=reset$/);
    await logoutTokenFor(rp, member, tobira.issuer);
  });

  it('an admin disables the user, or deletes them: the app is told', async () => {
    const disabled = await memberSignedIn(tobira, rp, workspace.slug);
    assertRedirect(await postUserAction(admin, disabled.user.user.id, 'disable', { confirm: 'yes' }), /\?done=disabled$/);
    await logoutTokenFor(rp, disabled, tobira.issuer);
    const deleted = await memberSignedIn(tobira, rp, workspace.slug);
    assertRedirect(await postUserAction(admin, deleted.user.user.id, 'delete', { confirm: 'yes' }), /\?done=deleted$/);
    await logoutTokenFor(rp, deleted, tobira.issuer);
  });

  it('an app that is down at first gets the notice on a retry, and each attempt is audited', async () => {
    const down = await backchannelRp(tobira, { down: true });
    extraRps.push(down);
    const member = await memberSignedIn(tobira, down, workspace.slug);
    assertRedirect(await postUserAction(admin, member.user.user.id, 'disable', { confirm: 'yes' }), /\?done=disabled$/);
    const failed = await until('a failed attempt is audited', async () =>
      (await auditWhere(tobira, { action: 'backchannel_logout', target_id: member.user.user.id, outcome: 'failure' })).at(0),
    );
    assert.equal(failed.details.attempt, 1);
    assert.match(String(failed.details.error), /ECONNREFUSED/);
    assert.ok(failed.details.retry_at, 'the failure says when the next attempt is');
    await down.receiver.start();
    await logoutTokenFor(down, member, tobira.issuer);
    const attempts = await until('the successful attempt is audited', async () => {
      const rows = await auditWhere(tobira, { action: 'backchannel_logout', target_id: member.user.user.id });
      return rows.some((r) => r.outcome === 'success') && rows;
    });
    const outcomes = attempts.map((r) => r.outcome);
    assert.equal(outcomes.at(-1), 'success');
    assert.ok(outcomes.slice(0, -1).every((o) => o === 'failure') && outcomes.length >= 2, `failures, then a success: ${outcomes.join(', ')}`);
    assert.equal(await tobira.db('logout_notices').where({ client_id: down.clientId }).first(), undefined, 'the delivered notice left the outbox');
  });

  it('stops retrying, audited as given up, once the app is no longer registered for back-channel logout', async () => {
    const leaving = await backchannelRp(tobira, { down: true });
    extraRps.push(leaving);
    const member = await memberSignedIn(tobira, leaving, workspace.slug);
    assertRedirect(await postUserAction(admin, member.user.user.id, 'disable', { confirm: 'yes' }), /\?done=disabled$/);
    await until('a failed attempt is audited', async () =>
      (await auditWhere(tobira, { action: 'backchannel_logout', target_id: member.user.user.id, outcome: 'failure' })).at(0),
    );
    await updateClientBackchannelLogout(tobira.db, leaving.clientId, null, false);
    const last = await until('the notice is given up', async () =>
      (await auditWhere(tobira, { action: 'backchannel_logout', target_id: member.user.user.id })).find((r) => r.details.given_up === true),
    );
    assert.equal(last.details.error, 'the client is no longer registered for back-channel logout');
    assert.equal(await tobira.db('logout_notices').where({ client_id: leaving.clientId }).first(), undefined, 'the outbox is empty');
  });

  it('a sign-out does not wait for an app that never answers; the attempt times out later', async () => {
    const hanging = await backchannelRp(tobira);
    extraRps.push(hanging);
    hanging.receiver.hang();
    const member = await memberSignedIn(tobira, hanging, workspace.slug);
    const after = await signOut(hanging.config, member.browser, member.idToken);
    assert.ok(after.url.startsWith(POST_LOGOUT), `the user is back at the app: ${after.url}`);
    // The attempt can only fail once the timeout has run; the sign-out had answered before that.
    assert.deepEqual(
      await auditWhere(tobira, { action: 'backchannel_logout', target_id: member.user.user.id }),
      [],
      'no attempt had ended when the sign-out answered',
    );
    await until('the app got the request', async () => hanging.receiver.requests > 0);
    const failed = await until(
      'the unanswered attempt is audited as a failure',
      async () => (await auditWhere(tobira, { action: 'backchannel_logout', target_id: member.user.user.id, outcome: 'failure' })).at(0),
      { deadlineMs: DELIVERY_TIMEOUT_MS + 20_000 },
    );
    assert.equal(failed.details.error, `no answer within ${DELIVERY_TIMEOUT_MS} ms`);
  });
});
