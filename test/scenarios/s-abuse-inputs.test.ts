import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, CALLBACK } from '../helpers/tobira.ts';
import { Browser, alertText } from '../../bench/support/browser.ts';
import { discover, authorizationUrl } from '../../bench/support/rp.ts';
import { enrol, isEnrolmentPage, secretOn } from '../helpers/mfa.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { assertNoInternals, atTotpPrompt, auditRows, enrolledUser, throttleRow, uniqueAddress, wrongCode } from '../helpers/scenario-b.ts';

const EXPIRED = /This sign-in page has expired or was opened in another browser/;

describe('abusive input at the TOTP prompt and enrolment', function () {
  this.timeout(30_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira({ TRUST_PROXY: 'true' }, { clock });
  });
  after(async () => tobira.close());

  it('answers malformed codes with a clear message and counts none of them toward a lock', async () => {
    const { user, config, totpSecret } = await enrolledUser(tobira, clock);
    const { browser, page: prompt } = await atTotpPrompt(tobira.issuer, config, user);
    const inputs = ['', '12345', '1234567', 'abcdef', '12345a', '１２３４５６', '١٢٣٤٥٦', '9'.repeat(10_240)];
    for (const code of inputs) {
      const page = await browser.submit(prompt, { code }, '/totp');
      const label = `${JSON.stringify(code.slice(0, 12))} (${code.length} chars)`;
      if (code.length > 1000 && page.status === 413) continue;
      assert.equal(page.status, 400, label);
      assert.equal(alertText(page.html), 'Enter the 6 digits shown in your authenticator app.', label);
    }
    assert.equal(await throttleRow(tobira, `totp:user:${user.user.id}`), undefined, 'no failure was counted');
    assert.deepEqual(await auditRows(tobira, { target_id: user.user.id, action: 'mfa.totp' }), []);

    // Spaces people type are fine, and the right code still works: nothing was locked.
    const code = codeFor(totpSecret, clock.now());
    const back = await browser.submit(prompt, { code: `${code.slice(0, 3)} ${code.slice(3)}` }, '/totp');
    assert.ok(back.url.startsWith(CALLBACK), `got ${back.status} ${alertText(back.html)}`);
  });

  it('refuses a TOTP post with a tampered or missing interaction cookie with a plain error page and signs nobody in', async () => {
    const { user, config, totpSecret } = await enrolledUser(tobira, clock);
    const { browser, page: prompt } = await atTotpPrompt(tobira.issuer, config, user);
    const path = new URL(prompt.url).pathname;
    const original = browser.cookie('_interaction');
    assert.ok(original, `the interaction cookie is set (have ${browser.cookieNames().join(', ')})`);
    const signature = browser.cookie('_interaction.sig');
    const code = codeFor(totpSecret, clock.now());

    browser.setCookie('_interaction', `${original.slice(0, -2)}xy`, path);
    const tampered = await browser.submit(prompt, { code }, '/totp');
    browser.setCookie('_interaction', undefined);
    browser.setCookie('_interaction.sig', undefined);
    const missing = await browser.submit(prompt, { code }, '/totp');
    for (const [what, page] of [
      ['tampered', tampered],
      ['missing', missing],
    ] as const) {
      assert.equal(page.status, 400, what);
      assert.match(alertText(page.html)!, EXPIRED, what);
      assertNoInternals(page.html);
    }
    const successes = (await auditRows(tobira, { target_id: user.user.id, action: 'sign_in' })).filter((e) => e.outcome === 'success');
    assert.equal(successes.length, 1, 'only the enrolment sign-in');
    assert.deepEqual(await auditRows(tobira, { target_id: user.user.id, action: 'mfa.totp' }), []);
    assert.equal(await throttleRow(tobira, `totp:user:${user.user.id}`), undefined);

    // With the genuine cookie back, the very same code is still good: the refused posts used nothing up.
    browser.setCookie('_interaction', original, path);
    browser.setCookie('_interaction.sig', signature, path);
    const back = await browser.submit(prompt, { code }, '/totp');
    assert.ok(back.url.startsWith(CALLBACK), `got ${back.status} ${back.url}`);
  });

  it('refuses a code posted before the password step, and for an interaction that does not exist', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const login = await browser.open((await authorizationUrl(config)).url.href);
    assert.ok(login.html.includes('name="password"'));
    const early = await browser.request(`${login.url}/totp`, { method: 'POST', body: new URLSearchParams({ code: '123456' }) });
    assert.equal(early.status, 400);
    assert.match(alertText(early.html)!, EXPIRED);
    assertNoInternals(early.html);
    const ghost = await browser.request('/interaction/not-a-real-interaction/totp', { method: 'POST', body: new URLSearchParams({ code: '123456' }) });
    assert.equal(ghost.status, 400);
    assertNoInternals(ghost.html);
    // The login form itself is unharmed.
    const again = await browser.open(login.url);
    assert.ok(again.html.includes('name="password"'));
  });

  it('answers an absurdly long e-mail at the password form with a clear 400, not with a server error', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const address = uniqueAddress();
    const browser = new Browser(tobira.issuer, { 'x-forwarded-for': address });
    const login = await browser.open((await authorizationUrl(config)).url.href);
    // Random (incompressible) text, longer than a PostgreSQL index entry may be.
    const email = `${randomBytes(3000).toString('base64url')}@example.test`;
    const page = await browser.submit(login, { email, password: 'Winter2024!' }, '/login');
    assert.equal(page.status, 400, `expected a clear refusal, got ${page.status}: ${alertText(page.html)}`);
    assert.equal(alertText(page.html), 'That is not an e-mail address. Type it as name@example.com, without spaces, and try again.');
    assertNoInternals(page.html);
    // It has no canonical form (src/identity/email.ts), so it names no account: no password is checked, nothing to count.
    assert.equal(await throttleRow(tobira, `password:ip:${address}`), undefined);
  });

  it('keeps the same key after a wrong enrolment code and stores no authenticator until a right one', async () => {
    const workspace = await makeWorkspace(tobira, 'required');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const page = await browser.submit(await browser.open((await authorizationUrl(config)).url.href), { email: user.email, password: user.password });
    assert.ok(isEnrolmentPage(page));
    const key = secretOn(page);

    const wrong = await browser.submit(page, { label: 'iPhone', code: wrongCode(key, clock.now()) }, '/enrol');
    assert.equal(wrong.status, 400);
    assert.match(alertText(wrong.html)!, new RegExp(`That code does not match.*${user.email.replace(/[.]/g, '\\.')}`));
    assert.equal(secretOn(wrong), key, 'the page keeps the key the user already scanned');
    assert.match(wrong.html, /value="iPhone"/, 'the label typed is kept');
    const malformed = await browser.submit(page, { label: 'iPhone', code: '１２３４５６' }, '/enrol');
    assert.equal(malformed.status, 400);
    assert.equal(alertText(malformed.html), 'Enter the 6 digits shown in your authenticator app.');
    const reloaded = await browser.open(page.url);
    assert.equal(secretOn(reloaded), key, 'a reload shows the same key');
    assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 0);
    assert.equal((await tobira.db('recovery_codes').where({ user_id: user.user.id })).length, 0);
    assert.deepEqual(
      (await auditRows(tobira, { target_id: user.user.id })).filter((e) => e.action === 'mfa.enrol'),
      [],
    );

    const { after, secret: enrolledKey } = await enrol(browser, reloaded, { at: clock.now() });
    assert.equal(enrolledKey, key);
    assert.ok(after.url.startsWith(CALLBACK));
    assert.equal((await tobira.db('authenticators').where({ user_id: user.user.id })).length, 1);
  });
});
