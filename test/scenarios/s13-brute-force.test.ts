import assert from 'node:assert/strict';
import { throttleKeys } from '../../src/mfa/throttle.ts';
import type { CanonicalEmail } from '../../src/identity/email.ts';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, unique, CALLBACK } from '../helpers/tobira.ts';
import { Browser, alertText, type Page } from '../../bench/support/browser.ts';
import { discover, authorizationUrl, exchange } from '../../bench/support/rp.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { atTotpPrompt, auditRows, enrolledUser, lockSecondsLeft, throttleRow, uniqueAddress, wrongCode } from '../helpers/scenario-b.ts';

describe('S13 brute force: wrong codes and passwords pause sign-in for a growing delay', function () {
  this.timeout(30_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  // Behind a proxy each test signs in from its own address, so address counters never mix.
  before(async () => {
    tobira = await startTobira({ TRUST_PROXY: 'true' }, { clock });
  });
  after(async () => tobira.close());

  const from = (address: string) => ({ 'x-forwarded-for': address });
  const totpKey = (userId: string) => `totp:user:${userId}`;

  async function wrongCodes(browser: Browser, page: Page, secret: string, count: number): Promise<Page> {
    for (let i = 1; i <= count; i++) page = await browser.submit(page, { code: wrongCode(secret, clock.now()) }, '/totp');
    return page;
  }

  it('locks the TOTP step for a minute after 5 wrong codes, refuses even the right code meanwhile, then lets the user in', async () => {
    const address = uniqueAddress();
    const { user, config, totpSecret } = await enrolledUser(tobira, clock, from(address));
    const { browser, start, page: prompt } = await atTotpPrompt(tobira.issuer, config, user, from(address));
    let page = await wrongCodes(browser, prompt, totpSecret, 4);
    assert.equal(page.status, 401);
    assert.match(alertText(page.html)!, /That code is not correct/);
    page = await wrongCodes(browser, page, totpSecret, 1);
    assert.equal(page.status, 429, 'the 5th wrong code already says locked');
    assert.match(alertText(page.html)!, /verification is paused: try again in 1 min/);

    const row = await throttleRow(tobira, totpKey(user.user.id));
    assert.ok(Math.abs(lockSecondsLeft(row, clock.now()) - 60) < 3, `locked for about 60 s, got ${lockSecondsLeft(row, clock.now())}`);
    assert.equal(row!.locks, 1);

    page = await browser.submit(page, { code: codeFor(totpSecret, clock.now()) }, '/totp');
    assert.equal(page.status, 429, 'the right code is refused while locked');
    assert.match(alertText(page.html)!, /try again in 1 min/);
    page = await wrongCodes(browser, page, totpSecret, 1);
    assert.equal(page.status, 429);
    assert.equal(
      String((await throttleRow(tobira, totpKey(user.user.id)))!.locked_until),
      String(row!.locked_until),
      'guesses while locked do not move the lock',
    );

    const events = await auditRows(tobira, { target_id: user.user.id });
    const of = (action: string, outcome: string) => events.filter((e) => e.action === action && e.outcome === outcome);
    assert.equal(of('mfa.totp', 'failure').length, 5);
    assert.equal(of('mfa.totp', 'refused').length, 2);
    assert.equal(of('lock', 'success').length, 1);
    assert.equal(of('lock', 'success')[0]!.details.factor, 'second_factor');
    assert.equal(of('lock', 'success')[0]!.ip, address);
    assert.equal(of('sign_in', 'success').length, 1, 'only the enrolment sign-in so far');

    clock.advance(61);
    const back = await browser.submit(page, { code: codeFor(totpSecret, clock.now()) }, '/totp');
    assert.ok(back.url.startsWith(CALLBACK), `the right code works after the lock, got ${back.status}`);
    assert.deepEqual((await exchange(config, start, back.url)).claims()!.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(await throttleRow(tobira, totpKey(user.user.id)), undefined, 'a success clears the lock');
    const [authenticator] = await tobira.db('authenticators').where({ user_id: user.user.id });
    assert.ok(Math.abs(Number(authenticator.last_used_step) - Math.floor(clock.now().getTime() / 30_000)) <= 1);
  });

  it('makes a second lock in a row last two minutes', async () => {
    const address = uniqueAddress();
    const { user, config, totpSecret } = await enrolledUser(tobira, clock, from(address));
    const { browser, page: prompt } = await atTotpPrompt(tobira.issuer, config, user, from(address));
    let page = await wrongCodes(browser, prompt, totpSecret, 5);
    assert.equal(page.status, 429);
    clock.advance(61);
    page = await wrongCodes(browser, page, totpSecret, 5);
    assert.equal(page.status, 429);
    assert.match(alertText(page.html)!, /try again in 2 min/);
    const row = await throttleRow(tobira, totpKey(user.user.id));
    assert.ok(Math.abs(lockSecondsLeft(row, clock.now()) - 120) < 3, `locked for about 120 s, got ${lockSecondsLeft(row, clock.now())}`);
    assert.equal(row!.locks, 2);
    clock.advance(61);
    page = await browser.submit(page, { code: codeFor(totpSecret, clock.now()) }, '/totp');
    assert.equal(page.status, 429, 'still locked after one minute');
    clock.advance(60);
    const back = await browser.submit(page, { code: codeFor(totpSecret, clock.now()) }, '/totp');
    assert.ok(back.url.startsWith(CALLBACK));
    assert.equal((await auditRows(tobira, { target_id: user.user.id, action: 'lock' })).length, 2);
  });

  it('counts wrong recovery codes toward the same lock and refuses a real recovery code while locked', async () => {
    const address = uniqueAddress();
    const { user, config, totpSecret, recoveryCodes } = await enrolledUser(tobira, clock, from(address));
    const { browser, page: prompt } = await atTotpPrompt(tobira.issuer, config, user, from(address));
    let page = await browser.open(`${prompt.url}?use=recovery`);
    for (let i = 0; i < 3; i++) page = await browser.submit(page, { code: 'abcde-fghjk' }, '/recovery');
    assert.equal(page.status, 401);
    assert.match(alertText(page.html)!, /That recovery code is not correct/);
    page = await wrongCodes(browser, await browser.open(prompt.url), totpSecret, 2);
    assert.equal(page.status, 429, '3 wrong recovery codes + 2 wrong TOTP codes = locked');
    page = await browser.submit(await browser.open(`${prompt.url}?use=recovery`), { code: recoveryCodes[0]! }, '/recovery');
    assert.equal(page.status, 429);
    assert.match(alertText(page.html)!, /try again in 1 min/);
    assert.equal((await tobira.db('recovery_codes').where({ user_id: user.user.id }).whereNotNull('used_at')).length, 0, 'the real code was not used up');
    const events = await auditRows(tobira, { target_id: user.user.id });
    assert.deepEqual(
      [events.filter((e) => e.action === 'mfa.recovery_code' && e.outcome === 'failure').length, events.filter((e) => e.action === 'lock').length],
      [3, 1],
    );
  });

  it('checks no more than 5 of 20 simultaneous wrong codes and locks once, for a minute', async () => {
    const address = uniqueAddress();
    const { user, config, totpSecret } = await enrolledUser(tobira, clock, from(address));
    const { browser, page } = await atTotpPrompt(tobira.issuer, config, user, from(address));
    const pages = await Promise.all(Array.from({ length: 20 }, () => browser.submit(page, { code: wrongCode(totpSecret, clock.now()) }, '/totp')));
    assert.ok(pages.every((p) => p.status === 401 || p.status === 429));
    const checked = (await auditRows(tobira, { target_id: user.user.id, action: 'mfa.totp' })).filter((e) => e.outcome === 'failure');
    assert.ok(checked.length <= 5, `a burst must not buy more guesses: ${checked.length} codes were checked`);
    const row = await throttleRow(tobira, totpKey(user.user.id));
    assert.equal(row!.locks, 1, 'one burst is one lock, not several escalating ones');
    assert.ok(Math.abs(lockSecondsLeft(row, clock.now()) - 60) < 3, `locked for about 60 s, got ${lockSecondsLeft(row, clock.now())}`);
  });

  describe('passwords', () => {
    let config: oidc.Configuration, workspaceSlug: string;
    before(async () => {
      workspaceSlug = (await makeWorkspace(tobira, 'optional')).slug;
      const { clientId, secret } = await makeClient(tobira);
      config = await discover(tobira.issuer, clientId, secret);
    });

    async function attempts(address: string, email: string, passwords: string[]): Promise<Page[]> {
      const browser = new Browser(tobira.issuer, from(address));
      let page = await browser.open((await authorizationUrl(config)).url.href);
      const pages: Page[] = [];
      for (const password of passwords) {
        page = await browser.submit(page, { email, password }, '/login');
        pages.push(page);
      }
      return pages;
    }
    const summary = (pages: Page[]) => pages.map((p) => `${p.status} ${alertText(p.html) ?? p.url}`);

    it('pauses an e-mail after 5 wrong passwords, right password and other addresses included, and an unknown e-mail looks the same', async () => {
      const user = await makeUser(tobira, { workspaceSlug });
      const unknown = `nobody-${unique()}@example.test`;
      const wrong = ['x1', 'x2', 'x3', 'x4', 'x5'];
      const known = summary(await attempts(uniqueAddress(), user.email, [...wrong, user.password]));
      const ghost = summary(await attempts(uniqueAddress(), unknown, [...wrong, 'whatever']));
      assert.deepEqual(ghost, known, 'no account enumeration: same statuses and messages');
      assert.ok(known.slice(0, 4).every((s) => s.startsWith('401 The e-mail address or password is incorrect')));
      assert.match(known[4]!, /^429 .*sign-in is paused: try again in 1 min/, 'the 5th failure says so at once, as at the TOTP step');
      assert.match(known[5]!, /^429 .*sign-in is paused: try again in 1 min/);
      const elsewhere = await attempts(uniqueAddress(), user.email.toUpperCase(), [user.password]);
      assert.equal(elsewhere[0]!.status, 429, 'the per-account lock holds from any address and any letter case');

      for (const email of [user.email, unknown as CanonicalEmail]) {
        // lower-case ASCII: already canonical
        const row = await throttleRow(tobira, throttleKeys.passwordAccount(email));
        assert.ok(Math.abs(lockSecondsLeft(row, clock.now()) - 60) < 3);
      }
      const locks = await auditRows(tobira, { target_id: user.user.id, action: 'lock' });
      assert.deepEqual(
        locks.map((l) => [l.details.factor, l.details.scope]),
        [['password', 'untrusted']],
      );

      clock.advance(61);
      const [back] = await attempts(uniqueAddress(), user.email, [user.password]);
      assert.ok(back!.url.startsWith(CALLBACK), 'the right password works once the pause is over');
      assert.equal(await throttleRow(tobira, throttleKeys.passwordAccount(user.email)), undefined);
    });

    it('checks no more than 5 of 20 simultaneous wrong passwords for one e-mail and locks once, for a minute', async () => {
      const user = await makeUser(tobira, { workspaceSlug });
      const browser = new Browser(tobira.issuer, from(uniqueAddress()));
      const login = await browser.open((await authorizationUrl(config)).url.href);
      await Promise.all(Array.from({ length: 20 }, (_, i) => browser.submit(login, { email: user.email, password: `guess-${i}` }, '/login')));
      const checked = (await auditRows(tobira, { target_id: user.user.id, action: 'sign_in' })).filter((e) => e.outcome === 'failure');
      assert.ok(checked.length <= 5, `a burst must not buy more guesses: ${checked.length} passwords were checked`);
      const row = await throttleRow(tobira, throttleKeys.passwordAccount(user.email));
      assert.equal(row!.locks, 1, 'one burst is one lock, not several escalating ones');
      assert.ok(Math.abs(lockSecondsLeft(row, clock.now()) - 60) < 3);
    });

    it('pauses an address after 20 failures with different e-mails, without blocking that user elsewhere', async () => {
      const address = uniqueAddress();
      const user = await makeUser(tobira, { workspaceSlug });
      const browser = new Browser(tobira.issuer, from(address));
      let page = await browser.open((await authorizationUrl(config)).url.href);
      for (let i = 0; i < 19; i++) page = await browser.submit(page, { email: `spray-${i}-${unique()}@example.test`, password: 'Winter2024!' }, '/login');
      assert.equal(page.status, 401);
      page = await browser.submit(page, { email: `spray-last-${unique()}@example.test`, password: 'Winter2024!' }, '/login');
      assert.equal(page.status, 429, 'the 20th failure pauses the address');
      page = await browser.submit(page, { email: user.email, password: user.password }, '/login');
      assert.equal(page.status, 429, 'the address is paused, even for a right password');
      assert.match(alertText(page.html)!, /try again in 1 min/);
      const row = await throttleRow(tobira, `password:ip:${address}`);
      assert.ok(Math.abs(lockSecondsLeft(row, clock.now()) - 60) < 3);
      const locks = await auditRows(tobira, { ip: address, action: 'lock' });
      assert.deepEqual(
        locks.map((l) => l.details.scope),
        ['address'],
      );

      const [elsewhere] = await attempts(uniqueAddress(), user.email, [user.password]);
      assert.ok(elsewhere!.url.startsWith(CALLBACK), 'the same user from another address signs in');
      clock.advance(61);
      const [later] = await attempts(address, user.email, [user.password]);
      assert.ok(later!.url.startsWith(CALLBACK), 'the address works again after the pause');
    });
  });
});
