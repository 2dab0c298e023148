// Issue 13, the lost phone at the second-factor step: the prompt says what to do without the phone
// (a recovery code, or the workspace's administrator and the contact line the workspace set),
// warns how many tries are left from the second failure on, tells a replayed code from a wrong one,
// and after a recovery code lists the user's authenticators and lets the lost one be removed.
import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { ACR_MFA } from '../../src/mfa/assurance.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, CALLBACK, type TestUser } from '../helpers/tobira.ts';
import { Browser, alertText, decodeHtml, type Page } from '../../bench/support/browser.ts';
import { authorizationUrl, discover } from '../../bench/support/rp.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { enrol, isEnrolmentPage, isTotpPage } from '../helpers/mfa.ts';
import { auditOf, enrolThroughSignIn, isPasswordForm, linkOn, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { atTotpPrompt, auditRows, enrolledUser, throttleRow, wrongCode } from '../helpers/scenario-b.ts';
import { signedInAdmin } from '../helpers/admin.ts';
import { csrfOn } from '../helpers/console.ts';
import { backchannelRp, logoutTokenFor } from '../helpers/backchannel.ts';

const ASK_ADMIN =
  'No recovery codes either? Ask an administrator of your workspace to reset your two-step verification. You then sign in with your password and set up a new authenticator app.';
const WRONG = 'That code is not correct, or it has already been used. Wait for the next code in your app and try again.';

/** The visible text of the element with this id, tags removed and spaces collapsed. */
function textOf(html: string, id: string): string | undefined {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) return undefined;
  const open = html.lastIndexOf('<', start);
  const tag = /^<(\w+)/.exec(html.slice(open))![1]!;
  const end = html.indexOf(`</${tag}>`, start);
  return decodeHtml(
    html
      .slice(html.indexOf('>', start) + 1, end)
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

describe('lost phone: help at the code prompt, attempts left, replay, removing the lost authenticator', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira({}, { clock });
  });
  after(async () => tobira?.close());

  const setContact = (workspaceId: string, contact: string | null) => tobira.db('workspaces').where({ id: workspaceId }).update({ help_contact: contact });

  describe('the code prompt says what to do without the phone', () => {
    it('without a contact line: a recovery code, or ask an administrator', async () => {
      const { user, config } = await enrolledUser(tobira, clock);
      const { browser, page } = await atTotpPrompt(tobira.issuer, config, user);
      assert.match(page.html, /Lost your phone\? Use a recovery code instead/);
      assert.equal(textOf(page.html, 'lost-phone-admin'), ASK_ADMIN);
      assert.ok(!page.html.includes('help-contact-line'), 'no contact line when the workspace set none');
      const recovery = await browser.open(linkOn(page, '?use=recovery'));
      assert.equal(textOf(recovery.html, 'lost-phone-admin'), ASK_ADMIN, 'the recovery-code form says it too');
    });

    it('with a contact line: shown as text, only an https link and a plain e-mail become links', async () => {
      const { user, config, workspace } = await enrolledUser(tobira, clock);
      await setContact(
        workspace.id,
        'IT desk <b>ext. 4100</b>, it-help@example.com, https://help.example.com/lost?x=1. Not javascript:alert(1) nor http://plain.example.com',
      );
      const { page } = await atTotpPrompt(tobira.issuer, config, user);
      assert.equal(textOf(page.html, 'lost-phone-admin'), ASK_ADMIN);
      assert.equal(
        textOf(page.html, 'help-contact-line'),
        'How to reach them: IT desk <b>ext. 4100</b>, it-help@example.com, https://help.example.com/lost?x=1. Not javascript:alert(1) nor http://plain.example.com',
      );
      assert.ok(page.html.includes('IT desk &lt;b&gt;ext. 4100&lt;/b&gt;'), 'markup in the line is escaped');
      const links = [...page.html.matchAll(/<a href="([^"]*)" rel="noopener noreferrer">([^<]*)<\/a>/g)].map((m) => [decodeHtml(m[1]!), m[2]]);
      assert.deepEqual(links, [
        ['mailto:it-help@example.com', 'it-help@example.com'],
        ['https://help.example.com/lost?x=1', 'https://help.example.com/lost?x=1'],
      ]);
      assert.doesNotMatch(page.html, /href="javascript:|href="http:\/\/plain/);
    });

    it('in Japanese', async () => {
      const { user, config, workspace } = await enrolledUser(tobira, clock);
      await setContact(workspace.id, '情報システム部（内線 4100）');
      const { page } = await atTotpPrompt(tobira.issuer, config, user, { 'accept-language': 'ja' });
      assert.equal(
        textOf(page.html, 'lost-phone-admin'),
        'リカバリーコードもない場合は、ワークスペースの管理者に多要素認証のリセットを依頼してください。リセット後は、パスワードでサインインして新しい認証アプリを設定できます。',
      );
      assert.equal(textOf(page.html, 'help-contact-line'), '連絡先：情報システム部（内線 4100）');
    });
  });

  describe('wrong and replayed codes', () => {
    it('says how many attempts are left from the second failure on, with the real pause, then locks', async () => {
      const { user, config, totpSecret } = await enrolledUser(tobira, clock);
      const { browser, page: prompt } = await atTotpPrompt(tobira.issuer, config, user);
      const wrong = (page: Page) => browser.submit(page, { code: wrongCode(totpSecret, clock.now()) }, '/totp');
      let page = await wrong(prompt);
      assert.equal(page.status, 401);
      assert.equal(alertText(page.html), WRONG, 'one typo: no count yet');
      page = await wrong(page);
      assert.equal(alertText(page.html), `${WRONG} 3 attempts left before a 1-minute pause.`);
      page = await wrong(page);
      assert.equal(alertText(page.html), `${WRONG} 2 attempts left before a 1-minute pause.`);
      page = await wrong(page);
      assert.equal(alertText(page.html), `${WRONG} 1 attempt left before a 1-minute pause.`);
      page = await wrong(page);
      assert.equal(page.status, 429);
      assert.match(alertText(page.html)!, /^Too many incorrect codes\. For your security, verification is paused: try again in 1 min\./);
      assert.equal(textOf(page.html, 'lost-phone-admin'), ASK_ADMIN, 'the locked prompt still says what to do');

      // After the pause the count starts again, and the next pause is twice as long.
      clock.advance(61);
      page = await wrong(page);
      assert.equal(alertText(page.html), WRONG);
      page = await wrong(page);
      assert.equal(alertText(page.html), `${WRONG} 3 attempts left before a 2-minute pause.`);
    });

    it('counts wrong recovery codes on the same budget and says so in Japanese', async () => {
      const { user, config, totpSecret } = await enrolledUser(tobira, clock);
      const { browser, page: prompt } = await atTotpPrompt(tobira.issuer, config, user, { 'accept-language': 'ja' });
      let page = await browser.submit(prompt, { code: wrongCode(totpSecret, clock.now()) }, '/totp');
      page = await browser.open(linkOn(page, '?use=recovery'));
      page = await browser.submit(page, { code: 'zzzzz-zzzzz' }, '/recovery');
      assert.equal(page.status, 401);
      assert.equal(alertText(page.html), 'リカバリーコードが正しくないか、すでに使用されています。あと 3 回間違えると、1 分間確認できなくなります。');
    });

    it('a replayed code says it was already used, and still counts as a failure', async () => {
      const { user, config, totpSecret } = await enrolledUser(tobira, clock);
      const code = codeFor(totpSecret, clock.now());
      const first = await atTotpPrompt(tobira.issuer, config, user);
      assert.ok((await first.browser.submit(first.page, { code }, '/totp')).url.startsWith(CALLBACK));
      const second = await atTotpPrompt(tobira.issuer, config, user);
      const refused = await second.browser.submit(second.page, { code }, '/totp');
      assert.equal(refused.status, 401);
      assert.equal(alertText(refused.html), 'This code has already been used. Wait for the next code in your authenticator app and enter that one.');
      assert.equal(Number((await throttleRow(tobira, `totp:user:${user.user.id}`))?.failures), 1);
      const rows = await auditRows(tobira, { target_id: user.user.id, action: 'mfa.totp' });
      assert.deepEqual(
        rows.map((r) => [r.outcome, (typeof r.details === 'string' ? JSON.parse(r.details) : r.details).reason]),
        [['failure', 'replayed']],
      );
    });
  });

  describe('after a recovery code', () => {
    let config: oidc.Configuration;
    before(async () => {
      const { clientId, secret } = await makeClient(tobira);
      config = await discover(tobira.issuer, clientId, secret);
    });

    async function recovered(user: TestUser, code: string, headers: Record<string, string> = {}) {
      const browser = new Browser(tobira.issuer, headers);
      const { start, page } = await startSignIn(config, browser, user);
      assert.ok(isTotpPage(page));
      const form = await browser.open(linkOn(page, '?use=recovery'));
      const after = await browser.submit(form, { code }, '/recovery');
      assert.equal(after.status, 200, `the recovered page: ${after.url}`);
      return { browser, start, page: after };
    }
    const factorIds = (page: Page) => [...page.html.matchAll(/name="authenticator" value="([^"]+)"/g)].map((m) => m[1]!);

    it('lists the authenticators and codes left; removing the lost one ends the other sessions and the sign-in completes', async () => {
      const workspace = await makeWorkspace(tobira, 'optional');
      const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
      const old = await enrolThroughSignIn(config, clock, user, 'Lost phone');
      clock.advance(30);
      const { browser, start, page } = await recovered(user, old.recoveryCodes[0]!);
      assert.equal(textOf(page.html, 'codes-left'), 'That recovery code is now used up. You have 9 left.');
      const [row] = await tobira.db('authenticators').where({ user_id: user.user.id });
      const table = textOf(page.html, 'factors')!;
      assert.match(table, /^NameAddedLast used Lost phone \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
      assert.deepEqual(factorIds(page), [row.id]);
      assert.ok(page.html.includes('/continue"'), 'continue is offered');
      assert.ok(linkOn(page, '?use=enrol'), 'setting up a new one is offered');

      const done = await browser.submit(page, { authenticator: row.id }, '/remove-authenticators');
      assert.equal(done.status, 200);
      assert.equal(done.html.match(/role="status">([^<]*)</)?.[1], 'Removed: Lost phone. Your sessions in other browsers and apps have ended.');
      assert.equal(textOf(done.html, 'no-factors'), 'You have no authenticator app now.');
      assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 0);
      const events = await tobira.db('audit_events').where({ action: 'mfa.authenticator_remove', target_id: row.id });
      assert.equal(events.length, 1);
      const details = typeof events[0].details === 'string' ? JSON.parse(events[0].details) : events[0].details;
      assert.equal(events[0].outcome, 'success');
      assert.equal(events[0].actor_id, user.user.id);
      assert.equal(details.label, 'Lost phone');
      assert.equal(details.after, 'recovery_code');
      assert.ok(details.ended_oidc_artefacts >= 2, `the old browser's session and grant ended (${details.ended_oidc_artefacts})`);

      // The sign-in under way completes, as a recovery-code sign-in.
      const back = await browser.submit(done, {}, '/continue');
      const { claims } = await tokensAt(config, start, back);
      assert.deepEqual(claims.amr, ['pwd', 'mfa']);
      assert.equal(claims.acr, ACR_MFA);
      // The browser that signed in with the lost phone is signed out.
      const again = await old.browser.open((await authorizationUrl(config)).url.href);
      assert.ok(isPasswordForm(again), 'the other browser must sign in again');
    });

    it("in a browser already signed in (prompt=login), this browser's session stays for the sign-in, signed in to no app", async () => {
      const workspace = await makeWorkspace(tobira, 'optional');
      const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
      const { browser, recoveryCodes, claims: before } = await enrolThroughSignIn(config, clock, user, 'Lost phone');
      const sessionsOf = () => tobira.db('oidc_models').where({ model: 'Session', account_id: user.user.id });
      const [session] = await sessionsOf();
      const { start, page } = await startSignIn(config, browser, user, { prompt: 'login' });
      const form = await browser.open(linkOn(page, '?use=recovery'));
      const recoveredPage = await browser.submit(form, { code: recoveryCodes[0]! }, '/recovery');
      const removed = await browser.submit(recoveredPage, { authenticator: factorIds(recoveredPage)[0]! }, '/remove-authenticators');
      assert.equal(removed.status, 200);
      const kept = await sessionsOf();
      assert.deepEqual(
        kept.map((row: { id: string }) => row.id),
        [session.id],
        'only the session of the sign-in under way is left',
      );
      const payload = typeof kept[0].payload === 'string' ? JSON.parse(kept[0].payload) : kept[0].payload;
      assert.equal(payload.authorizations, undefined, 'the apps it was signed in to have ended');
      assert.equal(await tobira.db('oidc_models').where({ model: 'Grant', account_id: user.user.id }).first(), undefined);

      const back = await browser.submit(removed, {}, '/continue');
      const { claims } = await tokensAt(config, start, back);
      assert.deepEqual(claims.amr, ['pwd', 'mfa']);
      assert.notEqual(claims.sid, before.sid, 'a fresh sid: the app was told the old one ended');
    });

    it('tells an app registered for back-channel logout that the session signed in with the lost phone ended', async () => {
      const rp = await backchannelRp(tobira);
      try {
        const workspace = await makeWorkspace(tobira, 'optional');
        const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
        const old = await enrolThroughSignIn(rp.config, clock, user, 'Lost phone');
        const browser = new Browser(tobira.issuer);
        const { start, page } = await startSignIn(rp.config, browser, user);
        const form = await browser.open(linkOn(page, '?use=recovery'));
        const recoveredPage = await browser.submit(form, { code: old.recoveryCodes[0]! }, '/recovery');
        const removed = await browser.submit(recoveredPage, { authenticator: factorIds(recoveredPage)[0]! }, '/remove-authenticators');
        await logoutTokenFor(rp, { user, sid: String(old.claims.sid) }, tobira.issuer);
        const { claims } = await tokensAt(rp.config, start, await browser.submit(removed, {}, '/continue'));
        assert.deepEqual(claims.amr, ['pwd', 'mfa']);
      } finally {
        await rp.remove();
      }
    });

    it('with MFA required, removing the only authenticator means setting up a new one before continuing', async () => {
      const { user, config: rp, recoveryCodes } = await enrolledUser(tobira, clock);
      config = rp;
      const { browser, start, page } = await recovered(user, recoveryCodes[0]!);
      const removed = await browser.submit(page, { authenticator: factorIds(page)[0]! }, '/remove-authenticators');
      assert.equal(textOf(removed.html, 'must-enrol'), 'Your workspace requires two-step verification. Set up a new authenticator app to continue.');
      assert.ok(!removed.html.includes('/continue"'), 'no continue button');
      const forced = await browser.request(`${new URL(removed.url).pathname}/continue`, { method: 'POST', body: new URLSearchParams({}) });
      assert.equal(forced.status, 409);
      assert.equal(alertText(forced.html), 'Your workspace requires two-step verification. Set up a new authenticator app to continue.');

      const enrolPage = await browser.open(linkOn(removed, '?use=enrol'));
      assert.ok(isEnrolmentPage(enrolPage));
      clock.advance(30);
      const { after } = await enrol(browser, enrolPage, { label: 'New phone', at: clock.now() });
      const { claims } = await tokensAt(config, start, after);
      assert.equal(claims.acr, ACR_MFA);
      assert.deepEqual(
        (await tobira.db('authenticators').where({ user_id: user.user.id })).map((a: { label: string }) => a.label),
        ['New phone'],
      );
    });

    it('refuses a removal from another browser, for another interaction, before the recovery code, or of a foreign id', async () => {
      const { user, config: rp, recoveryCodes } = await enrolledUser(tobira, clock);
      config = rp;
      const [mine] = await tobira.db('authenticators').where({ user_id: user.user.id });
      const { browser, page } = await recovered(user, recoveryCodes[0]!);
      const action = `${new URL(page.url).pathname}/remove-authenticators`;
      const body = () => new URLSearchParams({ authenticator: mine.id });

      // A page on another site posting into this interaction: the browser there has no interaction cookie.
      const stranger = new Browser(tobira.issuer);
      assert.equal((await stranger.request(action, { method: 'POST', body: body() })).status, 400);
      // This browser's cookie with another interaction's uid.
      const other = await atTotpPrompt(tobira.issuer, config, user);
      const otherAction = `${new URL(other.page.url).pathname}/remove-authenticators`;
      assert.equal((await browser.request(otherAction, { method: 'POST', body: body() })).status, 400);
      // That other interaction itself, still at the code prompt: no removal before a recovery code.
      const early = await other.browser.request(otherAction, { method: 'POST', body: body() });
      assert.equal(early.status, 400);
      // Someone else's authenticator id: nothing of theirs or of this user is removed.
      const someoneElse = await enrolledUser(tobira, clock);
      const [theirs] = await tobira.db('authenticators').where({ user_id: someoneElse.user.user.id });
      const foreign = await browser.request(action, { method: 'POST', body: new URLSearchParams({ authenticator: theirs.id }) });
      assert.equal(foreign.status, 409);
      assert.equal(alertText(foreign.html), 'That authenticator app was already removed.');
      const none = await browser.request(action, { method: 'POST', body: new URLSearchParams({}) });
      assert.equal(none.status, 400);
      assert.equal(alertText(none.html), 'Select the authenticator app to remove.');

      assert.equal((await tobira.db('authenticators').where({ id: mine.id })).length, 1);
      assert.equal((await tobira.db('authenticators').where({ id: theirs.id })).length, 1);
      const refused = (await auditOf(tobira, user.user.id, 'mfa.authenticator_remove')).map((e) => [e.outcome, e.details.reason]);
      assert.deepEqual(refused, [['refused', 'not_found']]);
    });
  });

  describe('the contact line on the workspace settings page', () => {
    it('a workspace admin sets it with the CSRF token; too long, control characters and no token are refused; audited', async () => {
      const workspace = await makeWorkspace(tobira, 'optional');
      const admin = await signedInAdmin(tobira, clock, workspace.slug);
      const settings = await admin.browser.open('/admin/workspace');
      assert.equal(textOf(settings.html, 'help-contact-heading'), 'Help for users who lost their phone');
      const csrf = csrfOn(settings);
      const post = (fields: Record<string, string>) => admin.browser.request('/admin/workspace/contact', { method: 'POST', body: new URLSearchParams(fields) });
      const saved = async () => (await tobira.db('workspaces').where({ id: workspace.id }).first()).help_contact as string | null;

      assert.equal((await post({ contact: 'Forged' })).status, 403, 'no CSRF token');
      assert.equal(await saved(), null);

      const line = '  IT help desk, ext. 4100, it-help@example.com  ';
      const ok = await post({ csrf, contact: line });
      assert.equal(ok.status, 303);
      assert.equal(await saved(), 'IT help desk, ext. 4100, it-help@example.com');
      const shown = await admin.browser.open(ok.headers.get('location')!);
      assert.match(shown.html, /role="status">The contact line is saved\.</);
      assert.match(shown.html, /name="contact" type="text" value="IT help desk, ext. 4100, it-help@example.com"/);

      const long = await post({ csrf, contact: 'x'.repeat(201) });
      assert.equal(long.status, 400);
      assert.equal(alertText(long.html), 'The contact line has 201 characters; at most 200 are allowed.');
      assert.equal((await post({ csrf, contact: 'あ'.repeat(200) })).status, 303, '200 characters of Japanese fit');
      assert.equal((await post({ csrf, contact: 'line one\nline two' })).status, 400, 'a line break is refused at the boundary');
      assert.equal(await saved(), 'あ'.repeat(200));

      const cleared = await post({ csrf, contact: '   ' });
      assert.equal(cleared.status, 303);
      assert.equal(await saved(), null);

      const events = await tobira.db('audit_events').where({ workspace_id: workspace.id, action: 'workspace.help_contact' }).orderBy('id');
      assert.deepEqual(
        events.map((e: { outcome: string; actor_id: string; details: unknown }) => {
          const d = (typeof e.details === 'string' ? JSON.parse(e.details) : e.details) as Record<string, unknown>;
          return [e.outcome, e.actor_id, d.from, d.to];
        }),
        [
          ['success', admin.user.user.id, null, 'IT help desk, ext. 4100, it-help@example.com'],
          ['success', admin.user.user.id, 'IT help desk, ext. 4100, it-help@example.com', 'あ'.repeat(200)],
          ['success', admin.user.user.id, 'あ'.repeat(200), null],
        ],
      );
    });

    it('a user admin is refused with a 403, audited, and nothing changes', async () => {
      const workspace = await makeWorkspace(tobira, 'optional');
      const admin = await signedInAdmin(tobira, clock, workspace.slug, 'user_admin');
      const csrf = csrfOn(await admin.browser.open('/admin/users'));
      const refused = await admin.browser.request('/admin/workspace/contact', { method: 'POST', body: new URLSearchParams({ csrf, contact: 'Call me' }) });
      assert.equal(refused.status, 403);
      assert.equal((await tobira.db('workspaces').where({ id: workspace.id }).first()).help_contact, null);
      const [event] = await tobira.db('audit_events').where({ workspace_id: workspace.id, action: 'workspace.help_contact' });
      assert.equal(event.outcome, 'refused');
    });
  });
});
