// The audit log as an admin reads it, in a real browser: the demo workspace admin sets the
// workspace's time zone to Asia/Tokyo on the settings page, then reads the log in English and in
// Japanese, on a desktop (1280 px) and a phone (390 px) — sentences, not JSON; times in JST; no
// text cut off at the card's edge and no sideways scrolling. Screenshots go to test/artifacts/.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { codeFor } from '../../bench/support/totp.ts';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';

const AT = '2026-11-25T00:01:00.000Z';
const LONG_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 SomeVeryLongEmbeddedBrowserToken/1.2.3.4.5.6.7.8.9';

/** Nothing on the page is wider than the window, and nothing in the log is clipped by its cell. */
async function assertNothingCutOff(page: Page, label: string) {
  const overflow = await page.evaluate(() => {
    const doc = document.documentElement;
    const clipped = [...document.querySelectorAll('#audit-log td, #audit-log p, #audit-log span')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible')
      .map((el) => el.textContent?.slice(0, 60));
    const table = document.querySelector('#audit-log')!.getBoundingClientRect();
    const card = document.querySelector('#audit-log')!.closest('main, .card')!.getBoundingClientRect();
    return { page: doc.scrollWidth - window.innerWidth, clipped, beyondCard: Math.round(table.right - card.right) };
  });
  assert.ok(overflow.page <= 0, `${label}: the page scrolls sideways by ${overflow.page} px`);
  assert.ok(overflow.beyondCard <= 0, `${label}: the log sticks out of its card by ${overflow.beyondCard} px`);
  assert.deepEqual(overflow.clipped, [], `${label}: clipped text`);
}

describe('browser: the audit log as sentences in the workspace time zone', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  before(async () => {
    world = await startDemoWorld();
  });
  after(async () => world?.close());

  it('reads as sentences in JST, in English and Japanese, at 1280 px and 390 px', async () => {
    const { db } = world.tobira;
    const admin = await db('users').where({ email: world.seed.admin.email }).first();
    const member = await db('users').where({ email: world.seed.member.email }).first();
    const context = await world.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${world.tobira.issuer}/admin/workspace`);
    await page.getByLabel('E-mail address').fill(world.seed.admin.email);
    await page.getByLabel(/^Password$/).fill(world.seed.admin.password);
    await page.getByRole('button', { name: /^Sign in$/ }).click();
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    const secret = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
    await page.getByLabel('Name of this authenticator').fill('Admin phone');
    await page.getByLabel('Verification code').fill(codeFor(secret, world.clock.now()));
    await page.getByRole('button', { name: 'Confirm and continue' }).click();
    await page.getByRole('button', { name: /I have saved my codes/ }).click();
    await page.getByRole('heading', { name: 'Workspace settings' }).waitFor();

    await page.getByLabel('Show times in').selectOption('Asia/Tokyo');
    await page.getByRole('button', { name: 'Save time zone' }).click();
    assert.equal(await page.getByRole('status').innerText(), 'Times are now shown in Asia/Tokyo.');
    await page.locator('#time-zone').screenshot({ path: `${artifacts}admin-time-zone-en.png` });
    await page.setViewportSize({ width: 390, height: 900 });
    await page.screenshot({ path: `${artifacts}admin-time-zone-en-390.png`, fullPage: true });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the settings page fits a phone');

    // Events an admin meets after a lost phone, written at a known time, and one of a kind this
    // version does not know with details of an odd shape.
    const base = { workspace_id: admin.workspace_id, occurred_at: AT, ip: '203.0.113.7', user_agent: LONG_AGENT };
    await db('audit_events').insert([
      {
        ...base,
        action: 'mfa.reset',
        outcome: 'success',
        actor_type: 'user',
        actor_id: admin.id,
        actor_label: admin.email,
        target_type: 'user',
        target_id: member.id,
        details: JSON.stringify({ reason: 'lost phone', email: member.email, authenticators: 2, recovery_codes: 10 }),
      },
      {
        ...base,
        action: 'mfa.disable',
        outcome: 'success',
        actor_type: 'user',
        actor_id: member.id,
        actor_label: member.email,
        target_type: 'user',
        target_id: member.id,
        details: JSON.stringify({ authenticators_removed: 1, recovery_codes_removed: 10, ended_oidc_artefacts: 2, ended_console_sessions: 0, via: 'account' }),
      },
      {
        ...base,
        action: 'partner.sync',
        outcome: 'failure',
        actor_type: 'system',
        details: JSON.stringify({ endpoint: `https://partner.example/${'very-long-path-segment-'.repeat(8)}`, retries: [1, 2, 3], ok: false }),
      },
    ]);

    const views = [
      { lang: 'en', width: 1280, reset: 'reason: lost phone — 2 authenticators and 10 recovery codes removed', action: 'Two-step verification turned off' },
      { lang: 'en', width: 390, reset: 'reason: lost phone — 2 authenticators and 10 recovery codes removed', action: 'Two-step verification turned off' },
      { lang: 'ja', width: 1280, reset: '理由：lost phone／認証アプリ 2 件とリカバリーコード 10 件を削除', action: '多要素認証の無効化' },
      { lang: 'ja', width: 390, reset: '理由：lost phone／認証アプリ 2 件とリカバリーコード 10 件を削除', action: '多要素認証の無効化' },
    ];
    for (const view of views) {
      await page.setViewportSize({ width: view.width, height: 900 });
      await page.goto(`${world.tobira.issuer}/admin/audit`);
      if (view.lang === 'ja' && (await page.getByRole('link', { name: '日本語' }).count())) await page.getByRole('link', { name: '日本語' }).click();
      await page.getByRole('heading', { name: view.lang === 'ja' ? '監査ログ' : 'Audit log' }).waitFor();
      const reset = page.locator('tr[data-action="mfa.reset"]');
      assert.equal(await reset.locator('time').innerText(), '2026-11-25 09:01 JST');
      assert.equal(await reset.locator('time').getAttribute('datetime'), '2026-11-25T00:01:00Z');
      assert.equal(await reset.locator('.details').innerText(), view.reset);
      assert.equal(await reset.locator('.target').innerText(), member.email);
      assert.equal(await page.locator('tr[data-action="mfa.disable"] strong').innerText(), view.action);
      const unknown = await page.locator('tr[data-action="partner.sync"] .details').innerText();
      // jsonb keeps its own key order; each key reads as "key: value", values as words.
      assert.match(unknown, /(^| — |／)endpoint: https:\/\/partner\.example\/very-long-path-segment-/);
      assert.match(unknown, /(^| — |／)retries: 1(, |、)2(, |、)3( — |／|$)/);
      assert.match(unknown, /(^| — |／)ok: (no|いいえ)( — |／|$)/);
      // The authenticator set up on the way in is named by its label, not by its id.
      const enrolment = page.locator('tr[data-action="mfa.enrol"]').first();
      assert.equal(await enrolment.locator('.target').count(), 0);
      assert.match(await enrolment.locator('.details').innerText(), view.lang === 'ja' ? /^認証アプリ「Admin phone」／/ : /^authenticator “Admin phone” — /);
      const table = await page.locator('#audit-log').innerText();
      assert.doesNotMatch(table, /\{"|":/, 'no JSON in the log');
      await page.screenshot({ path: `${artifacts}admin-audit-sentences-${view.lang}-${view.width}.png`, fullPage: true });
      await assertNothingCutOff(page, `${view.lang} ${view.width}px`);
    }
    await context.close();
  });
});
