// S13, issue 8 item 4: a lock that attackers cannot aim at a victim. Wrong passwords from browsers
// without the account's device cookie lock only such browsers; the user's own browser (cookie jar V)
// keeps signing in, has its own small budget, and is not held by the per-address limit.
import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { throttleKeys } from '../../src/mfa/throttle.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, unique, CALLBACK, type TestUser } from '../helpers/tobira.ts';
import { Browser, alertText, type Page } from '../../bench/support/browser.ts';
import { authorizationUrl, discover, exchange } from '../../bench/support/rp.ts';
import { atTotpPrompt, auditRows, enrolledUser, throttleRow, uniqueAddress } from '../helpers/scenario-b.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { assertRedirect, auditWhere, postUserAction, signedInAdmin } from '../helpers/admin.ts';
import { addAuthenticator, openAccount } from '../helpers/account.ts';

const DEVICE_COOKIE = 'tobira.device';
const INCORRECT = /^401 The e-mail address or password is incorrect/;
const PAUSED = /^429 .*sign-in is paused: try again in 1 min/;

describe("S13 device-aware lock: strangers lock out strangers, never the user's own browser", function () {
  this.timeout(30_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  let client: { clientId: string; secret?: string | undefined };
  let workspaceSlug: string;
  // Behind a proxy each browser comes from its own address, so address counters never mix.
  before(async () => {
    tobira = await startTobira({ TRUST_PROXY: 'true' }, { clock });
    workspaceSlug = (await makeWorkspace(tobira, 'optional')).slug;
    client = await makeClient(tobira);
    config = await discover(tobira.issuer, client.clientId, client.secret!);
  });
  after(async () => tobira?.close());

  const browser = (address = uniqueAddress(), node = tobira) => new Browser(node.issuer, { 'x-forwarded-for': address });
  const outcome = (page: Page) => `${page.status} ${alertText(page.html) ?? page.url}`;

  /** One authorization request and one password; the page after it. */
  async function tryPassword(b: Browser, email: string, password: string, params: Record<string, string> = {}, rp = config): Promise<Page> {
    const start = await authorizationUrl(rp, params);
    const login = await b.open(start.url.href);
    assert.match(login.html, /name="password"/, `the password form, got ${login.status} ${login.url}`);
    return b.submit(login, { email, password }, '/login');
  }

  /** A complete sign-in that types the password (prompt=login), to the RP's callback and its tokens. */
  async function signInWithPassword(b: Browser, user: TestUser): Promise<void> {
    const start = await authorizationUrl(config, { prompt: 'login' });
    const login = await b.open(start.url.href);
    assert.match(login.html, /name="password"/, 'prompt=login shows the password form');
    const back = await b.submit(login, { email: user.email, password: user.password }, '/login');
    assert.ok(back.url.startsWith(CALLBACK), `back at the RP, got ${outcome(back)}`);
    assert.ok(new URL(back.url).searchParams.get('code'), 'with an authorization code');
    const tokens = await exchange(config, start, back.url);
    assert.equal(tokens.claims()!.sub, user.user.id);
  }

  /** `prompt=login`: a browser with a session is asked for the password all the same. */
  async function wrongPasswords(b: Browser, email: string, count: number): Promise<string[]> {
    const pages: string[] = [];
    for (let i = 0; i < count; i++) pages.push(outcome(await tryPassword(b, email, `wrong-${i}-${unique()}`, { prompt: 'login' })));
    return pages;
  }

  /** A user who signed in once in jar V. */
  async function victim(): Promise<{ user: TestUser; v: Browser }> {
    const user = await makeUser(tobira, { workspaceSlug });
    const v = browser();
    await signInWithPassword(v, user);
    return { user, v };
  }

  it('lets the victim sign in at once while 10 wrong passwords from jar X lock X out until the lock ends', async () => {
    const { user, v } = await victim();
    const x = browser();
    const attempts = await wrongPasswords(x, user.email, 10);
    assert.ok(
      attempts.slice(0, 4).every((a) => INCORRECT.test(a)),
      attempts.join('\n'),
    );
    assert.ok(
      attempts.slice(4).every((a) => PAUSED.test(a)),
      attempts.join('\n'),
    );

    await signInWithPassword(v, user);
    assert.match(outcome(await tryPassword(x, user.email, user.password)), PAUSED, 'X is refused with the right password');
    clock.advance(50);
    assert.match(outcome(await tryPassword(x, user.email, user.password)), PAUSED, 'still locked after 50 s');
    await signInWithPassword(v, user);
    clock.advance(11);
    const back = await tryPassword(x, user.email, user.password);
    assert.ok(back.url.startsWith(CALLBACK), `X signs in once the lock is over, got ${outcome(back)}`);

    const locks = await auditRows(tobira, { target_id: user.user.id, action: 'lock' });
    assert.deepEqual(
      locks.map((l) => [l.details.factor, l.details.scope]),
      [['password', 'untrusted']],
    );
    const failures = (await auditRows(tobira, { target_id: user.user.id, action: 'sign_in' })).filter((e) => e.outcome === 'failure');
    assert.deepEqual(
      failures.map((f) => f.details.scope),
      Array(5).fill('untrusted'),
      'five passwords were checked, all charged to untrusted browsers',
    );
  });

  it('counts a forged device cookie, and one for another account, as untrusted', async () => {
    const { user, v } = await victim();
    const other = await victim();
    // Jar O signed in as another account: its genuine cookie does not name this one.
    const o = other.v;
    const attempts = await wrongPasswords(o, user.email, 5);
    assert.match(attempts[3]!, INCORRECT);
    assert.match(attempts[4]!, PAUSED, 'the 5th failure locks untrusted browsers');
    assert.ok((await throttleRow(tobira, throttleKeys.passwordAccount(user.email)))!.locked_until, 'charged to the untrusted lock');

    const genuine = v.cookie(DEVICE_COOKIE);
    assert.ok(genuine, 'the sign-in left a device cookie');
    const [payload, signature] = genuine.split('.') as [string, string];
    const entries = JSON.parse(Buffer.from(payload, 'base64url').toString()) as [string, string, number][];
    const longer = Buffer.from(JSON.stringify(entries.map(([a, n, e]) => [a, n, e + 86400]))).toString('base64url');
    const forgeries = [`${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`, `${longer}.${signature}`, 'garbage'];
    for (const forged of forgeries) {
      const f = browser();
      f.setCookie(DEVICE_COOKIE, forged);
      assert.match(outcome(await tryPassword(f, user.email, user.password)), PAUSED, `a forged cookie is untrusted: ${forged.slice(0, 20)}…`);
    }
    const copied = browser();
    copied.setCookie(DEVICE_COOKIE, genuine);
    const back = await tryPassword(copied, user.email, user.password);
    assert.ok(back.url.startsWith(CALLBACK), 'the genuine cookie (same value) is trusted: the test above changed only the cookie');
  });

  it('gives a device cookie its own budget: 5 wrong passwords lock that cookie only', async () => {
    const { user, v } = await victim();
    const w = browser();
    await signInWithPassword(w, user);
    const attempts = await wrongPasswords(v, user.email, 5);
    assert.ok(
      attempts.slice(0, 4).every((a) => INCORRECT.test(a)),
      attempts.join('\n'),
    );
    assert.match(attempts[4]!, PAUSED);
    assert.match(outcome(await tryPassword(v, user.email, user.password, { prompt: 'login' })), PAUSED, 'the locked cookie is refused the right password');

    await signInWithPassword(w, user);
    await signInWithPassword(browser(), user);
    assert.equal(await throttleRow(tobira, throttleKeys.passwordAccount(user.email)), undefined, 'the untrusted budget was never charged');
    const locks = await auditRows(tobira, { target_id: user.user.id, action: 'lock' });
    assert.deepEqual(
      locks.map((l) => [l.details.factor, l.details.scope]),
      [['password', 'device']],
    );

    clock.advance(61);
    await signInWithPassword(v, user);
  });

  it("does not hold the user's own browser at an address that sprayed 20 wrong passwords", async () => {
    const address = uniqueAddress();
    const user = await makeUser(tobira, { workspaceSlug });
    const v = browser(address);
    await signInWithPassword(v, user);
    const spray = browser(address);
    let last: Page | undefined;
    for (let i = 0; i < 20; i++) last = await tryPassword(spray, `spray-${i}-${unique()}@example.test`, 'Winter2024!');
    assert.match(outcome(last!), PAUSED, 'the 20th failure pauses the address');
    assert.match(outcome(await tryPassword(browser(address), user.email, user.password)), PAUSED, 'an untrusted browser at the address is paused');

    assert.match(outcome(await tryPassword(v, user.email, 'not-it', { prompt: 'login' })), INCORRECT, 'the address limit does not apply to V');
    await signInWithPassword(v, user);
  });

  it('remembers up to 10 accounts in one browser (a shared computer); the oldest sign-in drops out', async () => {
    const family = browser();
    const users: TestUser[] = [];
    for (let i = 0; i < 11; i++) {
      users.push(await makeUser(tobira, { workspaceSlug }));
      await signInWithPassword(family, users[i]!);
      // Each person signs out before the next signs in: only the device cookie stays.
      for (const name of family.cookieNames()) if (name !== DEVICE_COOKIE) family.setCookie(name, undefined);
      clock.advance(1);
    }
    for (const user of users.slice(0, 2)) await wrongPasswords(browser(), user.email, 5);
    assert.match(outcome(await tryPassword(family, users[0]!.email, users[0]!.password, { prompt: 'login' })), PAUSED, 'the first account dropped out');
    await signInWithPassword(family, users[1]!);
  });

  it('checks no more than 5 of 20 simultaneous wrong passwords from one device cookie and locks it once', async () => {
    const { user, v } = await victim();
    const login = await v.open((await authorizationUrl(config, { prompt: 'login' })).url.href);
    await Promise.all(Array.from({ length: 20 }, (_, i) => v.submit(login, { email: user.email, password: `guess-${i}` }, '/login')));
    const checked = (await auditRows(tobira, { target_id: user.user.id, action: 'sign_in' })).filter((e) => e.outcome === 'failure');
    assert.ok(checked.length <= 5, `a burst must not buy more guesses: ${checked.length} passwords were checked`);
    const devices = await tobira.db('throttles').where('key', 'like', `${throttleKeys.passwordAccount(user.email)}:device:%`);
    assert.deepEqual(
      devices.map((r) => r.locks),
      [1],
      'one device row, locked once',
    );
  });

  it('holds across nodes: a lock set on node B refuses strangers on node A, and B accepts the cookie A issued', async () => {
    const nodeB = await startTobira({ TRUST_PROXY: 'true' }, { clock, sameDatabaseAs: tobira });
    try {
      const configB = await discover(nodeB.issuer, client.clientId, client.secret!);
      const { user, v } = await victim();
      const onB: string[] = [];
      for (let i = 0; i < 5; i++) onB.push(outcome(await tryPassword(browser(undefined, nodeB), user.email, `wrong-${i}`, {}, configB)));
      assert.match(onB[4]!, PAUSED, 'the 5th failure on B locks');
      assert.match(outcome(await tryPassword(browser(), user.email, user.password)), PAUSED, 'a stranger on A is refused');
      const vOnB = browser(undefined, nodeB);
      vOnB.setCookie(DEVICE_COOKIE, v.cookie(DEVICE_COOKIE));
      const back = await tryPassword(vOnB, user.email, user.password, {}, configB);
      assert.ok(back.url.startsWith(CALLBACK), `the victim's cookie from A works on B, got ${outcome(back)}`);
    } finally {
      await nodeB.close();
    }
  });

  it('leaves a device cookie only after the whole sign-in, not after the password alone', async () => {
    const { user, config: rp, totpSecret } = await enrolledUser(tobira, clock);
    const { browser: p, page } = await atTotpPrompt(tobira.issuer, rp, user);
    assert.equal(p.cookie(DEVICE_COOKIE), undefined, 'the right password alone earns no device cookie');
    const back = await p.submit(page, { code: codeFor(totpSecret, clock.now()) }, '/totp');
    assert.ok(back.url.startsWith(CALLBACK));
    assert.ok(p.cookie(DEVICE_COOKIE), 'the completed sign-in does');
  });

  it("keeps /account's password confirmation open to the user's own browser while strangers are locked out", async () => {
    const user = await makeUser(tobira, { workspaceSlug });
    const { browser: v } = await openAccount(tobira, clock, user, undefined, browser());
    await wrongPasswords(browser(), user.email, 5);
    const { after } = await addAuthenticator(v, tobira.issuer, clock, { label: 'Phone', password: user.password });
    assert.equal(after.status, 200, `the authenticator was added, got ${after.status} ${alertText(after.html) ?? ''}`);
    assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 1);
  });

  it('shows the untrusted, device and code locks on the admin pages, and clear-lock clears them all', async () => {
    const admin = await signedInAdmin(tobira, clock, workspaceSlug);
    const { user, v } = await victim();
    await wrongPasswords(browser(), user.email, 5);
    await wrongPasswords(v, user.email, 5);
    await tobira.db('throttles').insert({
      key: throttleKeys.totp(user.user.id),
      failures: 0,
      locks: 1,
      locked_until: new Date(clock.now().getTime() + 600_000),
      updated_at: clock.now(),
    });

    const page = await admin.browser.open(`/admin/users/${user.user.id}`);
    assert.match(
      page.html,
      /Password sign-in is locked until \d{4}-\d\d-\d\d \d\d:\d\d UTC after too many wrong passwords, for browsers this user has not signed in with\./,
    );
    assert.match(page.html, /Password sign-in is locked on 1 of this user&#39;s own browsers/);
    assert.match(page.html, /Verification codes are locked until/);
    const list = await admin.browser.open(`/admin/users?q=${encodeURIComponent(user.email)}`);
    for (const badge of ['Password locked', 'Browser locked', 'Codes locked']) assert.ok(list.html.includes(badge), badge);
    admin.browser.setCookie('tobira_lang', 'ja');
    assert.match((await admin.browser.open(`/admin/users/${user.user.id}`)).html, /このユーザー自身のブラウザーのうち 1 台でサインインがロックされています/);
    admin.browser.setCookie('tobira_lang', 'en');

    assertRedirect(await postUserAction(admin, user.user.id, 'clear-lock'), /\?done=lock$/);
    const left = await tobira
      .db('throttles')
      .where('key', 'like', `${throttleKeys.passwordAccount(user.email)}%`)
      .orWhere({ key: throttleKeys.totp(user.user.id) });
    assert.deepEqual(left, [], 'the untrusted, device and code rows are gone');
    assert.match((await admin.browser.open(`/admin/users/${user.user.id}`)).html, /Not locked\./);
    const [cleared] = await auditWhere(tobira, { action: 'lock.clear', target_id: user.user.id });
    assert.deepEqual(cleared!.details, { email: user.email, cleared: ['totp', 'password', 'devices'] });
    await signInWithPassword(v, user);
    await signInWithPassword(browser(), user);
  });
});
