import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import type { MfaPolicy } from '../../src/db/workspaces.ts';
import type { Role } from '../../src/db/users.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';
import { Browser, alertText, type Page } from '../../bench/support/browser.ts';
import { discover } from '../../bench/support/rp.ts';
import { isEnrolmentPage, isTotpPage, recoveryCodesOn, setPolicy } from '../helpers/mfa.ts';
import { auditOf, enrolThroughSignIn, linkOn, nextCode, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { csrfOn } from '../helpers/console.ts';
import { addAuthenticator, authenticatorsOn, change, codesLeftOn, freshCode, messageOn, openAccount, post } from '../helpers/account.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { hashRecoveryCode } from '../../src/mfa/recovery-codes.ts';
import { ACR_PASSWORD } from '../../src/mfa/assurance.ts';

describe('S17 self-service at /account', function () {
  this.timeout(30_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  before(async () => {
    tobira = await startTobira({}, { clock });
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
  });
  after(async () => tobira.close());

  /** A user enrolled through a sign-in, signed in at /account. */
  async function enrolledAtAccount(policy: MfaPolicy = 'optional', role: Role = 'member') {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug, role });
    const { secret, recoveryCodes } = await enrolThroughSignIn(config, clock, user, 'Pixel 8');
    if (policy !== 'optional') await setPolicy(tobira, workspace.id, policy);
    const { browser, page } = await openAccount(tobira, clock, user, secret);
    return { user, workspace, secret, recoveryCodes, browser, page };
  }
  const authenticatorRows = async (user: TestUser) => tobira.db('authenticators').where({ user_id: user.user.id }).orderBy('created_at');
  const unusedCodes = async (user: TestUser) => tobira.db('recovery_codes').where({ user_id: user.user.id }).whereNull('used_at');

  /** A sign-in at the RP: password, then (if asked) the recovery-code form. */
  async function signInWithRecoveryCode(user: TestUser, code: string): Promise<Page> {
    const browser = new Browser(tobira.issuer);
    const { page } = await startSignIn(config, browser, user);
    assert.ok(isTotpPage(page));
    return browser.submit(await browser.open(linkOn(page, '?use=recovery')), { code }, '/recovery');
  }

  it('shows the authenticators, the recovery codes left, the policy and whether MFA is required', async () => {
    const { user, recoveryCodes, secret } = await enrolledAtAccount();
    await signInWithRecoveryCode(user, recoveryCodes[0]!);
    const { page } = await openAccount(tobira, clock, user, secret);
    const [only] = authenticatorsOn(page);
    assert.equal(only!.label, 'Pixel 8');
    assert.equal(codesLeftOn(page), 9);
    assert.match(page.html, /id="mfa-policy">Optional — each member decides</);
    assert.match(page.html, /Two-step verification is optional for you\./);
    assert.match(page.html, /id="mfa-status">On</);
    assert.match(page.html, /action="\/account\/logout"/, 'the console header is there');
    assert.match(page.html, /Added<\/th>/);
    assert.match(page.html, / UTC<\/time>/);

    const ja = new Browser(tobira.issuer, { 'accept-language': 'ja' });
    const jaPage = (await openAccount(tobira, clock, user, secret, ja)).page;
    assert.match(jaPage.html, /リカバリーコードは 10 個中 9 個残っています。/);
    assert.match(jaPage.html, /あなたにとって多要素認証は任意です。/);
  });

  it('renames an authenticator only with a fresh code and a name of at most 60 characters', async () => {
    const { user, secret, browser, page } = await enrolledAtAccount();
    const [a] = authenticatorsOn(page);
    const path = `/account/authenticators/${a!.id}/rename`;
    const tooLong = await change(browser, tobira.issuer, path, { label: 'x'.repeat(61), code: freshCode(clock, secret) });
    assert.equal(tooLong.status, 400);
    assert.equal(alertText(tooLong.html), 'The name can be at most 60 characters.');
    const missing = await change(browser, tobira.issuer, path, { label: 'Work phone', code: '' });
    assert.equal(missing.status, 400);
    assert.equal(alertText(missing.html), 'Enter the 6 digits shown in your authenticator app.');
    const good = codeFor(secret, clock.now());
    const wrong = await change(browser, tobira.issuer, path, { label: 'Work phone', code: good === '111111' ? '222222' : '111111' });
    assert.equal(wrong.status, 400);
    assert.match(alertText(wrong.html) ?? '', /not correct.*Nothing was changed\./);
    assert.equal((await authenticatorRows(user))[0].label, 'Pixel 8');
    const done = await change(browser, tobira.issuer, path, { label: '  Work phone ', code: freshCode(clock, secret) });
    assert.equal(messageOn(done), 'The authenticator app was renamed.');
    assert.equal((await authenticatorRows(user))[0].label, 'Work phone');
    const renames = await auditOf(tobira, user.user.id, 'mfa.authenticator_rename');
    assert.deepEqual(
      renames.map((e) => [e.outcome, e.details.reason]),
      [
        ['failure', 'malformed'],
        ['failure', 'wrong'],
        ['success', undefined],
      ],
    );
    assert.deepEqual([renames[2]!.details.from, renames[2]!.details.to], ['Pixel 8', 'Work phone']);
  });

  it('regenerates recovery codes: the 10 new ones are shown once, the old ones stop working', async () => {
    const { user, secret, recoveryCodes, browser } = await enrolledAtAccount();
    const oldHashes = (await unusedCodes(user)).map((r: { code_hash: string }) => r.code_hash);
    const wrong = await change(browser, tobira.issuer, '/account/recovery-codes/new', {
      code: '000000' === codeFor(secret, clock.now()) ? '999999' : '000000',
    });
    assert.equal(wrong.status, 400);
    assert.deepEqual((await unusedCodes(user)).map((r: { code_hash: string }) => r.code_hash).sort(), oldHashes.sort(), 'nothing changed');

    const shown = await change(browser, tobira.issuer, '/account/recovery-codes/new', { code: freshCode(clock, secret) });
    const fresh = recoveryCodesOn(shown);
    assert.equal(fresh.length, 10);
    assert.match(shown.html, /Download as a text file/);
    assert.match(shown.html, /href="data:text\/plain;charset=utf-8,/);
    const stored = (await unusedCodes(user)).map((r: { code_hash: string }) => r.code_hash).sort();
    assert.deepEqual(stored, fresh.map((c) => hashRecoveryCode(tobira.keys.dataKey, c)).sort());
    const page = await browser.open(`${tobira.issuer}/account`);
    assert.equal(recoveryCodesOn(page).length, 0, 'never shown again');
    assert.equal(codesLeftOn(page), 10);

    const old = await signInWithRecoveryCode(user, recoveryCodes[0]!);
    assert.equal(old.status, 401, 'an old code is refused');
    const ok = await signInWithRecoveryCode(user, fresh[0]!);
    assert.match(ok.html, /Signed in with a recovery code/);
    const events = await auditOf(tobira, user.user.id, 'mfa.recovery_codes_regenerate');
    assert.deepEqual(
      events.map((e) => e.outcome),
      ['failure', 'success'],
    );
    assert.equal(events[1]!.details.count, 10);
  });

  it('turns MFA off in an optional workspace: authenticators and codes gone, the RP then gets amr ["pwd"]', async () => {
    const { user, secret, browser, page } = await enrolledAtAccount();
    assert.match(page.html, /action="\/account\/mfa\/off"/, 'the way to turn MFA off is offered');
    const off = await change(browser, tobira.issuer, '/account/mfa/off', { code: freshCode(clock, secret) });
    assert.equal(new URL(off.url).pathname, '/account');
    assert.match(messageOn(off) ?? '', /Two-step verification is off/);
    assert.match(off.html, /id="mfa-status">Off</);
    assert.equal((await authenticatorRows(user)).length, 0);
    assert.equal((await tobira.db('recovery_codes').where({ user_id: user.user.id })).length, 0);
    const event = (await auditOf(tobira, user.user.id, 'mfa.disable')).at(-1)!;
    assert.equal(event.outcome, 'success');
    assert.equal(event.details.authenticators_removed, 1);
    assert.equal(event.details.recovery_codes_removed, 10);

    const rp = new Browser(tobira.issuer);
    const { start, page: back } = await startSignIn(config, rp, user);
    const { claims } = await tokensAt(config, start, back);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.acr, ACR_PASSWORD);
  });

  for (const [policy, role, reason] of [
    ['required', 'member', /requires two-step verification for everyone/],
    ['required_for_admins', 'user_admin', /requires two-step verification for admins, and you are an admin/],
  ] as const) {
    it(`refuses to turn MFA off under ${policy} for a ${role}, with the reason, and changes nothing`, async () => {
      const { user, secret, browser, page } = await enrolledAtAccount(policy, role);
      assert.doesNotMatch(page.html, /action="\/account\/mfa\/off"/, 'not offered');
      assert.match(page.html, reason);
      const shown = await browser.open(`${tobira.issuer}/account/mfa/off`);
      assert.equal(shown.status, 403);
      assert.match(alertText(shown.html) ?? '', reason);
      const refused = await post(browser, tobira.issuer, '/account/mfa/off', { csrf: csrfOn(page), code: freshCode(clock, secret) });
      assert.equal(refused.status, 403);
      assert.match(alertText(refused.html) ?? '', reason);
      assert.equal((await authenticatorRows(user)).length, 1);
      assert.equal((await unusedCodes(user)).length, 10);
      const event = (await auditOf(tobira, user.user.id, 'mfa.disable')).at(-1)!;
      assert.equal(event.outcome, 'refused');
      assert.equal(event.details.policy, policy);
      // The refused attempt did not use up the code: it still confirms another change.
      const ok = await change(browser, tobira.issuer, '/account/recovery-codes/new', { code: codeFor(secret, clock.now()) });
      assert.equal(recoveryCodesOn(ok).length, 10);
    });
  }

  it('offers turning MFA off to a member under required_for_admins', async () => {
    const { page } = await enrolledAtAccount('required_for_admins', 'member');
    assert.match(page.html, /id="mfa-policy">Required for admins</);
    assert.match(page.html, /action="\/account\/mfa\/off"/);
  });

  it('refuses every change with a missing or wrong CSRF token (403), and nothing changes', async () => {
    const { user, secret, browser, page } = await enrolledAtAccount();
    const { secret: second, after } = await addAuthenticator(browser, tobira.issuer, clock, { label: 'Spare', oldSecret: secret });
    const [first] = authenticatorsOn(after);
    const before = { authenticators: await authenticatorRows(user), codes: await unusedCodes(user) };
    const csrf = csrfOn(page);
    const actions: [string, Record<string, string>][] = [
      ['/account/authenticators', { label: 'Evil', new_code: '123456' }],
      [`/account/authenticators/${first!.id}/rename`, { label: 'Evil' }],
      [`/account/authenticators/${first!.id}/remove`, {}],
      ['/account/recovery-codes/new', {}],
      ['/account/mfa/off', {}],
    ];
    for (const [path, fields] of actions) {
      for (const token of [undefined, `${csrf.slice(0, -2)}xx`]) {
        const sent = { ...fields, code: freshCode(clock, second), ...(token ? { csrf: token } : {}) };
        const res = await post(browser, tobira.issuer, path, sent);
        assert.equal(res.status, 403, `${path} with ${token ? 'a wrong' : 'no'} token`);
        assert.equal(alertText(res.html), 'This form has expired. Reload the page and try again.');
      }
    }
    assert.deepEqual(await authenticatorRows(user), before.authenticators);
    assert.deepEqual((await unusedCodes(user)).length, before.codes.length);
    const changes = (await auditOf(tobira, user.user.id)).filter((e) => e.action.startsWith('mfa.') && e.action !== 'mfa.enrol');
    assert.deepEqual(changes, []);
  });

  it('refuses every change without a valid fresh code; wrong codes count toward the TOTP lock', async () => {
    const { user, secret, browser, page } = await enrolledAtAccount();
    const [a] = authenticatorsOn(page);
    const good = () => codeFor(secret, clock.now());
    const wrongCode = () => (good() === '000000' ? '111111' : '000000');
    const paths = [`/account/authenticators/${a!.id}/rename`, '/account/recovery-codes/new', '/account/mfa/off'];
    for (const path of paths) {
      const res = await change(browser, tobira.issuer, path, { label: 'Changed', code: wrongCode() });
      assert.equal(res.status, 400, path);
    }
    const add = await addAuthenticator(browser, tobira.issuer, clock, { label: 'Attacker', code: wrongCode() });
    assert.equal(add.after.status, 400);
    const empty = await addAuthenticator(browser, tobira.issuer, clock, { label: 'Attacker', code: '' });
    assert.equal(empty.after.status, 400, 'no code at all is refused too (and does not count as a guess)');
    const res = await change(browser, tobira.issuer, paths[0]!, { label: 'Changed', code: wrongCode() });
    assert.equal(res.status, 400);
    // Five wrong codes: the sixth try is refused even with the right code, and says why.
    const locked = await change(browser, tobira.issuer, paths[0]!, { label: 'Changed', code: freshCode(clock, secret) });
    assert.equal(locked.status, 429);
    assert.match(alertText(locked.html) ?? '', /Too many incorrect codes/);
    assert.equal((await authenticatorRows(user)).length, 1);
    assert.equal((await authenticatorRows(user))[0].label, 'Pixel 8');
    assert.equal((await unusedCodes(user)).length, 10);
    const throttle = await tobira
      .db('throttles')
      .where({ key: `totp:user:${user.user.id}` })
      .first();
    assert.ok(throttle.locked_until, 'the lock is in the database');
  });

  it('asks a user without an authenticator for the password, and issues recovery codes with the first one', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { browser, page } = await openAccount(tobira, clock, user);
    assert.match(page.html, /id="mfa-status">Off</);
    assert.match(page.html, /You have no authenticator app yet/);
    assert.doesNotMatch(page.html, /recovery-codes\/new/);
    const wrong = await addAuthenticator(browser, tobira.issuer, clock, { label: 'First', password: 'not-the-password' });
    assert.equal(wrong.after.status, 400);
    assert.equal(alertText(wrong.after.html), 'That password is not correct. Nothing was changed.');
    assert.match(wrong.addPage.html, /autocomplete="current-password"/);
    const { after, secret } = await addAuthenticator(browser, tobira.issuer, clock, { label: 'First', password: user.password });
    const codes = recoveryCodesOn(after);
    assert.equal(codes.length, 10, 'the recovery codes are shown once');
    assert.match(after.html, /no recovery codes left/);
    const event = (await auditOf(tobira, user.user.id, 'mfa.enrol')).at(-1)!;
    assert.deepEqual([event.outcome, event.details.proof, event.details.recovery_codes_issued], ['success', 'pwd', true]);

    // Rule 2 now holds: the next sign-in asks for the code.
    const rp = new Browser(tobira.issuer);
    const { start, page: prompt } = await startSignIn(config, rp, user);
    assert.ok(isTotpPage(prompt) && !isEnrolmentPage(prompt));
    const { claims } = await tokensAt(config, start, await rp.submit(prompt, { code: nextCode(clock, secret) }, '/totp'));
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
  });

  it("refuses to remove the only authenticator, and hides other users' authenticators (404)", async () => {
    const { user, secret, browser, page } = await enrolledAtAccount();
    const [only] = authenticatorsOn(page);
    const shown = await browser.open(`${tobira.issuer}/account/authenticators/${only!.id}/remove`);
    assert.equal(shown.status, 409);
    assert.match(alertText(shown.html) ?? '', /only authenticator app/);
    const refused = await post(browser, tobira.issuer, `/account/authenticators/${only!.id}/remove`, { csrf: csrfOn(page), code: freshCode(clock, secret) });
    assert.equal(refused.status, 409);
    assert.equal((await authenticatorRows(user)).length, 1);

    const other = await enrolledAtAccount();
    const [theirs] = authenticatorsOn(other.page);
    for (const path of [`/account/authenticators/${theirs!.id}/rename`, '/account/authenticators/not-a-uuid/rename']) {
      assert.equal((await browser.open(`${tobira.issuer}${path}`)).status, 404, path);
      const res = await post(browser, tobira.issuer, path, { csrf: csrfOn(page), label: 'Mine now', code: freshCode(clock, secret) });
      assert.equal(res.status, 404, path);
    }
    assert.equal((await authenticatorRows(other.user))[0].label, 'Pixel 8');
  });
});
