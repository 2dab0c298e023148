// One canonical e-mail (issue 8.2): the sign-in lookup, the password lock, the unique index and the
// admin pages all use the form src/identity/email.ts gives. Before, the lock lower-cased in
// JavaScript and the lookup in SQL: a spelling on which they disagree (İ, full-width letters)
// slipped past the lock of a real account.
import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { createUser } from '../../src/directory/users.ts';
import { throttleKeys } from '../../src/mfa/throttle.ts';
import { startTobira, makeClient, makeWorkspace, unique, CALLBACK } from '../helpers/tobira.ts';
import { Browser, alertText, type Page } from '../../bench/support/browser.ts';
import { authorizationUrl, discover, exchange, type AuthStart } from '../../bench/support/rp.ts';
import { auditRows, throttleRow, uniqueAddress } from '../helpers/scenario-b.ts';
import { signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { csrfOn } from '../helpers/console.ts';

const PASSWORD = 'correct horse battery staple';
const NOT_PLAIN_EN =
  'This e-mail address contains a character that cannot be compared safely, such as İ, a separate accent mark or an invisible character. Type the address with plain letters and try again.';
const NOT_PLAIN_JA =
  'このメールアドレスには、安全に照合できない文字（İ、単独のアクセント記号、目に見えない文字など）が含まれています。通常の文字でメールアドレスを入力し直してください。';
const fullWidth = (text: string) => text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe('one canonical e-mail: every spelling of an address meets one account and one lock', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let config: oidc.Configuration;
  let workspaceSlug: string;
  // Behind a proxy each attempt comes from its own address, so only the per-account lock is in play.
  before(async () => {
    tobira = await startTobira({ TRUST_PROXY: 'true' }, { clock });
    workspaceSlug = (await makeWorkspace(tobira, 'optional')).slug;
    const { clientId, secret } = await makeClient(tobira);
    config = await discover(tobira.issuer, clientId, secret);
  });
  after(async () => tobira?.close());

  async function attempt(email: string, password: string, headers: Record<string, string> = {}): Promise<{ page: Page; start: AuthStart }> {
    const browser = new Browser(tobira.issuer, { 'x-forwarded-for': uniqueAddress(), ...headers });
    const start = await authorizationUrl(config);
    const page = await browser.submit(await browser.open(start.url.href), { email, password }, '/login');
    return { page, start };
  }

  /** A user whose address has a k and an i, locked by 5 wrong passwords typed as stored. */
  async function lockedUser() {
    const email = `kiri-${unique()}@example.test`;
    const user = await createUser(tobira.db, { workspaceSlug, email, password: PASSWORD, name: 'Kiri' });
    let last: Page | undefined;
    for (let i = 1; i <= 5; i++) last = (await attempt(email, `wrong-${i}`)).page;
    assert.equal(last!.status, 429, 'the 5th wrong password locks the account');
    const lock = await throttleRow(tobira, throttleKeys.passwordAccount(user.email));
    assert.ok(lock?.locked_until, 'the lock is keyed on the canonical form');
    return { email, user, lock };
  }

  it('holds the lock against upper-case, full-width and Kelvin-sign spellings, then lets any of them in as the one account', async () => {
    const { email, user, lock } = await lockedUser();
    const variants = {
      'upper case': email.toUpperCase(),
      'full width': fullWidth(email),
      'Kelvin sign for k': email.replace('k', '\u212A'),
    };
    for (const [name, variant] of Object.entries(variants)) {
      const { page } = await attempt(variant, PASSWORD);
      assert.equal(page.status, 429, `${name}: the right password is refused while the account is locked`);
      assert.match(alertText(page.html)!, /sign-in is paused: try again in 1 min/, name);
    }
    const row = await throttleRow(tobira, throttleKeys.passwordAccount(user.email));
    assert.equal(String(row!.locked_until), String(lock!.locked_until), 'refused attempts do not move the lock');
    assert.deepEqual(
      (await auditRows(tobira, { target_id: user.id, action: 'sign_in' })).map((e) => e.outcome),
      ['failure', 'failure', 'failure', 'failure', 'failure'],
    );

    clock.advance(61);
    const { page, start } = await attempt(variants['full width'], PASSWORD);
    assert.ok(page.url.startsWith(CALLBACK), `once the lock ends the full-width spelling signs in, got ${page.status}`);
    const claims = (await exchange(config, start, page.url)).claims()!;
    assert.equal(claims.sub, user.id);
    assert.equal(claims.email, email, 'the ID token carries the canonical address');
  });

  it('refuses the İ spelling of a locked account with a clear 400 in English and Japanese, before any lock or password check', async () => {
    const { email, user, lock } = await lockedUser();
    const dotted = email.replace('i', '\u0130');
    const { page } = await attempt(dotted, PASSWORD);
    assert.equal(page.status, 400, 'neither accepted nor counted as a wrong password');
    assert.equal(alertText(page.html), NOT_PLAIN_EN);
    assert.ok(page.html.includes(`value="${dotted}"`), 'the typed address is shown again to correct');
    const ja = await attempt(dotted, PASSWORD, { 'accept-language': 'ja' });
    assert.equal(ja.page.status, 400);
    assert.equal(alertText(ja.page.html), NOT_PLAIN_JA);

    const row = await throttleRow(tobira, throttleKeys.passwordAccount(user.email));
    assert.deepEqual([row!.failures, String(row!.locked_until)], [lock!.failures, String(lock!.locked_until)], 'the lock is untouched');
    assert.equal((await auditRows(tobira, { target_id: user.id, action: 'sign_in' })).length, 5, 'no password was checked against the account');
    const refusals = await tobira.db('audit_events').where({ action: 'sign_in', outcome: 'refused' }).whereRaw("details->>'reason' = 'email_not_canonical'");
    assert.ok(refusals.length >= 2 && refusals.every((e) => e.actor_type === 'anonymous' && e.target_id === null));

    // An unknown address spelled the same way gets the very same answer: nothing tells whether an account exists.
    const ghost = await attempt(`n\u0130body-${unique()}@example.test`, PASSWORD);
    assert.deepEqual([ghost.page.status, alertText(ghost.page.html)], [400, NOT_PLAIN_EN]);
  });

  it('refuses text that is no e-mail address at all with a 400 that says how to type one', async () => {
    const { page } = await attempt('kiri@example.test@example.test', PASSWORD);
    assert.equal(page.status, 400);
    assert.equal(alertText(page.html), 'That is not an e-mail address. Type it as name@example.com, without spaces, and try again.');
  });

  describe('admin console', () => {
    let admin: AdminSession;
    before(async () => {
      admin = await signedInAdmin(tobira, clock, workspaceSlug);
    });

    async function createViaPage(email: string): Promise<Page> {
      const csrf = csrfOn(await admin.browser.open('/admin/users/new'));
      return admin.browser.request('/admin/users', { method: 'POST', body: new URLSearchParams({ csrf, email, role: 'member', method: 'link' }) });
    }

    it('refuses a new user whose address is a spelling of an existing one, and an address with İ', async () => {
      const existing = `kiri-${unique()}@example.test`;
      await createUser(tobira.db, { workspaceSlug, email: existing, password: PASSWORD });
      for (const variant of [existing.toUpperCase(), fullWidth(existing), existing.replace('k', '\u212A')]) {
        const page = await createViaPage(variant);
        assert.equal(page.status, 400, variant);
        assert.equal(alertText(page.html), 'A user with this e-mail address already exists.', variant);
      }
      const dotted = await createViaPage(`\u0130nci-${unique()}@example.test`);
      assert.equal(dotted.status, 400);
      assert.equal(
        alertText(dotted.html),
        'This e-mail address contains a character that cannot be compared safely, such as İ, a separate accent mark or an invisible character. Type the address with plain letters.',
      );
      assert.equal((await tobira.db('users').where('email', 'like', '%nci-%')).length, 0);
    });

    it('stores a new user canonical and finds them by any spelling in the search box', async () => {
      const typed = `Search-${unique()}@Example.TEST`;
      const created = await createViaPage(typed);
      assert.equal(created.status, 200, 'the set-password link page');
      const stored = await tobira.db('users').where({ email: typed.toLowerCase() }).first();
      assert.ok(stored, 'stored in its canonical form');
      for (const query of [typed.toUpperCase(), fullWidth(typed.slice(0, 12)), fullWidth(typed)]) {
        const page = await admin.browser.open(`/admin/users?q=${encodeURIComponent(query)}`);
        assert.ok(page.html.includes(`/admin/users/${stored.id}`), `found by ${query}`);
      }
    });
  });
});
