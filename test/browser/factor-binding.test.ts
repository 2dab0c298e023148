// A member signed in with the password alone asks the demo app for two-step verification: before
// any key or QR code, Tobira asks for the password again and says why, in English and Japanese.
import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';

describe('browser: binding a factor asks for the password again', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  before(async () => {
    world = await startDemoWorld();
  });
  after(async () => world?.close());

  async function signedInWithPassword(locale: string, emailLabel: RegExp, passwordLabel: RegExp, submit: RegExp): Promise<BrowserContext> {
    const context = await world.browser.newContext({ locale });
    const page = await context.newPage();
    await page.goto(world.demo.url);
    await page.locator('a[href="/login"]').first().click();
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel(emailLabel).fill(world.seed.member.email);
    await page.getByLabel(passwordLabel).fill(world.seed.member.password);
    await page.getByRole('button', { name: submit }).click();
    await page.waitForURL(new RegExp(`:${world.port}/$`));
    return context;
  }

  for (const lang of [
    {
      locale: 'en-US',
      email: /E-mail address/,
      password: /^Password$/,
      submit: /^Sign in$/,
      why: 'To set up two-step verification, first confirm it is you: enter your password again.',
      enrol: 'Set up two-step verification',
    },
    {
      locale: 'ja-JP',
      email: /メールアドレス/,
      password: /^パスワード$/,
      submit: /^サインイン$/,
      why: '多要素認証を設定する前に、ご本人であることを確認します。パスワードをもう一度入力してください。',
      enrol: '多要素認証の設定',
    },
  ]) {
    it(`shows the password page with the reason before enrolment (${lang.locale})`, async () => {
      const context = await signedInWithPassword(lang.locale, lang.email, lang.password, lang.submit);
      const page = context.pages()[0]!;
      await page.locator('a[href="/login?mfa=1"]').first().click();
      await page.waitForURL(/\/interaction\//);
      assert.equal(await page.locator('p.notice').innerText(), lang.why);
      assert.equal(await page.locator('#secret').count(), 0, 'no key before the password');
      assert.equal(await page.locator('img.qr').count(), 0, 'no QR code before the password');
      assert.equal(await page.getByLabel(lang.email).inputValue(), world.seed.member.email, 'the e-mail is filled in');
      assert.equal(await page.getByLabel(lang.password).getAttribute('type'), 'password');
      await page.screenshot({ path: `${artifacts}enrol-password-first-${lang.locale.slice(0, 2)}.png`, fullPage: true });
      await page.getByLabel(lang.password).fill(world.seed.member.password);
      await page.getByRole('button', { name: lang.submit }).click();
      await page.getByRole('heading', { name: lang.enrol }).waitFor();
      assert.ok(await page.locator('img.qr').isVisible(), 'the QR code after the password');
      await context.close();
    });
  }
});
