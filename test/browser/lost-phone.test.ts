// The demo member lost the phone, in a real browser, in English and Japanese, wide (1280 px) and
// narrow (390 px): the code prompt says what to do without the phone (with the workspace's contact
// line), wrong codes say how many tries are left, a recovery code signs in, and the lost
// authenticator is removed on the page that follows before a new one is set up. Screenshots go to
// test/artifacts/lost-phone-*.png.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { codeFor } from '../../bench/support/totp.ts';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';

const TEXT = {
  en: {
    askAdmin: /Ask an administrator of your workspace to reset your two-step verification/,
    contact: 'How to reach them:',
    twoLeft: /3 attempts left before a 1-minute pause\./,
    removed: /^Removed: (.+)\. Your sessions in other browsers and apps have ended\.$/,
    none: 'You have no authenticator app now.',
  },
  ja: {
    askAdmin: /ワークスペースの管理者に多要素認証のリセットを依頼してください/,
    contact: '連絡先：',
    twoLeft: /あと 3 回間違えると、1 分間確認できなくなります。/,
    removed: /^(.+) を削除しました。ほかのブラウザーやアプリのセッションは終了しました。$/,
    none: '現在、登録済みの認証アプリはありません。',
  },
} as const;

describe('browser: the lost phone at the code prompt and after a recovery code', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  let secret: string;
  let codes: string[];
  let label = 'First phone';

  async function passwordStep(page: Page) {
    await page.goto(world.demo.url);
    await page.locator('a[href="/login"]').first().click();
    await page.waitForURL(/\/interaction\//);
    await page.locator('#email').fill(world.seed.member.email);
    await page.locator('#password').fill(world.seed.member.password);
    await page.locator('form[action$="/login"] button[type="submit"]').click();
  }

  /** Scans (reads the key), names and confirms on the enrolment page. */
  async function enrolHere(page: Page, name: string) {
    await page.locator('#secret').waitFor();
    secret = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
    await page.locator('#label').fill(name);
    await page.locator('#code').fill(codeFor(secret, world.clock.now()));
    await page.locator('form[action$="/enrol"] button[type="submit"]').click();
    world.clock.advance(30);
  }

  before(async () => {
    world = await startDemoWorld();
    await world.tobira.db('workspaces').where({ slug: world.seed.workspace }).update({ help_contact: 'IT help desk, ext. 4100, it-help@example.com' });
    // The member enrols first, through the demo app's "sign in with two-step verification".
    const context = await world.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(world.demo.url);
    await page.locator('a[href*="mfa"]').first().click();
    await page.locator('#email').fill(world.seed.member.email);
    await page.locator('#password').fill(world.seed.member.password);
    await page.locator('form[action$="/login"] button[type="submit"]').click();
    await enrolHere(page, label);
    codes = (await page.locator('li code').allInnerTexts()).map((c) => c.trim());
    assert.equal(codes.length, 10);
    await page.locator('form[action$="/continue"] button').click();
    await page.waitForURL(new RegExp(`:${world.port}/`));
    await context.close();
  });
  after(async () => world?.close());

  for (const lang of ['en', 'ja'] as const) {
    for (const width of [1280, 390]) {
      it(`${lang}, ${width} px: help without the phone, attempts left, removing the lost authenticator`, async () => {
        const text = TEXT[lang];
        const context = await world.browser.newContext({ locale: lang === 'ja' ? 'ja-JP' : 'en-US', viewport: { width, height: 900 } });
        const page = await context.newPage();
        const shot = (name: string) => page.screenshot({ path: `${artifacts}lost-phone-${name}-${lang}-${width}.png`, fullPage: true });
        await passwordStep(page);

        const help = page.locator('#lost-phone-admin');
        await help.waitFor();
        assert.match(await help.innerText(), text.askAdmin);
        assert.match(await page.locator('#help-contact-line').innerText(), new RegExp(`^${text.contact}\\s*IT help desk, ext\\. 4100, it-help@example\\.com$`));
        assert.equal(await page.locator('#help-contact-line a').getAttribute('href'), 'mailto:it-help@example.com');
        await shot('prompt');

        for (let i = 0; i < 2; i++) {
          await page.locator('#code').fill(codeFor(secret, world.clock.now()) === '000000' ? '111111' : '000000');
          await Promise.all([page.waitForNavigation(), page.locator('form[action$="/totp"] button[type="submit"]').click()]);
        }
        assert.match(await page.getByRole('alert').innerText(), text.twoLeft);
        await shot('attempts');

        await page.locator('a[href$="?use=recovery"]').click();
        await page.locator('form[action$="/recovery"] #code').fill(codes.shift()!);
        await page.locator('form[action$="/recovery"] button[type="submit"]').click();
        await page.locator('#factors').waitFor();
        assert.equal(await page.locator('#factors tbody tr').count(), 1);
        assert.match(await page.locator('#factors tbody tr').innerText(), new RegExp(label));
        await shot('recovered');

        await page.locator('#factors input[type="checkbox"]').check();
        await page.locator('form[action$="/remove-authenticators"] button[type="submit"]').click();
        const status = page.getByRole('status');
        await status.waitFor();
        assert.equal((await status.innerText()).match(text.removed)?.[1], label);
        assert.equal(await page.locator('#no-factors').innerText(), text.none);
        assert.equal((await world.tobira.db('authenticators').where({ label })).length, 0);
        await shot('removed');

        // A new phone, and back to the demo app.
        await page.locator('a[href$="?use=enrol"]').click();
        label = `Phone ${lang} ${width}`;
        await enrolHere(page, label);
        await page.waitForURL(new RegExp(`:${world.port}/`));
        await context.close();
      });
    }
  }

  it('a workspace admin saves the contact line on the settings page (English 1280 px, Japanese 390 px)', async () => {
    const context = await world.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${world.tobira.issuer}/admin/workspace`);
    await page.locator('#email').fill(world.seed.admin.email);
    await page.locator('#password').fill(world.seed.admin.password);
    await page.locator('form[action$="/login"] button[type="submit"]').click();
    await enrolHere(page, 'Admin phone');
    await page.locator('form[action$="/continue"] button').click();
    await page.locator('#contact').waitFor();
    assert.equal(await page.locator('#contact').inputValue(), 'IT help desk, ext. 4100, it-help@example.com');
    await page.locator('#contact').fill('IT help desk, ext. 4100, https://help.example.com/lost-phone');
    await page.locator('#help-contact button[type="submit"]').click();
    await page.getByRole('status').filter({ hasText: 'The contact line is saved.' }).waitFor();
    await page.screenshot({ path: `${artifacts}lost-phone-settings-en-1280.png`, fullPage: true });

    await page.locator('#contact').fill('x'.repeat(201));
    await page.locator('#help-contact button[type="submit"]').click();
    assert.equal(await page.getByRole('alert').innerText(), 'The contact line has 201 characters; at most 200 are allowed.');

    await page.setViewportSize({ width: 390, height: 900 });
    await page.goto(`${world.tobira.issuer}/admin/workspace`);
    await page.getByRole('link', { name: '日本語' }).click();
    await page.getByRole('heading', { name: 'スマートフォンを紛失したユーザーへの案内' }).waitFor();
    assert.equal(await page.locator('#contact').inputValue(), 'IT help desk, ext. 4100, https://help.example.com/lost-phone');
    await page.screenshot({ path: `${artifacts}lost-phone-settings-ja-390.png`, fullPage: true });
    await context.close();
  });
});
