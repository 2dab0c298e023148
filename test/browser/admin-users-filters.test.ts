// The demo workspace admin reads the users list's summary line and follows "without two-step
// verification" to the filtered list, in English and Japanese, on a desktop and a 390 px phone.
// Screenshots go to test/artifacts/.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { codeFor } from '../../bench/support/totp.ts';
import { throttleKeys } from '../../src/mfa/throttle.ts';
import { makeUser } from '../helpers/tobira.ts';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';

const rows = async (page: Page) => (await page.locator('#users tbody tr td:first-child br + span.muted').allInnerTexts()).map((t) => t.trim());

describe('browser: users list summary and filters', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  before(async () => {
    world = await startDemoWorld();
    const { tobira, seed, clock } = world;
    const add = async (email: string, name: string, role: 'member' | 'user_admin') => {
      const made = await makeUser(tobira, { workspaceSlug: seed.workspace, role, name });
      await tobira.db('users').where({ id: made.user.id }).update({ email });
      return made.user.id;
    };
    const kenji = await add('kenji.tanaka@demo.example', '田中 健二', 'member');
    const yuki = await add('yuki.sato@demo.example', '佐藤 由紀', 'member');
    const hana = await add('hana.suzuki@demo.example', '鈴木 花', 'user_admin');
    for (const id of [kenji, hana]) await tobira.db('authenticators').insert({ user_id: id, label: 'iPhone', secret_encrypted: 'unused' });
    await tobira.db('users').where({ id: yuki }).update({ status: 'disabled' });
    await tobira
      .db('throttles')
      .insert({ key: throttleKeys.totp(kenji), failures: 0, locks: 1, locked_until: new Date(clock.now().getTime() + 3_600_000), updated_at: clock.now() });
  });
  after(async () => world?.close());

  it('shows the summary and filters to users without two-step verification, in English and Japanese, wide and narrow', async () => {
    const context = await world.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${world.tobira.issuer}/admin/users`);
    await page.getByLabel('E-mail address').fill(world.seed.admin.email);
    await page.getByLabel(/^Password$/).fill(world.seed.admin.password);
    await page.getByRole('button', { name: /^Sign in$/ }).click();
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    const secret = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
    await page.getByLabel('Name of this authenticator').fill('Admin phone');
    await page.getByLabel('Verification code').fill(codeFor(secret, world.clock.now()));
    await page.getByRole('button', { name: 'Confirm and continue' }).click();
    await page.getByRole('button', { name: /I have saved my codes/ }).click();

    await page.getByRole('heading', { name: 'Users' }).waitFor();
    // The admin enrolled on the way in; the demo member and the disabled Yuki have no second factor.
    assert.equal((await page.locator('#users-summary').innerText()).trim(), '5 users · 2 without two-step verification · 1 locked · 1 disabled');
    assert.equal((await rows(page)).length, 5);
    await page.screenshot({ path: `${artifacts}admin-users-list-en.png`, fullPage: true });

    await page.getByRole('link', { name: '2 without two-step verification' }).click();
    await page.waitForURL(/\/admin\/users\?mfa=none$/);
    assert.deepEqual(await rows(page), ['member@demo.example', 'yuki.sato@demo.example']);
    assert.equal(await page.getByLabel('Two-step verification').inputValue(), 'none');
    await page.screenshot({ path: `${artifacts}admin-users-filtered-en.png`, fullPage: true });

    // The filter form works without script: add the role filter and apply.
    await page.getByLabel('Status').selectOption('disabled');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/mfa=none&status=disabled/);
    assert.deepEqual(await rows(page), ['yuki.sato@demo.example']);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${world.tobira.issuer}/admin/users`);
    await page.getByRole('link', { name: '日本語' }).click();
    await page.getByRole('heading', { name: 'ユーザー' }).waitFor();
    assert.equal((await page.locator('#users-summary').innerText()).trim(), 'ユーザー 5 人 · 二段階認証なし 2 人 · ロック中 1 人 · 無効 1 人');
    await page.screenshot({ path: `${artifacts}admin-users-list-ja-390.png`, fullPage: true });
    // Nothing but the table's own scroller is wider than the phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);

    await page.getByRole('link', { name: '二段階認証なし 2 人' }).click();
    await page.waitForURL(/\/admin\/users\?mfa=none$/);
    assert.deepEqual(await rows(page), ['member@demo.example', 'yuki.sato@demo.example']);
    await page.screenshot({ path: `${artifacts}admin-users-filtered-ja-390.png`, fullPage: true });

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('link', { name: 'ロック中 1 人' }).click();
    await page.waitForURL(/\/admin\/users\?status=locked$/);
    assert.deepEqual(await rows(page), ['kenji.tanaka@demo.example']);
    await page.screenshot({ path: `${artifacts}admin-users-locked-ja.png`, fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.screenshot({ path: `${artifacts}admin-users-locked-en-390.png`, fullPage: true });
    await context.close();
  });
});
