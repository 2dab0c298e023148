// S11 (admin part) A workspace admin lost the phone: another workspace admin resets them and they
// enrol again on the way into /admin; a workspace's only admin signs in to /admin with a recovery
// code. (The operator's command-line reset is tested with the CLI.)
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeWorkspace } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { enrol, isEnrolmentPage, isTotpPage } from '../helpers/mfa.ts';
import { linkOn } from '../helpers/scenario-a.ts';
import { assertRedirect, auditWhere, postUserAction, signedInAdmin } from '../helpers/admin.ts';

describe('S11 a workspace admin lost the phone', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira({}, { clock });
  });
  after(async () => tobira?.close());

  it('another workspace admin resets them; they enrol again on the way into /admin', async () => {
    const workspace = await makeWorkspace(tobira, 'required_for_admins');
    const helper = await signedInAdmin(tobira, clock, workspace.slug);
    const lost = await signedInAdmin(tobira, clock, workspace.slug);
    assertRedirect(await postUserAction(helper, lost.user.user.id, 'reset-mfa', { confirm: 'yes' }), /\?done=reset$/);
    // Their console session ended with the reset.
    const stale = await lost.browser.request('/admin/users');
    assert.equal(stale.status, 302);

    const browser = new Browser(tobira.issuer);
    let page = await browser.open(`${tobira.issuer}/admin/users`);
    page = await browser.submit(page, { email: lost.user.email, password: lost.user.password }, '/login');
    assert.ok(isEnrolmentPage(page), 'the admin console demands MFA, so the admin enrols a new phone');
    const enrolled = await enrol(browser, page, { label: 'Replacement phone', at: clock.now() });
    assert.equal(enrolled.after.status, 200);
    assert.ok(enrolled.after.url.endsWith('/admin/users'), `back in the console: ${enrolled.after.url}`);
    const rows = await auditWhere(tobira, { action: 'mfa.reset', target_id: lost.user.user.id });
    assert.deepEqual(
      rows.map((r) => [r.outcome, r.actor_id]),
      [['success', helper.user.user.id]],
    );
  });

  it('the only workspace admin signs in to /admin with a recovery code', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const only = await signedInAdmin(tobira, clock, workspace.slug);
    assert.equal(only.recoveryCodes?.length, 10);
    const browser = new Browser(tobira.issuer);
    let page = await browser.open(`${tobira.issuer}/admin/users`);
    page = await browser.submit(page, { email: only.user.email, password: only.user.password }, '/login');
    assert.ok(isTotpPage(page));
    const form = await browser.open(linkOn(page, '?use=recovery'));
    const recovered = await browser.submit(form, { code: only.recoveryCodes![0]! }, '/recovery');
    assert.match(recovered.html, /Signed in with a recovery code/);
    const inside = await browser.submit(recovered, {}, '/continue');
    assert.equal(inside.status, 200);
    assert.ok(inside.url.endsWith('/admin/users'), `in the console: ${inside.url}`);
    assert.ok(inside.html.includes(only.user.email));
    const [signIn] = (await auditWhere(tobira, { action: 'admin.sign_in', actor_id: only.user.user.id })).slice(-1);
    assert.equal(signIn!.outcome, 'success');
    assert.deepEqual(signIn!.details.amr, ['pwd', 'mfa']);
  });
});
