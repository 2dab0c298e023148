// Sessions on the user's page and at /account (issue 11): each browser's session is listed with
// when it signed in, the browser and the apps; ending one ends that browser only, and the apps it
// signed in to get a verified logout token naming it.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { Browser, decodeHtml, type Page } from '../../bench/support/browser.ts';
import { assertRedirect, auditWhere, postUserAction, signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { backchannelRp, logoutTokenFor, memberSignedIn, type BackchannelRp } from '../helpers/backchannel.ts';
import { messageOn, openAccount, post } from '../helpers/account.ts';
import { csrfOn } from '../helpers/console.ts';
import { until } from '../helpers/wait.ts';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

type Row = { id: string; browser: string; apps: string };

function sessionRows(page: Page): Row[] {
  return [...page.html.matchAll(/<tr data-session="([^"]+)">[\s\S]*?<td class="browser">([^<]*)<\/td>\s*<td class="apps">([^<]*)<\/td>/g)].map((m) => ({
    id: decodeHtml(m[1]!),
    browser: decodeHtml(m[2]!),
    apps: decodeHtml(m[3]!),
  }));
}

describe('sessions listed and ended one by one', () => {
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let workspaceSlug: string;
  let admin: AdminSession;
  let rp: BackchannelRp;
  let rpName: string;
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspaceSlug = (await makeWorkspace(tobira, 'optional')).slug;
    admin = await signedInAdmin(tobira, clock, workspaceSlug);
    rp = await backchannelRp(tobira);
    rpName = (await tobira.db('clients').where({ client_id: rp.clientId }).first()).name;
  });
  after(async () => {
    await rp?.remove();
    await tobira?.close();
  });

  it("an admin ends one of the user's sessions: only that browser is signed out, and its app is told", async () => {
    const user = await makeUser(tobira, { workspaceSlug });
    const laptop = await memberSignedIn(tobira, rp, workspaceSlug, new Browser(tobira.issuer, { 'user-agent': FIREFOX_WINDOWS }), user);
    const phone = await memberSignedIn(tobira, rp, workspaceSlug, new Browser(tobira.issuer, { 'user-agent': SAFARI_IPHONE }), user);
    const page = await admin.browser.open(`/admin/users/${user.user.id}`);
    const rows = sessionRows(page);
    assert.deepEqual(rows.map((r) => [r.browser, r.apps]).sort(), [
      ['Firefox / Windows', rpName],
      ['Safari / iOS', rpName],
    ]);
    const laptopRow = rows.find((r) => r.browser === 'Firefox / Windows')!;

    assertRedirect(await postUserAction(admin, user.user.id, 'end-session', { session: laptopRow.id }), /\?done=session$/);
    await logoutTokenFor(rp, laptop, tobira.issuer);
    const after = await admin.browser.open(`/admin/users/${user.user.id}?done=session`);
    assert.match(after.html, /The session was ended; the apps it signed in to were told\./);
    assert.deepEqual(
      sessionRows(after).map((r) => r.browser),
      ['Safari / iOS'],
    );
    const delivered = await until('the delivery is audited', async () => {
      const rows = await auditWhere(tobira, { action: 'backchannel_logout', target_id: user.user.id });
      return rows.length > 0 && rows;
    });
    assert.deepEqual(
      delivered.map((r) => [r.outcome, r.details.sid, r.details.reason]),
      [['success', laptop.sid, 'session_ended']],
      'only the ended session was told',
    );
    assert.ok(phone.sid !== laptop.sid);
    await assert.rejects(oidc.refreshTokenGrant(rp.config, laptop.refreshToken), (err: oidc.ResponseBodyError) => err.error === 'invalid_grant');
    assert.ok((await oidc.refreshTokenGrant(rp.config, phone.refreshToken)).access_token, "the other browser's tokens still work");
    const [ended] = await auditWhere(tobira, { action: 'session.end', target_id: user.user.id });
    assert.deepEqual([ended!.outcome, ended!.actor_id, ended!.details.logout_notices], ['success', admin.user.user.id, 1]);

    const again = await postUserAction(admin, user.user.id, 'end-session', { session: laptopRow.id });
    assert.equal(again.status, 400);
    assert.match(again.html, /That session has already ended\./);
  });

  it('a user admin cannot end the sessions of a workspace admin (403, audited)', async () => {
    const userAdmin = await signedInAdmin(tobira, clock, workspaceSlug, 'user_admin');
    const target = await makeUser(tobira, { workspaceSlug, role: 'workspace_admin' });
    const refused = await postUserAction(userAdmin, target.user.id, 'end-session', { session: 'x' });
    assert.equal(refused.status, 403);
    const [event] = await auditWhere(tobira, { action: 'session.end', target_id: target.user.id });
    assert.equal(event!.outcome, 'refused');
  });

  it('at /account the user sees where they are signed in and ends the other browser; its app is told', async () => {
    const user = await makeUser(tobira, { workspaceSlug });
    const laptop = await memberSignedIn(tobira, rp, workspaceSlug, new Browser(tobira.issuer, { 'user-agent': FIREFOX_WINDOWS }), user);
    const { browser, page } = await openAccount(tobira, clock, user, undefined, new Browser(tobira.issuer, { 'user-agent': SAFARI_IPHONE }));
    const rows = sessionRows(page);
    assert.deepEqual(rows.map((r) => r.browser).sort(), ['Firefox / Windows', 'Safari / iOS']);
    const laptopRow = rows.find((r) => r.browser === 'Firefox / Windows')!;
    assert.equal(laptopRow.apps, rpName);

    const ended = await browser.submit(page, { session: laptopRow.id }, '/account/sessions/end');
    assert.equal(new URL(ended.url).pathname, '/account');
    assert.equal(messageOn(ended), 'The session was ended; the apps it signed in to were told.');
    assert.deepEqual(
      sessionRows(ended).map((r) => r.browser),
      ['Safari / iOS'],
    );
    await logoutTokenFor(rp, laptop, tobira.issuer);

    const forged = await post(browser, tobira.issuer, '/account/sessions/end', { csrf: 'wrong', session: rows[0]!.id });
    assert.equal(forged.status, 403, 'a form without the CSRF token changes nothing');
    const gone = await post(browser, tobira.issuer, '/account/sessions/end', { csrf: csrfOn(ended), session: laptopRow.id });
    assert.equal(gone.status, 400);
    assert.equal(messageOn(gone), 'That session has already ended.');
  });
});
