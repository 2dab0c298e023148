// A member sets up two-step verification from the demo app, as a person with an authenticator
// app would: scan (here: read the key off the page), type the code, save the recovery codes.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { codeFor } from '../../bench/support/totp.ts';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';

describe('browser: enrolment and the TOTP prompt', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  before(async () => {
    world = await startDemoWorld();
  });
  after(async () => world?.close());

  async function signInWithMfa(page: Page, email: string, password: string, emailLabel: RegExp, passwordLabel: RegExp, submit: RegExp) {
    await page.goto(world.demo.url);
    await page.locator('a[href="/login?mfa=1"]').first().click();
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel(emailLabel).fill(email);
    await page.getByLabel(passwordLabel).fill(password);
    await page.getByRole('button', { name: submit }).click();
  }

  it('enrols the demo member, shows the recovery codes once, and the demo app gets amr pwd, otp, mfa', async () => {
    const context = await world.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await signInWithMfa(page, world.seed.member.email, world.seed.member.password, /E-mail address/, /^Password$/, /^Sign in$/);
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    assert.ok(await page.locator('img.qr').isVisible(), 'the QR code is shown');
    assert.equal(await page.getByLabel('Verification code').getAttribute('autocomplete'), 'one-time-code');
    await page.screenshot({ path: `${artifacts}enrol-en.png`, fullPage: true });

    const secret = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
    await page.getByLabel('Name of this authenticator').fill('Pixel 9');
    await page.getByLabel('Verification code').fill('000000');
    await page.getByRole('button', { name: 'Confirm and continue' }).click();
    assert.match(await page.getByRole('alert').innerText(), /does not match/);
    assert.equal((await page.locator('#secret').innerText()).replace(/\s+/g, ''), secret, 'the same key after a mistake');

    await page.getByLabel('Verification code').fill(codeFor(secret, world.clock.now()));
    await page.getByRole('button', { name: 'Confirm and continue' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    assert.match((await page.getByRole('link', { name: 'Download as a text file' }).getAttribute('href')) ?? '', /^data:text\/plain/);
    await page.screenshot({ path: `${artifacts}recovery-codes-en.png`, fullPage: true });
    await page.getByRole('button', { name: /I have saved my codes/ }).click();

    await page.waitForURL(new RegExp(`:${world.port}/$`));
    const claims = JSON.parse(await page.locator('#claims').innerText()) as Record<string, unknown>;
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, 'urn:tobira:acr:mfa');
    await page.screenshot({ path: `${artifacts}demo-signed-in-mfa.png`, fullPage: true });
    await context.close();

    // Next time, in Japanese: password, then the TOTP prompt.
    world.clock.advance(30);
    const ja = await world.browser.newContext({ locale: 'ja-JP' });
    const jaPage = await ja.newPage();
    await signInWithMfa(jaPage, world.seed.member.email, world.seed.member.password, /メールアドレス/, /^パスワード$/, /^サインイン$/);
    await jaPage.getByRole('heading', { name: '多要素認証' }).waitFor();
    await jaPage.screenshot({ path: `${artifacts}totp-ja.png`, fullPage: true });
    await jaPage.getByLabel('確認コード').fill(codeFor(secret, world.clock.now()));
    await jaPage.getByRole('button', { name: '確認' }).click();
    await jaPage.waitForURL(new RegExp(`:${world.port}/$`));
    assert.deepEqual((JSON.parse(await jaPage.locator('#claims').innerText()) as { amr: string[] }).amr, ['pwd', 'otp', 'mfa']);
    await ja.close();
  });

  it('shows the enrolment page in Japanese to the workspace admin', async () => {
    const context = await world.browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await signInWithMfa(page, world.seed.admin.email, world.seed.admin.password, /メールアドレス/, /^パスワード$/, /^サインイン$/);
    await page.getByRole('heading', { name: '多要素認証の設定' }).waitFor();
    assert.ok(await page.getByText('認証アプリでこの QR コードを読み取ってください').isVisible());
    await page.screenshot({ path: `${artifacts}enrol-ja.png`, fullPage: true });
    await context.close();
  });
});
